"""The invocation cache: outputs of earlier runs, keyed by what the node saw.

The key hashes the prepared node (its type, its own values and the linked values it got
from upstream), so a re-run of unchanged work is skipped while any upstream change misses.
"""

from __future__ import annotations

import hashlib
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from typing import Any

from invoke_core.invocation import BaseInvocation, BaseInvocationOutput

_KEY_EXCLUDES = {"id", "use_cache"}


def cache_key(node: BaseInvocation) -> str:
    content = node.model_dump_json(exclude=_KEY_EXCLUDES).encode()
    version = node.__node_metadata__.get("version", "")  # a new node version must not reuse old outputs
    return hashlib.blake2b(content + version.encode(), digest_size=16).hexdigest()


class InvocationCache(ABC):
    @abstractmethod
    def get(self, key: str) -> BaseInvocationOutput | None: ...

    @abstractmethod
    def save(self, key: str, outputs: BaseInvocationOutput) -> None: ...

    @abstractmethod
    def clear(self) -> None: ...

    @property
    @abstractmethod
    def enabled(self) -> bool:
        """False when the cache holds nothing (size 0): the runner then skips hashing."""


class MemoryInvocationCache(InvocationCache):
    """Least-recently-used, bounded by `node_cache_size` entries."""

    def __init__(self, config: Any = None, max_size: int | None = None):
        self.max_size = max_size if max_size is not None else getattr(config, "node_cache_size", 512)
        self._entries: OrderedDict[str, BaseInvocationOutput] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_size > 0

    def get(self, key: str) -> BaseInvocationOutput | None:
        with self._lock:
            outputs = self._entries.get(key)
            if outputs is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return outputs

    def save(self, key: str, outputs: BaseInvocationOutput) -> None:
        if self.max_size <= 0:
            return
        with self._lock:
            self._entries[key] = outputs
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
