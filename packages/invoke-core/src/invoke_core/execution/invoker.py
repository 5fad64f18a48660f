"""The invoker: the one object applications talk to.

    session = Invoker().run(Graph.model_validate(graph_json))
    session.results["node_id"]; session.errors

Every run goes through the queue and the processor. `run` queues the session and runs that
item in the calling thread; `invoke` queues it for the background processor thread, which
starts on first use; `wait` blocks until a queue item is finished. `cancel` works the same
for both.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from invoke_core.batch import Batch
from invoke_core.config import InvokeConfig
from invoke_core.errors import CorruptDataError, SessionBusyError, SessionNotFoundError
from invoke_core.events import Event, QueueItemStatusChangedEvent, SessionCanceledEvent
from invoke_core.execution.processor import SessionProcessor
from invoke_core.execution.runner import SessionRunner
from invoke_core.graph import Edge, Graph
from invoke_core.graph.limits import GraphLimits
from invoke_core.invocation import BaseInvocation
from invoke_core.services.container import InvocationServices
from invoke_core.services.session_queue import FINISHED_STATUSES, EnqueueBatchResult, QueueItem
from invoke_core.session import Session

logger = logging.getLogger("invoke.invoker")


class Invoker:
    def __init__(self, services: InvocationServices | None = None, *, config: InvokeConfig | None = None):
        self.services = services or InvocationServices.from_config(config)
        self.runner = SessionRunner(self.services)
        self.processor = SessionProcessor(self.services, self.runner, self.emit_status)
        # Graphs from outside (JSON, edits of stored sessions) get the configured limits.
        self.limits = GraphLimits.from_config(self.services.config)
        self._recovered = False
        self._recover_lock = threading.Lock()
        logging.getLogger("invoke").setLevel(self.services.config.log_level.upper())

    # ---- sessions ------------------------------------------------------------------------

    def create_session(self, graph: Graph | dict[str, Any] | None = None) -> Session:
        session = Session(self._graph(graph) if graph is not None else None)
        self.services.sessions.set(session)
        return session

    def get_session(self, session_id: str) -> Session:
        return self.services.sessions.get(session_id)

    def _graph(self, graph: Graph | dict[str, Any]) -> Graph:
        """A graph from JSON, within the configured limits (a Graph object is taken as it is)."""
        return Graph.model_validate(graph, limits=self.limits)

    def _editable_session(self, session_id: str) -> Session:
        """The stored session, unless it is running now: a run would overwrite the change when
        it stores its result, so the edit is refused rather than silently lost."""
        session = self.get_session(session_id)
        if any(item.status == "in_progress" for item in self.services.queue.items_for_session(session_id)):
            raise SessionBusyError(f"session {session_id} is running; change it after its run ends (or cancel it)")
        session.graph.limits = self.limits  # read back from storage without them
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
        """Run a graph (or a session) to the end in this thread and return the session.

        It is queued like any other run, then this thread claims and runs
        that item, so `cancel` and the queue see it as they see every run.
        """
        session = graph if isinstance(graph, Session) else Session(self._graph(graph))
        session.graph.validate()
        self.recover()
        queue = self.services.queue
        self.services.sessions.set(session)
        item = queue.enqueue(session, invoke_all=invoke_all, stored=True)
        self.emit_status(item)
        claimed = queue.claim(item.item_id)
        if claimed is None:  # canceled already, or a background processor took it: follow it
            finished = self.wait(item)
            session = self.get_session(session.id)
            if finished.status == "canceled" and not session.is_complete():
                self._store_canceled(session)
            return session
        try:
            return self.processor.run_item(claimed, session)
        except BaseException:  # Ctrl-C in this thread: the run stops here, canceled, not left running
            self.processor.cancel_running(item.item_id)
            self._store_canceled(session)
            self.emit_status(queue.finish(item.item_id, "canceled", session=session))
            raise

    def invoke(
        self, session: Session | str, *, invoke_all: bool = True, priority: int = 0, front: bool = False
    ) -> QueueItem:
        """Queue a session (the next node, or all) for the background processor."""
        if isinstance(session, str):
            session = self.get_session(session)
        session.graph.validate()
        self.services.sessions.set(session)
        item = self.services.queue.enqueue(session, invoke_all=invoke_all, priority=priority, front=front, stored=True)
        self.emit_status(item)
        self.start()
        return item

    def enqueue_batch(self, batch: Batch, *, priority: int = 0, front: bool = False) -> EnqueueBatchResult:
        batch.graph.validate()
        result = self.services.queue.enqueue_batch(batch, priority=priority, front=front)
        self.start()
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

    def recover(self) -> list[QueueItem]:
        """Once per invoker: fail the queue items whose runner went away (a killed process) and
        record that on their sessions, so nothing stays `in_progress` or `pending` forever."""
        with self._recover_lock:
            if self._recovered:
                return []
            self._recovered = True
            recovered = self.services.queue.recover()
        for item in recovered:
            try:
                session = self.get_session(item.session_id)
            except (SessionNotFoundError, CorruptDataError):
                session = None
            if session is not None and session.interrupt(item.error or "interrupted") is not None:
                self.services.sessions.set(session)
            self.emit_status(item)
        return recovered

    # ---- canceling -----------------------------------------------------------------------

    def cancel(self, session_id: str) -> list[QueueItem]:
        """Cancel a session: its queued items, and the node running now (it stops at its next check)."""
        queue = self.services.queue
        canceled = [queue.cancel(item.item_id) for item in queue.items_for_session(session_id)]
        self._after_cancel(canceled)
        if not canceled:
            session = self.get_session(session_id)
            if not session.is_complete():
                self._store_canceled(session)
        return canceled

    def _store_canceled(self, session: Session) -> None:
        session.cancel()
        self.services.sessions.set(session)
        self.services.events.emit(SessionCanceledEvent(session_id=session.id))

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
        """Start the background processor (after recovering what a killed process left)."""
        self.recover()
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
