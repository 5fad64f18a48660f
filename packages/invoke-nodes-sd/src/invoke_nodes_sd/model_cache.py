"""Keeps loaded submodels (unet, vae, text encoders, tokenizers) between sessions.

Entries are keyed by (model name, submodel). When the total size passes the budget, the least
recently used entries are dropped; an entry that alone is bigger than the budget is still kept
(there is nothing else to run with) until something else is loaded.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("invoke.models")

Key = tuple[str, str]


def size_in_bytes(obj: Any) -> int:
    """Parameters and buffers of a torch module; 0 for anything else (tokenizers, schedulers)."""
    parameters = getattr(obj, "parameters", None)
    buffers = getattr(obj, "buffers", None)
    if not callable(parameters) or not callable(buffers):
        return 0
    total = 0
    for tensor in (*parameters(), *buffers()):
        total += tensor.numel() * tensor.element_size()
    return total


@dataclass
class CacheStats:
    loads: int = 0
    hits: int = 0
    evictions: int = 0


class ModelCache:
    def __init__(self, budget_bytes: int):
        self.budget_bytes = budget_bytes
        self.stats = CacheStats()
        self._entries: OrderedDict[Key, tuple[Any, int]] = OrderedDict()
        self._lock = threading.RLock()
        self._loading: dict[Key, threading.Lock] = {}

    @property
    def used_bytes(self) -> int:
        return sum(size for _obj, size in self._entries.values())

    def keys(self) -> list[Key]:
        """Cached keys, least recently used first."""
        with self._lock:
            return list(self._entries)

    def get(self, key: Key, load: Callable[[], Any]) -> Any:
        """The cached object, or `load()`'s result, cached. One thread loads a key at a time."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.stats.hits += 1
                return self._entries[key][0]
            key_lock = self._loading.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:  # another thread may have loaded it while this one waited
                if key in self._entries:
                    self._entries.move_to_end(key)
                    self.stats.hits += 1
                    return self._entries[key][0]
            obj = load()
            self.put(key, obj)
            with self._lock:
                self.stats.loads += 1
                self._loading.pop(key, None)
            return obj

    def put(self, key: Key, obj: Any) -> None:
        size = size_in_bytes(obj)
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (obj, size)
            self._evict(keep=key)

    def _evict(self, keep: Key) -> None:
        used = self.used_bytes
        for key in list(self._entries):
            if used <= self.budget_bytes:
                break
            if key == keep:
                continue
            _obj, size = self._entries.pop(key)
            used -= size
            self.stats.evictions += 1
            logger.info("model cache: dropped %s/%s (%.1f MB) to stay within the budget", *key, size / 1e6)

    def drop_model(self, name: str) -> None:
        """Forget every submodel of one model (after it was removed)."""
        with self._lock:
            for key in [key for key in self._entries if key[0] == name]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
