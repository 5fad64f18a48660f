"""`invokeai shell`: the interactive session, with readline editing, history and completion."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from invoke_cli.app import App

HISTORY_FILE = "cli_history"
HISTORY_LENGTH = 1000


def _setup_readline(history_path: Path | None) -> object | None:
    try:
        import readline
    except ImportError:  # no line editing on this platform; plain input still works
        return None
    from invoke_cli.completion import ReadlineCompleter
    from invoke_cli.shell_session import SHELL_COMMANDS

    readline.set_completer(ReadlineCompleter(readline, SHELL_COMMANDS))
    readline.set_completer_delims(" \t\n|=")
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
    readline.set_history_length(HISTORY_LENGTH)
    if history_path is not None and history_path.is_file():
        try:
            readline.read_history_file(history_path)
        except OSError:
            pass
    return readline


def _save_history(readline: object | None, history_path: Path | None) -> None:
    if readline is None or history_path is None:
        return
    try:
        history_path.parent.mkdir(parents=True, exist_ok=True)
        readline.write_history_file(history_path)  # type: ignore[attr-defined]
    except OSError as exc:
        click.echo(f"warning: cannot save the shell history to {history_path}: {exc.strerror}", err=True)


@click.command()
@click.option("--quiet", "-q", is_flag=True, help="No progress bars and no timing summaries.")
@click.option("--history-file", type=click.Path(dir_okay=False, path_type=Path), help="Default: ROOT/cli_history.")
@click.pass_obj
def shell(app: App, quiet: bool, history_file: Path | None) -> None:
    """An interactive session: each line is a pipeline run on one growing session.

    `help` inside the shell lists its own commands (history, default, reset_default, ...).
    """
    from invoke_cli.shell_session import Shell

    interactive = sys.stdin.isatty()
    history_path = history_file or app.config().root / HISTORY_FILE
    readline = _setup_readline(history_path) if interactive else None

    def listener():
        if not sys.stderr.isatty():
            return None
        from invoke_cli.progress import RichProgress

        return RichProgress()

    session = Shell(app, quiet=quiet, listener=listener)
    if interactive:
        click.echo(f"invoke shell, session {session.session.id}. `help` for help, Ctrl-D to leave.")
    try:
        while True:
            try:
                line = input("invoke> " if interactive else "")
            except EOFError:
                break
            except KeyboardInterrupt:
                click.echo()
                continue
            if not session.handle(line):
                break
    finally:
        _save_history(readline, history_path)
    if interactive:
        click.echo()
