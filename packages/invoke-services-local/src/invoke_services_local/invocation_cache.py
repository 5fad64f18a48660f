"""A persisted invocation cache (opt-in: `invocation_cache = "sqlite"`).

Entries survive restarts, so a CLI run that repeats earlier work skips it. Each row keeps the
outputs as JSON and the import path of their class; an entry whose class no longer imports
or validates (a plugin removed or changed) is a miss and is dropped. Bounded by
`node_cache_size` entries, least recently used out first.
"""

from __future__ import annotations

import importlib
import json
import time
from typing import Any

from invoke_core import BaseInvocationOutput, InvokeConfig
from invoke_core.services.invocation_cache import InvocationCache

from invoke_services_local.database import UsesDatabase


def _class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _import_class(path: str) -> Any:
    module_name, _, qualname = path.partition(":")
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


class SqliteInvocationCache(UsesDatabase, InvocationCache):
    def __init__(self, config: InvokeConfig):
        self.max_size = config.node_cache_size
        self._use_database(config.root)
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_size > 0

    def get(self, key: str) -> BaseInvocationOutput | None:
        row = self.db.read_one("SELECT node_type, outputs FROM invocation_cache WHERE key = ?", (key,))
        outputs = None
        if row is not None:
            try:
                cls = _import_class(row[0])
                outputs = cls.model_validate(json.loads(row[1]))
            except Exception:  # the class is gone or changed shape: forget the entry
                with self.db.write() as db:
                    db.execute("DELETE FROM invocation_cache WHERE key = ?", (key,))
        if outputs is None:
            self.misses += 1
            return None
        with self.db.write() as db:
            db.execute("UPDATE invocation_cache SET used_at = ? WHERE key = ?", (time.time(), key))
        self.hits += 1
        return outputs

    def save(self, key: str, outputs: BaseInvocationOutput) -> None:
        if self.max_size <= 0:
            return
        with self.db.write() as db:
            db.execute(
                "INSERT OR REPLACE INTO invocation_cache (key, node_type, outputs, used_at) VALUES (?, ?, ?, ?)",
                (key, _class_path(type(outputs)), outputs.model_dump_json(), time.time()),
            )
            db.execute(
                "DELETE FROM invocation_cache WHERE key IN "
                "(SELECT key FROM invocation_cache ORDER BY used_at DESC LIMIT -1 OFFSET ?)",
                (self.max_size,),
            )

    def clear(self) -> None:
        with self.db.write() as db:
            db.execute("DELETE FROM invocation_cache")

    def __len__(self) -> int:
        return self.db.read_one("SELECT COUNT(*) FROM invocation_cache")[0]
