"""Image storage: images by name, with a record (size, session, node, metadata) for each."""

from __future__ import annotations

import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from invoke_core.errors import CorruptDataError, ImageNotFoundError, SessionNotFoundError
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
    def list(
        self,
        *,
        page: int = 0,
        per_page: int = 20,
        session_id: str | None = None,
        include_intermediates: bool = False,
    ) -> Page[ImageRecord]:
        """Records, newest first; intermediate images only with `include_intermediates`."""

    @abstractmethod
    def delete(self, image_name: str) -> None: ...

    @abstractmethod
    def delete_intermediates(self, in_use: Callable[[str], bool]) -> int:
        """Delete the intermediate images of every session that `in_use(session_id)` says is done with them.

        Returns how many images went. Intermediates with no session are always deleted: only a
        session's own nodes read them, through its links.

        Why a judge and not "all intermediates": a session that is queued, running, or stopped after
        a step (`invoke?all=false`) still feeds its intermediates to its next nodes, and deleting
        them would fail those nodes with ImageNotFoundError. A storage cannot see sessions or the
        queue, so the caller decides; `delete_finished_intermediates(services)` asks the session
        storage and the queue, and is what `DELETE /api/v1/images/intermediates` and
        `invokeai images prune` use. `in_use` is asked once per session, outside any storage lock.
        """

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


def delete_finished_intermediates(services: Any) -> int:
    """Delete the intermediates of sessions that are over and have nothing queued; returns how many.

    A session is over when it completed, failed or was canceled. A session that is gone from
    storage has no one left to read its intermediates; one whose record cannot be read is kept.
    A finished session extended later with nodes that link to its old outputs cannot reuse
    the intermediates deleted here: that node fails with ImageNotFoundError and names the image.
    """

    def in_use(session_id: str) -> bool:
        try:
            session = services.sessions.get(session_id)
        except SessionNotFoundError:
            return False
        except CorruptDataError:
            return True  # cannot tell: keep them
        return not session.is_complete() or bool(services.queue.items_for_session(session_id))

    return services.images.delete_intermediates(in_use)


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

    def list(self, *, page=0, per_page=20, session_id=None, include_intermediates=False) -> Page[ImageRecord]:
        check_paging(page, per_page)
        with self._lock:
            records = [record for _image, record in reversed(self._images.values())]
        if session_id is not None:
            records = [record for record in records if record.session_id == session_id]
        if not include_intermediates:
            records = [record for record in records if not record.is_intermediate]
        start = page * per_page
        return Page[ImageRecord](
            items=records[start : start + per_page], page=page, per_page=per_page, total=len(records)
        )

    def delete(self, image_name: str) -> None:
        with self._lock:
            if self._images.pop(image_name, None) is None:
                raise ImageNotFoundError(f"no image named {image_name!r}")

    def delete_intermediates(self, in_use: Callable[[str], bool]) -> int:
        with self._lock:
            owners = {record.session_id for _image, record in self._images.values() if record.is_intermediate}
        done = {session_id for session_id in owners if session_id is None or not in_use(session_id)}
        with self._lock:
            names = [
                name
                for name, (_image, record) in self._images.items()
                if record.is_intermediate and record.session_id in done
            ]
            for name in names:
                del self._images[name]
        return len(names)
