"""Sessions: dependency order, iterate/collect, failures, immutability, JSON round trips."""

from __future__ import annotations

from typing import Literal

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    Field,
    Graph,
    InvocationContext,
    NodeAlreadyExecutedError,
    Session,
)
from pydantic import PrivateAttr

from tests.core.helpers import edge


class SessionTestExplodeInvocation(BaseInvocation):
    """Raises when its value is negative."""

    type: Literal["session_test_explode"] = "session_test_explode"
    value: int = 0

    class Outputs(BaseInvocationOutput):
        value: int

    def invoke(self, context: InvocationContext) -> SessionTestExplodeInvocation.Outputs:
        if self.value < 0:
            raise RuntimeError(f"negative value {self.value}")
        return self.Outputs(value=self.value)


class SessionTestNeedsInvocation(BaseInvocation):
    """Has a required input and a bounded one."""

    type: Literal["session_test_needs"] = "session_test_needs"
    required: int = Field(description="must be given or linked")
    small: int = Field(default=0, le=5)

    class Outputs(BaseInvocationOutput):
        value: int

    def invoke(self, context: InvocationContext) -> SessionTestNeedsInvocation.Outputs:
        return self.Outputs(value=self.required + self.small)


def run(invoker, nodes: dict, edges: list) -> Session:
    return invoker.run(Graph.model_validate({"nodes": nodes, "edges": edges}))


def test_dependency_order_and_links_override_direct_values(invoker):
    session = run(
        invoker,
        {
            "d": {"type": "mul", "a": 100, "b": 2},  # a is overridden by the link
            "a": {"type": "add", "a": 1, "b": 2},
            "b": {"type": "sub", "b": 1},
            "c": {"type": "add"},
        },
        [
            edge("a", "value", "b", "a"),
            edge("b", "value", "c", "a"),
            edge("a", "value", "c", "b"),
            edge("c", "value", "d", "a"),
        ],
    )
    assert session.status == "completed" and not session.errors
    assert [session.results[n].value for n in "abcd"] == [3, 2, 5, 10]
    order = session.history
    assert order.index("a") < order.index("b") < order.index("c") < order.index("d")


def iterate_graph(stop: int) -> tuple[dict, list]:
    nodes = {
        "r": {"type": "range", "start": 0, "stop": stop},
        "it": {"type": "iterate"},
        "double": {"type": "mul", "b": 2},
        "col": {"type": "collect"},
    }
    edges = [
        edge("r", "collection", "it", "collection"),
        edge("it", "item", "double", "a"),
        edge("double", "value", "col", "item"),
    ]
    return nodes, edges


def test_iterate_runs_once_per_item_and_collect_keeps_order(invoker):
    session = run(invoker, *iterate_graph(5))
    assert session.results["col"].collection == [0, 2, 4, 6, 8]
    assert [session.results[f"double[{i}]"].value for i in range(5)] == [0, 2, 4, 6, 8]
    assert [r.index for r in session.results_for("it")] == [0, 1, 2, 3, 4]
    assert {r.total for r in session.results_for("it")} == {5}
    assert session.executions("double") == [f"double[{i}]" for i in range(5)]


def test_empty_iteration_runs_nothing_and_collects_an_empty_list(invoker):
    session = run(invoker, *iterate_graph(0))
    assert session.status == "completed"
    assert session.results["col"].collection == []
    assert session.results_for("double") == []


def test_iterate_index_and_total_outputs(invoker):
    nodes = {
        "r": {"type": "range", "start": 10, "stop": 13},
        "it": {"type": "iterate"},
        "sum": {"type": "add"},
        "col": {"type": "collect"},
    }
    edges = [
        edge("r", "collection", "it", "collection"),
        edge("it", "index", "sum", "a"),
        edge("it", "total", "sum", "b"),
        edge("sum", "value", "col", "item"),
    ]
    assert run(invoker, nodes, edges).results["col"].collection == [3, 4, 5]


def test_nested_iterations_collect_per_enclosing_iteration(invoker):
    # outer over [0, 1, 2]; inner over range(0, outer + 1): ragged inner lengths
    nodes = {
        "r": {"type": "range", "start": 0, "stop": 3},
        "outer": {"type": "iterate"},
        "stop": {"type": "add", "b": 1},
        "inner_range": {"type": "range", "start": 0},
        "inner": {"type": "iterate"},
        "times10": {"type": "mul", "b": 10},
        "sum": {"type": "add"},
        "per_outer": {"type": "collect"},
        "all": {"type": "collect"},
    }
    edges = [
        edge("r", "collection", "outer", "collection"),
        edge("outer", "item", "stop", "a"),
        edge("stop", "value", "inner_range", "stop"),
        edge("inner_range", "collection", "inner", "collection"),
        edge("outer", "item", "times10", "a"),
        edge("times10", "value", "sum", "a"),
        edge("inner", "item", "sum", "b"),
        edge("sum", "value", "per_outer", "item"),
        edge("per_outer", "collection", "all", "item"),
    ]
    session = run(invoker, nodes, edges)
    assert not session.errors
    assert session.results["all"].collection == [[0], [10, 11], [20, 21, 22]]
    assert session.results["sum[2][1]"].value == 21
    assert [r.collection for r in session.results_for("per_outer")] == [[0], [10, 11], [20, 21, 22]]


