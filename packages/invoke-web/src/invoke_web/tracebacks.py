"""A failed node's traceback stays on the server: in its log, not in answers or events.

Tracebacks name the install's absolute paths, so the API and the events give the node, the
error type and the message, and the traceback only when `expose_tracebacks` is on. The stored
session keeps it (the CLI's local `--debug` reads it there), and the server logs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from invoke_core import Event, InvocationErrorEvent, Invoker, Session

logger = logging.getLogger("invoke.web.failures")


def session_json(session: Session, expose_tracebacks: bool) -> dict[str, Any]:
    body = session.model_dump()
    if not expose_tracebacks:
        for error in body.get("errors", {}).values():
            error["traceback"] = ""
    return body


def public_event(event: Event, expose_tracebacks: bool) -> Event:
    if isinstance(event, InvocationErrorEvent) and event.traceback and not expose_tracebacks:
        return event.model_copy(update={"traceback": ""})
    return event


def log_node_failures(invoker: Invoker) -> Callable[[], None]:
    """Log each failed item's node errors with their tracebacks; returns what undoes it."""
    processor = invoker.processor
    told = processor.on_status

    def on_status(item: Any) -> None:
        told(item)
        if item.status != "failed":
            return
        try:
            session = invoker.services.sessions.get(item.session_id)
        except Exception:  # the item's own error says why; nothing more to add here
            logger.warning("queue item %s failed: %s", item.item_id, item.error)
            return
        for error in session.errors.values():
            logger.warning(
                "queue item %s, session %s: node %r (%s) failed: %s: %s\n%s",
                item.item_id,
                session.id,
                error.node_id,
                error.node_type,
                error.error_type,
                error.message,
                error.traceback.rstrip(),
            )

    processor.on_status = on_status

    def undo() -> None:
        processor.on_status = told

    return undo
