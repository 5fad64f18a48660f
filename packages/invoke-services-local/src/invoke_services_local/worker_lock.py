"""Telling whether the process that claimed a queue item is still alive.

Each process that claims items holds an exclusive lock on its own file under
`<root>/locks/`. The kernel drops the lock when the process dies, however it dies (SIGKILL
included), so another process can tell a crashed claimer from a live one, and a recycled
process id cannot fool it. Where file locks are unavailable, every claimer counts as gone.

A dead claimer's file is removed when it is found out (`is_alive`), and `tidy` removes every
dead one, including those of processes killed while idle, which no queue item names.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

LOCKS_FOLDER = "locks"
SUFFIX = ".lock"


class WorkerLock:
    """This process's identity as a claimer of queue items; held until `release`."""

    def __init__(self, root: Path):
        self.folder = Path(root) / LOCKS_FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            self.name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
            path = self.folder / f"{self.name}{SUFFIX}"
            self._handle = open(path, "wb")  # noqa: SIM115 (held for the process's life)
            if fcntl is None or self._locked_in_place(path):
                return
            self._handle.close()  # `tidy` took the file between its creation and our lock: take another name

    def _locked_in_place(self, path: Path) -> bool:
        """Lock the file just opened; True when the path still names it (a `tidy` in another
        process may have found it unlocked and removed it before the lock was taken)."""
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a tidy holds it while removing it
            return False
        try:
            return os.stat(path).st_ino == os.fstat(self._handle.fileno()).st_ino
        except FileNotFoundError:
            return False

    def release(self) -> None:
        if not self._handle.closed:
            (self.folder / f"{self.name}{SUFFIX}").unlink(missing_ok=True)
            self._handle.close()


def _remove_if_dead(path: Path) -> bool:
    """Remove a lock file nobody holds; True when it was dead. The file is removed while this
    process holds its lock, so a claimer that opened it but has not locked it yet sees it gone."""
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        return True
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        path.unlink(missing_ok=True)
    return True


def is_alive(root: Path, name: str) -> bool:
    """Whether the claimer `name` (a WorkerLock.name) still holds its lock."""
    if fcntl is None:
        return False
    return not _remove_if_dead(Path(root) / LOCKS_FOLDER / f"{name}{SUFFIX}")


def tidy(root: Path) -> int:
    """Remove the lock files of claimers that are gone; a live process's file is kept.
    Returns how many were removed."""
    folder = Path(root) / LOCKS_FOLDER
    if fcntl is None or not folder.is_dir():
        return 0
    return sum(_remove_if_dead(path) for path in folder.glob(f"*{SUFFIX}"))