def test_two_independent_iterations_form_a_product(invoker):
    nodes = {
        "r1": {"type": "range", "start": 1, "stop": 3},
        "r2": {"type": "range", "start": 0, "stop": 3},
        "i1": {"type": "iterate"},
        "i2": {"type": "iterate"},
        "m": {"type": "mul"},
        "col": {"type": "collect"},
    }
    edges = [
        edge("r1", "collection", "i1", "collection"),
        edge("r2", "collection", "i2", "collection"),
        edge("i1", "item", "m", "a"),
        edge("i2", "item", "m", "b"),
        edge("m", "value", "col", "item"),
    ]
    session = run(invoker, nodes, edges)
    # the collect gathers the innermost iteration (i2) once per i1 item
    assert [r.collection for r in session.results_for("col")] == [[0, 1, 2], [0, 2, 4]]
    assert len(session.results_for("m")) == 6


def test_collect_concatenates_lists_and_items(invoker):
    nodes = {
        "r": {"type": "range", "start": 0, "stop": 2},
        "r2": {"type": "range", "start": 5, "stop": 7},
        "one": {"type": "integer", "value": 42},
        "col": {"type": "collect"},
    }
    edges = [
        edge("r", "collection", "col", "collection"),
        edge("r2", "collection", "col", "collection"),
        edge("one", "value", "col", "item"),
    ]
    assert run(invoker, nodes, edges).results["col"].collection == [0, 1, 5, 6, 42]


def test_range_follows_python_semantics(invoker):
    for start, stop, step in [(0, 5, 1), (5, 0, 1), (5, 0, -2), (3, 3, 1), (-3, 3, 2)]:
        session = run(invoker, {"r": {"type": "range", "start": start, "stop": stop, "step": step}}, [])
        assert session.results["r"].collection == list(range(start, stop, step))


def test_failing_node_records_id_type_and_traceback_and_stops(invoker):
    nodes = {
        "a": {"type": "session_test_explode", "value": -1},
        "b": {"type": "add"},
    }
    session = run(invoker, nodes, [edge("a", "value", "b", "a")])
    assert session.status == "failed" and session.is_complete()
    error = session.errors["a"]
    assert (error.node_id, error.source_node_id, error.node_type) == ("a", "a", "session_test_explode")
    assert error.error_type == "RuntimeError" and "negative value -1" in error.message
    assert "raise RuntimeError" in error.traceback
    assert "b" not in session.results
    # the engine goes on with other sessions
    assert run(invoker, {"x": {"type": "add", "a": 2, "b": 2}}, []).results["x"].value == 4


def test_a_failure_inside_an_iteration_names_the_execution(invoker):
    nodes = {
        "r": {"type": "range", "start": 2, "stop": -2, "step": -1},
        "it": {"type": "iterate"},
        "boom": {"type": "session_test_explode"},
    }
    session = run(invoker, nodes, [edge("r", "collection", "it", "collection"), edge("it", "item", "boom", "value")])
    assert list(session.errors) == ["boom[3]"]
    assert session.errors["boom[3]"].source_node_id == "boom"


def test_required_input_left_empty_fails_naming_node_and_field(invoker):
    session = run(invoker, {"n": {"type": "session_test_needs"}}, [])
    error = session.errors["n"]
    assert error.error_type == "MissingInputError" and error.field == "required"
    assert "'n'" in error.message and "'required'" in error.message


def test_required_input_filled_by_link(invoker):
    nodes = {"v": {"type": "integer", "value": 4}, "n": {"type": "session_test_needs", "small": 1}}
    assert run(invoker, nodes, [edge("v", "value", "n", "required")]).results["n"].value == 5


def test_linked_value_is_validated_against_constraints(invoker):
    nodes = {"v": {"type": "integer", "value": 9}, "n": {"type": "session_test_needs", "required": 0}}
    session = run(invoker, nodes, [edge("v", "value", "n", "small")])
    error = session.errors["n"]
    assert error.error_type == "NodeValidationError" and error.field == "small"


