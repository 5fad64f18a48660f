"""Session storage: sessions by id, listed newest first."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Any

from invoke_core.errors import SessionNotFoundError
from invoke_core.services.page import Page, check_paging
from invoke_core.session import Session


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
