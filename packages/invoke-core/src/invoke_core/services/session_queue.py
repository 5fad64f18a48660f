"""The session queue: sessions waiting to run, claimed one at a time by processors."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from abc import ABC, abstractmethod
from typing import Any, Literal

from pydantic import BaseModel, Field

from invoke_core.batch import Batch
from invoke_core.errors import QueueItemNotFoundError
from invoke_core.services.page import Page, check_paging
from invoke_core.session import Session

QueueStatus = Literal["pending", "in_progress", "completed", "failed", "canceled"]
QUEUE_STATUSES: tuple[str, ...] = ("pending", "in_progress", "completed", "failed", "canceled")
FINISHED_STATUSES = frozenset({"completed", "failed", "canceled"})
# the error of an item `recover()` fails: whoever claimed it is gone, so its run ended unfinished
INTERRUPTED = "interrupted: the process running this item stopped before it finished"


class QueueItem(BaseModel):
    item_id: int
    session_id: str
    batch_id: str | None = None
    status: QueueStatus = "pending"
    priority: int = 0
    invoke_all: bool = True
    error: str | None = None
    field_values: list[dict[str, Any]] | None = None
    created_at: float = Field(default_factory=time.time)
    started_at: float | None = None
    completed_at: float | None = None
    session: Any = Field(default=None, exclude=True, description="The Session, filled in when claimed")


class EnqueueBatchResult(BaseModel):
    batch_id: str
    enqueued: int
    priority: int


class SessionQueue(ABC):
    """Implementations wake `wait_for_work` waiters whenever something is enqueued."""

    def __init__(self) -> None:
        self._work = threading.Condition()

    @abstractmethod
    def enqueue(
        self,
        session: Session,
        *,
        priority: int = 0,
        front: bool = False,
        batch_id: str | None = None,
        invoke_all: bool = True,
        stored: bool = False,
    ) -> QueueItem:
        """Queue a session. `stored`: the session is in session storage already (the invoker
        stores it first), so the queue may keep no copy of it; its items are then handed out
        with `session` None, and the processor reads the session from storage."""

    @abstractmethod
    def enqueue_batch(self, batch: Batch, *, priority: int = 0, front: bool = False) -> EnqueueBatchResult: ...

    @abstractmethod
    def claim_next(self) -> QueueItem | None:
        """Atomically take the next pending item (highest priority, then oldest) and mark it in_progress."""

    @abstractmethod
    def claim(self, item_id: int) -> QueueItem | None:
        """Atomically take this item if it is still pending, marking it in_progress like `claim_next`
        (session filled in); None when it is not pending (claimed, finished, canceled or gone).
        A queue that cannot read the item's stored session fails the item and raises CorruptDataError."""

    @abstractmethod
    def recover(self) -> list[QueueItem]:
        """Fail (error INTERRUPTED) the in_progress items whose claimer is gone, and return them.

        A processor calls it when it starts, then repairs those items' sessions. Items a live
        claimer holds (this process, or another one still running) are left alone. A queue that
        lives and dies with its process has no such items and returns [].
        """

    @abstractmethod
    def finish(
        self, item_id: int, status: QueueStatus, *, error: str | None = None, session: Session | None = None
    ) -> QueueItem:
        """Mark an item completed, failed or canceled (a canceled item stays canceled)."""

    @abstractmethod
    def get(self, item_id: int) -> QueueItem: ...

    @abstractmethod
    def list(self, *, status: QueueStatus | None = None, page: int = 0, per_page: int = 20) -> Page[QueueItem]:
        """Items newest first (highest item id first), like session and image listings."""

    @abstractmethod
    def cancel(self, item_id: int) -> QueueItem: ...

    @abstractmethod
    def cancel_batch(self, batch_id: str) -> list[QueueItem]:
        """Cancel a batch's unfinished items; returns those canceled."""

    @abstractmethod
    def cancel_all(self) -> list[QueueItem]:
        """Cancel every unfinished item; returns those canceled."""

    @abstractmethod
    def clear(self) -> int:
        """Remove every item; returns how many."""

    @abstractmethod
    def prune(self) -> int:
        """Remove finished items; returns how many."""

    @abstractmethod
    def counts(self, batch_id: str | None = None) -> dict[str, int]:
        """How many items are in each status (of one batch, when given)."""

    def items_for_session(self, session_id: str) -> list[QueueItem]:
        """Unfinished items that run this session."""
        return [
            item
            for status in ("pending", "in_progress")
            for item in self.list(status=status, per_page=10_000).items  # type: ignore[arg-type]
            if item.session_id == session_id
        ]

    def notify(self) -> None:
        with self._work:
            self._work.notify_all()

    def wait_for_work(self, timeout: float) -> None:
        """Block until something may have been enqueued, or the timeout passes."""
        with self._work:
            self._work.wait(timeout)


