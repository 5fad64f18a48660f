"""The invoker: the one object applications talk to.

    session = Invoker().run(Graph.model_validate(graph_json))
    session.results["node_id"]; session.errors

`run` executes in the calling thread. `invoke` queues a session for the background processor
thread, which starts on first use; `wait` blocks until its queue item is finished.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from invoke_core.batch import Batch
from invoke_core.config import InvokeConfig
from invoke_core.errors import SessionBusyError
from invoke_core.events import Event, QueueItemStatusChangedEvent, SessionCanceledEvent
from invoke_core.graph import Edge, Graph
from invoke_core.invocation import BaseInvocation
from invoke_core.processor import SessionProcessor
from invoke_core.runner import SessionRunner
from invoke_core.services.services import InvocationServices
from invoke_core.services.session_queue import FINISHED_STATUSES, EnqueueBatchResult, QueueItem
from invoke_core.session import Session


class Invoker:
    def __init__(self, services: InvocationServices | None = None, *, config: InvokeConfig | None = None):
        self.services = services or InvocationServices.from_config(config)
        self.runner = SessionRunner(self.services)
        self.processor = SessionProcessor(self)
        self._direct_runs: dict[str, threading.Event] = {}  # cancel flags of sessions in run()
        logging.getLogger("invoke").setLevel(self.services.config.log_level.upper())

    # ---- sessions ------------------------------------------------------------------------

    def create_session(self, graph: Graph | dict[str, Any] | None = None) -> Session:
        session = Session(graph)
        self.services.sessions.set(session)
        return session

    def get_session(self, session_id: str) -> Session:
        return self.services.sessions.get(session_id)

    def _editable_session(self, session_id: str) -> Session:
        """The stored session, unless it is running now: a run would overwrite the change when
        it stores its result, so the edit is refused rather than silently lost."""
        session = self.get_session(session_id)
        running = session_id in self._direct_runs or any(
            item.status == "in_progress" for item in self.services.queue.items_for_session(session_id)
        )
        if running:
            raise SessionBusyError(f"session {session_id} is running; change it after its run ends (or cancel it)")
        return session

    def add_node(self, session_id: str, node: BaseInvocation | dict[str, Any], *, autolink: bool = False) -> str:
        session = self._editable_session(session_id)
        node_id = session.add_node(node, autolink=autolink)
        self.services.sessions.set(session)
        return node_id

    def add_edge(self, session_id: str, edge: Edge | dict[str, Any]) -> Edge:
        session = self._editable_session(session_id)
        added = session.add_edge(edge)
        self.services.sessions.set(session)
        return added

    def add_graph(self, session_id: str, graph: Graph | dict[str, Any]) -> None:
        session = self._editable_session(session_id)
        session.add_graph(graph)
        self.services.sessions.set(session)

    # ---- running -------------------------------------------------------------------------

    def run(self, graph: Graph | Session | dict[str, Any], *, invoke_all: bool = True) -> Session:
        """Run a graph (or a session) to the end in this thread and return the session."""
        session = graph if isinstance(graph, Session) else Session(Graph.model_validate(graph))
        self.services.sessions.set(session)
        canceled = self._direct_runs.setdefault(session.id, threading.Event())
        try:
            self.runner.run(session, invoke_all=invoke_all, is_canceled=canceled.is_set)
        finally:
            self._direct_runs.pop(session.id, None)
        self.services.sessions.set(session)
        return session

    def invoke(
        self, session: Session | str, *, invoke_all: bool = True, priority: int = 0, front: bool = False
    ) -> QueueItem:
        """Queue a session (the next node, or all) for the background processor."""
        if isinstance(session, str):
            session = self.get_session(session)
        self.services.sessions.set(session)
        item = self.services.queue.enqueue(session, invoke_all=invoke_all, priority=priority, front=front)
        self.emit_status(item)
        self.processor.start()
        return item

    def enqueue_batch(self, batch: Batch, *, priority: int = 0, front: bool = False) -> EnqueueBatchResult:
        result = self.services.queue.enqueue_batch(batch, priority=priority, front=front)
        self.processor.start()
        return result

    def wait(self, item: QueueItem | int, timeout: float | None = None) -> QueueItem:
        """Block until a queue item is finished; TimeoutError after `timeout` seconds."""
        item_id = item if isinstance(item, int) else item.item_id
        done = threading.Event()

        def watch(event: Event) -> None:
            if (
                isinstance(event, QueueItemStatusChangedEvent)
                and event.queue_item_id == item_id
                and event.status in FINISHED_STATUSES
            ):
                done.set()

        unsubscribe = self.services.events.subscribe(watch)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                current = self.services.queue.get(item_id)
                if current.status in FINISHED_STATUSES and item_id not in self.processor.running_items():
                    return current
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError(f"queue item {item_id} is still {current.status} after {timeout} s")
                done.wait(0.1 if left is None else min(left, 0.1))  # the poll covers queues in other processes
        finally:
            unsubscribe()

    # ---- canceling -----------------------------------------------------------------------

    def cancel(self, session_id: str) -> list[QueueItem]:
        """Cancel a session: its queued items, and the node running now (it stops at its next check)."""
        queue = self.services.queue
        canceled = [queue.cancel(item.item_id) for item in queue.items_for_session(session_id)]
        self._after_cancel(canceled)
        running_here = self._direct_runs.get(session_id)
        if running_here is not None:
            running_here.set()  # run() in another thread sees it at the node's next check
        elif not canceled:
            session = self.get_session(session_id)
            if not session.is_complete():
                session.cancel()
                self.services.sessions.set(session)
                self.services.events.emit(SessionCanceledEvent(session_id=session_id))
        return canceled

    def cancel_queue_item(self, item_id: int) -> QueueItem:
        item = self.services.queue.cancel(item_id)
        self._after_cancel([item])
        return item

    def cancel_batch(self, batch_id: str) -> list[QueueItem]:
        canceled = self.services.queue.cancel_batch(batch_id)
        self._after_cancel(canceled)
        return canceled

    def cancel_all(self) -> list[QueueItem]:
        canceled = self.services.queue.cancel_all()
        self._after_cancel(canceled)
        return canceled

    def _after_cancel(self, items: list[QueueItem]) -> None:
        for item in items:
            self.processor.cancel_running(item.item_id)
            self.emit_status(item)

    def emit_status(self, item: QueueItem) -> None:
        """Tell listeners a queue item changed status."""
        self.services.events.emit(
            QueueItemStatusChangedEvent(
                session_id=item.session_id,
                queue_item_id=item.item_id,
                batch_id=item.batch_id,
                status=item.status,
                error=item.error,
            )
        )

    # ---- lifetime ------------------------------------------------------------------------

    def start(self) -> None:
        self.processor.start()

    def stop(self) -> None:
        self.processor.stop()

    def close(self) -> None:
        self.stop()
        self.services.close()

    def __enter__(self) -> Invoker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
