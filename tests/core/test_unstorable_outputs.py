"""A node whose outputs JSON cannot hold fails at once, naming itself and the field, and its
session stays storable and readable (issue: a result too big to store left its item running)."""

from __future__ import annotations

import json
import math
from typing import Literal

import pytest
from invoke_core import BaseInvocation, BaseInvocationOutput, Invoker, register_plugin, unregister_plugin
from invoke_core.errors import UnstorableOutputError
from invoke_core.execution.storable import check_storable

from tests.core.helpers import edge


def stored_json(session) -> dict:
    """The session as storages and the web API write it; raises if it cannot be."""
    text = json.dumps(session.model_dump(), allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")
    return json.loads(text)


def test_a_product_too_big_to_store_fails_its_node_and_item(invoker: Invoker):
    session = invoker.run({"nodes": {"m": {"type": "mul", "a": 10**2200, "b": 10**2200}}})
    (error,) = session.errors.values()
    assert (error.node_id, error.node_type, error.error_type, error.field) == (
        "m",
        "mul",
        "UnstorableOutputError",
        "value",
    )
    assert "more than 4300 digits" in error.message
    (item,) = invoker.services.queue.list().items
    assert item.status == "failed" and item.error.startswith("m (mul): UnstorableOutputError: output 'value'")
    stored = stored_json(invoker.get_session(session.id))
    assert stored["status"] == "failed" and stored["results"] == {}


def test_fourteen_chained_products_keep_the_storable_results_and_fail_the_last(invoker: Invoker):
    nodes = {f"m{i}": {"type": "mul", "a": 2, "b": 2} for i in range(14)}
    edges = [edge(f"m{i - 1}", "value", f"m{i}", field) for i in range(1, 14) for field in ("a", "b")]
    session = invoker.run({"nodes": nodes, "edges": edges})
    assert list(session.errors) == ["m13"]  # 2**16384 has 4933 digits; 2**8192 has 2467
    assert session.results["m12"].value == 2**8192
    stored = stored_json(invoker.get_session(session.id))
    assert len(stored["results"]) == 13 and stored["errors"]["m13"]["field"] == "value"


class OddOutputsInvocation(BaseInvocation, category="test"):
    """Returns whatever value it is told to, as an output JSON may not hold."""

    type: Literal["test_odd_outputs"] = "test_odd_outputs"
    which: str = "fine"

    class Outputs(BaseInvocationOutput):
        value: object = None

    def invoke(self, context) -> Outputs:
        return self.Outputs(value=ODD_VALUES[self.which])


ODD_VALUES = {
    "fine": {"a": [1, 2.5, "é", None, True]},
    "nan": [1.0, math.nan],
    "infinity": {"x": math.inf},
    "surrogate": ["a\ud800"],
    "huge_key": {10**5000: 1},
    "not_json": {1, object()},
}


@pytest.fixture
def odd_nodes():
    class Plugin:
        @staticmethod
        def register_invocations():
            return [OddOutputsInvocation]

    name = register_plugin(Plugin(), name="odd_outputs")
    yield
    unregister_plugin(name)


@pytest.mark.parametrize("which", ["nan", "infinity", "surrogate", "huge_key", "not_json"])
def test_every_value_json_cannot_hold_fails_the_node(invoker: Invoker, odd_nodes, which):
    session = invoker.run({"nodes": {"odd": {"type": "test_odd_outputs", "which": which}}})
    (error,) = session.errors.values()
    assert error.error_type == "UnstorableOutputError" and error.field == "value", error
    assert stored_json(invoker.get_session(session.id))["status"] == "failed"


def test_plain_outputs_pass(invoker: Invoker, odd_nodes):
    session = invoker.run({"nodes": {"odd": {"type": "test_odd_outputs"}}})
    assert session.status == "completed"
    assert stored_json(session)["results"]["odd"] == {"value": ODD_VALUES["fine"]}


def test_the_check_names_the_field():
    class Two(BaseInvocationOutput):
        fine: int = 1
        bad: float = math.inf

    with pytest.raises(UnstorableOutputError, match="output 'bad'") as raised:
        check_storable(Two())
    assert raised.value.field == "bad"
