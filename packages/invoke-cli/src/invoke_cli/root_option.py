"""`--root DIR` before or after the command: `invokeai --root DIR run ...` and `invokeai run --root DIR ...`
mean the same.

The top-level group adds this option to every command and subcommand (built-in or from a plugin)
that has no `--root` of its own. Either way the root is set on the App and exported as
INVOKE_ROOT while the command runs, which is how plugin commands read it. Given both before and
after the command, the one after wins.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from invoke_cli.app import App

ROOT_HELP = "The root folder (config, local storage). Default: INVOKE_ROOT or ~/invokeai."
ROOT_TYPE = click.Path(file_okay=False, path_type=Path)


def use_root(ctx: click.Context, root: Path) -> None:
    """Make `root` the root folder of this command and of anything it calls."""
    app = ctx.find_object(App)
    if app is not None:
        app.root = root
    before = os.environ.get("INVOKE_ROOT")
    os.environ["INVOKE_ROOT"] = str(root)

    def restore() -> None:
        if before is None:
            os.environ.pop("INVOKE_ROOT", None)
        else:
            os.environ["INVOKE_ROOT"] = before

    ctx.call_on_close(restore)


def _root_given(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        use_root(ctx, value)


def has_root_option(command: click.Command) -> bool:
    return any(isinstance(param, click.Option) and "--root" in param.opts for param in command.params)


def accept_root(command: Any) -> None:
    """Give `command`, and each subcommand of a group, a `--root` unless it has one."""
    if not isinstance(command, click.Command):
        return
    if not has_root_option(command):
        command.params.append(
            click.Option(["--root"], type=ROOT_TYPE, expose_value=False, callback=_root_given, help=ROOT_HELP)
        )
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            accept_root(subcommand)
