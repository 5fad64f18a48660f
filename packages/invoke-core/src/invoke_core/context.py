"""What a node's `invoke` receives: the services, the config, a logger, cancellation, progress."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from invoke_core.errors import CanceledError

if TYPE_CHECKING:
    from invoke_core.config import InvokeConfig
    from invoke_core.services.image_storage import ImageRecord
    from invoke_core.services.services import InvocationServices
    from invoke_core.session import Session

logger = logging.getLogger("invoke.node")


def _never_canceled() -> bool:
    return False


class InvocationContext:
    """Made fresh for every node run; nodes reach services only through it."""

    __slots__ = ("services", "session", "node_id", "source_node_id", "node_type", "queue_item_id", "_is_canceled")

    def __init__(
        self,
        services: InvocationServices,
        session: Session,
        node_id: str,
        source_node_id: str,
        node_type: str,
        queue_item_id: int | None = None,
        is_canceled: Callable[[], bool] = _never_canceled,
    ):
        self.services = services
        self.session = session
        self.node_id = node_id
        self.source_node_id = source_node_id
        self.node_type = node_type
        self.queue_item_id = queue_item_id
        self._is_canceled = is_canceled

    @property
    def config(self) -> InvokeConfig:
        return self.services.config

    @property
    def logger(self) -> logging.Logger:
        return logger

    def is_canceled(self) -> bool:
        """True once the session was canceled; long nodes check it between steps."""
        return self._is_canceled()

    def raise_if_canceled(self) -> None:
        if self._is_canceled():
            raise CanceledError(f"session {self.session.id} was canceled")

    def report_progress(self, step: int, total: int, message: str | None = None, preview: Any = None) -> None:
        """Send a progress event for this node (`preview`: a small PIL image, optional)."""
        from invoke_core.events import InvocationProgressEvent, encode_preview

        self.services.events.emit(
            InvocationProgressEvent(
                session_id=self.session.id,
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

    def save_image(
        self, image: Any, *, is_intermediate: bool = False, metadata: dict[str, Any] | None = None
    ) -> ImageRecord:
        """Store a PIL image with the session's graph and this node's parameters attached."""
        node = self.session.prepared_node(self.node_id)
        embedded = {
            "graph": self.session.graph_json(),
            "node": node.model_dump(mode="json") if node is not None else None,
            **(metadata or {}),
        }
        return self.services.images.save(
            image,
            session_id=self.session.id,
            node_id=self.node_id,
            is_intermediate=is_intermediate,
            metadata=embedded,
        )

    def load_image(self, image_name: str) -> Any:
        """The PIL image stored under this name."""
        return self.services.images.get(image_name)
