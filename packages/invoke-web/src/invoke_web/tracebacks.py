"""A failed node's traceback stays on the server: in its log, not in answers or events.

Tracebacks name the install's absolute paths, so the API and the events give the node, the
error type and the message, and the traceback only when `expose_tracebacks` is on. The stored
session keeps it (the CLI's local `--debug` reads it there), and the server logs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request
from invoke_core import Event, InvocationErrorEvent, Invoker, QueueItemStatusChangedEvent, Session
from invoke_core.services.session_queue import QueueItem

logger = logging.getLogger("invoke.web.failures")
_TRACEBACK_START = "Traceback (most recent call last):"


def expose_tracebacks(request: Request) -> bool:
    """The app's setting, as a FastAPI dependency."""
    return request.app.state.settings.expose_tracebacks


def public_item_error(error: str | None, expose: bool) -> str | None:
    """A queue item's error; a crash outside any node records a traceback, of which its last line says what."""
    if expose or not error or _TRACEBACK_START not in error:
        return error
    return error.rstrip().splitlines()[-1]


def public_item(item: QueueItem, expose: bool) -> QueueItem:
    error = public_item_error(item.error, expose)
    return item if error == item.error else item.model_copy(update={"error": error})


def session_json(session: Session, expose_tracebacks: bool) -> dict[str, Any]:
    body = session.model_dump()
    if not expose_tracebacks:
        for error in body.get("errors", {}).values():
            error["traceback"] = ""
    return body


def public_event(event: Event, expose_tracebacks: bool) -> Event:
    if isinstance(event, InvocationErrorEvent) and event.traceback and not expose_tracebacks:
        return event.model_copy(update={"traceback": ""})
    if isinstance(event, QueueItemStatusChangedEvent):
        error = public_item_error(event.error, expose_tracebacks)
        return event if error == event.error else event.model_copy(update={"error": error})
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
