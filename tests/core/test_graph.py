"""Graph rules: every rejection is typed and names the nodes and fields involved."""

from __future__ import annotations

from typing import Any, Literal, Optional

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    CycleError,
    DuplicateLinkError,
    DuplicateNodeIdError,
    Edge,
    EdgeTypeError,
    Field,
    FieldNotFoundError,
    Graph,
    ImageField,
    InvocationContext,
    MalformedGraphError,
    NodeNotFoundError,
    NodeValidationError,
    UnknownNodeTypeError,
)

from tests.core.helpers import edge


class _Animal:
    pass


class _Cat(_Animal):
    pass


class GraphTestProducerInvocation(BaseInvocation):
    """Produces one value of every kind the type tests need."""

    type: Literal["graph_test_producer"] = "graph_test_producer"

    class Outputs(BaseInvocationOutput):
        integer: int = 1
        number: float = 1.0
        text: str = "x"
        maybe_int: int | None = None
        int_or_str: int | str = 1
        ints: list[int] = []
        strs: list[str] = []
        cat: Any = None
        image: ImageField | None = None
        choice: Literal["a", "b"] = "a"

    def invoke(self, context: InvocationContext) -> GraphTestProducerInvocation.Outputs:
        return self.Outputs()


class GraphTestConsumerInvocation(BaseInvocation):
    """Takes one input of every kind the type tests need."""

    type: Literal["graph_test_consumer"] = "graph_test_consumer"
    integer: int = 0
    number: float = 0.0
    text: str = ""
    maybe_int: int | None = None
    anything: Any = None
    floats: list[float] = []
    ints: list[int] = []
    image: ImageField = Field(description="required, filled by a link")
    choice: Literal["a", "b", "c"] = "a"
    bounded: int = Field(default=1, gt=0, le=10)

    class Outputs(BaseInvocationOutput):
        value: int = 0

    def invoke(self, context: InvocationContext) -> GraphTestConsumerInvocation.Outputs:
        return self.Outputs(value=self.integer)


def two_node_graph() -> Graph:
    graph = Graph()
    graph.add_node(GraphTestProducerInvocation(id="p"))
    graph.add_node(GraphTestConsumerInvocation(id="c"))
    return graph


@pytest.mark.parametrize(
    ("source_field", "destination_field"),
    [
        ("integer", "integer"),
        ("integer", "number"),  # int -> float
        ("integer", "maybe_int"),  # into Optional
        ("maybe_int", "integer"),  # Optional source: its int part fits
        ("integer", "anything"),
        ("text", "anything"),
        ("ints", "floats"),  # list item types: int -> float
        ("ints", "ints"),
        ("cat", "integer"),  # Any source is checked when it runs
        ("image", "image"),
        ("choice", "choice"),  # Literal subset
        ("choice", "text"),  # Literal of str -> str
    ],
)
def test_compatible_links_are_accepted(source_field, destination_field):
    graph = two_node_graph()
    graph.link("p", source_field, "c", destination_field)
    assert graph.input_edges("c", destination_field)[0].source.field == source_field


@pytest.mark.parametrize(
    ("source_field", "destination_field"),
    [
        ("text", "integer"),
        ("number", "integer"),  # float -> int would lose data
        ("int_or_str", "integer"),  # a union source must fit entirely
        ("strs", "floats"),
        ("integer", "floats"),
        ("text", "choice"),  # a free string may fall outside the choices
        ("image", "text"),
    ],
)
def test_incompatible_links_name_both_ends(source_field, destination_field):
    graph = two_node_graph()
    with pytest.raises(EdgeTypeError) as caught:
        graph.link("p", source_field, "c", destination_field)
    error = caught.value
    assert error.node_id == "c" and error.field == destination_field
    assert f"p.{source_field}" in str(error) and f"c.{destination_field}" in str(error)
    assert graph.edges == []


def test_subclass_outputs_fit_base_class_inputs():
    from invoke_core.typecheck import is_assignable

    assert is_assignable(_Cat, _Animal)
    assert not is_assignable(_Animal, _Cat)
    assert is_assignable(list[_Cat], list[_Animal])
    assert is_assignable(_Cat, Optional[_Animal])  # noqa: UP045 (the old spelling is what is tested)


def test_unknown_nodes_and_fields_are_named():
    graph = two_node_graph()
    with pytest.raises(NodeNotFoundError) as caught:
        graph.link("p", "integer", "ghost", "integer")
    assert caught.value.node_id == "ghost"
    with pytest.raises(FieldNotFoundError) as caught:
        graph.link("p", "nope", "c", "integer")
    assert caught.value.node_id == "p" and caught.value.field == "nope"
    with pytest.raises(FieldNotFoundError) as caught:
        graph.link("p", "integer", "c", "nope")
    assert caught.value.node_id == "c" and caught.value.field == "nope"
    with pytest.raises(FieldNotFoundError):
        graph.link("p", "integer", "c", "id")  # reserved fields are not inputs


