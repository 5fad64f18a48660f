"""Link rules: which output may feed which input, and the types iterate and collect pass on.

`iterate.item` and `collect.collection` take their types from what is linked into them, so
consumers are rechecked when those links arrive later. Nodes mark these roles with the
`__flow__` class attribute, so the engine depends on no particular node class.
"""

from __future__ import annotations

from typing import Any

from invoke_core.errors import (
    DuplicateLinkError,
    EdgeTypeError,
    FieldNotFoundError,
    MissingInputError,
    NodeNotFoundError,
)
from invoke_core.graph.edges import Edge
from invoke_core.invocation import BaseInvocation
from invoke_core.typecheck import is_assignable, item_type, type_name

# Inputs of a collect that gather any number of links.
COLLECT_INPUTS = frozenset({"item", "collection"})


class LinkRules:
    """Mixed into Graph: the checks behind every added edge."""

    nodes: dict[str, BaseInvocation]
    _inputs: dict[str, dict[str, list[Edge]]]
    _outputs: dict[str, list[Edge]]
    # and Graph's get_node

    def input_type(self, node_id: str, field: str) -> Any:
        node = self.get_node(node_id)
        try:
            return node.__input_types__[field]
        except KeyError:
            raise FieldNotFoundError(
                f"node {node_id!r} ({node.type}) has no input {field!r}", node_id=node_id, field=field
            ) from None

    def output_type(self, node_id: str, field: str, _passing: frozenset[str] = frozenset()) -> Any:
        """The declared type of an output, or the type iterate and collect pass through.

        `_passing`: the iterate and collect nodes being looked through; meeting one again means
        a loop, whose type is Any here (a bulk load reports the loop itself when it sorts)."""
        node = self.get_node(node_id)
        declared = node.__output_types__
        if field not in declared:
            raise FieldNotFoundError(
                f"node {node_id!r} ({node.type}) has no output {field!r}", node_id=node_id, field=field
            )
        flow = node.__flow__
        if flow == "iterate" and field == "item":
            sources = self._inputs.get(node_id, {}).get("collection", ())
            if not sources or node_id in _passing:
                return Any
            return item_type(self.output_type(sources[0].source.node_id, sources[0].source.field, _passing | {node_id}))
        if flow == "collect" and field == "collection":
            if node_id in _passing:
                return list[Any]
            return list[self._collected_item_type(node_id, _passing)]  # type: ignore[misc]
        return declared[field]

    def _collected_item_type(self, node_id: str, _passing: frozenset[str] = frozenset()) -> Any:
        common: Any = None
        for edges in self._inputs.get(node_id, {}).values():
            for edge in edges:
                produced = self.output_type(edge.source.node_id, edge.source.field, _passing | {node_id})
                element = produced if edge.destination.field == "item" else item_type(produced)
                if common is None or (common is not Any and is_assignable(common, element)):
                    common = element
        return Any if common is None else common

    def _check_edge(self, edge: Edge) -> None:
        """Both ends exist, the types fit, and the input takes another link."""
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
        collects = destination_node.__flow__ == "collect"
        existing = self._inputs.get(destination.node_id, {}).get(destination.field, ())
        if existing:
            if not (collects and destination.field in COLLECT_INPUTS):
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
        if collects:
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
            if self.nodes[current].__flow__ is None:
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

    def check_flow_inputs(self) -> None:
        """An iterate needs a collection (linked or given); a collect needs at least one input."""
        inputs = self._inputs
        for node_id, node in self.nodes.items():
            flow = node.__flow__
            if flow is None:
                continue
            linked = inputs.get(node_id, {})
            if flow == "iterate" and not linked.get("collection") and "collection" not in node.__pydantic_fields_set__:
                raise MissingInputError(
                    f"node {node_id!r} ({node.type}) has nothing to iterate over: link a list to its "
                    "'collection' input or give one",
                    node_id=node_id,
                    field="collection",
                )
            if flow == "collect" and not linked and not node.__pydantic_fields_set__ & COLLECT_INPUTS:
                raise MissingInputError(
                    f"node {node_id!r} ({node.type}) has nothing to collect: link outputs to its 'item' "
                    "(or lists to its 'collection') input",
                    node_id=node_id,
                    field="item",
                )
