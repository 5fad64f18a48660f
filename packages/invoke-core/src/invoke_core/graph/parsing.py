"""Nodes from graph JSON: parsing one node, and errors that name the node and the field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from invoke_core.catalog import get_invocation_class
from invoke_core.errors import MalformedGraphError, NodeValidationError
from invoke_core.graph.values import CHECKED_FIELDS, checked_fields, describe_path, unstorable_part
from invoke_core.invocation import BaseInvocation


def parse_node(node_id: str, data: Any, classes: dict[str, type[BaseInvocation]] | None = None) -> BaseInvocation:
    """Build a node from its JSON dict; errors name the node and the field.

    `classes` memoizes type lookups during a bulk load.
    """
    if isinstance(data, BaseInvocation):
        node = data
        if node.id and node.id != node_id:
            raise MalformedGraphError(
                f"node {node_id!r} carries a different id {node.id!r}", node_id=node_id, field="id"
            )
        if not node.id:
            node.id = node_id
        check_node_values(node)
        return node
    if not isinstance(data, Mapping):
        raise MalformedGraphError(f"node {node_id!r} must be an object, got {type(data).__name__}", node_id=node_id)
    type_value = data.get("type")
    if not isinstance(type_value, str):
        raise MalformedGraphError(f"node {node_id!r} has no 'type'", node_id=node_id, field="type")
    cls = classes.get(type_value) if classes is not None else None
    if cls is None:
        cls = get_invocation_class(type_value, node_id=node_id)
        if classes is not None:
            classes[type_value] = cls
    given_id = data.get("id")
    if given_id is not None and given_id != node_id:
        raise MalformedGraphError(f"node {node_id!r} carries a different id {given_id!r}", node_id=node_id, field="id")
    try:
        node = cls.model_validate({**data, "id": node_id})
    except ValidationError as exc:
        raise node_validation_error(node_id, type_value, exc) from None
    fields = CHECKED_FIELDS.get(cls)
    if fields is None or fields:  # most nodes of a big graph share a class with no field to check
        check_node_values(node, fields)
    return node


def check_node_values(node: BaseInvocation, fields: tuple[str, ...] | None = None) -> None:
    """Refuse what JSON cannot store (NaN, infinities, lone surrogates, deep nesting), naming node and field."""
    values = node.__dict__
    for field in checked_fields(type(node)) if fields is None else fields:
        value = values[field]
        kind = type(value)  # plain text and numbers decided here: this runs for every node loaded
        if kind is str:
            if value.isascii():
                continue
            try:
                value.encode("utf-8")  # fails only on a lone surrogate
                continue
            except UnicodeEncodeError:
                pass
        elif (kind is float and value - value == 0) or value is None:
            continue
        found = unstorable_part(value)
        if found is not None:
            path, reason = found
            raise NodeValidationError(
                f"node {node.id!r} ({node.invocation_type()}): field {describe_path(field, path)!r}: {reason}",
                node_id=node.id,
                field=field,
            )


def node_validation_error(
    node_id: str, type_value: str, exc: ValidationError, what: str = "field"
) -> NodeValidationError:
    """The first problem pydantic found, as an error naming the node and (when known) the field."""
    first = exc.errors()[0]
    location = first.get("loc") or ()
    message = str(first.get("msg", "")).removeprefix("Value error, ")
    if not location:  # a check across several fields (a model validator)
        return NodeValidationError(f"node {node_id!r} ({type_value}): {message}", node_id=node_id, field=None)
    field = str(location[0])
    path = ".".join(str(part) for part in location)
    return NodeValidationError(
        f"node {node_id!r} ({type_value}): {what} {path!r}: {message}", node_id=node_id, field=field
    )


def check_node_id(node_id: Any) -> str:
    if (
        not isinstance(node_id, str)
        or not node_id
        or "[" in node_id
        or "]" in node_id
        or (not node_id.isascii() and unstorable_part(node_id) is not None)
    ):
        raise MalformedGraphError(
            f"bad node id {node_id!r}: use a non-empty string of valid Unicode without '[' or ']'",
            node_id=str(node_id),
        )
    return node_id


def split_graph_json(obj: Any) -> tuple[Mapping[str, Any], Iterable[Any]]:
    """The `nodes` and `edges` of graph JSON, after checking its shape."""
    if not isinstance(obj, Mapping):
        raise MalformedGraphError(f"a graph must be an object with 'nodes' and 'edges', got {type(obj).__name__}")
    unknown = set(obj) - {"nodes", "edges", "id"}
    if unknown:
        raise MalformedGraphError(f"unknown graph keys: {', '.join(sorted(unknown))}")
    nodes = obj.get("nodes", {})
    edges = obj.get("edges", [])
    if not isinstance(nodes, Mapping):
        raise MalformedGraphError("'nodes' must be an object mapping node ids to nodes")
    if not isinstance(edges, list):
        raise MalformedGraphError("'edges' must be a list")
    return nodes, edges