def test_an_input_takes_one_link():
    graph = two_node_graph()
    graph.add_node(GraphTestProducerInvocation(id="p2"))
    graph.link("p", "integer", "c", "integer")
    with pytest.raises(DuplicateLinkError) as caught:
        graph.link("p2", "integer", "c", "integer")
    assert caught.value.node_id == "c" and caught.value.field == "integer"
    assert "p.integer" in str(caught.value)


def test_cycles_are_refused_and_leave_the_graph_unchanged():
    graph = Graph()
    for name in "abcd":
        graph.add_node({"type": "add"}, node_id=name)
    graph.link("a", "value", "b", "a")
    graph.link("b", "value", "c", "a")
    graph.link("c", "value", "d", "a")
    with pytest.raises(CycleError) as caught:
        graph.link("d", "value", "a", "a")
    assert "a -> b -> c -> d -> a" in str(caught.value)
    assert len(graph.edges) == 3
    with pytest.raises(CycleError):
        graph.link("a", "value", "a", "b")
    # a link against the insertion order that keeps the graph acyclic is fine
    graph.add_node({"type": "add"}, node_id="e")
    graph.link("e", "value", "a", "b")
    order = graph.topological_order()
    assert order.index("e") < order.index("a") < order.index("d")


def test_cycle_in_bulk_json_is_refused():
    data = {
        "nodes": {"a": {"type": "add"}, "b": {"type": "add"}},
        "edges": [edge("a", "value", "b", "a"), edge("b", "value", "a", "a")],
    }
    with pytest.raises(CycleError):
        Graph.model_validate(data)


def test_malformed_json_gets_typed_errors():
    with pytest.raises(MalformedGraphError):
        Graph.model_validate([])
    with pytest.raises(MalformedGraphError):
        Graph.model_validate({"nodes": [], "edges": []})
    with pytest.raises(MalformedGraphError):
        Graph.model_validate({"nodes": {"a": {"a": 1}}})
    with pytest.raises(MalformedGraphError):
        Graph.model_validate({"nodes": {"a": {"type": "add"}}, "edges": [{"source": "a"}]})
    with pytest.raises(MalformedGraphError):
        Graph.model_validate({"nodes": {"a": {"type": "add", "id": "b"}}})
    with pytest.raises(MalformedGraphError):
        Graph.model_validate({"nodes": {"a[0]": {"type": "add"}}})
    with pytest.raises(MalformedGraphError):
        Graph.model_validate_json("{not json")


def test_unknown_type_and_bad_values_name_node_and_field():
    with pytest.raises(UnknownNodeTypeError) as caught:
        Graph.model_validate({"nodes": {"x": {"type": "no_such_node"}}})
    assert caught.value.node_id == "x" and "no_such_node" in str(caught.value)
    with pytest.raises(NodeValidationError) as caught:
        Graph.model_validate({"nodes": {"x": {"type": "add", "a": "three"}}})
    assert (caught.value.node_id, caught.value.field) == ("x", "a")
    with pytest.raises(NodeValidationError) as caught:
        Graph.model_validate({"nodes": {"x": {"type": "graph_test_consumer", "bounded": 11}}})
    assert (caught.value.node_id, caught.value.field) == ("x", "bounded")
    with pytest.raises(NodeValidationError) as caught:
        Graph.model_validate({"nodes": {"x": {"type": "add", "typo": 1}}})
    assert caught.value.field == "typo"


def test_duplicate_node_id():
    graph = Graph()
    graph.add_node({"type": "add"}, node_id="a")
    with pytest.raises(DuplicateNodeIdError):
        graph.add_node({"type": "add"}, node_id="a")


def test_json_round_trip_keeps_nodes_edges_and_empty_required_inputs():
    data = {
        "nodes": {
            "p": {"type": "graph_test_producer"},
            "c": {"type": "graph_test_consumer", "integer": 5},
        },
        "edges": [edge("p", "image", "c", "image")],
    }
    graph = Graph.model_validate(data)
    dumped = graph.model_dump()
    assert "image" not in dumped["nodes"]["c"]  # still empty: the link fills it at run time
    assert dumped["nodes"]["c"]["integer"] == 5 and dumped["nodes"]["c"]["id"] == "c"
    assert dumped["edges"] == data["edges"]
    again = Graph.model_validate_json(graph.model_dump_json())
    assert again == graph


