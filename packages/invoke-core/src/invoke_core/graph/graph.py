"""The graph: nodes by id and typed links between their fields. It never loops.

Every addition is validated on the spot (unknown node or field, types, one link per input,
cycles) and rejected with a typed error naming the nodes and fields. JSON:

    {"nodes": {"a": {"type": "add", "a": 1}},
     "edges": [{"source": {"node_id": "a", "field": "value"},
                "destination": {"node_id": "b", "field": "a"}}]}
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from invoke_core.errors import CycleError, DuplicateNodeIdError, GraphValidationError, NodeNotFoundError
from invoke_core.graph.edges import Edge
from invoke_core.graph.limits import GraphLimits, check_node_lists
from invoke_core.graph.links import LinkRules
from invoke_core.graph.loading import BulkLoading
from invoke_core.graph.ordering import TopologicalOrder
from invoke_core.graph.parsing import check_node_id, parse_node, split_graph_json
from invoke_core.graph.schema import GRAPH_JSON_SCHEMA
from invoke_core.invocation import BaseInvocation
from invoke_core.pydantic_compat import ValidatedByItself
from invoke_core.typecheck import is_assignable

_NO_LINKS: Mapping[str, list[Edge]] = {}


class Graph(LinkRules, BulkLoading, ValidatedByItself):
    """Nodes and edges, validated as they are added."""

    JSON_SCHEMA = GRAPH_JSON_SCHEMA

    def __init__(
        self,
        nodes: Mapping[str, Any] | Iterable[BaseInvocation] | None = None,
        edges: Iterable[Any] = (),
        *,
        limits: GraphLimits | None = None,
    ):
        self.limits = limits  # None: no limits (graphs built in Python, or read back from storage)
        self.nodes: dict[str, BaseInvocation] = {}
        self.edges: list[Edge] = []
        self._inputs: dict[str, dict[str, list[Edge]]] = {}
        self._outputs: dict[str, list[Edge]] = {}
        self._parents: dict[str, dict[str, int]] = {}
        self._children: dict[str, dict[str, int]] = {}
        self._order = TopologicalOrder()
        self.version = 0  # bumps on every change, so readers know to refresh what they derived
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

    # Views without copies, for the scheduler's hot path. Read them, never change them.

    def links_into(self, node_id: str) -> Mapping[str, list[Edge]]:
        """{input field: edges linked into it} for one node."""
        return self._inputs.get(node_id, _NO_LINKS)

    def child_ids(self, node_id: str) -> Iterable[str]:
        return self._children.get(node_id, ())

    def parent_ids(self, node_id: str) -> Iterable[str]:
        return self._parents.get(node_id, ())

    def is_linked(self, source: str, destination: str) -> bool:
        """True when some output of `source` already feeds `destination`."""
        return source in self._parents.get(destination, ())

    def has_outputs_linked(self, node_id: str) -> bool:
        return bool(self._outputs.get(node_id))

    @staticmethod
    def parse_edge(edge: Edge | Mapping[str, Any]) -> Edge:
        return Edge.model_validate(edge)

    # ---- changing ------------------------------------------------------------------------

    def add_node(self, node: BaseInvocation | Mapping[str, Any], node_id: str | None = None) -> str:
        """Add one node; returns its id (a new one is made when the node has none)."""
        given = node.get("id") if isinstance(node, Mapping) else node.id
        node_id = check_node_id(node_id or given or uuid.uuid4().hex)
        node = parse_node(node_id, node)
        if node_id in self.nodes:
            raise DuplicateNodeIdError(f"node id {node_id!r} is already in the graph", node_id=node_id)
        if self.limits is not None:
            self.limits.check_node_count(len(self.nodes) + 1)
            check_node_lists(node, self.limits)
        self._insert_node(node)
        self.version += 1
        return node_id

    def add_edge(self, edge: Edge | Mapping[str, Any]) -> Edge:
        """Add one edge after checking fields, types, input uniqueness and cycles."""
        edge = Edge.model_validate(edge)
        self._check_edge(edge)
        self._insert_edge(edge)
        try:
            cycle = self._order.add_edge(edge.source.node_id, edge.destination.node_id, self.child_ids, self.parent_ids)
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
        edge = Edge.model_validate(edge)
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
        clone._order = self._order.copy()
        clone.version = self.version
        clone.limits = self.limits
        return clone

    def validate(self) -> None:
        """Whole-graph rules that only make sense once the graph is built (before it runs)."""
        self.check_flow_inputs()

    # ---- indexes -------------------------------------------------------------------------

    def _insert_node(self, node: BaseInvocation) -> None:
        self.nodes[node.id] = node
        self._order.add(node.id)

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

    # ---- JSON ----------------------------------------------------------------------------

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        return {
            "nodes": {node_id: node.graph_dict() for node_id, node in self.nodes.items()},
            "edges": [edge.model_dump() for edge in self.edges],
        }

    @classmethod
    def model_validate(cls, obj: Any, *, limits: GraphLimits | None = None) -> Graph:
        """Build and validate a graph from its JSON dict (or return a Graph unchanged).

        `limits` (from the config, for graphs that come from outside) are checked before the
        nodes are built, so an oversized graph costs little memory."""
        if isinstance(obj, Graph):
            return obj
        nodes, edges = split_graph_json(obj)
        graph = cls(limits=limits)
        graph._load(nodes, edges)
        return graph

    def __repr__(self) -> str:
        return f"Graph({len(self.nodes)} nodes, {len(self.edges)} edges)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Graph) and self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]
