"""Session storage: sessions by id, listed newest first (whole, or as small summaries)."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Any

from pydantic import BaseModel, Field

from invoke_core.errors import SessionNotFoundError
from invoke_core.services.page import Page, check_paging
from invoke_core.session import Session


class SessionSummary(BaseModel):
    """What a listing shows of a session: small whatever the session's size."""

    id: str
    status: str = Field(description="pending, in_progress, completed, failed or canceled")
    created_at: float = Field(description="Seconds since the epoch")
    updated_at: float = Field(description="Seconds since the epoch")


class SessionStorage(ABC):
    @abstractmethod
    def get(self, session_id: str) -> Session:
        """SessionNotFoundError when there is none."""

    @abstractmethod
    def set(self, session: Session) -> None:
        """Store (or replace) a session."""

    @abstractmethod
    def list(self, *, page: int = 0, per_page: int = 20) -> Page[Session]:
        """Sessions, newest first."""

    def summaries(self, *, page: int = 0, per_page: int = 20) -> Page[SessionSummary]:
        """Summaries of the sessions, newest first. A storage that keeps sessions as text
        overrides this to list them without reading each one back."""
        found = self.list(page=page, per_page=per_page)
        items = [
            SessionSummary(id=s.id, status=s.status, created_at=s.created_at, updated_at=s.updated_at)
            for s in found.items
        ]
        return Page[SessionSummary](items=items, page=found.page, per_page=found.per_page, total=found.total)

    @abstractmethod
    def delete(self, session_id: str) -> None: ...


class MemorySessionStorage(SessionStorage):
    """Keeps live Session objects, so readers see a running session's progress."""

    def __init__(self, config: Any = None):
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str) -> Session:
        try:
            return self._sessions[session_id]
        except KeyError:
            raise SessionNotFoundError(f"no session {session_id!r}") from None

    def set(self, session: Session) -> None:
        with self._lock:
            self._sessions[session.id] = session

    def list(self, *, page: int = 0, per_page: int = 20) -> Page[Session]:
        check_paging(page, per_page)
        with self._lock:
            newest = sorted(self._sessions.values(), key=lambda s: s.created_at, reverse=True)
        start = page * per_page
        return Page[Session].model_construct(
            items=newest[start : start + per_page], page=page, per_page=per_page, total=len(newest)
        )

    def delete(self, session_id: str) -> None:
        with self._lock:
            if self._sessions.pop(session_id, None) is None:
                raise SessionNotFoundError(f"no session {session_id!r}")
