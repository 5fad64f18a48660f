"""The graph API fuzz through the CLI's graph loading (`run --graph FILE`): random graph JSON as
Python writes it (NaN and Infinity included), and random text, in a real file. Every file gives
a Graph or a CliError (exit 2, printed on one line), never another exception. Strategies are
shared with tests/core/test_graph_fuzz.py; a few seconds in all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invoke_cli.errors import CliError
from invoke_cli.graph_file import load_graph_file
from invoke_core import Graph

from tests.core.graph_strategies import graphs, plausible_graphs

file_texts = st.one_of(
    st.one_of(graphs(), plausible_graphs()).map(json.dumps),
    st.text(max_size=200),  # not JSON at all, or JSON of another shape
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file_texts, st.sampled_from(["utf-8", "utf-16", "surrogatepass"]))
def test_any_graph_file_loads_or_is_one_line_of_error(text, encoding):
    data = text.encode("utf-8", "surrogatepass") if encoding == "surrogatepass" else text.encode(encoding, "replace")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "graph.json"
        path.write_bytes(data)
        try:
            graph = load_graph_file(path)
        except CliError as exc:
            assert str(path) in str(exc), str(exc)
            return
    assert isinstance(graph, Graph)


def test_a_name_with_a_line_break_still_gives_one_line(tmp_path):
    # What the fuzz found: an edge naming a missing node is described with its field names as
    # they are, so a field name "value\nmore" made the error two lines.
    graph = tmp_path / "graph.json"
    edge = {"source": {"node_id": "gone", "field": "value\nmore"}, "destination": {"node_id": "a", "field": "b"}}
    graph.write_text(json.dumps({"nodes": {"a": {"type": "add"}}, "edges": [edge]}))
    environ = {key: value for key, value in os.environ.items() if not key.startswith("INVOKE_")}
    environ["INVOKE_ROOT"] = str(tmp_path / "root")
    ran = subprocess.run(
        [sys.executable, "-m", "invoke_cli", "run", "--graph", str(graph)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.startswith(f"error: graph file {graph}") and ran.stderr.count("\n") == 1, ran.stderr
    assert "value\\nmore" in ran.stderr
