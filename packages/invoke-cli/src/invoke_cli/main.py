"""The `invokeai` command group.

Subcommands load lazily (their modules import the engine, rich or readline only when used),
and plugins add their own through the `register_commands` hook. User mistakes print one line
and exit 2; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from invoke_cli import __version__
from invoke_cli.app import App
from invoke_cli.errors import USAGE_EXIT_CODE, CliError, RunFailed
from invoke_cli.root_option import ROOT_HELP, ROOT_TYPE, accept_root, use_root

logger = logging.getLogger("invoke.cli")

# name -> "module:attribute"; imported when the command is used or --help lists it
BUILTIN_COMMANDS = {
    "run": "invoke_cli.commands.run:run",
    "graph": "invoke_cli.commands.run:graph",
    "shell": "invoke_cli.commands.shell:shell",
    "nodes": "invoke_cli.commands.nodes:nodes",
    "sessions": "invoke_cli.commands.stores:sessions",
    "queue": "invoke_cli.commands.stores:queue",
    "images": "invoke_cli.commands.stores:images",
}
SHORT_HELP = {
    "run": "Run a pipeline of nodes or a graph file.",
    "graph": "Print the graph JSON a pipeline builds.",
    "shell": "An interactive session: pipelines, history, defaults.",
    "nodes": "List node types, or show one.",
    "sessions": "List stored sessions, or show one.",
    "queue": "Show the session queue.",
    "images": "List stored images, add image files, prune intermediates.",
}


class InvokeGroup(click.Group):
    """Built-in commands load lazily; plugin commands are added once, on first lookup."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._plugins_generation = -1

    def _add_plugin_commands(self) -> None:
        """Ask every plugin for its commands; again only when the set of plugins changed."""
        from invoke_core.catalog import call_per_plugin, get_plugin_manager, plugins_generation

        get_plugin_manager()  # loads the installed plugins, which bumps the generation
        if self._plugins_generation == plugins_generation():
            return
        self._plugins_generation = plugins_generation()
        try:
            call_per_plugin("register_commands", cli=self)
        except Exception as exc:  # a broken plugin must not take the CLI down
            logger.warning("a plugin failed to add its commands: %s", exc)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        return sorted(set(BUILTIN_COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = BUILTIN_COMMANDS.get(name)
        if target is not None and name not in self.commands:
            module, _, attribute = target.partition(":")
            self.commands[name] = getattr(importlib.import_module(module), attribute)
        if name not in self.commands:
            self._add_plugin_commands()
        command = self.commands.get(name)
        accept_root(command)  # `invokeai CMD --root DIR` as well as `invokeai --root DIR CMD`
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Lists commands without importing the lazy ones."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is None:
                rows.append((name, SHORT_HELP.get(name, "")))
            elif not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # the reader went away (`invokeai images list | head`): stop quietly, as Unix tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except (CliError, RunFailed) as exc:
            self._fail(ctx, str(exc), exc.exit_code, getattr(exc, "node_traceback", ""))
        except Exception as exc:
            from invoke_core import InvokeError

            if isinstance(exc, InvokeError):
                self._fail(ctx, str(exc), USAGE_EXIT_CODE)
            self._fail(ctx, f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", 1)

    @staticmethod
    def _fail(ctx: click.Context, message: str, code: int, node_traceback: str = "") -> None:
        app = ctx.find_object(App)
        if app is not None and app.debug:
            if node_traceback:  # a node failed: where in the node, not where in the CLI
                click.echo(node_traceback, err=True)
            else:
                traceback.print_exc()
        # one line, whatever the message quotes (a node id or field name may hold a line break)
        one_line = message.replace("\r\n", "\n").replace("\n", "\\n").replace("\r", "\\r")
        click.echo(f"error: {one_line}", err=True)
        ctx.exit(code)


@click.group(cls=InvokeGroup, context_settings={"help_option_names": ["--help", "-h"]})
@click.option(
    "--root",
    type=ROOT_TYPE,
    envvar="INVOKE_ROOT",
    help=ROOT_HELP + " Also accepted after the command.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.option(
    "--server",
    metavar="URL",
    envvar="INVOKE_SERVER",
    help="Send `run` to this `invokeai web` server (models stay loaded). Default: INVOKE_SERVER.",
)
@click.version_option(__version__, prog_name="invokeai")
@click.pass_context
def cli(ctx: click.Context, root: Path | None, debug: bool, server: str | None) -> None:
    """Invoke: run node graphs for image generation from the command line.

    \b
    invokeai run "img_noise --width 64 --height 64 | img_blur --radius 2"
    invokeai nodes show img_blur
    invokeai shell
    """
    app = ctx.ensure_object(App)
    if root is not None:
        use_root(ctx, root)
    app.debug = app.debug or debug
    app.server = server or app.server
    ctx.call_on_close(app.close)


def main(args: list[str] | None = None, prog_name: str = "invokeai") -> Any:
    return cli.main(args=args, prog_name=prog_name)


if __name__ == "__main__":
    sys.exit(main())
