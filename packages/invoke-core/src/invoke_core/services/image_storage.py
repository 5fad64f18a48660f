"""Image storage: images by name, with a record (size, session, node, metadata) for each."""

from __future__ import annotations

import threading
import time
import uuid
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from invoke_core.errors import ImageNotFoundError
from invoke_core.services.page import Page, check_paging

THUMBNAIL_SIZE = 256


class ImageRecord(BaseModel):
    image_name: str
    width: int
    height: int
    session_id: str | None = None
    node_id: str | None = None
    is_intermediate: bool = False
    created_at: float = Field(description="Seconds since the epoch")
    metadata: dict[str, Any] = Field(default_factory=dict)


class ImageStorage(ABC):
    """Stores PIL images. Implementations import Pillow only inside their methods."""

    @abstractmethod
    def save(
        self,
        image: Any,
        *,
        session_id: str | None = None,
        node_id: str | None = None,
        is_intermediate: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> ImageRecord:
        """Store an image under a new generated name and return its record."""

    @abstractmethod
    def get(self, image_name: str) -> Any:
        """The PIL image; ImageNotFoundError when there is none."""

    @abstractmethod
    def get_record(self, image_name: str) -> ImageRecord: ...

    @abstractmethod
    def list(self, *, page: int = 0, per_page: int = 20, session_id: str | None = None) -> Page[ImageRecord]:
        """Records, newest first."""

    @abstractmethod
    def delete(self, image_name: str) -> None: ...

    def thumbnail(self, image_name: str, max_size: int = THUMBNAIL_SIZE) -> Any:
        """A small PIL copy (longest side `max_size`); storages that keep them on disk override this."""
        image = self.get(image_name)
        image.thumbnail((max_size, max_size))
        return image

    def path(self, image_name: str) -> Path | None:
        """The image's file, for storages that keep one on this machine; None otherwise."""
        self.get_record(image_name)  # the same error as the others for an unknown name
        return None


def new_image_name() -> str:
    return f"{uuid.uuid4().hex}.png"


class MemoryImageStorage(ImageStorage):
    """Keeps images in this process; for tests, scripts and notebooks."""

    def __init__(self, config: Any = None):
        self._images: dict[str, tuple[Any, ImageRecord]] = {}
        self._lock = threading.Lock()

    def save(self, image, *, session_id=None, node_id=None, is_intermediate=False, metadata=None) -> ImageRecord:
        record = ImageRecord(
            image_name=new_image_name(),
            width=image.width,
            height=image.height,
            session_id=session_id,
            node_id=node_id,
            is_intermediate=is_intermediate,
            created_at=time.time(),
            metadata=metadata or {},
        )
        with self._lock:
            self._images[record.image_name] = (image.copy(), record)
        return record

    def _entry(self, image_name: str) -> tuple[Any, ImageRecord]:
        try:
            return self._images[image_name]
        except KeyError:
            raise ImageNotFoundError(f"no image named {image_name!r}") from None

    def get(self, image_name: str) -> Any:
        return self._entry(image_name)[0].copy()

    def get_record(self, image_name: str) -> ImageRecord:
        return self._entry(image_name)[1]

    def list(self, *, page=0, per_page=20, session_id=None) -> Page[ImageRecord]:
        check_paging(page, per_page)
        with self._lock:
            records = [record for _image, record in reversed(self._images.values())]
        if session_id is not None:
            records = [record for record in records if record.session_id == session_id]
        start = page * per_page
        return Page[ImageRecord](
            items=records[start : start + per_page], page=page, per_page=per_page, total=len(records)
        )

    def delete(self, image_name: str) -> None:
        with self._lock:
            if self._images.pop(image_name, None) is None:
                raise ImageNotFoundError(f"no image named {image_name!r}")
