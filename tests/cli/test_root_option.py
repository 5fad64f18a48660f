"""`--root DIR` before or after the command means the same, for every command and subcommand.

A root whose invoke.toml is broken shows which root a command read: the error names the file.
"""

from __future__ import annotations

import os

import click
import pytest
from click.testing import CliRunner
from invoke_cli.main import cli
from invoke_core import hookimpl, register_plugin, unregister_plugin

COMMANDS = [
    ("run", "add --a 1"),
    ("run", "-q", "add", "--a", "1"),
    ("sessions", "list"),
    ("sessions", "show", "nope"),
    ("queue",),
    ("images", "list"),
    ("shell",),
]


@pytest.fixture
def broken_root(tmp_path):
    root = tmp_path / "broken"
    root.mkdir()
    (root / "invoke.toml").write_text("not [toml\n")
    return root


def invokeai(*args: str):
    """A fresh CLI as a user starts it: the App and its services come from the root's config."""
    return CliRunner().invoke(cli, list(args), input="")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_root_before_or_after_the_command_reads_that_root(command, broken_root):
    before = invokeai("--root", str(broken_root), *command)
    after = invokeai(*command, "--root", str(broken_root))
    middle = invokeai(command[0], "--root", str(broken_root), *command[1:])
    expected = f"error: config file {broken_root / 'invoke.toml'}: "
    for result in (before, after, middle):
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(expected) and result.stderr.count("\n") == 1


def test_root_after_the_command_wins_over_the_one_before(broken_root, tmp_path):
    good = tmp_path / "good"
    assert invokeai("--root", str(broken_root), "run", "add --a 1", "--root", str(good)).exit_code == 0
    assert invokeai("--root", str(good), "run", "add --a 1", "--root", str(broken_root)).exit_code == 2


@pytest.mark.parametrize("command", [("run", "--help"), ("sessions", "list", "--help"), ("nodes", "show", "--help")])
def test_help_of_every_command_lists_root(command):
    result = invokeai(*command)
    assert result.exit_code == 0
    assert "--root DIRECTORY" in result.stdout


class RootEchoPlugin:
    @hookimpl
    def register_commands(self, cli):
        @cli.command("where")
        def where():
            """Print the root this command got."""
            click.echo(os.environ.get("INVOKE_ROOT"))


def test_plugin_commands_get_root_too(tmp_path, monkeypatch):
    monkeypatch.setenv("INVOKE_ROOT", str(tmp_path / "from-environment"))
    name = register_plugin(RootEchoPlugin(), name="test_root_echo")
    try:
        assert invokeai("where").stdout == f"{tmp_path / 'from-environment'}\n"
        assert invokeai("--root", str(tmp_path / "a"), "where").stdout == f"{tmp_path / 'a'}\n"
        assert invokeai("where", "--root", str(tmp_path / "b")).stdout == f"{tmp_path / 'b'}\n"
        # the command's own is set only while it runs
        assert os.environ["INVOKE_ROOT"] == str(tmp_path / "from-environment")
    finally:
        unregister_plugin(name)
