"""The persisted invocation cache (opt-in), what only it does: outputs survive a restart of the
invoker, and entries whose class is gone or changed are misses. The contract is in tests/contract/."""

from __future__ import annotations

import sqlite3
from typing import Literal

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    InvocationContext,
    Invoker,
    hookimpl,
    register_plugin,
    unregister_plugin,
)
from invoke_services_local.database import DATABASE_FILE

CALLS: list[int] = []


class CountedDoubleInvocation(BaseInvocation):
    """Doubles a number and counts its calls."""

    type: Literal["local_cache_test_double"] = "local_cache_test_double"
    value: int = 0

    class Outputs(BaseInvocationOutput):
        value: int

    def invoke(self, context: InvocationContext) -> CountedDoubleInvocation.Outputs:
        CALLS.append(self.value)
        return self.Outputs(value=self.value * 2)


class CountingNodes:
    @hookimpl
    def register_invocations(self):
        return [CountedDoubleInvocation]


@pytest.fixture(autouse=True)
def counting_node():
    name = register_plugin(CountingNodes(), name="local_cache_test")
    CALLS.clear()
    yield
    unregister_plugin(name)


def double(value: int) -> dict:
    return {"nodes": {"d": {"type": "local_cache_test_double", "value": value}}}


def test_the_default_cache_stays_in_memory(services):
    assert type(services.cache).__name__ == "MemoryInvocationCache"


def test_outputs_survive_a_restart(open_services):
    with Invoker(open_services(invocation_cache="sqlite")) as first:
        assert first.run(double(21)).results["d"].value == 42
    with Invoker(open_services(invocation_cache="sqlite")) as second:  # a new process, say
        session = second.run(double(21))
        assert session.results["d"].value == 42
        assert second.services.cache.hits == 1
    assert CALLS == [21]  # the node ran once


def test_an_entry_whose_class_is_gone_is_a_miss_and_is_dropped(open_services, root):
    services = open_services(invocation_cache="sqlite")
    Invoker(services).run(double(5))
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("UPDATE invocation_cache SET node_type = 'no_such_module:Gone'")
    CALLS.clear()
    assert Invoker(services).run(double(5)).results["d"].value == 10
    assert CALLS == [5] and len(services.cache) == 1  # replaced by a fresh entry


def test_an_entry_that_no_longer_validates_is_a_miss(open_services, root):
    services = open_services(invocation_cache="sqlite")
    Invoker(services).run(double(6))
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("""UPDATE invocation_cache SET outputs = '{"value": "not a number"}'""")
    CALLS.clear()
    assert Invoker(services).run(double(6)).results["d"].value == 12
    assert CALLS == [6] and services.cache.misses >= 1
