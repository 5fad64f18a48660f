"""Reading a graph JSON file given with `--graph`: one-line errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from invoke_cli.errors import CliError


def read_graph_json(path: Path) -> Any:
    """The file's JSON as it is (a server with node types this CLI lacks checks it itself)."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read graph file {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CliError(f"graph file {path} is not valid graph JSON: {str(exc).splitlines()[0]}") from None


def load_graph_file(path: Path) -> Any:
    """The file as a validated Graph."""
    from invoke_core import Graph, InvokeError

    data = read_graph_json(path)
    try:
        return Graph.model_validate(data)
    except InvokeError as exc:
        raise CliError(f"graph file {path}: {exc}") from None
