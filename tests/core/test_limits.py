"""Configurable limits on what one request can make the engine hold (issue 11, item 6): nodes per
graph and items per list are refused where the graph is loaded, a range past the limit fails its
node before the list exists; each error names the setting, and the node and field when there is one."""

from __future__ import annotations

import pytest
from invoke_core import Graph, InvocationServices, InvokeConfig, Invoker, LimitExceededError, load_config
from invoke_core.graph.limits import GraphLimits


def integers(count: int) -> dict:
    return {"nodes": {f"n{i}": {"type": "integer", "value": i} for i in range(count)}}


@pytest.fixture
def small(tmp_path):
    """An invoker whose graphs hold at most 5 nodes and lists at most 10 items."""
    config = InvokeConfig(root=tmp_path, max_graph_nodes=5, max_collection_items=10)
    with Invoker(InvocationServices(config)) as invoker:
        yield invoker


def test_the_defaults_are_far_above_any_real_graph():
    config = InvokeConfig()
    assert config.max_graph_nodes == 100_000 and config.max_collection_items == 100_000
    assert config.max_session_mb == 64


def test_the_limits_are_settings_like_any_other(tmp_path):
    (tmp_path / "invoke.toml").write_text("max_graph_nodes = 7\n")
    config = load_config(tmp_path, environ={"INVOKE_MAX_COLLECTION_ITEMS": "3"})
    assert GraphLimits.from_config(config) == GraphLimits(max_nodes=7, max_collection_items=3)


def test_a_graph_with_too_many_nodes_is_refused_before_its_nodes_are_built(small):
    with pytest.raises(LimitExceededError, match=r"6 nodes; at most 5 are allowed \(max_graph_nodes\)"):
        small.create_session(integers(6))
    # counted first: the nodes are not even parsed, so a bad one among too many is not what is reported
    with pytest.raises(LimitExceededError):
        small.create_session({"nodes": {**integers(5)["nodes"], "bad": {"type": "no_such_type"}}})
    assert small.services.sessions.list().total == 0
    assert len(small.create_session(integers(5)).graph.nodes) == 5


def test_adding_nodes_to_a_stored_session_stops_at_the_limit(small):
    session = small.create_session(integers(4))
    small.add_node(session.id, {"type": "integer"})
    with pytest.raises(LimitExceededError, match="max_graph_nodes"):
        small.add_node(session.id, {"type": "integer"})
    with pytest.raises(LimitExceededError, match="max_graph_nodes"):
        small.add_graph(session.id, {"nodes": {"x": {"type": "integer"}}})
    assert len(small.get_session(session.id).graph.nodes) == 5


def test_a_list_given_to_a_node_holds_at_most_the_limit(small):
    with pytest.raises(LimitExceededError) as caught:
        small.create_session({"nodes": {"each": {"type": "iterate", "collection": list(range(11))}}})
    assert (caught.value.node_id, caught.value.field) == ("each", "collection")
    assert "11 items; at most 10 are allowed (max_collection_items)" in str(caught.value)
    session = small.create_session({"nodes": {"c": {"type": "collect", "collection": list(range(10))}}})
    with pytest.raises(LimitExceededError):
        small.add_node(session.id, {"id": "d", "type": "collect", "collection": list(range(11))})


def test_graphs_built_in_python_or_read_back_have_no_limits():
    graph = Graph.model_validate(integers(6))
    graph.add_node({"type": "iterate", "collection": list(range(200_000))})
    assert len(graph.nodes) == 7


def test_a_range_past_the_limit_fails_its_node_before_making_the_list(tmp_path):
    with Invoker(InvocationServices(InvokeConfig(root=tmp_path))) as invoker:  # the default limit
        for stop in (10**7, 10**9, 10**30):
            session = invoker.run({"nodes": {"r": {"type": "range", "stop": stop}}})
            error = session.errors["r"]
            assert (error.error_type, error.field) == ("LimitExceededError", "stop")
            assert f"makes {stop} items; at most 100000 are allowed (max_collection_items)" in error.message
        assert invoker.run({"nodes": {"r": {"type": "range", "stop": 100_000}}}).status == "completed"


def test_a_range_honours_a_configured_limit(small):
    failed = small.run({"nodes": {"r": {"type": "range", "start": 20, "stop": -2, "step": -2}}})
    assert failed.errors["r"].message.startswith("range(20, -2, -2) makes 11 items; at most 10")
    done = small.run({"nodes": {"r": {"type": "range", "start": 20, "stop": 0, "step": -2}}})
    assert done.results["r"].collection == list(range(20, 0, -2))
