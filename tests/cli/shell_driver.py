"""Drives `invokeai shell` as a user would: through a pseudo-terminal, with readline."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect

PROMPT = "invoke> "
HERE = Path(__file__).parent
# the shell as `invokeai shell` runs it, with the slow `pause` node of slow_nodes.py loaded
WITH_SLOW_NODES = (
    "import sys, slow_nodes; from invoke_core import register_plugin; register_plugin(slow_nodes, name='slow_nodes');"
    " from invoke_cli.main import main; sys.exit(main(sys.argv[1:]))"
)


def spawn_shell(root: Path, *, slow_nodes: bool = False) -> pexpect.spawn:
    path = os.pathsep.join([str(HERE), *filter(None, [os.environ.get("PYTHONPATH")])])
    env = {**os.environ, "INVOKE_DISABLE_PLUGIN_AUTOLOAD": "1", "TERM": "xterm", "COLUMNS": "200", "PYTHONPATH": path}
    program = ["-c", WITH_SLOW_NODES] if slow_nodes else ["-m", "invoke_cli"]
    child = pexpect.spawn(
        sys.executable,
        [*program, "--root", str(root), "shell", "--quiet"],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 200),
    )
    child.expect_exact(PROMPT)
    return child


def send(child: pexpect.spawn, line: str) -> str:
    """Type a line, wait for the next prompt, return what was printed in between."""
    child.sendline(line)
    child.expect_exact(PROMPT)
    return child.before.replace("\r", "")


def leave(child: pexpect.spawn) -> None:
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
