"""`run --graph` with values JSON cannot carry (NaN, infinities, lone surrogates, deep nesting):
one line naming node and field, exit 2, nothing run, whether the run is local or on a server
(issue 11, item 13). Real `invokeai` processes, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def invokeai(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("INVOKE_")}
    environ["INVOKE_ROOT"] = str(root)
    command = [sys.executable, "-m", "invoke_cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environ, timeout=120)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# File text, and what the one line says.
BAD_FILES = {
    "100k deep": (
        f'{{"nodes":{{"c":{{"type":"collect","collection":{nested(100_000)}}}}}}}',
        "nests too deeply to read",
    ),
    "900 deep in a field": (
        f'{{"nodes":{{"c":{{"type":"collect","collection":{nested(900)}}}}}}}',
        "node 'c' field 'collection': the value nests deeper than 64 levels",
    ),
    "lone surrogate": (
        '{"nodes":{"s":{"type":"string","value":"x\\ud800"}}}',
        "node 's' field 'value': the text holds a lone surrogate '\\ud800' at index 1",
    ),
    "lone surrogate in a node id": ('{"nodes":{"s\\udfff":{"type":"string"}}}', "bad node id 's\\udfff'"),
    "lone surrogate in an edge": (
        '{"nodes":{"s":{"type":"string"}},"edges":[{"source":{"node_id":"\\ud800","field":"value"},'
        '"destination":{"node_id":"s","field":"value"}}]}',
        "'edges.0.source.node_id': the text holds a lone surrogate",
    ),
    "NaN": ('{"nodes":{"f":{"type":"float","value":NaN}}}', "node 'f' field 'value': nan is not a finite number"),
    "-Infinity": (
        '{"nodes":{"f":{"type":"float","value":-Infinity}}}',
        "node 'f' field 'value': -inf is not a finite number",
    ),
    "1e999": ('{"nodes":{"f":{"type":"float","value":1e999}}}', "node 'f' field 'value': inf is not a finite number"),
}


@pytest.mark.parametrize("name", BAD_FILES)
@pytest.mark.parametrize("where", ["local", "server"])
def test_a_graph_file_with_a_value_json_cannot_carry_is_one_line_and_exit_2(tmp_path, name, where):
    text, message = BAD_FILES[name]
    graph = tmp_path / "graph.json"
    graph.write_text(text, encoding="ascii")
    # Port 9 (discard) has no server: the file must be refused before any connection is tried.
    server = ["--server", "http://127.0.0.1:9"] if where == "server" else []
    ran = invokeai(tmp_path / "root", *server, "run", "--graph", str(graph))
    assert ran.returncode == 2, ran.stderr
    assert ran.stdout == ""
    assert ran.stderr.startswith(f"error: graph file {graph}") and ran.stderr.count("\n") == 1, ran.stderr
    assert message in ran.stderr
    if where == "local":
        assert "0 of 0 sessions" in invokeai(tmp_path / "root", "sessions", "list").stderr


def test_a_graph_file_with_valid_unicode_and_nesting_to_the_limit_runs(tmp_path):
    graph = tmp_path / "graph.json"
    graph.write_text(
        '{"nodes":{"s":{"type":"string","value":"café \\ud83d\\ude00"},'
        f'"c":{{"type":"collect","collection":{nested(64)}}}}}}}'
    )
    ran = invokeai(tmp_path / "root", "run", "--json", "--graph", str(graph))
    assert ran.returncode == 0, ran.stderr
    outputs = {node["id"]: node["outputs"] for node in json.loads(ran.stdout)["nodes"]}
    assert outputs["s"]["value"] == "café \U0001f600"
    assert json.dumps(outputs["c"]["collection"]) == nested(64)