class MemorySessionQueue(SessionQueue):
    def __init__(self, config: Any = None):
        super().__init__()
        self._items: dict[int, QueueItem] = {}
        self._sessions: dict[int, Session] = {}
        self._heap: list[tuple[int, int, int]] = []  # (-priority, order, item id)
        self._ids = itertools.count(1)
        self._back = itertools.count(0)
        self._front = itertools.count(-1, -1)
        self._lock = threading.Lock()

    def _push(
        self, session: Session, priority: int, front: bool, batch_id: str | None, invoke_all: bool, values=None
    ) -> QueueItem:
        item = QueueItem(
            item_id=next(self._ids),
            session_id=session.id,
            batch_id=batch_id,
            priority=priority,
            invoke_all=invoke_all,
            field_values=values,
        )
        self._items[item.item_id] = item
        self._sessions[item.item_id] = session
        order = next(self._front) if front else next(self._back)
        heapq.heappush(self._heap, (-priority, order, item.item_id))
        return item

    def enqueue(self, session, *, priority=0, front=False, batch_id=None, invoke_all=True, stored=False) -> QueueItem:
        # the live object costs nothing to keep, stored or not
        with self._lock:
            item = self._push(session, priority, front, batch_id, invoke_all).model_copy()
        self.notify()
        return item

    def enqueue_batch(self, batch: Batch, *, priority=0, front=False) -> EnqueueBatchResult:
        prepared = [(Session(graph), values) for graph, values in batch.graphs()]
        if front:
            prepared.reverse()  # each goes before the previous, so reverse to keep batch order
        with self._lock:
            for session, values in prepared:
                self._push(session, priority, front, batch.batch_id, True, values)
        self.notify()
        return EnqueueBatchResult(batch_id=batch.batch_id, enqueued=len(prepared), priority=priority)

    def claim_next(self) -> QueueItem | None:
        with self._lock:
            while self._heap:
                _priority, _order, item_id = heapq.heappop(self._heap)
                item = self._items.get(item_id)
                if item is None or item.status != "pending":
                    continue  # canceled, claimed by id or cleared while waiting
                return self._claimed(item)
        return None

    def _claimed(self, item: QueueItem) -> QueueItem:
        item.status = "in_progress"
        item.started_at = time.time()
        claimed = item.model_copy()
        claimed.session = self._sessions[item.item_id]
        return claimed

    def claim(self, item_id: int) -> QueueItem | None:
        with self._lock:
            item = self._items.get(item_id)
            if item is None or item.status != "pending":
                return None
            return self._claimed(item)  # its heap entry is skipped later: no longer pending

    def recover(self) -> list[QueueItem]:
        return []  # every claimer of this queue is this process, alive while the queue is

    def finish(self, item_id, status, *, error=None, session=None) -> QueueItem:
        with self._lock:
            item = self._get(item_id)
            if item.status not in FINISHED_STATUSES:
                item.status = status
                item.error = error
                item.completed_at = time.time()
            if session is not None:
                self._sessions[item_id] = session
            return item.model_copy()

    def _get(self, item_id: int) -> QueueItem:
        try:
            return self._items[item_id]
        except KeyError:
            raise QueueItemNotFoundError(f"no queue item {item_id}") from None

    def get(self, item_id: int) -> QueueItem:
        with self._lock:
            return self._get(item_id).model_copy()

    def list(self, *, status=None, page=0, per_page=20) -> Page[QueueItem]:
        check_paging(page, per_page)
        with self._lock:
            # ids grow with insertion, so the dict's reverse order is newest first
            items = [item for item in reversed(self._items.values()) if status is None or item.status == status]
        start = page * per_page
        chosen = [item.model_copy() for item in items[start : start + per_page]]
        return Page[QueueItem](items=chosen, page=page, per_page=per_page, total=len(items))

    def _cancel_where(self, predicate) -> list[QueueItem]:
        canceled = []
        now = time.time()
        with self._lock:
            for item in self._items.values():
                if item.status not in FINISHED_STATUSES and predicate(item):
                    item.status = "canceled"
                    item.completed_at = now
                    canceled.append(item.model_copy())
        return canceled

    def cancel(self, item_id: int) -> QueueItem:
        with self._lock:
            self._get(item_id)
        self._cancel_where(lambda item: item.item_id == item_id)
        return self.get(item_id)

    def cancel_batch(self, batch_id: str) -> list[QueueItem]:
        return self._cancel_where(lambda item: item.batch_id == batch_id)

    def cancel_all(self) -> list[QueueItem]:
        return self._cancel_where(lambda item: True)

    def clear(self) -> int:
        with self._lock:
            count = len(self._items)
            self._items.clear()
            self._sessions.clear()
            self._heap.clear()
        return count

    def prune(self) -> int:
        with self._lock:
            finished = [item_id for item_id, item in self._items.items() if item.status in FINISHED_STATUSES]
            for item_id in finished:
                del self._items[item_id]
                self._sessions.pop(item_id, None)
        return len(finished)

    def counts(self, batch_id: str | None = None) -> dict[str, int]:
        totals = dict.fromkeys(QUEUE_STATUSES, 0)
        with self._lock:
            for item in self._items.values():
                if batch_id is None or item.batch_id == batch_id:
                    totals[item.status] += 1
        return totals
