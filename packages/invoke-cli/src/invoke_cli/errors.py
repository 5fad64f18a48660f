"""The errors the CLI reports as one line: user mistakes exit 2, a node that fails exits 1."""

from __future__ import annotations

USAGE_EXIT_CODE = 2
FAILURE_EXIT_CODE = 1


class CliError(Exception):
    """A mistake in what the user typed or gave (node, option, value, link, file)."""

    exit_code = USAGE_EXIT_CODE


class RunFailed(Exception):
    """A node failed while running; its message names the node."""

    exit_code = FAILURE_EXIT_CODE
