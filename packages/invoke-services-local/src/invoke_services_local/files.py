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


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write through `write` into a temp file beside `path`, then rename it into place.

    Readers see the old file or the whole new one, never half of it, even if the process is
    killed mid-write. No fsync: like the database (synchronous=NORMAL), files survive a killed
    process, and a power cut may lose the last writes.
    """
    # the writer's pid in the name tells a sweep whether the write may still be going on
    temp = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex}-{path.name}")
    try:
        with open(temp, "wb") as handle:
            write(handle)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _writer_alive(temp_name: str) -> bool:
    pid = temp_name[len(TEMP_PREFIX) :].split("-", 1)[0]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def remove_stale_temp_files(folder: Path) -> int:
    """Delete temp files whose writer is gone (a killed process); returns how many.

    A write still going on in a live process (another app on the same root) is left alone.
    """
    removed = 0
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.name.startswith(TEMP_PREFIX) and entry.is_file() and not _writer_alive(entry.name):
                entry.unlink(missing_ok=True)
                removed += 1
    return removed
