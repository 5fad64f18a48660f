"""`run` and `graph` read their own options before or after the pipeline, as users type them."""

from __future__ import annotations

import json

import pytest


def values_by_node(result) -> dict[str, int]:
    assert result.exit_code == 0, result.output
    return {node["id"]: node["outputs"]["value"] for node in json.loads(result.stdout)["nodes"]}


@pytest.mark.parametrize(
    "args",
    [
        ("run", "add --a 2 --b 3", "--json"),
        ("run", "--json", "add --a 2 --b 3"),
        ("run", "-q", "add --a 2 --b 3", "--json"),
        ("run", "add --a 2 --b 3 | mul -l a -1 value --b 1", "--quiet", "--json"),
        ("run", "add", "--a", "2", "--b", "3", "--json"),  # several words, then an option of run
    ],
)
def test_run_json_before_or_after_the_pipeline(invoke, args):
    assert values_by_node(invoke(*args))["0"] == 5


def test_run_quiet_after_the_pipeline(invoke):
    result = invoke("run", "add --a 2 --b 3", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == "0 add: value=5\n"
    assert "timings" not in result.stderr


def test_graph_output_after_the_pipeline(invoke, tmp_path):
    path = tmp_path / "g.json"
    result = invoke("graph", "add --a 1", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(path.read_text())["nodes"]["0"]["a"] == 1
    words = tmp_path / "words.json"
    assert invoke("graph", "add", "--a", "4", "--output", str(words)).exit_code == 0
    assert json.loads(words.read_text())["nodes"]["0"]["a"] == 4


def test_pipeline_of_several_words_keeps_its_node_options(invoke):
    # the node options (--a, -l, --id) stay in the pipeline; only run's own options are taken out
    result = invoke("run", "--json", "add", "--a", "2", "--id", "x", "|", "mul", "--b", "3", "-l", "a", "x", "value")
    assert values_by_node(result) == {"x": 2, "1": 6}


def test_a_node_help_after_several_words_is_the_node_help(invoke):
    result = invoke("run", "img_blur", "--help")
    assert result.exit_code == 0 and "Usage: img_blur" in result.stdout


def test_double_dash_keeps_every_word_in_the_pipeline(invoke):
    result = invoke("run", "-q", "--", "add", "--a", "1", "--json")
    assert result.exit_code == 2
    assert result.stderr == "error: command 1 (add): No such option '--json'.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "add --a 1", "extra"), "error: after the pipeline: unexpected 'extra'"),
        (("run", "add --a 1", "--graph"), "error: after the pipeline: option '--graph' requires a value"),
        (("graph", "add --a 1", "-o"), "error: after the pipeline: option '-o' requires a value"),
    ],
)
def test_what_follows_a_quoted_pipeline_must_be_an_option(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
