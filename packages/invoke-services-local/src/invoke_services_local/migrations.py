"""The database schema, as numbered migrations recorded in `PRAGMA user_version`.

Never edit a released migration: add the next one. Each runs in one transaction, so a crash
half-way leaves the previous version intact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # not executescript: it commits first, which would break the migration's transaction
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1_initial(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            status TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX sessions_newest ON sessions (created_at DESC, id);

        CREATE TABLE queue (
            item_id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id TEXT NOT NULL,
            batch_id TEXT,
            status TEXT NOT NULL DEFAULT 'pending',
            priority INTEGER NOT NULL DEFAULT 0,
            position INTEGER NOT NULL,
            invoke_all INTEGER NOT NULL DEFAULT 1,
            error TEXT,
            field_values TEXT,
            created_at REAL NOT NULL,
            started_at REAL,
            completed_at REAL,
            claimed_by TEXT,
            graph TEXT,
            session TEXT
        );
        CREATE INDEX queue_next ON queue (status, priority DESC, position);
        CREATE INDEX queue_batch ON queue (batch_id, status);
        CREATE INDEX queue_session ON queue (session_id);
        CREATE INDEX queue_position ON queue (position);

        CREATE TABLE images (
            image_name TEXT PRIMARY KEY,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            session_id TEXT,
            node_id TEXT,
            is_intermediate INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX images_newest ON images (created_at DESC, image_name);
        CREATE INDEX images_session ON images (session_id, created_at DESC);

        CREATE TABLE invocation_cache (
            key TEXT PRIMARY KEY,
            node_type TEXT NOT NULL,
            outputs TEXT NOT NULL,
            used_at REAL NOT NULL
        );
        CREATE INDEX invocation_cache_oldest ON invocation_cache (used_at);
        """,
    )


def _v2_intermediate_images(db: sqlite3.Connection) -> None:
    # Partial indexes: listings skip intermediates without reading them, and pruning finds them
    # without reading the gallery; each index holds only the rows its query wants.
    _run_script(
        db,
        """
        CREATE INDEX images_gallery ON images (created_at DESC, image_name) WHERE is_intermediate = 0;
        CREATE INDEX images_intermediate ON images (session_id) WHERE is_intermediate = 1;
        """,
    )


MIGRATIONS: tuple[Migration, ...] = (_v1_initial, _v2_intermediate_images)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer release than this one."""


def migrate(db: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION; returns the version found before."""
    db.execute("BEGIN IMMEDIATE")  # one writer at a time, even across processes
    try:
        found = db.execute("PRAGMA user_version").fetchone()[0]
        if found > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"the database has schema version {found}, newer than this release knows ({SCHEMA_VERSION}); "
                "upgrade invoke-services-local"
            )
        for version in range(found, SCHEMA_VERSION):
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return found
