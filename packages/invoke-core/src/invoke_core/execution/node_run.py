"""The context the runner hands one node run: its images (with the graph attached) and progress.

Made once per executed node, so it is cheap to build: positional arguments, and the images
view only when a node asks for it (most nodes never touch images).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from invoke_core.context import InvocationContext
from invoke_core.events import InvocationProgressEvent, encode_preview

if TYPE_CHECKING:
    from invoke_core.services.container import InvocationServices
    from invoke_core.services.image_storage import ImageRecord
    from invoke_core.session import Session


class SessionImages:
    """`context.images`: saved images carry the session's graph and the node's values."""

    __slots__ = ("_services", "_session", "_execution", "_source")

    def __init__(self, services: InvocationServices, session: Session, execution: str, source_node_id: str):
        self._services = services
        self._session = session
        self._execution = execution
        self._source = source_node_id

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


class NodeRunContext(InvocationContext):
    """The InvocationContext of one execution, built from the runner's services and session."""

    __slots__ = ("_services", "_session", "_images")

    def __init__(
        self,
        services: InvocationServices,
        session: Session,
        execution: str,
        source_node_id: str,
        node_type: str,
        queue_item_id: int | None,
        is_canceled: Callable[[], bool],
    ):
        self._services = services
        self._session = session
        self._images: SessionImages | None = None
        self.node_id = execution
        self.source_node_id = source_node_id
        self.node_type = node_type
        self.session_id = session.id
        self.queue_item_id = queue_item_id
        self.objects = services.objects
        self.config = services.config
        self._is_canceled = is_canceled

    @property  # type: ignore[override]
    def images(self) -> SessionImages:
        if self._images is None:
            self._images = SessionImages(self._services, self._session, self.node_id, self.source_node_id)
        return self._images

    def service(self, kind: str) -> Any:
        return self._services.get(kind)

    def progress(self, step: int, total: int, message: str | None = None, preview: Any = None) -> None:
        events = self._services.events
        if not events.has_listeners:
            return  # nobody would see it: skip building the event (and the preview)
        if callable(preview):
            preview = preview()
        events.emit(
            InvocationProgressEvent(
                session_id=self.session_id,
                queue_item_id=self.queue_item_id,
                node_id=self.node_id,
                source_node_id=self.source_node_id,
                node_type=self.node_type,
                step=step,
                total=total,
                message=message,
                preview=encode_preview(preview) if preview is not None else None,
            )
        )
