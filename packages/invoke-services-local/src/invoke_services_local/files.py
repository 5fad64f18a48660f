"""Files under the root folder: atomic writes and names that cannot escape their folder."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

TEMP_PREFIX = ".tmp-"
# letters, digits, '_', '-', '.'; no leading dot; so never '..', '/', '\\' or a hidden file
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}")


def is_safe_name(name: str) -> bool:
    return isinstance(name, str) and _SAFE_NAME.fullmatch(name) is not None and ".." not in name


def write_atomically(path: Path, write: Callable[[BinaryIO], None], *, durable: bool = False) -> None:
    """Write through `write` into a temp file beside `path`, then rename it into place.

    Readers see the old file or the whole new one, never half of it, even if the process is
    killed mid-write. `durable` also fsyncs, for data that must survive a power cut.
    """
    temp = path.with_name(f"{TEMP_PREFIX}{uuid.uuid4().hex}-{path.name}")
    try:
        with open(temp, "wb") as handle:
            write(handle)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def remove_stale_temp_files(folder: Path) -> int:
    """Delete temp files a killed process left behind; returns how many."""
    removed = 0
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.name.startswith(TEMP_PREFIX) and entry.is_file():
                entry.unlink(missing_ok=True)
                removed += 1
    return removed
