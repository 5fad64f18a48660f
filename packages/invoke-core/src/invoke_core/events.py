"""Typed events: every change in a session's or queue item's state is one of these."""

from __future__ import annotations

import base64
import io
import time
from typing import Any, ClassVar

from pydantic import BaseModel, Field, SerializeAsAny

from invoke_core.invocation import BaseInvocationOutput


class Event(BaseModel):
    """Base of every event. `name` is what Socket.IO clients and logs see."""

    name: ClassVar[str] = "event"
    timestamp: float = Field(default_factory=time.time)
    session_id: str | None = None
    queue_item_id: int | None = None

    def envelope(self) -> dict[str, Any]:
        """{"event": name, "data": ...}: the one JSON shape events travel in."""
        return {"event": self.name, "data": self.model_dump(mode="json")}


class InvocationEvent(Event):
    node_id: str = Field(description="The execution id (node id plus iteration indexes)")
    source_node_id: str = Field(description="The id of the node in the graph")
    node_type: str


class InvocationStartedEvent(InvocationEvent):
    name: ClassVar[str] = "invocation_started"


class InvocationProgressEvent(InvocationEvent):
    name: ClassVar[str] = "invocation_progress"
    step: int
    total: int
    message: str | None = None
    preview: str | None = Field(default=None, description="A small preview image as a data: URL")


class InvocationCompleteEvent(InvocationEvent):
    name: ClassVar[str] = "invocation_complete"
    outputs: SerializeAsAny[BaseInvocationOutput]
    cached: bool = False


class InvocationErrorEvent(InvocationEvent):
    name: ClassVar[str] = "invocation_error"
    error_type: str
    message: str
    traceback: str = ""


class SessionCompleteEvent(Event):
    name: ClassVar[str] = "session_complete"
    status: str = Field(description="completed, failed or canceled")


class SessionCanceledEvent(Event):
    name: ClassVar[str] = "session_canceled"


class QueueItemStatusChangedEvent(Event):
    name: ClassVar[str] = "queue_item_status_changed"
    batch_id: str | None = None
    status: str
    error: str | None = None


EVENT_TYPES: tuple[type[Event], ...] = (
    InvocationStartedEvent,
    InvocationProgressEvent,
    InvocationCompleteEvent,
    InvocationErrorEvent,
    SessionCompleteEvent,
    SessionCanceledEvent,
    QueueItemStatusChangedEvent,
)


def encode_preview(image: Any, max_side: int = 256) -> str:
    """A PIL image as a small JPEG data: URL, cheap enough to send with each progress step."""
    preview = image.convert("RGB")
    preview.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    preview.save(buffer, format="JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
