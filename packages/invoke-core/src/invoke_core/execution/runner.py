"""Runs a session's nodes with a set of services, turning every step into events."""

from __future__ import annotations

from collections.abc import Callable

from invoke_core.context import _never_canceled
from invoke_core.errors import CanceledError
from invoke_core.events import (
    InvocationCompleteEvent,
    InvocationErrorEvent,
    InvocationStartedEvent,
    SessionCanceledEvent,
    SessionCompleteEvent,
)
from invoke_core.execution.node_run import NodeRunContext
from invoke_core.execution.storable import check_storable
from invoke_core.invocation import BaseInvocationOutput
from invoke_core.services.container import InvocationServices
from invoke_core.services.invocation_cache import cache_key
from invoke_core.session import NodeError, Session


class SessionRunner:
    def __init__(self, services: InvocationServices):
        self.services = services

    def run(
        self,
        session: Session,
        *,
        invoke_all: bool = True,
        queue_item_id: int | None = None,
        is_canceled: Callable[[], bool] = _never_canceled,
    ) -> Session:
        """Run the next ready node, or all of them; a node failure is recorded, never raised."""
        events = self.services.events
        while True:
            if is_canceled() and not session.canceled:
                session.cancel()
                events.emit(SessionCanceledEvent(session_id=session.id, queue_item_id=queue_item_id))
            if not self.run_next(session, queue_item_id=queue_item_id, is_canceled=is_canceled) or not invoke_all:
                break
        if session.is_complete():
            events.emit(SessionCompleteEvent(session_id=session.id, queue_item_id=queue_item_id, status=session.status))
        return session

    def run_next(
        self, session: Session, *, queue_item_id: int | None = None, is_canceled: Callable[[], bool] = _never_canceled
    ) -> bool:
        """Run one execution; False when none was ready."""
        services = self.services
        events = services.events
        try:
            node = session.next()
        except Exception as exc:  # its inputs could not be filled: that node fails
            self._report(session, session.fail(session.claimed, exc, traceback=""), queue_item_id)  # type: ignore[arg-type]
            return False
        if node is None:
            return False
        execution = node.id
        source = session.source_node(execution)
        node_type = node.type  # type: ignore[attr-defined]
        listening = events.has_listeners
        if listening:
            events.emit(
                InvocationStartedEvent(
                    session_id=session.id,
                    queue_item_id=queue_item_id,
                    node_id=execution,
                    source_node_id=source,
                    node_type=node_type,
                )
            )
        cache = services.cache
        key = None
        outputs = None
        if node.use_cache and cache.enabled and node.__node_metadata__.get("cacheable", True):
            key = cache_key(node)
            outputs = cache.get(key)
        cached = outputs is not None
        if not cached:
            context = NodeRunContext(services, session, execution, source, node_type, queue_item_id, is_canceled)
            try:
                outputs = node.invoke(context)
                if not isinstance(outputs, BaseInvocationOutput):
                    raise TypeError(f"node {source!r} ({node_type}) returned {type(outputs).__name__}, not its Outputs")
                check_storable(outputs)  # else its session could be neither stored nor read back
            except CanceledError:
                session.cancel()
                events.emit(SessionCanceledEvent(session_id=session.id, queue_item_id=queue_item_id))
                return False
            except Exception as exc:
                self._report(session, session.fail(execution, exc), queue_item_id)
                return False
            if key is not None:
                cache.save(key, outputs)
        session.complete(execution, outputs)  # type: ignore[arg-type]
        if listening:
            events.emit(
                InvocationCompleteEvent(
                    session_id=session.id,
                    queue_item_id=queue_item_id,
                    node_id=execution,
                    source_node_id=source,
                    node_type=node_type,
                    outputs=outputs,
                    cached=cached,
                )
            )
        return True

    def _report(self, session: Session, error: NodeError, queue_item_id: int | None) -> None:
        self.services.events.emit(
            InvocationErrorEvent(
                session_id=session.id,
                queue_item_id=queue_item_id,
                node_id=error.node_id,
                source_node_id=error.source_node_id,
                node_type=error.node_type,
                error_type=error.error_type,
                message=error.message,
                traceback=error.traceback,
            )
        )
