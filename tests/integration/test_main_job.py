"""The README's main job, run as a user runs it: the `invokeai` CLI on the embedded default,
with every installed plugin loading through its entry point."""

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
INVOKEAI = Path(sys.executable).with_name("invokeai")


def as_a_user(*args: str, root: Path, module: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "INVOKE_DISABLE_PLUGIN_AUTOLOAD"}
    env["INVOKE_ROOT"] = str(root)
    command = [sys.executable, "-m", module] if module else [str(INVOKEAI)]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, cwd=ROOT)


def test_readme_pipeline_leaves_its_image_in_the_root(tmp_path):
    pipeline = "img_noise --width 256 --height 256 --seed 42 | img_blur --radius 3 | save_image"
    result = as_a_user("--root", str(tmp_path / "invokeai"), "run", pipeline, root=tmp_path / "elsewhere")
    assert result.returncode == 0, result.stderr
    paths = [Path(line.split(": ", 1)[1]) for line in result.stdout.splitlines() if line.startswith("image ")]
    assert len(paths) == 1  # noise and blur only feed save_image: intermediate, not in the gallery
    saved = paths[-1]
    assert saved.parent == tmp_path / "invokeai" / "images"  # --root wins over INVOKE_ROOT
    with Image.open(saved) as image:
        assert image.size == (256, 256)
        graph = json.loads(image.text["invokeai_graph"])
    assert [node["type"] for node in graph["nodes"].values()] == ["img_noise", "img_blur", "save_image"]
    assert (tmp_path / "invokeai" / "databases" / "invoke.db").is_file()
    listed = as_a_user("images", "list", root=tmp_path / "invokeai")
    assert saved.name in listed.stdout


def test_the_example_graph_file_runs(tmp_path):
    result = as_a_user("run", "--graph", "examples/blurred_noise.json", root=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "images").glob("*.png"))) == 3


def test_python_m_invoke_core_still_runs_a_graph_file(tmp_path):
    result = as_a_user("run", "examples/arithmetic.json", root=tmp_path, module="invoke_core")
    assert result.returncode == 0, result.stderr
    by_node = {line["node"]: line["outputs"] for line in map(json.loads, result.stdout.splitlines())}
    assert by_node["squares"] == {"collection": [1, 4, 9, 16, 25]}


def test_bad_input_is_one_line_and_exit_code_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"nodes": {"a": {"type": "add", "a": "x"}}}))
    for result in (
        as_a_user("run", "--graph", str(bad), root=tmp_path),
        as_a_user("run", str(bad), root=tmp_path, module="invoke_core"),
        as_a_user("run", "add --a x", root=tmp_path),
        as_a_user("run", "no_such_node", root=tmp_path),
    ):
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert "Traceback" not in result.stderr


def test_installed_plugins_add_their_commands(tmp_path):
    result = as_a_user("--help", root=tmp_path)
    assert result.returncode == 0
    assert "web" in result.stdout.split("Commands:")[1]  # from invoke-web, through its entry point
