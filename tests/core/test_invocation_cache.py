"""The invocation cache, through the real engine: what is reused, what always runs."""

from __future__ import annotations

from typing import ClassVar, Literal

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    Field,
    Graph,
    InvocationCompleteEvent,
    InvocationContext,
    InvocationServices,
    InvokeConfig,
    Invoker,
    Session,
)
from invoke_core.services.invocation_cache import MemoryInvocationCache

from tests.core.helpers import edge


class CacheTestCounterInvocation(BaseInvocation):
    """Adds one to its value and counts how often it really ran."""

    type: Literal["cache_test_counter"] = "cache_test_counter"
    value: int = Field(default=0)

    runs: ClassVar[list[str]] = []

    class Outputs(BaseInvocationOutput):
        value: int

    def invoke(self, context: InvocationContext) -> CacheTestCounterInvocation.Outputs:
        CacheTestCounterInvocation.runs.append(self.id)
        return self.Outputs(value=self.value + 1)


class CacheTestUncacheableInvocation(BaseInvocation, cacheable=False):
    """Like the counter, but its class says its outputs must never be reused."""

    type: Literal["cache_test_uncacheable"] = "cache_test_uncacheable"
    value: int = Field(default=0)

    runs: ClassVar[list[str]] = []

    class Outputs(BaseInvocationOutput):
        value: int

    def invoke(self, context: InvocationContext) -> CacheTestUncacheableInvocation.Outputs:
        CacheTestUncacheableInvocation.runs.append(self.id)
        return self.Outputs(value=self.value + 1)


@pytest.fixture(autouse=True)
def reset_counters():
    CacheTestCounterInvocation.runs.clear()
    CacheTestUncacheableInvocation.runs.clear()
    yield
    CacheTestCounterInvocation.runs.clear()
    CacheTestUncacheableInvocation.runs.clear()


def counter_graph(start: int = 1, **counter: object) -> Graph:
    """integer(start) -> counter.value"""
    return Graph.model_validate(
        {
            "nodes": {
                "start": {"type": "integer", "value": start},
                "count": {"type": "cache_test_counter", **counter},
            },
            "edges": [edge("start", "value", "count", "value")],
        }
    )


def completions(invoker: Invoker) -> list[InvocationCompleteEvent]:
    """A list that fills with the invoker's InvocationCompleteEvents from now on."""
    seen: list[InvocationCompleteEvent] = []
    invoker.services.events.subscribe(
        lambda event: seen.append(event) if isinstance(event, InvocationCompleteEvent) else None
    )
    return seen


def cached_by_node(events: list[InvocationCompleteEvent], session: Session) -> dict[str, bool]:
    return {event.node_id: event.cached for event in events if event.session_id == session.id}


def test_same_graph_twice_runs_the_node_once(invoker):
    seen = completions(invoker)
    first = invoker.run(counter_graph(1))
    second = invoker.run(counter_graph(1))

    assert first.status == second.status == "completed"
    assert first.results["count"].value == second.results["count"].value == 2
    assert CacheTestCounterInvocation.runs == ["count"]
    assert cached_by_node(seen, first) == {"start": False, "count": False}
    assert cached_by_node(seen, second) == {"start": True, "count": True}
    reused = next(e for e in seen if e.session_id == second.id and e.node_id == "count")
    assert reused.outputs.value == 2
    assert invoker.services.cache.hits == 2


def test_cache_is_shared_by_identical_nodes_within_one_graph(invoker):
    graph = Graph.model_validate(
        {
            "nodes": {
                "one": {"type": "cache_test_counter", "value": 5},
                "two": {"type": "cache_test_counter", "value": 5},
            },
            "edges": [],
        }
    )
    session = invoker.run(graph)
    assert session.results["one"].value == session.results["two"].value == 6
    assert len(CacheTestCounterInvocation.runs) == 1  # the key is what the node saw, not its id


def test_changing_an_upstream_value_misses_the_cache(invoker):
    seen = completions(invoker)
    first = invoker.run(counter_graph(1))
    second = invoker.run(counter_graph(10))
    third = invoker.run(counter_graph(1))

    assert first.results["count"].value == 2
    assert second.results["count"].value == 11
    assert third.results["count"].value == 2
    assert CacheTestCounterInvocation.runs == ["count", "count"]
    assert cached_by_node(seen, second) == {"start": False, "count": False}
    assert cached_by_node(seen, third) == {"start": True, "count": True}


