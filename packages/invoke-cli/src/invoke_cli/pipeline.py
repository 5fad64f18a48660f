"""Pipelines: `noise --width 64 | img_blur --radius 2 | save_image` into graph nodes and edges.

Each command is a node type and its options. Consecutive commands are auto-linked: every
output of the previous node whose name and type match an input of the next one is linked,
unless that input was given a value or an explicit `--link`. Links name their source by node
id or by a relative index into the history (-1: the previous command).
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import click

from invoke_cli.errors import CliError
from invoke_cli.node_commands import FIELD_PREFIX, ID_PARAM, LINK_PARAM, node_command
from invoke_cli.values import BadValue, parse_text

PIPE = "|"
_RELATIVE = re.compile(r"^-\d+$")


def split_words(text: str) -> list[str]:
    """Shell-like words; an unquoted `|` is a word of its own even without spaces around it."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=PIPE)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError as exc:  # an unclosed quote
        raise CliError(f"cannot read the command line: {exc}") from None


def split_pipeline(words: Sequence[str]) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for word in words:
        if word == PIPE:
            commands.append([])
        else:
            commands[-1].append(word)
    for position, command in enumerate(commands, start=1):
        if not command:
            raise CliError(f"command {position} of the pipeline is empty")
    return commands


@dataclass
class NodeCommand:
    """One parsed command of a pipeline."""

    position: int
    words: list[str]
    node_type: str
    cls: type
    given: dict[str, str]  # field -> the text typed for it
    links: list[tuple[str, str, str]]
    node_id: str | None = None

    @property
    def text(self) -> str:
        return shlex.join(self.words)

    def where(self) -> str:
        return f"command {self.position} ({self.node_type})"


def node_classes() -> dict[str, type]:
    from invoke_core import invocation_classes

    return invocation_classes()


def unknown_type_message(node_type: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(node_type, list(known), n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else "; `invokeai nodes` lists them"
    return f"unknown node type {node_type!r}{hint}"


def parse_command(words: list[str], position: int) -> NodeCommand:
    """Read one command's words; click.exceptions.Exit carries `--help` out."""
    node_type = words[0]
    classes = node_classes()
    cls = classes.get(node_type)
    if cls is None:
        raise CliError(f"command {position}: {unknown_type_message(node_type, classes)}")
    command = node_command(cls)
    try:
        ctx = command.make_context(node_type, list(words[1:]))
    except click.exceptions.Exit:
        raise
    except click.UsageError as exc:
        raise CliError(f"command {position} ({node_type}): {exc.format_message()}") from None
    given = {
        name[len(FIELD_PREFIX) :]: value
        for name, value in ctx.params.items()
        if name.startswith(FIELD_PREFIX) and value is not None
    }
    return NodeCommand(position, list(words), node_type, cls, given, list(ctx.params[LINK_PARAM]), ctx.params[ID_PARAM])


def parse_pipeline(words: Sequence[str]) -> list[NodeCommand]:
    return [parse_command(command, position) for position, command in enumerate(split_pipeline(words), start=1)]


@dataclass
class GraphBuilder:
    """Adds commands to a graph. `history` holds the ids of earlier commands, oldest first."""

    graph: Any  # invoke_core.Graph
    history: list[str] = field(default_factory=list)
    defaults: Mapping[str, str] = field(default_factory=dict)

    def new_node_id(self) -> str:
        number = len(self.history)
        while str(number) in self.graph.nodes:
            number += 1
        return str(number)

    def add(self, commands: Sequence[NodeCommand]) -> tuple[list[str], list[Any]]:
        """Add every command (all or nothing is up to the caller's copy); new node ids and edges."""
        added: list[str] = []
        edges: list[Any] = []
        for command in commands:
            node_id = self._add_node(command)
            edges.extend(self._add_links(command, node_id))
            if added:  # auto-link only along the pipe, never across lines
                skip = set(command.given) | {dest for dest, _node, _field in command.links}
                try:
                    edges.extend(self.graph.autolink(node_id, added[-1], skip=skip))
                except Exception as exc:
                    raise CliError(f"{command.where()}: cannot auto-link: {exc}") from None
            added.append(node_id)
            self.history.append(node_id)
        return added, edges

    def _values(self, command: NodeCommand) -> dict[str, Any]:
        fields = command.cls.input_fields()
        values: dict[str, Any] = {}
        texts = {name: (text, "default") for name, text in self.defaults.items() if name in fields}
        texts.update({name: (text, "option") for name, text in command.given.items()})
        for name, (text, origin) in texts.items():
            try:
                values[name] = parse_text(text, fields[name].annotation)
            except BadValue as exc:
                what = f"--{name}" if origin == "option" else f"the default for {name!r}"
                raise CliError(f"{command.where()}: {what}: {exc}") from None
        return values

    def _add_node(self, command: NodeCommand) -> str:
        from pydantic import ValidationError

        node_id = command.node_id or self.new_node_id()
        if node_id in self.graph.nodes:
            raise CliError(f"{command.where()}: node id {node_id!r} is already used")
        values = self._values(command)
        try:
            node = command.cls.model_validate({**values, "id": node_id})
        except ValidationError as exc:
            raise CliError(_validation_message(command, node_id, exc)) from None
        try:
            self.graph.add_node(node)
        except Exception as exc:
            raise CliError(f"{command.where()}: {exc}") from None
        return node_id

    def _source_id(self, command: NodeCommand, reference: str) -> str:
        if _RELATIVE.match(reference):
            back = -int(reference)
            if back == 0 or back > len(self.history):
                raise CliError(
                    f"{command.where()}: --link source {reference}: there is no command {back} back "
                    f"(the history holds {len(self.history)})"
                )
            return self.history[-back]
        if reference not in self.graph.nodes:
            raise CliError(f"{command.where()}: --link source node {reference!r} does not exist")
        return reference

    def _add_links(self, command: NodeCommand, node_id: str) -> list[Any]:
        from invoke_core import Edge

        edges = []
        for destination, reference, source_field in command.links:
            source = self._source_id(command, reference)
            try:
                edges.append(self.graph.add_edge(Edge.link(source, source_field, node_id, destination)))
            except Exception as exc:
                raise CliError(
                    f"{command.where()}: cannot link {source}.{source_field} to {destination}: {exc}"
                ) from None
        return edges


def _validation_message(command: NodeCommand, node_id: str, exc: Any) -> str:
    first = exc.errors()[0]
    location = first.get("loc") or ()
    message = str(first.get("msg", "")).removeprefix("Value error, ")
    if not location:
        return f"{command.where()}, node {node_id!r}: {message}"
    name = str(location[0])
    shown = command.given.get(name)
    got = f" (got {shown!r})" if shown is not None else " (from `default`)"
    return f"{command.where()}, node {node_id!r}: --{name}: {message}{got}"


def build_graph(words: Sequence[str]) -> Any:
    """A new graph holding the pipeline's nodes and edges."""
    from invoke_core import Graph

    graph = Graph()
    GraphBuilder(graph).add(parse_pipeline(words))
    return graph
