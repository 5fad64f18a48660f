"""String nodes asked for a result longer than a session may store (max_session_mb) fail at
once with LimitExceededError naming node and field, before making it: a short request could
otherwise ask for terabytes. Results within the limit are unchanged."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from invoke_core import InvocationServices, InvokeConfig, Invoker

from tests.core.helpers import edge

BIG = 100_000  # 100,000 x 100,000 characters: ten gigabytes asked for by a request of 200 kB


def run_node(invoker: Invoker, node: dict):
    return invoker.run({"nodes": {"n": node}})


def the_error(session):
    (error,) = session.errors.values()
    return error


GROWING = {
    "plain replace": {"type": "string_replace", "string": "a" * BIG, "search_string": "a", "replace_string": "b" * BIG},
    "regex replace": {
        "type": "string_replace",
        "string": "a" * BIG,
        "search_string": "a",
        "replace_string": "b" * BIG,
        "use_regex": True,
    },
    "regex that matches everywhere": {
        "type": "string_replace",
        "string": "a" * BIG,
        "search_string": "x*",
        "replace_string": "b" * 1000,
        "use_regex": True,
    },
    "regex with groups": {
        "type": "string_replace",
        "string": "a" * BIG,
        "search_string": "(a)",
        "replace_string": "\\1" * 2000,
        "use_regex": True,
    },
    "prompt template": {"type": "prompt_template", "template": "{prompt}" * BIG, "prompt": "p" * BIG},
}
FIELD = {"plain replace": "replace_string", "prompt template": "prompt"}


@pytest.mark.parametrize("name", GROWING)
def test_a_result_too_long_to_store_fails_before_it_is_made(invoker: Invoker, name):
    tracemalloc.start()
    started = time.monotonic()
    try:
        session = run_node(invoker, GROWING[name])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error = the_error(session)
    assert (error.error_type, error.node_id) == ("LimitExceededError", "n"), error
    assert error.field == FIELD.get(name, "replace_string") and "max_session_mb" in error.message
    assert peak < 200 * 1024 * 1024  # at most the limit's worth (64 MB) was built
    assert time.monotonic() - started < 30


def test_joins_doubling_a_string_stop_at_the_limit(invoker: Invoker):
    nodes = {"s": {"type": "string", "value": "x" * 1000}}
    edges = []
    for i in range(40):  # 1000 characters doubled 40 times: an exabyte
        source = "s" if i == 0 else f"j{i - 1}"
        nodes[f"j{i}"] = {"type": "string_join"}
        edges += [edge(source, "value", f"j{i}", "string_left"), edge(source, "value", f"j{i}", "string_right")]
    session = invoker.run({"nodes": nodes, "edges": edges})
    error = the_error(session)
    assert error.error_type == "LimitExceededError" and error.node_id == "j16"  # 1000 * 2**17 > 64 MiB
    assert len(session.results["j15"].value) == 1000 * 2**16


def test_the_limit_follows_max_session_mb(tmp_path):
    with Invoker(InvocationServices(InvokeConfig(root=tmp_path, max_session_mb=0.01))) as small:
        node = {"type": "string_replace", "string": "a" * 100, "search_string": "a", "replace_string": "b" * 200}
        assert the_error(run_node(small, node)).error_type == "LimitExceededError"  # 20,000 > 10,485
        node["replace_string"] = "b" * 100
        assert run_node(small, node).results["n"].value == "b" * 10_000


def test_results_within_the_limit_are_unchanged(invoker: Invoker):
    node = {"type": "string_replace", "string": "a" * 1000, "search_string": "a", "replace_string": "bc"}
    assert run_node(invoker, node).results["n"].value == "bc" * 1000
    node = {**node, "use_regex": True, "search_string": "(a)", "replace_string": "<\\1>"}
    assert run_node(invoker, node).results["n"].value == "<a>" * 1000
    big_regex = {**node, "string": "a" * 200_000, "replace_string": "\\1" * 100}  # takes the counting path
    assert run_node(invoker, big_regex).results["n"].value == "a" * 20_000_000
