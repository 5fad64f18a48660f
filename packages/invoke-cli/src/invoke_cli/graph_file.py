"""Reading a graph JSON file given with `--graph`: one-line errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from invoke_cli.errors import CliError


def read_graph_json(path: Path) -> Any:
    """The file's JSON as it is (a server with node types this CLI lacks checks it itself),
    once nothing in it is a value JSON cannot carry to a server or store."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read graph file {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CliError(f"graph file {path} is not valid graph JSON: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise CliError(f"graph file {path} nests too deeply to read (a node's value may nest 64 levels)") from None
    _refuse_unstorable(path, data)
    return data


def _refuse_unstorable(path: Path, data: Any) -> None:
    """NaN, infinities, lone surrogates and deep nesting, named by node and field as the core names them."""
    from invoke_core.graph.values import MAX_VALUE_DEPTH, describe_path, unstorable_part

    if not isinstance(data, dict):
        return  # the shape is the core's (or the server's) to explain
    nodes = data.get("nodes")
    for node_id, node in nodes.items() if isinstance(nodes, dict) else ():
        if unstorable_part(node_id) is not None:
            raise CliError(f"graph file {path}: bad node id {node_id!r}: it is not valid Unicode text")
        for field, value in node.items() if isinstance(node, dict) else ():
            found = unstorable_part(field) or unstorable_part(value)
            if found is not None:
                where = describe_path(field, found[0])
                raise CliError(f"graph file {path}: node {node_id!r} field {where!r}: {found[1]}")
    rest = {key: value for key, value in data.items() if key != "nodes"}
    found = unstorable_part(rest, MAX_VALUE_DEPTH)
    if found is not None:
        where = ".".join(str(part) for part in found[0]) or "the graph"
        raise CliError(f"graph file {path}: {where!r}: {found[1]}")


def load_graph_file(path: Path, limits: Any = None) -> Any:
    """The file as a validated Graph, within `limits` (GraphLimits) when given."""
    from invoke_core import Graph, InvokeError

    data = read_graph_json(path)
    try:
        return Graph.model_validate(data, limits=limits)
    except InvokeError as exc:
        raise CliError(f"graph file {path}: {exc}") from None