def test_add_graph_is_all_or_nothing():
    graph = Graph.model_validate({"nodes": {"a": {"type": "add"}}})
    bad = {"nodes": {"b": {"type": "add"}, "c": {"type": "add"}}, "edges": [edge("b", "value", "zzz", "a")]}
    with pytest.raises(NodeNotFoundError):
        graph.add_graph(bad)
    assert list(graph.nodes) == ["a"]
    graph.add_graph({"nodes": {"b": {"type": "add"}}, "edges": [edge("a", "value", "b", "a")]})
    assert list(graph.nodes) == ["a", "b"] and len(graph.edges) == 1


def test_autolink_matches_names_and_types():
    graph = Graph()
    graph.add_node({"type": "graph_test_producer"}, node_id="p")
    graph.add_node({"type": "graph_test_consumer"}, node_id="c")
    linked = graph.autolink("c", "p")
    fields = sorted(e.destination.field for e in linked)
    # same name and a fitting type; `cat` (Any) has no same-named input, `strs` neither
    assert fields == ["choice", "image", "integer", "ints", "maybe_int", "number", "text"]
    assert all(e.source.field == e.destination.field for e in linked)
    # already linked inputs are left alone
    graph.add_node({"type": "graph_test_producer"}, node_id="p2")
    assert graph.autolink("c", "p2") == []


def test_delete_edge_and_node():
    graph = Graph.model_validate(
        {"nodes": {"a": {"type": "add"}, "b": {"type": "add"}}, "edges": [edge("a", "value", "b", "a")]}
    )
    graph.delete_edge(Edge.link("a", "value", "b", "a"))
    assert graph.edges == [] and graph.parents("b") == []
    graph.link("a", "value", "b", "a")
    graph.delete_node("a")
    assert list(graph.nodes) == ["b"] and graph.edges == []


def test_iterate_and_collect_types_flow_through():
    graph = Graph()
    graph.add_node({"type": "range"}, node_id="r")
    graph.add_node({"type": "iterate"}, node_id="it")
    graph.add_node({"type": "string_join"}, node_id="s")
    graph.link("r", "collection", "it", "collection")
    # iterate's item now carries int, which a string input refuses
    with pytest.raises(EdgeTypeError):
        graph.link("it", "item", "s", "string_left")
    graph.add_node({"type": "collect"}, node_id="col")
    graph.link("it", "item", "col", "item")
    graph.add_node({"type": "string"}, node_id="text")
    with pytest.raises(EdgeTypeError) as caught:
        graph.link("text", "value", "col", "item")  # a collect gathers one type
    assert caught.value.node_id == "col"
    assert graph.output_type("col", "collection") == list[int]


def test_linking_iterate_input_late_rechecks_its_consumers():
    graph = Graph()
    graph.add_node({"type": "iterate"}, node_id="it")
    graph.add_node({"type": "string_join"}, node_id="s")
    graph.link("it", "item", "s", "string_left")  # item type unknown yet: allowed
    graph.add_node({"type": "range"}, node_id="r")
    with pytest.raises(EdgeTypeError) as caught:
        graph.link("r", "collection", "it", "collection")
    assert caught.value.node_id == "s"
    assert graph.input_edges("it") == []


# ---- whole-graph rules checked before a run ----------------------------------------------


def test_an_iterate_with_nothing_to_iterate_is_refused_before_running():
    from invoke_core import Invoker, MissingInputError

    graph = Graph.model_validate({"nodes": {"each": {"type": "iterate"}, "double": {"type": "mul", "b": 2}}})
    graph.link("each", "item", "double", "a")
    with pytest.raises(MissingInputError, match="'each' \\(iterate\\) has nothing to iterate over") as raised:
        graph.validate()
    assert (raised.value.node_id, raised.value.field) == ("each", "collection")
    with Invoker() as invoker, pytest.raises(MissingInputError):
        invoker.run(graph)
    # a collection given as a value, or linked, is enough
    Graph.model_validate({"nodes": {"each": {"type": "iterate", "collection": [1, 2]}}}).validate()


def test_a_collect_with_no_inputs_is_refused_before_running():
    from invoke_core import Invoker, MissingInputError

    graph = Graph.model_validate({"nodes": {"all": {"type": "collect"}}})
    with pytest.raises(MissingInputError, match="'all' \\(collect\\) has nothing to collect") as raised:
        graph.validate()
    assert raised.value.node_id == "all"
    with Invoker() as invoker, pytest.raises(MissingInputError):
        invoker.invoke(invoker.create_session(graph))
    linked = Graph.model_validate(
        {
            "nodes": {"one": {"type": "integer", "value": 1}, "all": {"type": "collect"}},
            "edges": [
                {"source": {"node_id": "one", "field": "value"}, "destination": {"node_id": "all", "field": "item"}}
            ],
        }
    )
    linked.validate()