def test_step_by_step_with_json_round_trip_at_every_step(invoker):
    nodes, edges = iterate_graph(3)
    session = Session(Graph.model_validate({"nodes": nodes, "edges": edges}))
    steps = 0
    while not session.is_complete():
        invoker.run(session, invoke_all=False)
        session = Session.model_validate_json(session.model_dump_json())
        steps += 1
    # r, it, double x3, col
    assert steps == 6
    assert session.results["col"].collection == [0, 2, 4]
    assert session.history == ["r", "it", "double[0]", "double[1]", "double[2]", "col"]


def test_round_trip_between_next_and_complete_reruns_the_claimed_node():
    session = Session(Graph.model_validate({"nodes": {"a": {"type": "add", "a": 1}}}))
    node = session.next()
    assert node is not None and node.id == "a"
    restored = Session.model_validate(session.model_dump())
    again = restored.next()
    assert again is not None and again.id == "a"
    restored.complete("a", again.Outputs(value=1))
    assert restored.is_complete()


def test_nodes_can_be_added_after_running_but_executed_ones_are_immutable(invoker):
    session = invoker.create_session({"nodes": {"a": {"type": "add", "a": 1, "b": 1}}})
    invoker.run(session)
    assert session.status == "completed"
    session.add_node({"type": "mul", "b": 10}, autolink=False)
    new_id = session.history and list(session.graph.nodes)[-1]
    session.add_edge(edge("a", "value", new_id, "a"))
    assert session.status == "pending" or session.status == "in_progress"
    invoker.run(session)
    assert session.results[new_id].value == 20
    with pytest.raises(NodeAlreadyExecutedError) as caught:
        session.add_edge(edge(new_id, "value", "a", "b"))
    assert caught.value.node_id == "a"


def test_session_autolinks_to_the_previous_node(invoker):
    session = invoker.create_session()
    session.add_node({"type": "add", "a": 2, "b": 3})
    second = session.add_node({"type": "rand_int", "seed": 1}, autolink=True)
    third = session.add_node({"type": "mul", "b": 2}, autolink=True)
    assert session.graph.input_edges(second) == []  # no rand_int input is called value
    assert session.graph.input_edges(third) == []  # rand_int has value, but mul has a and b
    fourth = session.add_node({"type": "integer"}, autolink=True)
    assert [e.source.node_id for e in session.graph.input_edges(fourth)] == [third]
    invoker.run(session)
    assert session.results[fourth].value == session.results[third].value == 0


def test_add_graph_to_a_session_and_run(invoker):
    session = invoker.create_session()
    session.add_graph({"nodes": {"a": {"type": "add", "a": 2}}, "edges": []})
    session.add_graph({"nodes": {"b": {"type": "add", "b": 5}}, "edges": [edge("a", "value", "b", "a")]})
    invoker.run(session)
    assert session.results["b"].value == 7


def test_direct_graph_edits_are_picked_up():
    session = Session()
    session.graph.add_node({"type": "add", "a": 1}, node_id="a")
    session.graph.add_node({"type": "add"}, node_id="b")
    session.graph.link("a", "value", "b", "a")
    first = session.next()
    assert first is not None and first.id == "a"
    session.complete("a", first.invoke(None))  # type: ignore[arg-type]
    second = session.next()
    assert second is not None and second.id == "b" and second.a == 1


class SessionTestPrivateInvocation(BaseInvocation):
    """Keeps a private scratch list while it runs."""

    type: Literal["session_test_private"] = "session_test_private"
    value: int = 0
    _scratch: list = PrivateAttr(default_factory=list)

    class Outputs(BaseInvocationOutput):
        value: int

    def invoke(self, context: InvocationContext) -> SessionTestPrivateInvocation.Outputs:
        self._scratch.append(self.value)
        return self.Outputs(value=len(self._scratch))


def test_prepared_nodes_are_copies_that_leave_the_graph_node_untouched(invoker):
    session = run(
        invoker,
        {"v": {"type": "integer", "value": 7}, "p": {"type": "session_test_private"}},
        [edge("v", "value", "p", "value")],
    )
    graph_node = session.graph.nodes["p"]
    assert session.results["p"].value == 1
    assert graph_node.value == 0 and graph_node._scratch == []
    assert "value" not in graph_node.model_fields_set


def test_loading_a_finished_session_keeps_its_updated_at():
    # Listings show when a session last changed; reading it back must not restamp it.
    import json
    import time

    from invoke_core import Invoker

    session = Invoker().run({"nodes": {"a": {"type": "add", "a": 1}}})
    stamped = session.updated_at
    time.sleep(0.01)
    restored = Session.model_validate(json.loads(session.model_dump_json()))
    assert restored.updated_at == stamped and restored.status == "completed"
