"""A property-based fuzz of the graph API: random graphs, node fields and edge lists, valid and
not. Every answer is a graph or a typed InvokeError, never another exception; a graph that loads
goes into a Session whose JSON round-trips to the same JSON (so what is stored stays readable),
and a near-valid graph that loads runs to an end. The strategies are in graph_strategies.py.

Kept to a few seconds (max_examples) so CI stays fast; `--hypothesis-seed` reproduces a failure.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invoke_core import Graph, InvocationServices, InvokeConfig, Invoker, Session
from invoke_core.errors import CycleError, InvokeError

from tests.core.graph_strategies import graphs, plausible_graphs


def stored_text(session: Session) -> str:
    """The session as storages and the web API write it (refusing what JSON cannot hold)."""
    text = json.dumps(session.model_dump(), allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")
    return text


def check_round_trips(session: Session) -> None:
    text = stored_text(session)
    assert stored_text(Session.model_validate(json.loads(text))) == text
    graph = session.graph
    assert Graph.model_validate(json.loads(json.dumps(graph.model_dump()))).model_dump() == graph.model_dump()


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.one_of(graphs(), plausible_graphs()))
def test_any_graph_json_loads_or_is_refused_with_a_typed_error(data):
    try:
        graph = Graph.model_validate(data)
    except InvokeError:
        return
    check_round_trips(Session(graph))


_invoker: list[Invoker] = []  # one for the whole fuzz: hypothesis runs a test many times per fixture


@FUZZ
@given(plausible_graphs())
def test_a_graph_that_loads_runs_to_an_end_and_its_session_round_trips(data):
    try:
        graph = Graph.model_validate(data)
        graph.validate()
    except InvokeError:
        return  # refused before a run, as the invoker and the web API refuse it
    if not _invoker:
        _invoker.append(Invoker(InvocationServices(InvokeConfig())))
    session = _invoker[0].run(graph)  # a node's failure is recorded on the session, never raised
    assert session.is_complete()
    check_round_trips(session)


# What the fuzz found: a loop through iterate or collect, with another edge out of the loop,
# made resolving the passed-through type recurse without end (RecursionError) instead of a CycleError.
LOOPS = {
    "collect into itself": [("a", "collection", "a", "item"), ("a", "collection", "b", "item")],
    "iterate into itself": [("i", "item", "i", "collection"), ("i", "item", "b", "item")],
    "iterate and collect": [
        ("i", "item", "a", "item"),
        ("a", "collection", "i", "collection"),
        ("a", "collection", "b", "item"),
    ],
}


@pytest.mark.parametrize("loop", list(LOOPS.values()), ids=list(LOOPS))
def test_a_loop_through_iterate_or_collect_is_a_cycle_error(loop):
    edges = [
        {"source": {"node_id": s, "field": sf}, "destination": {"node_id": d, "field": df}} for s, sf, d, df in loop
    ]
    nodes = {"a": {"type": "collect"}, "b": {"type": "collect"}, "i": {"type": "iterate"}}
    with pytest.raises(CycleError):
        Graph.model_validate({"nodes": nodes, "edges": edges})
