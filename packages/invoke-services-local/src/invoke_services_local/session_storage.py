"""Sessions as JSON rows in SQLite, listed newest first."""

from __future__ import annotations

import json
import logging
from typing import Any

from invoke_core import InvokeConfig
from invoke_core.errors import CorruptDataError, LimitExceededError, SessionNotFoundError
from invoke_core.services.page import Page, check_paging
from invoke_core.services.session_storage import SessionStorage, SessionSummary
from invoke_core.session import Session

from invoke_services_local.database import UsesDatabase

logger = logging.getLogger("invoke.services_local")


def session_from_json(session_id: str, text: str) -> Session:
    """Parse a stored session; a row that no longer parses is an error about that row only."""
    try:
        return Session.model_validate(json.loads(text))
    except Exception as exc:  # bad JSON, or JSON of the wrong shape fails in many ways
        raise CorruptDataError(f"stored session {session_id!r} cannot be read: {type(exc).__name__}: {exc}") from None


class SqliteSessionStorage(UsesDatabase, SessionStorage):
    def __init__(self, config: InvokeConfig):
        self._use_database(config.root)
        self._max_session_mb = config.max_session_mb
        self._max_chars = int(config.max_session_mb * 1024 * 1024)

    def get(self, session_id: str) -> Session:
        row = self.db.read_one("SELECT data FROM sessions WHERE id = ?", (session_id,))
        if row is None:
            raise SessionNotFoundError(f"no session {session_id!r}")
        return session_from_json(session_id, row[0])

    def set(self, session: Session) -> None:
        data = session.model_dump()
        # What could not be read back (NaN, infinities, lone surrogates) fails here, not in every later read.
        text = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
        if len(text) > self._max_chars:  # one huge session would make every read of it huge
            raise LimitExceededError(
                f"session {session.id!r} would take {len(text) / 2**20:.1f} MB stored; at most "
                f"{self._max_session_mb:g} MB are allowed (max_session_mb)"
            )
        with self.db.write() as db:
            db.execute(
                "INSERT INTO sessions (id, created_at, updated_at, status, data) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, status = excluded.status, "
                "data = excluded.data",
                (session.id, session.created_at, session.updated_at, data["status"], text),
            )

    def list(self, *, page: int = 0, per_page: int = 20) -> Page[Session]:
        check_paging(page, per_page)
        total = self.db.read_one("SELECT COUNT(*) FROM sessions")[0]
        rows = self.db.read(
            "SELECT id, data FROM sessions ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
            (per_page, page * per_page),
        )
        items: list[Any] = []
        for session_id, text in rows:
            try:
                items.append(session_from_json(session_id, text))
            except CorruptDataError as exc:  # one bad row must not hide the others
                logger.warning("%s (left out of the listing)", exc)
        return Page[Session].model_construct(items=items, page=page, per_page=per_page, total=total)

    def summaries(self, *, page: int = 0, per_page: int = 20) -> Page[SessionSummary]:
        """From the row's columns, without reading its JSON back; rows whose JSON is not even
        valid (NaN written by an older version, a damaged row) are left out, as list() does."""
        check_paging(page, per_page)
        total = self.db.read_one("SELECT COUNT(*) FROM sessions")[0]
        rows = self.db.read(
            "SELECT id, status, created_at, updated_at FROM sessions WHERE json_valid(data) "
            "ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
            (per_page, page * per_page),
        )
        items = [SessionSummary(id=row[0], status=row[1], created_at=row[2], updated_at=row[3]) for row in rows]
        return Page[SessionSummary](items=items, page=page, per_page=per_page, total=total)

    def delete(self, session_id: str) -> None:
        with self.db.write() as db:
            if db.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount == 0:
                raise SessionNotFoundError(f"no session {session_id!r}")
