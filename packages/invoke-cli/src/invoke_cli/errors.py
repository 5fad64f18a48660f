"""The errors the CLI reports as one line: user mistakes exit 2, a node that fails exits 1."""

from __future__ import annotations

USAGE_EXIT_CODE = 2
FAILURE_EXIT_CODE = 1


class CliError(Exception):
    """A mistake in what the user typed or gave (node, option, value, link, file)."""

    exit_code = USAGE_EXIT_CODE


class RunFailed(Exception):
    """A node failed while running; its message names the node. `node_traceback` is where it
    failed inside the node, which `--debug` shows (the CLI's own stack says nothing useful)."""

    exit_code = FAILURE_EXIT_CODE

    def __init__(self, message: str, node_traceback: str = ""):
        super().__init__(message)
        self.node_traceback = node_traceback


class Interrupted(RunFailed):
    """Ctrl-C stopped the run and its session was canceled; 130 is how shells report SIGINT."""

    exit_code = 130
