"""Edges: a link from one node's output field to another node's input field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from invoke_core.errors import MalformedGraphError


# Hashable and compared by value; not frozen because frozen dataclasses build 3x slower,
# which a 100k-edge load feels. Treat them as immutable.
@dataclass(slots=True, unsafe_hash=True)
class EdgeConnection:
    """One end of an edge: a node and one of its fields."""

    node_id: str
    field: str

    @classmethod
    def model_validate(cls, data: Any, where: str = "edge end") -> EdgeConnection:
        if isinstance(data, EdgeConnection):
            return data
        if not isinstance(data, Mapping):
            raise MalformedGraphError(f"{where} must be an object with 'node_id' and 'field', got {data!r}")
        node_id, field = data.get("node_id"), data.get("field")
        if not isinstance(node_id, str) or not isinstance(field, str) or len(data) != 2:
            raise MalformedGraphError(f"{where} must be an object with string 'node_id' and 'field' only, got {data!r}")
        return cls(node_id, field)


@dataclass(slots=True, unsafe_hash=True)
class Edge:
    """A link from a node's output field to another node's input field."""

    source: EdgeConnection
    destination: EdgeConnection

    @classmethod
    def link(cls, source_node: str, source_field: str, destination_node: str, destination_field: str) -> Edge:
        return cls(EdgeConnection(source_node, source_field), EdgeConnection(destination_node, destination_field))

    @classmethod
    def model_validate(cls, data: Any) -> Edge:
        if type(data) is dict and len(data) == 2:  # the common, well-formed case, checked cheaply
            source, destination = data.get("source"), data.get("destination")
            if type(source) is dict and type(destination) is dict and len(source) == 2 and len(destination) == 2:
                ends = (
                    source.get("node_id"),
                    source.get("field"),
                    destination.get("node_id"),
                    destination.get("field"),
                )
                if all(type(end) is str for end in ends):
                    return cls(EdgeConnection(ends[0], ends[1]), EdgeConnection(ends[2], ends[3]))
        if isinstance(data, Edge):
            return data
        if not isinstance(data, Mapping) or set(data) != {"source", "destination"}:
            raise MalformedGraphError(f"an edge must be an object with 'source' and 'destination' only, got {data!r}")
        return cls(
            EdgeConnection.model_validate(data["source"], "edge source"),
            EdgeConnection.model_validate(data["destination"], "edge destination"),
        )

    def describe(self) -> str:
        return f"{self.source.node_id}.{self.source.field} -> {self.destination.node_id}.{self.destination.field}"

    def model_dump(self, mode: str = "json") -> dict[str, dict[str, str]]:
        return {
            "source": {"node_id": self.source.node_id, "field": self.source.field},
            "destination": {"node_id": self.destination.node_id, "field": self.destination.field},
        }
