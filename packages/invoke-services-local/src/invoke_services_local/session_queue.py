"""The session queue in SQLite: claimed atomically, and nothing lost when a process dies.

A pending item holds its session as JSON, or, for a batch, just its graph JSON: the batch was
validated once up front, so 10,000 sessions enqueue as 10,000 small rows and each Session is
built only when a processor claims it. `recover()` marks failed the items whose claiming
process has died (see worker_lock.py for how a dead claimer is told apart).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import Any

from invoke_core import InvokeConfig
from invoke_core.batch import Batch
from invoke_core.errors import CorruptDataError, QueueItemNotFoundError
from invoke_core.services.page import Page, check_paging
from invoke_core.services.session_queue import (
    INTERRUPTED,
    QUEUE_STATUSES,
    EnqueueBatchResult,
    QueueItem,
    QueueStatus,
    SessionQueue,
)
from invoke_core.session import Session

from invoke_services_local.database import UsesDatabase
from invoke_services_local.session_storage import session_from_json
from invoke_services_local.worker_lock import WorkerLock, is_alive, tidy

logger = logging.getLogger("invoke.services_local")

_COLUMNS = (
    "item_id, session_id, batch_id, status, priority, invoke_all, error, field_values, "
    "created_at, started_at, completed_at"
)
_UNFINISHED = "status IN ('pending', 'in_progress')"


def _item(row: tuple) -> QueueItem:
    values = row[7]
    return QueueItem.model_construct(
        item_id=row[0],
        session_id=row[1],
        batch_id=row[2],
        status=row[3],
        priority=row[4],
        invoke_all=bool(row[5]),
        error=row[6],
        field_values=json.loads(values) if values else None,
        created_at=row[8],
        started_at=row[9],
        completed_at=row[10],
        session=None,
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class SqliteSessionQueue(UsesDatabase, SessionQueue):
    def __init__(self, config: InvokeConfig):
        super().__init__()
        self.root = config.root
        self._use_database(config.root)
        self._worker: WorkerLock | None = None
        self._worker_lock = threading.Lock()

    # ---- crash recovery ------------------------------------------------------------------

    def recover(self) -> list[QueueItem]:
        own = self._worker.name if self._worker else None
        claimers = [
            row[0] for row in self.db.read("SELECT DISTINCT claimed_by FROM queue WHERE status = 'in_progress'")
        ]
        dead = [name for name in claimers if name != own and (name is None or not is_alive(self.root, name))]
        tidy(self.root)  # also the lock files of processes killed while idle, which no item names
        if not dead:
            return []
        now = time.time()
        failed = []
        with self.db.write() as db:
            for name in dead:
                failed += db.execute(
                    "UPDATE queue SET status = 'failed', error = ?, completed_at = ? "
                    f"WHERE status = 'in_progress' AND claimed_by IS ? RETURNING {_COLUMNS}",
                    (INTERRUPTED, now, name),
                ).fetchall()
        logger.warning("marked %d interrupted queue item(s) failed", len(failed))
        return sorted((_item(row) for row in failed), key=lambda item: item.item_id)

    def _claimer(self) -> str:
        with self._worker_lock:
            if self._worker is None:
                self._worker = WorkerLock(self.root)
            return self._worker.name

    # ---- enqueue -------------------------------------------------------------------------

    def _positions(self, db: Any, count: int, front: bool) -> range:
        """Queue positions for `count` new items: after every item, or before every item."""
        low, high = db.execute("SELECT MIN(position), MAX(position) FROM queue").fetchone()
        if front:
            start = (low if low is not None else 0) - count
            return range(start, start + count)
        start = (high if high is not None else 0) + 1
        return range(start, start + count)

    def enqueue(self, session, *, priority=0, front=False, batch_id=None, invoke_all=True, stored=False) -> QueueItem:
        # a session already in session storage is not copied: writing and reading it back
        # would cost as much as the run of a large graph
        text = None if stored else _dumps(session.model_dump())
        now = time.time()
        with self.db.write() as db:
            (position,) = self._positions(db, 1, front)
            row = db.execute(
                "INSERT INTO queue (session_id, batch_id, priority, position, invoke_all, created_at, session) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
                (session.id, batch_id, priority, position, int(invoke_all), now, text),
            ).fetchone()
        self.notify()
        return _item(row)

    def enqueue_batch(self, batch: Batch, *, priority=0, front=False) -> EnqueueBatchResult:
        now = time.time()
        rows = [(uuid.uuid4().hex, _dumps(graph), _dumps(values)) for graph, values in batch.graphs()]
        with self.db.write() as db:
            positions = self._positions(db, len(rows), front)
            db.executemany(
                "INSERT INTO queue (session_id, batch_id, priority, position, created_at, graph, field_values) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (session_id, batch.batch_id, priority, position, now, graph, values)
                    for (session_id, graph, values), position in zip(rows, positions, strict=True)
                ],
            )
        self.notify()
        return EnqueueBatchResult(batch_id=batch.batch_id, enqueued=len(rows), priority=priority)

    # ---- claiming and finishing ----------------------------------------------------------

    def _claim_where(self, condition: str, parameters: tuple = ()) -> tuple | None:
        """Mark the pending item `condition` picks in_progress, as this process's; its row, or None."""
        with self.db.write() as db:
            return db.execute(
                "UPDATE queue SET status = 'in_progress', started_at = ?, claimed_by = ? "
                f"WHERE item_id = (SELECT item_id FROM queue WHERE status = 'pending' AND {condition}) "
                f"RETURNING {_COLUMNS}, session, graph",
                (time.time(), self._claimer(), *parameters),
            ).fetchone()

    def _with_session(self, row: tuple) -> QueueItem:
        """The claimed item with its session; CorruptDataError (the item then failed) when unreadable."""
        item = _item(row)
        try:
            item.session = self._session_of(item, session_text=row[11], graph_text=row[12])
        except CorruptDataError as exc:
            logger.warning("queue item %s: %s", item.item_id, exc)
            self.finish(item.item_id, "failed", error=str(exc))
            raise
        return item

    def claim_next(self) -> QueueItem | None:
        while True:
            row = self._claim_where("1 ORDER BY priority DESC, position LIMIT 1")
            if row is None:
                return None
            try:
                return self._with_session(row)
            except CorruptDataError:  # that item failed alone; the queue goes on
                continue

    def claim(self, item_id: int) -> QueueItem | None:
        row = self._claim_where("item_id = ?", (item_id,))
        return None if row is None else self._with_session(row)

    @staticmethod
    def _session_of(item: QueueItem, session_text: str | None, graph_text: str | None) -> Session | None:
        if session_text is None and graph_text is None:
            return None  # enqueued as stored: its home is session storage
        if session_text is not None:
            return session_from_json(item.session_id, session_text)
        try:
            return Session(json.loads(graph_text or "null"), id=item.session_id)
        except Exception as exc:
            raise CorruptDataError(f"stored graph of session {item.session_id!r} cannot be read: {exc}") from None

    def finish(self, item_id, status, *, error=None, session=None) -> QueueItem:
        # The finished session's home is session storage (the processor stores it there first),
        # so the queue row drops its pending copy.
        dropped = ", session = NULL, graph = NULL" if session is not None else ""
        with self.db.write() as db:
            db.execute(
                f"UPDATE queue SET status = ?, error = ?, completed_at = ?{dropped} WHERE item_id = ? AND {_UNFINISHED}",
                (status, error, time.time(), item_id),
            )
            row = db.execute(f"SELECT {_COLUMNS} FROM queue WHERE item_id = ?", (item_id,)).fetchone()
        if row is None:
            raise QueueItemNotFoundError(f"no queue item {item_id}")
        return _item(row)

    # ---- reading -------------------------------------------------------------------------

    def get(self, item_id: int) -> QueueItem:
        row = self.db.read_one(f"SELECT {_COLUMNS} FROM queue WHERE item_id = ?", (item_id,))
        if row is None:
            raise QueueItemNotFoundError(f"no queue item {item_id}")
        return _item(row)

    def list(self, *, status: QueueStatus | None = None, page=0, per_page=20) -> Page[QueueItem]:
        check_paging(page, per_page)
        where, parameters = ("WHERE status = ?", (status,)) if status is not None else ("", ())
        total = self.db.read_one(f"SELECT COUNT(*) FROM queue {where}", parameters)[0]
        rows = self.db.read(
            f"SELECT {_COLUMNS} FROM queue {where} ORDER BY item_id DESC LIMIT ? OFFSET ?",
            (*parameters, per_page, page * per_page),
        )
        return Page[QueueItem].model_construct(
            items=[_item(row) for row in rows], page=page, per_page=per_page, total=total
        )

    def items_for_session(self, session_id: str) -> list[QueueItem]:
        rows = self.db.read(
            f"SELECT {_COLUMNS} FROM queue WHERE session_id = ? AND {_UNFINISHED} ORDER BY item_id", (session_id,)
        )
        return [_item(row) for row in rows]

    def counts(self, batch_id: str | None = None) -> dict[str, int]:
        totals = dict.fromkeys(QUEUE_STATUSES, 0)
        if batch_id is None:
            rows = self.db.read("SELECT status, COUNT(*) FROM queue GROUP BY status")
        else:
            rows = self.db.read("SELECT status, COUNT(*) FROM queue WHERE batch_id = ? GROUP BY status", (batch_id,))
        totals.update(dict(rows))
        return totals

    # ---- canceling and removing ----------------------------------------------------------

    def _cancel_where(self, condition: str, parameters: tuple = ()) -> list[QueueItem]:
        with self.db.write() as db:
            rows = db.execute(
                f"UPDATE queue SET status = 'canceled', completed_at = ? WHERE {_UNFINISHED} AND {condition} "
                f"RETURNING {_COLUMNS}",
                (time.time(), *parameters),
            ).fetchall()
        return sorted((_item(row) for row in rows), key=lambda item: item.item_id)

    def cancel(self, item_id: int) -> QueueItem:
        self._cancel_where("item_id = ?", (item_id,))
        return self.get(item_id)

    def cancel_batch(self, batch_id: str) -> list[QueueItem]:
        return self._cancel_where("batch_id = ?", (batch_id,))

    def cancel_all(self) -> list[QueueItem]:
        return self._cancel_where("1")

    def clear(self) -> int:
        with self.db.write() as db:
            return db.execute("DELETE FROM queue").rowcount

    def prune(self) -> int:
        with self.db.write() as db:
            return db.execute("DELETE FROM queue WHERE status IN ('completed', 'failed', 'canceled')").rowcount

    def close(self) -> None:
        with self._worker_lock:
            if self._worker is not None:
                self._worker.release()
        super().close()
