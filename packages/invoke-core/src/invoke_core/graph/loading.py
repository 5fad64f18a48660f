"""Bulk loading: a whole graph at once, checked edge by edge but sorted only once."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from typing import Any

from invoke_core.errors import CycleError, DuplicateNodeIdError, MalformedGraphError
from invoke_core.graph.edges import Edge
from invoke_core.graph.limits import GraphLimits, check_node_lists
from invoke_core.graph.ordering import TopologicalOrder
from invoke_core.graph.parsing import check_node_id, parse_node
from invoke_core.invocation import BaseInvocation


class BulkLoading:
    """Mixed into Graph: nodes first, then edges without per-edge cycle search, then one linear sort."""

    nodes: dict[str, BaseInvocation]
    limits: GraphLimits | None
    _parents: dict[str, dict[str, int]]
    _children: dict[str, dict[str, int]]
    _order: TopologicalOrder
    # and Graph's _insert_node, _insert_edge, _check_edge, _check_downstream_types

    def _load(self, nodes: Mapping[str, Any], edges: Iterable[Any]) -> None:
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
        limits = self.limits
        if limits is not None:
            limits.check_node_count(len(self.nodes) + len(nodes))
        for node_id, data in nodes.items():
            check_node_id(node_id)
            if node_id in self.nodes:
                raise DuplicateNodeIdError(f"node id {node_id!r} is already in the graph", node_id=node_id)
            node = parse_node(node_id, data, classes)
            if limits is not None:
                check_node_lists(node, limits)
            self._insert_node(node)
        added = []
        for raw in edges:
            edge = Edge.model_validate(raw)
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
        for node_id in {e.destination.node_id for e in added if self.nodes[e.destination.node_id].__flow__}:
            self._check_downstream_types(node_id)
