"""Limits on what one graph may make the engine hold: nodes, and items in a list given to a node.

Graphs built in Python or read back from storage have none (`limits=None`); graphs that come
from outside (HTTP, graph files, the invoker's edits) get the configured ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_origin

from invoke_core.config import InvokeConfig
from invoke_core.errors import LimitExceededError
from invoke_core.invocation import BaseInvocation


@dataclass(frozen=True, slots=True)
class GraphLimits:
    max_nodes: int
    max_collection_items: int

    @classmethod
    def from_config(cls, config: InvokeConfig) -> GraphLimits:
        return cls(config.max_graph_nodes, config.max_collection_items)

    def check_node_count(self, count: int) -> None:
        if count > self.max_nodes:
            raise LimitExceededError(
                f"the graph would hold {count} nodes; at most {self.max_nodes} are allowed (max_graph_nodes)"
            )

    def check_list(self, node_id: str, field: str, length: int) -> None:
        if length > self.max_collection_items:
            raise LimitExceededError(
                f"node {node_id!r}: field {field!r} holds {length} items; at most {self.max_collection_items} "
                "are allowed (max_collection_items)",
                node_id=node_id,
                field=field,
            )


_SCALARS = (int, bool, float, str)
_list_fields: dict[type, tuple[str, ...]] = {}


def check_node_lists(node: BaseInvocation, limits: GraphLimits) -> None:
    """Each list (or mapping) given to the node holds at most `max_collection_items` items."""
    cls = type(node)
    fields = _list_fields.get(cls)
    if fields is None:  # fields typed as plain scalars can hold no list
        fields = tuple(
            name
            for name, annotation in cls.__input_types__.items()
            if annotation not in _SCALARS and get_origin(annotation) is not Literal
        )
        _list_fields[cls] = fields
    values = node.__dict__
    for field in fields:
        value = values[field]
        if isinstance(value, list | tuple | set | frozenset | dict):
            limits.check_list(node.id, field, len(value))
