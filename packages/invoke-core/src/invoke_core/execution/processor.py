"""The session processor: claims queue items and runs them, one at a time.

Every run goes through here, whoever asks: the background thread of a server, or
`Invoker.run` in the caller's thread (which claims its own item). One cancel mechanism: a
flag per running item, set by `cancel_running` and read by the node through
`context.is_canceled()`.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable

from invoke_core.errors import SessionNotFoundError
from invoke_core.execution.runner import SessionRunner
from invoke_core.services.container import InvocationServices
from invoke_core.services.session_queue import QueueItem
from invoke_core.session import Session

logger = logging.getLogger("invoke.processor")


class SessionProcessor:
    def __init__(
        self,
        services: InvocationServices,
        runner: SessionRunner,
        on_status: Callable[[QueueItem], None],
        idle_wait: float = 0.5,
    ):
        self.services = services
        self.runner = runner
        self.on_status = on_status  # told each time an item starts or finishes
        self.idle_wait = idle_wait
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cancel_flags: dict[int, threading.Event] = {}
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Claim and run items in a background thread until `stop`."""
        with self._lock:
            if self.running:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="invoke-processor", daemon=True)
            self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        self.services.queue.notify()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None

    def cancel_running(self, item_id: int) -> None:
        """Ask the item's node to stop; it sees `context.is_canceled()` turn true."""
        flag = self._cancel_flags.get(item_id)
        if flag is not None:
            flag.set()

    def running_items(self) -> list[int]:
        return list(self._cancel_flags)

    def _loop(self) -> None:
        queue = self.services.queue
        while not self._stop.is_set():
            try:
                item = queue.claim_next()
            except Exception:
                logger.exception("could not claim the next queue item")
                self._stop.wait(self.idle_wait)
                continue
            if item is None:
                queue.wait_for_work(self.idle_wait)
                continue
            self.run_item(item)

    def _latest_session(self, item: QueueItem) -> Session:
        """The stored session if there is one: it holds edits made while the item waited
        (a queue may keep its own copy from enqueue time). Batch sessions exist only in the queue."""
        try:
            return self.services.sessions.get(item.session_id)
        except SessionNotFoundError:  # a batch session: it lives in the queue until it ends
            if item.session is None:  # enqueued as stored, and gone from storage since
                raise SessionNotFoundError(
                    f"session {item.session_id} of queue item {item.item_id} is no longer in session storage"
                ) from None
            return item.session
        except Exception:  # unreadable: run the queue's copy, which then replaces it
            if item.session is None:
                raise
            logger.exception("stored session %s cannot be read; running the queued copy", item.session_id)
            return item.session

    def run_item(self, item: QueueItem, session: Session | None = None) -> Session | None:
        """Run a claimed item to its end, store its session and finish the item.

        `session`: the item's session when the caller holds its latest copy (else it is read).
        None when the session could not be read at all (the item then failed with why)."""
        services = self.services
        flag = threading.Event()
        self._cancel_flags[item.item_id] = flag
        if services.queue.get(item.item_id).status == "canceled":
            flag.set()  # canceled between its claim and now: the cancel found no flag to set
        self.on_status(item)
        error = None
        try:
            if session is None:
                session = self._latest_session(item)
            self.runner.run(session, invoke_all=item.invoke_all, queue_item_id=item.item_id, is_canceled=flag.is_set)
            status = "canceled" if session.canceled else "failed" if session.errors else "completed"
            if session.errors:
                first = next(iter(session.errors.values()))
                error = f"{first.node_id} ({first.node_type}): {first.error_type}: {first.message}"
        except Exception as exc:  # a bug outside any node: the item fails, the processor lives on
            logger.exception("queue item %s crashed", item.item_id)
            status = "failed"
            error = traceback.format_exc() if session is not None else f"{type(exc).__name__}: {exc}"
        finally:
            self._cancel_flags.pop(item.item_id, None)
        if session is None:  # it could not be read at all: the item fails with why
            finished = services.queue.finish(item.item_id, "failed", error=error)
            self.on_status(finished)
            return None
        try:
            services.sessions.set(session)
            finished = services.queue.finish(item.item_id, status, error=error, session=session)  # type: ignore[arg-type]
        except Exception as exc:
            logger.exception("could not record the end of queue item %s", item.item_id)
            finished = self._fail_unrecorded(item, session, exc)
            if finished is None:
                return session
        self.on_status(finished)
        return session

    def _fail_unrecorded(self, item: QueueItem, session: Session, exc: Exception) -> QueueItem | None:
        """The end of a run could not be stored (its session holds something storage refuses):
        the item still fails, with why, and the stored copy from before the run records that
        failure, so nothing stays in progress and the session stays readable."""
        reason = f"the session could not be stored: {type(exc).__name__}: {exc}"
        try:
            stored = self.services.sessions.get(item.session_id)
            if stored is not session and stored.interrupt(reason) is not None:
                self.services.sessions.set(stored)
        except Exception:  # not in storage (a batch session), or storage itself is failing
            logger.exception("could not record on session %s why its run failed", item.session_id)
        try:
            return self.services.queue.finish(item.item_id, "failed", error=reason)
        except Exception:
            logger.exception("could not fail queue item %s", item.item_id)
            return None
