"""`run --graph` within the configured limits (issue 11, item 6): a file past max_graph_nodes or
max_collection_items, or a range past the limit, is one line naming the setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def invokeai(root: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("INVOKE_")}
    environ.update({"INVOKE_ROOT": str(root), **settings})
    command = [sys.executable, "-m", "invoke_cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environ, timeout=120)


def test_a_graph_file_past_the_configured_limits_exits_2_with_one_line(tmp_path):
    graph = tmp_path / "graph.json"
    graph.write_text(json.dumps({"nodes": {f"n{i}": {"type": "integer"} for i in range(4)}}))
    ran = invokeai(tmp_path / "root", "run", "--graph", str(graph), INVOKE_MAX_GRAPH_NODES="3")
    assert ran.returncode == 2 and ran.stdout == ""
    assert (
        ran.stderr
        == f"error: graph file {graph}: the graph would hold 4 nodes; at most 3 are allowed (max_graph_nodes)\n"
    )
    graph.write_text(json.dumps({"nodes": {"each": {"type": "iterate", "collection": list(range(4))}}}))
    ran = invokeai(tmp_path / "root", "run", "--graph", str(graph), INVOKE_MAX_COLLECTION_ITEMS="3")
    assert ran.returncode == 2 and ran.stderr.count("\n") == 1
    assert "node 'each': field 'collection' holds 4 items; at most 3 are allowed (max_collection_items)" in ran.stderr


def test_a_range_past_the_limit_fails_its_node_without_making_the_list(tmp_path):
    ran = invokeai(tmp_path / "root", "run", "range --stop 10000000")
    last = ran.stderr.splitlines()[-1]  # after the timings
    assert ran.returncode == 1 and last.startswith("error: node '0' (range) failed: LimitExceededError: range(0, ")
    assert last.endswith("makes 10000000 items; at most 100000 are allowed (max_collection_items)")
