"""Node values JSON cannot store (NaN, infinities, lone surrogates, deep nesting) are refused
when a node enters a graph, naming node and field, so nothing unreadable is ever stored."""

from __future__ import annotations

import json
import math

import pytest
from invoke_core import Batch, Graph, MalformedGraphError, NodeValidationError
from invoke_core.graph.values import MAX_VALUE_DEPTH, unstorable_part
from invoke_core.nodes.collections import CollectInvocation


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


# The payloads of the issue, as the JSON parser hands them over.
NON_FINITE = [json.loads("NaN"), json.loads("Infinity"), json.loads("-Infinity"), json.loads("1e999")]


@pytest.mark.parametrize("number", NON_FINITE, ids=["nan", "inf", "-inf", "1e999"])
def test_non_finite_floats_are_refused_naming_node_and_field(number):
    with pytest.raises(NodeValidationError) as caught:
        Graph.model_validate({"nodes": {"a": {"type": "float", "value": number}}})
    assert (caught.value.node_id, caught.value.field) == ("a", "value")
    assert "finite number" in str(caught.value)


@pytest.mark.parametrize("number", NON_FINITE, ids=["nan", "inf", "-inf", "1e999"])
def test_non_finite_floats_inside_a_list_field_are_refused_with_their_place(number):
    with pytest.raises(NodeValidationError) as caught:
        Graph.model_validate({"nodes": {"c": {"type": "collect", "collection": [1, {"k": [2.5, number]}]}}})
    assert (caught.value.node_id, caught.value.field) == ("c", "collection")
    assert "'collection.1.k.1'" in str(caught.value)


def test_a_node_id_with_a_lone_surrogate_is_refused_and_the_error_is_itself_encodable():
    with pytest.raises(MalformedGraphError) as caught:
        Graph.model_validate({"nodes": {"a\ud800": {"type": "float", "value": 1}}})
    assert caught.value.node_id == "a\\ud800"  # escaped, so the error can be sent as JSON
    json.dumps(caught.value.to_dict(), ensure_ascii=False).encode("utf-8")
    with pytest.raises(MalformedGraphError):
        Graph().add_node({"type": "float", "value": 1}, node_id="b\udfff")


@pytest.mark.parametrize(
    ("node", "field", "where"),
    [
        ({"type": "string", "value": "x\ud800"}, "value", "'value'"),
        ({"type": "string_replace", "string": "s", "search_string": "\udc80"}, "search_string", "'search_string'"),
        ({"type": "collect", "collection": ["ok", ["\ud800"]]}, "collection", "'collection.1.0'"),
        ({"type": "collect", "collection": [{"key\ud800": 1}]}, "collection", "a key"),
        ({"type": "save_image", "image": {"image_name": "x\ud800.png"}}, "image", "'image.image_name'"),
    ],
    ids=["string", "string_replace", "nested", "dict key", "image reference"],
)
def test_text_with_a_lone_surrogate_is_refused_anywhere_in_a_node(node, field, where):
    with pytest.raises(NodeValidationError) as caught:
        Graph.model_validate({"nodes": {"n": node}})
    assert (caught.value.node_id, caught.value.field) == ("n", field)
    message = str(caught.value)  # pydantic finds some itself (constrained str fields), in its own words
    assert where in message and ("surrogate" in message or "unicode string" in message)


def test_valid_unicode_beyond_ascii_is_kept():
    text = "café 東京 \U0001f600"
    graph = Graph.model_validate({"nodes": {"é": {"type": "string", "value": text}}})
    assert graph.nodes["é"].value == text


@pytest.mark.parametrize("depth", [MAX_VALUE_DEPTH + 1, 300, 900])
def test_values_nested_too_deep_are_refused_naming_node_and_field(depth):
    with pytest.raises(NodeValidationError) as caught:
        Graph.model_validate({"nodes": {"c": {"type": "collect", "collection": nested(depth)}}})
    assert (caught.value.node_id, caught.value.field) == ("c", "collection")
    assert f"nests deeper than {MAX_VALUE_DEPTH} levels" in str(caught.value)
    assert len(str(caught.value)) < 200  # the place is the field, not 64 indexes


def test_values_nested_to_the_limit_are_kept_and_round_trip():
    graph = Graph.model_validate({"nodes": {"c": {"type": "collect", "collection": nested(MAX_VALUE_DEPTH)}}})
    assert Graph.model_validate(json.loads(json.dumps(graph.model_dump()))) == graph


def test_nodes_built_in_python_are_checked_when_added():
    graph = Graph()
    with pytest.raises(NodeValidationError) as caught:
        graph.add_node(CollectInvocation(id="c", collection=[1, math.nan]))
    assert (caught.value.node_id, caught.value.field) == ("c", "collection")
    assert graph.nodes == {}


def test_nothing_is_added_when_one_node_of_a_graph_is_refused():
    graph = Graph.model_validate({"nodes": {"a": {"type": "float", "value": 1.0}}})
    with pytest.raises(NodeValidationError):
        graph.add_graph({"nodes": {"b": {"type": "float", "value": 2.0}, "c": {"type": "string", "value": "\ud800"}}})
    assert list(graph.nodes) == ["a"]


@pytest.mark.parametrize("value", [math.inf, "\ud800", nested(100)], ids=["inf", "surrogate", "deep"])
def test_batch_values_are_refused_before_any_session_is_made(value):
    graph = Graph.model_validate({"nodes": {"c": {"type": "collect", "collection": [0]}}})
    batch = Batch(graph=graph, data=[[{"node_path": "c", "field_name": "collection", "items": [[1], [value]]}]])
    with pytest.raises(NodeValidationError) as caught:
        list(batch.graphs())
    assert (caught.value.node_id, caught.value.field) == ("c", "collection")
    assert str(caught.value).startswith("batch items[1] for node 'c' field 'collection")


def test_unstorable_part_answers_where_and_why():
    assert unstorable_part({"a": [1, 2.5, "é", None, True]}) is None
    assert unstorable_part({"a": [1, math.nan]})[0] == ["a", 1]
    assert unstorable_part(("x", "\ud800"))[0] == [1]
    assert unstorable_part(nested(10), max_depth=5)[1] == "the value nests deeper than 5 levels"


def test_an_integer_too_long_for_json_text_is_refused_in_a_value():
    # JSON text cannot even be read with such an integer, but a graph built in Python can hold one.
    with pytest.raises(NodeValidationError) as caught:
        Graph.model_validate({"nodes": {"c": {"type": "collect", "collection": [1, 10**5000]}}})
    assert (caught.value.node_id, caught.value.field) == ("c", "collection")
    assert "an integer of more than" in str(caught.value)
    assert unstorable_part([10**4000]) is None  # long, yet printable: JSON holds it


def test_strict_mode_leaves_what_it_cannot_judge_to_a_dump():
    from invoke_core.graph.values import NEEDS_DUMP

    assert unstorable_part([object()]) is None  # a node value: pydantic decides how it is stored
    assert unstorable_part([object()], strict=True)[1] is NEEDS_DUMP
    assert unstorable_part(nested(10), max_depth=5, strict=True)[1] is NEEDS_DUMP
