"""What a node's `invoke(context)` receives: a narrow view named for what a node needs.

    context.images.save(image) / context.images.load(name)   images, by name
    context.objects.save(obj) / context.objects.load(name)   tensors and other named blobs
    context.progress(step, total, message=None, preview=None)
    context.is_canceled() / context.raise_if_canceled()
    context.config, context.logger
    context.service("model_manager")                          a service a plugin defines

Not the session and not the services container: the runner builds a context per node run
from small pieces, so a node cannot reach into state that is not its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from invoke_core.errors import CanceledError

if TYPE_CHECKING:  # a type only: importing invoke_core builds no settings model
    from invoke_core.config import InvokeConfig

logger = logging.getLogger("invoke.node")


class StoredImage(Protocol):
    """What `context.images.save` returns (an image record)."""

    image_name: str
    width: int
    height: int


class NodeImages(Protocol):
    """Images by name. Saved images carry the session's graph and the node's values."""

    def save(
        self, image: Any, *, is_intermediate: bool | None = None, metadata: dict[str, Any] | None = None
    ) -> StoredImage:
        """Store a PIL image under a new name. `is_intermediate` None: intermediate exactly when
        this node's outputs feed other nodes (hidden from gallery listings)."""
        ...

    def load(self, image_name: str) -> Any:
        """The PIL image stored under this name (ImageNotFoundError when there is none)."""
        ...


class NodeObjects(Protocol):
    """Named blobs (tensors, conditioning) passed between nodes by name."""

    def save(self, obj: Any, name: str | None = None) -> str: ...

    def load(self, name: str) -> Any: ...

    def delete(self, name: str) -> None: ...


ProgressSink = Callable[[int, int, "str | None", Any], None]


def _never_canceled() -> bool:
    return False


class InvocationContext:
    """Made fresh for every node run by the runner."""

    __slots__ = (
        "node_id",
        "source_node_id",
        "node_type",
        "session_id",
        "queue_item_id",
        "images",
        "objects",
        "config",
        "_progress",
        "_is_canceled",
        "_service",
    )

    def __init__(
        self,
        *,
        node_id: str,
        source_node_id: str,
        node_type: str,
        session_id: str,
        images: NodeImages,
        objects: NodeObjects,
        config: InvokeConfig,
        progress: ProgressSink,
        service: Callable[[str], Any],
        is_canceled: Callable[[], bool] = _never_canceled,
        queue_item_id: int | None = None,
    ):
        self.node_id = node_id
        self.source_node_id = source_node_id
        self.node_type = node_type
        self.session_id = session_id
        self.queue_item_id = queue_item_id
        self.images = images
        self.objects = objects
        self.config = config
        self._progress = progress
        self._is_canceled = is_canceled
        self._service = service

    @property
    def logger(self) -> logging.Logger:
        return logger

    def progress(self, step: int, total: int, message: str | None = None, preview: Any = None) -> None:
        """Report progress. `preview`: a small PIL image, or a function returning one, called
        only when someone is listening (so a node skips making previews nobody sees)."""
        self._progress(step, total, message, preview)

    def is_canceled(self) -> bool:
        """True once the session was canceled; long nodes check it between steps."""
        return self._is_canceled()

    def raise_if_canceled(self) -> None:
        if self._is_canceled():
            raise CanceledError(f"session {self.session_id} was canceled")

    def service(self, kind: str) -> Any:
        """A service a plugin defines (e.g. "model_manager"), built on first use."""
        return self._service(kind)
