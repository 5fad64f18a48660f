"""The interactive shell's state: one session that grows with each line, history and defaults.

Each line is a pipeline (run at once, on the same session, so later lines can link to the
nodes of earlier ones with `--link FIELD -2 value`) or one of the shell's own commands.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from invoke_cli.app import App
from invoke_cli.errors import CliError
from invoke_cli.field_check import field_value_problem
from invoke_cli.image_files import LocalImageStore, import_image_paths
from invoke_cli.output import failure_message, failure_tracebacks, print_summary
from invoke_cli.pipeline import GraphBuilder, node_classes, parse_pipeline, split_words, unknown_type_message
from invoke_cli.running import ProgressListener, run_session

SHELL_COMMANDS = ("history", "default", "reset_default", "defaults", "nodes", "help", "graph", "new", "exit", "quit")

SHELL_HELP = """\
Type a pipeline to run it:  img_noise --width 64 | img_blur --radius 2 | save_image
  --link/-l DEST_FIELD SOURCE_NODE SOURCE_FIELD   link explicitly; SOURCE_NODE: id or -1, -2...
Shell commands:
  history [N]              the last N commands (all by default) with their node ids
  default FIELD VALUE      use VALUE for FIELD in every later command that has it
  reset_default FIELD      stop doing that; `defaults` lists them
  nodes                    list node types;  help TYPE: a node's options
  graph                    print the session's graph JSON
  new                      start a new, empty session
  exit, quit, Ctrl-D       leave"""


class Shell:
    def __init__(
        self, app: App, *, quiet: bool = False, listener: Callable[[], ProgressListener | None] = lambda: None
    ):
        self.app = app
        self.quiet = quiet
        self.make_listener = listener
        self.defaults: dict[str, str] = {}
        self.history: list[tuple[str, str]] = []  # (node id, command text)
        self.new_session()

    def new_session(self) -> None:
        from invoke_core import Session

        self.session = Session()
        self.app.services.sessions.set(self.session)
        self.history.clear()
        self.shown: set[str] = set()

    # ---- one line --------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """Run one line; False when the shell should end. Errors are printed, never raised."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        try:
            return self._dispatch(line)
        except CliError as exc:
            click.echo(f"error: {exc}", err=True)
        except click.exceptions.Exit:
            pass  # `TYPE --help` printed its help
        except KeyboardInterrupt:  # Ctrl-C outside a run: the line had no effect
            click.echo("canceled", err=True)
        except Exception as exc:
            from invoke_core import InvokeError

            if not isinstance(exc, InvokeError) and self.app.debug:
                raise
            click.echo(f"error: {exc}", err=True)
        return True

    def _dispatch(self, line: str) -> bool:
        words = split_words(line)
        head, rest = words[0], words[1:]
        if head in ("exit", "quit"):
            return False
        handler = getattr(self, f"_cmd_{head}", None)
        if head in SHELL_COMMANDS and handler is not None:
            handler(rest)
        else:
            self.run_pipeline(words)
        return True

    # ---- shell commands ----------------------------------------------------------------------

    def _cmd_history(self, args: list[str]) -> None:
        count = len(self.history)
        if args:
            try:
                count = int(args[0])
            except ValueError:
                raise CliError(f"history: expected a number, got {args[0]!r}") from None
        start = max(len(self.history) - count, 0)
        for index in range(start, len(self.history)):
            node_id, text = self.history[index]
            back = index - len(self.history)
            click.echo(f"{back:>4}  {node_id:>4}  {text}")

    def _cmd_default(self, args: list[str]) -> None:
        if not args:
            self._cmd_defaults([])
            return
        if len(args) != 2:
            raise CliError("usage: default FIELD VALUE")
        name, value = args
        having = [cls for _type, cls in sorted(node_classes().items()) if name in cls.input_fields()]
        if not having:
            raise CliError(f"default: no node type has a field {name!r}")
        # refused at once when no node type could take it, rather than breaking every later line
        problems = []
        for cls in having:
            problem = field_value_problem(cls, name, value)
            if problem is None:
                break
            problems.append(problem)
        else:
            raise CliError(f"default {name}: {problems[0]} (got {value!r})")
        self.defaults[name] = value
        click.echo(f"default {name} = {value}")

    def _cmd_reset_default(self, args: list[str]) -> None:
        if len(args) != 1:
            raise CliError("usage: reset_default FIELD")
        if self.defaults.pop(args[0], None) is None:
            raise CliError(f"reset_default: {args[0]!r} has no default")
        click.echo(f"default {args[0]} removed")

    def _cmd_defaults(self, args: list[str]) -> None:
        for name, value in sorted(self.defaults.items()):
            click.echo(f"{name} = {value}")

    def _cmd_nodes(self, args: list[str]) -> None:
        for name, cls in sorted(node_classes().items()):
            click.echo(f"  {name:<20} {cls.metadata()['description']}")

    def _cmd_help(self, args: list[str]) -> None:
        if not args:
            click.echo(SHELL_HELP)
            return
        classes = node_classes()
        if args[0] not in classes:
            raise CliError(unknown_type_message(args[0], classes))
        from invoke_cli.node_commands import node_command

        command = node_command(classes[args[0]])
        with click.Context(command, info_name=args[0]) as ctx:
            click.echo(command.get_help(ctx))

    def _cmd_graph(self, args: list[str]) -> None:
        import json

        click.echo(json.dumps(self.session.graph.model_dump(), indent=2))

    def _cmd_new(self, args: list[str]) -> None:
        self.new_session()
        click.echo(f"new session {self.session.id}")

    # ---- pipelines -----------------------------------------------------------------------------

    def run_pipeline(self, words: list[str]) -> None:
        from invoke_core.preflight import check_ready

        commands = parse_pipeline(words)
        trial = self.session.graph.copy()  # all of the line is added, or none of it
        builder = GraphBuilder(trial, [node_id for node_id, _text in self.history], self.defaults)
        added, edges = builder.add(commands)
        check_ready(trial, self.app.services.get, node_ids=added)
        import_image_paths(trial, LocalImageStore(self.app.services.images))
        self.session.add_graph(
            {"nodes": {node_id: trial.nodes[node_id] for node_id in added}, "edges": [e.model_dump() for e in edges]}
        )
        self.history.extend((node_id, command.text) for node_id, command in zip(added, commands, strict=True))
        try:
            report = run_session(self.app, self.session, None if self.quiet else self.make_listener())
        except KeyboardInterrupt:  # a runner that lets Ctrl-C through: the run is over all the same
            self.app.invoker.cancel(self.session.id)
            self.canceled()
            return
        self._print_new_outputs()
        if not self.quiet:
            print_summary(report)
        if report.interrupted or self.session.status == "canceled":
            self.canceled()
            return
        failed = failure_message(self.session)
        if failed:
            if self.app.debug:
                click.echo(failure_tracebacks(self.session), err=True)
            click.echo(f"error: {failed}", err=True)
            self.new_session()
            click.echo("the session failed; a new one is started (defaults stay)", err=True)

    def canceled(self) -> None:
        """A canceled session runs nothing more: later lines go to a new one."""
        self.new_session()
        click.echo("canceled; a new session is started (defaults stay)", err=True)

    def _print_new_outputs(self) -> None:
        from invoke_cli.output import _short, node_type_of

        for execution in self.session.history:
            if execution in self.shown or execution not in self.session.results:
                continue
            self.shown.add(execution)
            outputs = self.session.results[execution].model_dump(mode="json")
            fields = " ".join(f"{name}={_short(value)}" for name, value in outputs.items())
            click.echo(f"{execution} {node_type_of(self.session, execution)}: {fields}")
            for value in outputs.values():
                if isinstance(value, dict) and set(value) == {"image_name"}:
                    location = self.app.image_location(value["image_name"])
                    if location != value["image_name"]:
                        click.echo(f"  image: {location}")
