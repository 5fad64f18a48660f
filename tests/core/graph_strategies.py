"""Hypothesis strategies for graph JSON, shared by the graph API fuzzes (core and HTTP):
`graphs()` for anything from near-graphs to junk, `plausible_graphs()` for real node types with
values of their types, linked mostly forward between fitting types, with the odd mistake."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from invoke_core.catalog import get_invocation_class

NODE_TYPES = [
    "integer",
    "float",
    "string",
    "boolean",
    "add",
    "sub",
    "mul",
    "div",
    "string_join",
    "string_replace",
    "prompt_template",
    "range",
    "iterate",
    "collect",
]
FIELDS = [
    "value",
    "a",
    "b",
    "string",
    "string_left",
    "string_right",
    "search_string",
    "replace_string",
    "use_regex",
    "template",
    "prompt",
    "start",
    "stop",
    "step",
    "collection",
    "item",
    "index",
    "total",
    "id",
    "type",
    "is_intermediate",
    "use_cache",
]

# Lone surrogates (category Cs) and NaN / infinities are left out on purpose: refusing those in
# graph parsing with typed errors is separate work, tested by its own requests.
# Values JSON cannot store are in on purpose (lone surrogates, NaN and infinities, integers of
# thousands of digits): the graph API refuses them with typed errors, and a run that makes one
# fails its node. Integers stop below Python's 4300-digit limit, past which no JSON reader goes.
text = st.text(max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-(10**4000), max_value=10**4000),
    st.floats(),
    text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)
node_ids = st.one_of(st.sampled_from(["a", "b", "c", "d"]), text)
field_names = st.one_of(st.sampled_from(FIELDS), text)


@st.composite
def nodes(draw) -> Any:
    node = draw(st.dictionaries(field_names, json_values, max_size=4))
    kind = draw(st.one_of(st.sampled_from(NODE_TYPES), text, json_values, st.none()))
    if kind is not None:
        node["type"] = kind
    return draw(st.one_of(st.just(node), json_values)) if draw(st.integers(0, 9)) == 0 else node


@st.composite
def edges(draw, ids: list[str]) -> Any:
    known = st.sampled_from(ids) if ids else node_ids

    def end() -> Any:
        return draw(
            st.one_of(
                st.fixed_dictionaries({"node_id": st.one_of(known, node_ids), "field": field_names}),
                json_values,
            )
        )

    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    return {"source": end(), "destination": end()}


# Graphs close to valid: real fields of real node types with values of their types (small
# numbers, so a run stays quick), linked mostly forward and mostly between fitting types, with
# the odd wrong value, wrong link or loop.
SMALL = {int: st.integers(-20, 20), float: st.floats(-1e6, 1e6), str: text, bool: st.booleans()}


def inputs_of(node_type: str) -> dict[str, Any]:
    return get_invocation_class(node_type).__input_types__


def outputs_of(node_type: str) -> dict[str, Any]:
    return get_invocation_class(node_type).__output_types__


def fits(produced: Any, wanted: Any) -> bool:
    return produced == wanted or wanted in (Any, list[Any]) or produced is Any


@st.composite
def plausible_graphs(draw) -> dict[str, Any]:
    types = draw(st.lists(st.sampled_from(NODE_TYPES), max_size=6))
    ids = [f"n{index}" for index in range(len(types))]
    graph_nodes: dict[str, Any] = {}
    for node_id, node_type in zip(ids, types, strict=True):
        node: dict[str, Any] = {"type": node_type}
        for name, annotation in inputs_of(node_type).items():
            if draw(st.booleans()):
                odd = draw(st.integers(0, 19)) == 0
                node[name] = draw(json_values if odd else SMALL.get(annotation, st.lists(scalars, max_size=3)))
        graph_nodes[node_id] = node
    links = [
        (source, output, destination, name)
        for i, source in enumerate(ids)
        for output, produced in outputs_of(types[i]).items()
        for j, destination in enumerate(ids)
        for name, wanted in inputs_of(types[j]).items()
        if i < j and fits(produced, wanted)
    ]
    graph_edges = []
    for _ in range(draw(st.integers(0, 6))):
        taken = {(edge["destination"]["node_id"], edge["destination"]["field"]) for edge in graph_edges}
        free = [link for link in links if link[2:] not in taken or graph_nodes[link[2]]["type"] == "collect"]
        if free and draw(st.integers(0, 24)) > 0:
            source, output, destination, name = draw(st.sampled_from(free))
        elif ids:  # any two ends: a wrong type, a loop, a duplicate
            source, destination = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
            output = draw(st.sampled_from(list(outputs_of(graph_nodes[source]["type"]))))
            name = draw(st.sampled_from(list(inputs_of(graph_nodes[destination]["type"])) or ["value"]))
        else:
            break
        edge = {"source": {"node_id": source, "field": output}, "destination": {"node_id": destination, "field": name}}
        graph_edges.append(edge)
    return {"nodes": graph_nodes, "edges": graph_edges}


@st.composite
def graphs(draw) -> Any:
    graph_nodes = draw(st.dictionaries(node_ids, nodes(), max_size=6))
    graph_edges = draw(st.lists(edges(list(graph_nodes)), max_size=6))
    graph: dict[str, Any] = {"nodes": graph_nodes, "edges": graph_edges}
    shape = draw(st.integers(0, 19))
    if shape == 0:
        return draw(json_values)  # not a graph at all
    if shape == 1:
        del graph["edges"]
    if shape == 2:
        graph["extra"] = draw(json_values)
    return graph
