"""One SQLite database per root folder, shared by every local service in the process.

Connection strategy: a single connection per database file, used from any thread behind one
lock. SQLite serialises writers anyway, so one connection costs nothing in throughput and
avoids "database is locked" between the processor thread and web-server threads. Other
processes (a CLI next to a running web server) coordinate through WAL mode and a busy timeout.
`synchronous=NORMAL` in WAL mode survives a killed process (the tests SIGKILL one repeatedly);
only a power cut may lose the last commits, never integrity.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from invoke_services_local.migrations import migrate

DATABASE_FILE = Path("databases") / "invoke.db"
BUSY_TIMEOUT_S = 30.0


class Database:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()
        self._users = 0
        try:
            self._connection.execute("PRAGMA journal_mode = WAL")
            self._connection.execute("PRAGMA synchronous = NORMAL")
            self._connection.execute("PRAGMA foreign_keys = ON")
            migrate(self._connection)
        except BaseException:
            self._connection.close()
            raise

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A transaction that holds the write lock from its start (BEGIN IMMEDIATE)."""
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def read(self, sql: str, parameters: Any = ()) -> list[sqlite3.Row | tuple]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    def read_one(self, sql: str, parameters: Any = ()) -> Any:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchone()

    def integrity_check(self) -> str:
        return self.read_one("PRAGMA integrity_check")[0]

    def close(self) -> None:
        with self._lock:
            self._connection.close()


_open: dict[Path, Database] = {}
_open_lock = threading.Lock()


def open_database(root: Path) -> Database:
    """The process's Database for this root folder; each caller must `release_database` it."""
    path = (Path(root).expanduser() / DATABASE_FILE).resolve()
    with _open_lock:
        database = _open.get(path)
        if database is None:
            database = _open[path] = Database(path)
        database._users += 1
        return database


def release_database(database: Database) -> None:
    """Close the database once its last service is closed."""
    with _open_lock:
        database._users -= 1
        if database._users <= 0 and _open.get(database.path) is database:
            del _open[database.path]
            database.close()


class UsesDatabase:
    """Mixin for a service on the root's shared database; `close` lets go of it once."""

    db: Database
    _released = False

    def _use_database(self, root: Path) -> None:
        self.db = open_database(root)

    def close(self) -> None:
        if not self._released:
            self._released = True
            release_database(self.db)
