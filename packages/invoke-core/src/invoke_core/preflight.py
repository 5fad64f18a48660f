"""Is a graph ready to run? Checks that find bad input before any node runs.

Without them a required input left empty, or a model name nobody installed, is found only
when its node's turn comes: after earlier nodes ran, with a failed session stored. Here they
are input errors found up front, each naming the node and the field.

Two checks, in graph order:

- every required input has a value or a link (MissingInputError);
- a node class that defines `preflight(self, get_service)` checks its own given values with
  the services it needs (an SD node looks its model name up in the model manager's registry)
  and raises a GraphValidationError, usually PreflightError, naming node and field.

`get_service(kind)` returns a service a plugin defines, such as "model_manager":
`InvocationServices.get` is one. Without it (None: the services live elsewhere, on a server
that checks for itself) only the first check runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from invoke_core.errors import GraphValidationError, MissingInputError

GetService = Callable[[str], Any]


class PreflightError(GraphValidationError):
    """A node's own check rejected a given value before running (an unknown model name)."""


def check_ready(graph: Any, get_service: GetService | None, *, node_ids: Iterable[str] | None = None) -> None:
    """Raise the first reason `graph` (only `node_ids` of it, when given) cannot run as it is."""
    wanted = None if node_ids is None else set(node_ids)
    for node_id in graph.topological_order():
        if wanted is not None and node_id not in wanted:
            continue
        node = graph.nodes[node_id]
        for field in node.missing_inputs():
            if not graph.input_edges(node_id, field):
                raise MissingInputError(
                    f"node {node_id!r} ({node.type}): required input {field!r} has no value and no link",
                    node_id=node_id,
                    field=field,
                )
        preflight = getattr(type(node), "preflight", None)
        if preflight is not None and get_service is not None:
            preflight(node, get_service)
