"""Wall time of `invokeai` commands in fresh processes (best and median of N); prints a table.

    python bench/cli_startup.py [--repeat 15]

Runs `python -m invoke_cli ...` with whatever plugins are installed in this interpreter, with
a temporary root folder, next to an empty interpreter start for comparison. Also reports
whether torch or Pillow were imported by each command.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = [
    ("python -c pass (baseline)", ["-c", "pass"]),
    ("python -c 'import invoke_core'", ["-c", "import invoke_core"]),
    ("invokeai --help", ["-m", "invoke_cli", "--help"]),
    ("invokeai nodes", ["-m", "invoke_cli", "nodes"]),
    ("invokeai nodes show img_resize", ["-m", "invoke_cli", "nodes", "show", "img_resize"]),
    ('invokeai graph "add | mul"', ["-m", "invoke_cli", "graph", "add --a 1 | mul -l a -1 value"]),
    ('invokeai run -q "add --a 1 | mul"', ["-m", "invoke_cli", "run", "-q", "add --a 1 | mul -l a -1 value --b 2"]),
]
PROBE = (
    "import atexit, sys; atexit.register(lambda: sys.stderr.write('HEAVY:' + "
    "','.join(m for m in ('torch', 'PIL', 'rich') if m in sys.modules)))"
)


def time_once(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def heavy(args: list[str], env: dict[str, str]) -> str:
    if args[0] != "-m":
        return "-"
    code = f"{PROBE}\nimport runpy, sys; sys.argv = ['invokeai', *{args[2:]!r}]\n"
    code += "from invoke_cli.main import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return result.stderr.rsplit("HEAVY:", 1)[-1].strip() or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, "INVOKE_ROOT": tempfile.mkdtemp(prefix="invoke-bench-")}
    print(f"python {sys.version.split()[0]}, best and median of {args.repeat} runs")
    print(f"{'command':<36} {'best ms':>8} {'median ms':>10}  heavy modules imported")
    for label, command in COMMANDS:
        time_once(command, env)  # warm the file cache
        times = [time_once(command, env) for _ in range(args.repeat)]
        print(f"{label:<36} {min(times) * 1000:8.1f} {statistics.median(times) * 1000:10.1f}  {heavy(command, env)}")


if __name__ == "__main__":
    main()
