"""What the runner hands one node run: its images (with the graph attached) and its progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from invoke_core.events import InvocationProgressEvent, encode_preview

if TYPE_CHECKING:
    from invoke_core.services.container import InvocationServices
    from invoke_core.services.image_storage import ImageRecord
    from invoke_core.session import Session


class NodeRun:
    """One execution's view of images and progress; `context.images` and `context.progress` are it."""

    __slots__ = ("_services", "_session", "_execution", "_source", "_node_type", "_queue_item_id")

    def __init__(
        self,
        services: InvocationServices,
        session: Session,
        execution: str,
        source_node_id: str,
        node_type: str,
        queue_item_id: int | None,
    ):
        self._services = services
        self._session = session
        self._execution = execution
        self._source = source_node_id
        self._node_type = node_type
        self._queue_item_id = queue_item_id

    # ---- context.images ------------------------------------------------------------------

    def save(
        self, image: Any, *, is_intermediate: bool | None = None, metadata: dict[str, Any] | None = None
    ) -> ImageRecord:
        """Store a PIL image with the session's graph and this node's values attached.

        Unless told otherwise, an image is intermediate when this node's outputs feed other
        nodes: a run leaves one gallery image per final output."""
        session = self._session
        if is_intermediate is None:
            is_intermediate = session.graph.has_outputs_linked(self._source)
        node = session.prepared_node(self._execution)
        embedded = {
            "graph": session.graph_json(),
            "node": node.model_dump(mode="json") if node is not None else None,
            **(metadata or {}),
        }
        return self._services.images.save(
            image,
            session_id=session.id,
            node_id=self._execution,
            is_intermediate=is_intermediate,
            metadata=embedded,
        )

    def load(self, image_name: str) -> Any:
        return self._services.images.get(image_name)

    # ---- context.progress ----------------------------------------------------------------

    def progress(self, step: int, total: int, message: str | None, preview: Any) -> None:
        events = self._services.events
        if not events.has_listeners:
            return  # nobody would see it: skip building the event (and the preview)
        if callable(preview):
            preview = preview()
        events.emit(
            InvocationProgressEvent(
                session_id=self._session.id,
                queue_item_id=self._queue_item_id,
                node_id=self._execution,
                source_node_id=self._source,
                node_type=self._node_type,
                step=step,
                total=total,
                message=message,
                preview=encode_preview(preview) if preview is not None else None,
            )
        )
