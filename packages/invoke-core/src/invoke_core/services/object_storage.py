"""Object storage: named intermediate blobs (tensors, conditioning) passed between nodes."""

from __future__ import annotations

import threading
import uuid
from abc import ABC, abstractmethod
from typing import Any

from invoke_core.errors import ObjectNotFoundError


class ObjectStorage(ABC):
    @abstractmethod
    def save(self, obj: Any, name: str | None = None) -> str:
        """Store an object and return its name (a new one when none is given)."""

    @abstractmethod
    def load(self, name: str) -> Any:
        """ObjectNotFoundError when there is none."""

    @abstractmethod
    def delete(self, name: str) -> None: ...


class MemoryObjectStorage(ObjectStorage):
    def __init__(self, config: Any = None):
        self._objects: dict[str, Any] = {}
        self._lock = threading.Lock()

    def save(self, obj: Any, name: str | None = None) -> str:
        name = name or uuid.uuid4().hex
        with self._lock:
            self._objects[name] = obj
        return name

    def load(self, name: str) -> Any:
        try:
            return self._objects[name]
        except KeyError:
            raise ObjectNotFoundError(f"no object named {name!r}") from None

    def delete(self, name: str) -> None:
        with self._lock:
            if self._objects.pop(name, None) is None:
                raise ObjectNotFoundError(f"no object named {name!r}")
