"""Telling whether the process that claimed a queue item is still alive.

Each process that claims items holds an exclusive lock on its own file under
`<root>/locks/`. The kernel drops the lock when the process dies, however it dies (SIGKILL
included), so another process can tell a crashed claimer from a live one, and a recycled
process id cannot fool it. Where file locks are unavailable, every claimer counts as gone.
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


class WorkerLock:
    """This process's identity as a claimer of queue items; held until `release`."""

    def __init__(self, root: Path):
        self.folder = Path(root) / LOCKS_FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        self.name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._handle = open(self.folder / f"{self.name}.lock", "wb")  # noqa: SIM115 (held for the process's life)
        if fcntl is not None:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self) -> None:
        if not self._handle.closed:
            self._handle.close()
            (self.folder / f"{self.name}.lock").unlink(missing_ok=True)


def is_alive(root: Path, name: str) -> bool:
    """Whether the claimer `name` (a WorkerLock.name) still holds its lock."""
    if fcntl is None:
        return False
    path = Path(root) / LOCKS_FOLDER / f"{name}.lock"
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    path.unlink(missing_ok=True)  # its owner is gone: tidy up
    return False
