"""How long `import invoke_core` takes, and that it pulls in nothing heavy; prints a table.

    python bench/core_import.py [--repeat 5]

Reads `python -X importtime` (the cumulative microseconds of the top-level package) in fresh
processes and keeps the fastest run, next to pydantic + pluggy alone for comparison.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

HEAVY = ("torch", "fastapi", "click", "boto3", "PIL", "diffusers")


def import_microseconds(statement: str, package: str) -> int:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement], capture_output=True, text=True, check=True
    )
    for line in result.stderr.splitlines():
        parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == package:
            return int(parts[1])
    raise RuntimeError(f"{package} not found in importtime output")


def heavy_modules_loaded() -> list[str]:
    probe = f"import sys, invoke_core; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [name for name in result.stdout.strip().split(",") if name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = [
        ("import invoke_core", "import invoke_core", "invoke_core"),
        ("pydantic alone", "import pydantic; from pydantic import BaseModel", "pydantic"),
        ("pluggy alone", "import pluggy", "pluggy"),
    ]
    print(f"{'what':<20} {'fastest ms':>11}")
    for label, statement, package in rows:
        best = min(import_microseconds(statement, package) for _ in range(args.repeat))
        print(f"{label:<20} {best / 1000:>11.1f}")
    heavy = heavy_modules_loaded()
    print(f"heavy modules after import: {', '.join(heavy) if heavy else 'none'}")


if __name__ == "__main__":
    main()
