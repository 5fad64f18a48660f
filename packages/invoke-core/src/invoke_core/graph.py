"""The graph: nodes by id and typed links between their fields. It never loops.

Every addition is validated on the spot (unknown node or field, types, one link per input,
cycles) and rejected with a typed error naming the nodes and fields. JSON:

    {"nodes": {"a": {"type": "add", "a": 1}},
     "edges": [{"source": {"node_id": "a", "field": "value"},
                "destination": {"node_id": "b", "field": "a"}}]}
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from invoke_core.errors import (
    CycleError,
    DuplicateLinkError,
    DuplicateNodeIdError,
    EdgeTypeError,
    FieldNotFoundError,
    GraphValidationError,
    MalformedGraphError,
    NodeNotFoundError,
    NodeValidationError,
)
from invoke_core.invocation import BaseInvocation
from invoke_core.nodes.collections import CollectInvocation, IterateInvocation
from invoke_core.ordering import TopologicalOrder
from invoke_core.pydantic_compat import ValidatedByItself
from invoke_core.registry import get_invocation_class
from invoke_core.typecheck import is_assignable, item_type, type_name


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


# Inputs that gather any number of links.
_MULTI_LINK_INPUTS = {CollectInvocation: frozenset({"item", "collection"})}


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
        return cls.model_validate({**data, "id": node_id})
    except ValidationError as exc:
        raise node_validation_error(node_id, type_value, exc) from None


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


def _check_node_id(node_id: Any) -> str:
    if not isinstance(node_id, str) or not node_id or "[" in node_id or "]" in node_id:
        raise MalformedGraphError(
            f"bad node id {node_id!r}: use a non-empty string without '[' or ']'", node_id=str(node_id)
        )
    return node_id


class Graph(ValidatedByItself):
    """Nodes and edges, validated as they are added."""

    def __init__(self, nodes: Mapping[str, Any] | Iterable[BaseInvocation] | None = None, edges: Iterable[Any] = ()):
        self.nodes: dict[str, BaseInvocation] = {}
        self.edges: list[Edge] = []
        self._inputs: dict[str, dict[str, list[Edge]]] = {}
        self._outputs: dict[str, list[Edge]] = {}
        self._parents: dict[str, dict[str, int]] = {}
        self._children: dict[str, dict[str, int]] = {}
        self._order = TopologicalOrder()
        self.version = 0
        if nodes or edges:
            if not isinstance(nodes, Mapping):
                nodes = {node.id: node for node in nodes or ()}
            self._load(nodes, edges)

    # ---- reading -------------------------------------------------------------------------

    def get_node(self, node_id: str) -> BaseInvocation:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise NodeNotFoundError(f"no node {node_id!r} in the graph", node_id=node_id) from None

    def input_edges(self, node_id: str, field: str | None = None) -> list[Edge]:
        by_field = self._inputs.get(node_id, {})
        if field is not None:
            return list(by_field.get(field, ()))
        return [edge for edges in by_field.values() for edge in edges]

    def output_edges(self, node_id: str) -> list[Edge]:
        return list(self._outputs.get(node_id, ()))

    def parents(self, node_id: str) -> list[str]:
        return list(self._parents.get(node_id, ()))

    def children(self, node_id: str) -> list[str]:
        return list(self._children.get(node_id, ()))

    def topological_order(self) -> list[str]:
        return self._order.sorted(self.nodes)

    def input_type(self, node_id: str, field: str) -> Any:
        node = self.get_node(node_id)
        try:
            return node.__input_types__[field]
        except KeyError:
            raise FieldNotFoundError(
                f"node {node_id!r} ({node.type}) has no input {field!r}", node_id=node_id, field=field
            ) from None

    def output_type(self, node_id: str, field: str) -> Any:
        """The declared type of an output, or the type iterate and collect pass through."""
        node = self.get_node(node_id)
        declared = node.__output_types__
        if field not in declared:
            raise FieldNotFoundError(
                f"node {node_id!r} ({node.type}) has no output {field!r}", node_id=node_id, field=field
            )
        if isinstance(node, IterateInvocation) and field == "item":
            sources = self._inputs.get(node_id, {}).get("collection", ())
            return item_type(self.output_type(sources[0].source.node_id, sources[0].source.field)) if sources else Any
        if isinstance(node, CollectInvocation) and field == "collection":
            return list[self._collected_item_type(node_id)]  # type: ignore[misc]
        return declared[field]

    def _collected_item_type(self, node_id: str) -> Any:
        common: Any = None
        for edge in self.input_edges(node_id):
            produced = self.output_type(edge.source.node_id, edge.source.field)
            element = produced if edge.destination.field == "item" else item_type(produced)
            if common is None or (common is not Any and is_assignable(common, element)):
                common = element
        return Any if common is None else common

    # ---- adding ----------------------------------------------------------------------------

    def add_node(self, node: BaseInvocation | Mapping[str, Any], node_id: str | None = None) -> str:
        """Add one node; returns its id (a new one is made when the node has none)."""
        given = node.get("id") if isinstance(node, Mapping) else node.id
        node_id = _check_node_id(node_id or given or uuid.uuid4().hex)
        node = parse_node(node_id, node)
        if node_id in self.nodes:
            raise DuplicateNodeIdError(f"node id {node_id!r} is already in the graph", node_id=node_id)
        self._insert_node(node)
        self.version += 1
        return node_id

    def add_edge(self, edge: Edge | Mapping[str, Any]) -> Edge:
        """Add one edge after checking fields, types, input uniqueness and cycles."""
        edge = self._parse_edge(edge)
        self._check_edge(edge)
        self._insert_edge(edge)
        try:
            cycle = self._order.add_edge(
                edge.source.node_id, edge.destination.node_id, self._children_of, self._parents_of
            )
            if cycle is not None:
                raise CycleError(
                    f"edge {edge.describe()} would make a cycle: {' -> '.join(cycle + [cycle[0]])}",
                    node_id=edge.destination.node_id,
                    field=edge.destination.field,
                )
            self._check_downstream_types(edge.destination.node_id)
        except GraphValidationError:
            self._remove_edge(edge)
            raise
        self.version += 1
        return edge

    def link(self, source_node: str, source_field: str, destination_node: str, destination_field: str) -> Edge:
        return self.add_edge(Edge.link(source_node, source_field, destination_node, destination_field))

    def add_graph(self, other: Graph | Mapping[str, Any]) -> None:
        """Add all nodes and edges of another graph at once; nothing is added if any is bad."""
        if isinstance(other, Graph):
            nodes: Mapping[str, Any] = other.nodes
            edges: Iterable[Any] = other.edges
        else:
            nodes, edges = split_graph_json(other)
        trial = self.copy()
        trial._load(nodes, edges)
        self.__dict__.update(trial.__dict__)
        self.version += 1

    def autolink(self, node_id: str, previous_id: str, skip: Iterable[str] = ()) -> list[Edge]:
        """Link every output of `previous_id` to the same-named, type-compatible, unlinked input."""
        node, previous = self.get_node(node_id), self.get_node(previous_id)
        skipped = set(skip)
        linked = self._inputs.get(node_id, {})
        added = []
        for name in previous.__output_types__:
            if name in skipped or name not in node.__input_types__ or linked.get(name):
                continue
            if is_assignable(self.output_type(previous_id, name), self.input_type(node_id, name)):
                added.append(self.add_edge(Edge.link(previous_id, name, node_id, name)))
        return added

    def delete_edge(self, edge: Edge | Mapping[str, Any]) -> None:
        edge = self._parse_edge(edge)
        if edge not in self._inputs.get(edge.destination.node_id, {}).get(edge.destination.field, ()):
            raise NodeNotFoundError(f"no edge {edge.describe()} in the graph", node_id=edge.destination.node_id)
        self._remove_edge(edge)
        self.version += 1

    def delete_node(self, node_id: str) -> None:
        self.get_node(node_id)
        for edge in self.input_edges(node_id) + self.output_edges(node_id):
            self._remove_edge(edge)
        del self.nodes[node_id]
        for index in (self._inputs, self._outputs, self._parents, self._children):
            index.pop(node_id, None)
        self._order.remove(node_id)
        self.version += 1

    def copy(self) -> Graph:
        """A structural copy that shares the (immutable once added) node objects."""
        clone = Graph.__new__(Graph)
        clone.nodes = dict(self.nodes)
        clone.edges = list(self.edges)
        clone._inputs = {n: {f: list(es) for f, es in by_field.items()} for n, by_field in self._inputs.items()}
        clone._outputs = {n: list(es) for n, es in self._outputs.items()}
        clone._parents = {n: dict(ps) for n, ps in self._parents.items()}
        clone._children = {n: dict(cs) for n, cs in self._children.items()}
        clone._order = TopologicalOrder()
        clone._order.position = dict(self._order.position)
        clone._order._next = self._order._next
        clone.version = self.version
        return clone

    # ---- internals -----------------------------------------------------------------------

    def _children_of(self, node_id: str) -> Iterable[str]:
        return self._children.get(node_id, ())

    def _parents_of(self, node_id: str) -> Iterable[str]:
        return self._parents.get(node_id, ())

    def _insert_node(self, node: BaseInvocation) -> None:
        self.nodes[node.id] = node
        self._order.add(node.id)

    def _parse_edge(self, edge: Any) -> Edge:
        return Edge.model_validate(edge)

    def _check_edge(self, edge: Edge) -> None:
        source, destination = edge.source, edge.destination
        for end in (source, destination):
            if end.node_id not in self.nodes:
                raise NodeNotFoundError(
                    f"edge {edge.describe()} names node {end.node_id!r}, which is not in the graph",
                    node_id=end.node_id,
                    field=end.field,
                )
        produced = self.output_type(source.node_id, source.field)
        wanted = self.input_type(destination.node_id, destination.field)
        destination_node = self.nodes[destination.node_id]
        existing = self._inputs.get(destination.node_id, {}).get(destination.field, ())
        if existing:
            multi = _MULTI_LINK_INPUTS.get(type(destination_node), ())
            if destination.field not in multi:
                raise DuplicateLinkError(
                    f"input {destination.node_id}.{destination.field} is already linked from "
                    f"{existing[0].source.node_id}.{existing[0].source.field}",
                    node_id=destination.node_id,
                    field=destination.field,
                )
            if edge in existing:
                raise DuplicateLinkError(
                    f"edge {edge.describe()} is already in the graph",
                    node_id=destination.node_id,
                    field=destination.field,
                )
        if not is_assignable(produced, wanted):
            raise EdgeTypeError(
                f"edge {edge.describe()}: output type {type_name(produced)} does not fit input type {type_name(wanted)}",
                node_id=destination.node_id,
                field=destination.field,
            )
        if isinstance(destination_node, CollectInvocation):
            element = produced if destination.field == "item" else item_type(produced)
            gathered = self._collected_item_type(destination.node_id)
            if not (is_assignable(element, gathered) or is_assignable(gathered, element)):
                raise EdgeTypeError(
                    f"edge {edge.describe()}: collect {destination.node_id!r} gathers {type_name(gathered)}, "
                    f"not {type_name(element)}",
                    node_id=destination.node_id,
                    field=destination.field,
                )

    def _check_downstream_types(self, node_id: str) -> None:
        """After iterate/collect gain an input their output type may narrow: recheck consumers."""
        stack = [node_id]
        while stack:
            current = stack.pop()
            node = self.nodes[current]
            if not isinstance(node, (IterateInvocation, CollectInvocation)):
                continue
            for edge in self._outputs.get(current, ()):
                produced = self.output_type(current, edge.source.field)
                wanted = self.input_type(edge.destination.node_id, edge.destination.field)
                if not is_assignable(produced, wanted):
                    raise EdgeTypeError(
                        f"node {current!r} now passes on {type_name(produced)}, which does not fit "
                        f"{edge.destination.node_id}.{edge.destination.field} ({type_name(wanted)})",
                        node_id=edge.destination.node_id,
                        field=edge.destination.field,
                    )
                stack.append(edge.destination.node_id)

    def _insert_edge(self, edge: Edge) -> None:
        source, destination = edge.source.node_id, edge.destination.node_id
        self.edges.append(edge)
        self._inputs.setdefault(destination, {}).setdefault(edge.destination.field, []).append(edge)
        self._outputs.setdefault(source, []).append(edge)
        parents = self._parents.setdefault(destination, {})
        parents[source] = parents.get(source, 0) + 1
        children = self._children.setdefault(source, {})
        children[destination] = children.get(destination, 0) + 1

    def _remove_edge(self, edge: Edge) -> None:
        source, destination = edge.source.node_id, edge.destination.node_id
        self.edges.remove(edge)
        self._inputs[destination][edge.destination.field].remove(edge)
        if not self._inputs[destination][edge.destination.field]:
            del self._inputs[destination][edge.destination.field]
        self._outputs[source].remove(edge)
        for index, a, b in ((self._parents, destination, source), (self._children, source, destination)):
            index[a][b] -= 1
            if not index[a][b]:
                del index[a][b]

    def _load(self, nodes: Mapping[str, Any], edges: Iterable[Any]) -> None:
        """Bulk add: nodes, then edges without per-edge cycle search, then one linear sort."""
        # Loading allocates many long-lived objects and no garbage cycles: the collector's
        # repeated passes over them would only cost time (a quarter of a 100k-node load).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._load_all(nodes, edges)
        finally:
            if collecting:
                gc.enable()

    def _load_all(self, nodes: Mapping[str, Any], edges: Iterable[Any]) -> None:
        if not isinstance(nodes, Mapping):
            raise MalformedGraphError("'nodes' must be an object mapping node ids to nodes")
        classes: dict[str, type[BaseInvocation]] = {}
        for node_id, data in nodes.items():
            _check_node_id(node_id)
            if node_id in self.nodes:
                raise DuplicateNodeIdError(f"node id {node_id!r} is already in the graph", node_id=node_id)
            self._insert_node(parse_node(node_id, data, classes))
        added = []
        for raw in edges:
            edge = self._parse_edge(raw)
            self._check_edge(edge)
            self._insert_edge(edge)
            added.append(edge)
        if not added:
            return
        indegree = {node_id: len(parents) for node_id, parents in self._parents.items()}
        stuck = self._order.rebuild(list(self.nodes), self._children, indegree)
        if stuck:
            raise CycleError(
                f"the graph has a cycle through nodes {', '.join(map(repr, stuck[:10]))}", node_id=stuck[0]
            )
        passing_types_on = (IterateInvocation, CollectInvocation)
        for node_id in {
            e.destination.node_id for e in added if type(self.nodes[e.destination.node_id]) in passing_types_on
        }:
            self._check_downstream_types(node_id)

    # ---- JSON ----------------------------------------------------------------------------

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        return {
            "nodes": {node_id: node.graph_dict() for node_id, node in self.nodes.items()},
            "edges": [edge.model_dump() for edge in self.edges],
        }

    @classmethod
    def model_validate(cls, obj: Any) -> Graph:
        """Build and validate a graph from its JSON dict (or return a Graph unchanged)."""
        if isinstance(obj, Graph):
            return obj
        nodes, edges = split_graph_json(obj)
        graph = cls()
        graph._load(nodes, edges)
        return graph

    def __repr__(self) -> str:
        return f"Graph({len(self.nodes)} nodes, {len(self.edges)} edges)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Graph) and self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]


def split_graph_json(obj: Any) -> tuple[Mapping[str, Any], Iterable[Any]]:
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


_CONNECTION_SCHEMA = {
    "type": "object",
    "properties": {"node_id": {"type": "string"}, "field": {"type": "string"}},
    "required": ["node_id", "field"],
}
GRAPH_JSON_SCHEMA: dict[str, Any] = {
    "title": "Graph",
    "type": "object",
    "properties": {
        "nodes": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {"type": {"type": "string"}},
                "required": ["type"],
            },
        },
        "edges": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"source": _CONNECTION_SCHEMA, "destination": _CONNECTION_SCHEMA},
                "required": ["source", "destination"],
            },
        },
    },
}

Graph.JSON_SCHEMA = GRAPH_JSON_SCHEMA
