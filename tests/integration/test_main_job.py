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


def test_image_graph_on_the_embedded_default_leaves_its_image_in_the_root(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "INVOKE_DISABLE_PLUGIN_AUTOLOAD"}
    env["INVOKE_ROOT"] = str(tmp_path)  # installed plugins load, as for a user: the local services win
    result = subprocess.run(
        [sys.executable, "-m", "invoke_core", "run", "examples/blurred_noise.json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    saved = {line["node"]: line["outputs"] for line in map(json.loads, result.stdout.splitlines())}["save"]
    image_file = tmp_path / "images" / saved["image"]["image_name"]
    from PIL import Image

    with Image.open(image_file) as image:
        assert image.size == (256, 256)
        graph = json.loads(image.text["invokeai_graph"])
    assert graph["nodes"]["noise"]["seed"] == 42
    assert (tmp_path / "databases" / "invoke.db").is_file()