def test_changing_the_nodes_own_value_misses_the_cache(invoker):
    def graph(value: int) -> Graph:
        return Graph.model_validate({"nodes": {"c": {"type": "cache_test_counter", "value": value}}, "edges": []})

    assert invoker.run(graph(3)).results["c"].value == 4
    assert invoker.run(graph(4)).results["c"].value == 5
    assert invoker.run(graph(3)).results["c"].value == 4
    assert CacheTestCounterInvocation.runs == ["c", "c"]


def test_use_cache_false_always_runs(invoker):
    seen = completions(invoker)
    sessions = [invoker.run(counter_graph(1, use_cache=False)) for _ in range(3)]
    assert [s.results["count"].value for s in sessions] == [2, 2, 2]
    assert CacheTestCounterInvocation.runs == ["count"] * 3
    assert all(cached_by_node(seen, s)["count"] is False for s in sessions)
    assert [cached_by_node(seen, s)["start"] for s in sessions] == [False, True, True]  # other nodes still cache

    # a node that skipped the cache did not fill it either
    invoker.run(counter_graph(1))
    assert CacheTestCounterInvocation.runs == ["count"] * 4


def test_cacheable_false_node_class_always_runs(invoker):
    assert CacheTestUncacheableInvocation.metadata()["cacheable"] is False
    seen = completions(invoker)
    graph = {"nodes": {"u": {"type": "cache_test_uncacheable", "value": 7}}, "edges": []}
    sessions = [invoker.run(Graph.model_validate(graph)) for _ in range(3)]
    assert [s.results["u"].value for s in sessions] == [8, 8, 8]
    assert CacheTestUncacheableInvocation.runs == ["u"] * 3
    assert [cached_by_node(seen, s)["u"] for s in sessions] == [False, False, False]
    assert len(invoker.services.cache) == 0


def test_node_cache_size_zero_disables_caching(tmp_path):
    services = InvocationServices(InvokeConfig(root=tmp_path, node_cache_size=0))
    assert services.cache.enabled is False
    with Invoker(services) as invoker:
        seen = completions(invoker)
        sessions = [invoker.run(counter_graph(1)) for _ in range(3)]
    assert [s.results["count"].value for s in sessions] == [2, 2, 2]
    assert CacheTestCounterInvocation.runs == ["count"] * 3
    assert not any(event.cached for event in seen)
    assert len(services.cache) == 0


def test_the_default_config_caches(invoker):
    assert invoker.services.config.node_cache_size == 512
    assert invoker.services.cache.enabled is True


def test_clearing_the_cache_makes_the_node_run_again(invoker):
    invoker.run(counter_graph(1))
    invoker.services.cache.clear()
    invoker.run(counter_graph(1))
    assert CacheTestCounterInvocation.runs == ["count", "count"]


def test_nodes_under_iterate_cache_per_item(invoker):
    def graph(stop: int) -> Graph:
        return Graph.model_validate(
            {
                "nodes": {
                    "r": {"type": "range", "start": 0, "stop": stop},
                    "it": {"type": "iterate"},
                    "count": {"type": "cache_test_counter"},
                    "col": {"type": "collect"},
                },
                "edges": [
                    edge("r", "collection", "it", "collection"),
                    edge("it", "item", "count", "value"),
                    edge("count", "value", "col", "item"),
                ],
            }
        )

    first = invoker.run(graph(3))
    assert first.results["col"].collection == [1, 2, 3]
    assert len(CacheTestCounterInvocation.runs) == 3
    second = invoker.run(graph(4))  # items 0..2 were seen before; only item 3 is new
    assert second.results["col"].collection == [1, 2, 3, 4]
    assert CacheTestCounterInvocation.runs == ["count[0]", "count[1]", "count[2]", "count[3]"]


def test_a_cache_passed_to_the_services_is_the_one_used(tmp_path):
    cache = MemoryInvocationCache(max_size=0)  # asks for no caching
    with Invoker(InvocationServices(InvokeConfig(root=tmp_path), cache=cache)) as invoker:
        invoker.run(counter_graph(1))
        invoker.run(counter_graph(1))
    assert CacheTestCounterInvocation.runs == ["count", "count"]
