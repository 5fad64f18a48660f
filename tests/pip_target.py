"""Install a test plugin package the way a user's pip would, into a folder of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def pip_install_into(target: Path, package: Path) -> Path:
    """pip-install `package` (a folder with a pyproject) into `target`; returns `target`.

    No build isolation: the test env already has hatchling, and no index is needed.
    """
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--target", str(target), str(package)],
        check=True,
        capture_output=True,
    )
    return target
