"""The README's main job, run as a user runs it: a graph file through `python -m invoke_core`."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_module(*args: str, root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INVOKE_ROOT": str(root)}
    return subprocess.run(
        [sys.executable, "-m", "invoke_core", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_example_graph_runs_and_prints_every_result(tmp_path):
    result = run_module("run", "examples/arithmetic.json", root=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_node = {line["node"]: line["outputs"] for line in lines}
    assert by_node["squares"] == {"collection": [1, 4, 9, 16, 25]}
    assert by_node["square[2]"] == {"value": 9}
    assert by_node["greeting"] == {"value": "a watercolor painting of a lighthouse"}


def test_bad_graph_file_is_one_line_and_exit_code_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nodes": {"a": {"type": "add", "a": "x"}}}))
    result = run_module("run", str(bad), root=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "node 'a' (add): field 'a'" in result.stderr
