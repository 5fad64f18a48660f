"""A user with a Stable Diffusion model on disk: `invokeai models add` it, then
`invokeai run "txt2img ..."` gets the image. The model is a tiny random one built with the
real diffusers classes (no hub here); every installed plugin loads through its entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

INVOKEAI = Path(sys.executable).with_name("invokeai")


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    from invoke_nodes_sd import tiny

    folder = tmp_path_factory.mktemp("models")
    sd1 = tiny.build_sd1(folder / "tiny-sd1")
    return {"folder": sd1, "single_file": tiny.write_sd1_single_file(sd1, folder / "tiny-sd1.safetensors")}


def invokeai(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INVOKE_")}
    env["HF_HUB_OFFLINE"] = "1"
    env["INVOKE_ROOT"] = str(cwd / "not-the-root")  # --root must win everywhere, plugin commands too
    return subprocess.run([str(INVOKEAI), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def test_add_a_model_and_generate_with_it(tiny_models, tmp_path):
    root = tmp_path / "invokeai"
    added = invokeai("--root", str(root), "models", "add", str(tiny_models["folder"]), "--name", "tiny", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    added_file = invokeai(
        "--root", str(root), "models", "add", str(tiny_models["single_file"]),
        "--config", str(tiny_models["folder"]), "--name", "tiny-file",
        cwd=tmp_path,
    )  # fmt: skip
    assert added_file.returncode == 0, added_file.stderr
    listed = invokeai("--root", str(root), "models", "list", "--json", cwd=tmp_path)
    models = {entry["name"]: entry for entry in map(json.loads, listed.stdout.splitlines())}
    assert {models["tiny"]["base"], models["tiny-file"]["base"]} == {"sd-1"}
    assert not (tmp_path / "not-the-root").exists()

    images = []
    for model in ("tiny", "tiny-file"):
        ran = invokeai(
            "--root", str(root), "run", "--json",
            f"txt2img --model {model} --prompt 'a lighthouse' --seed 3 --steps 3 --width 64 --height 64",
            cwd=tmp_path,
        )  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        (node,) = json.loads(ran.stdout)["nodes"]
        path = root / "images" / node["outputs"]["image"]["image_name"]
        with Image.open(path) as image:
            assert image.size == (64, 64)
            assert json.loads(image.text["invokeai_metadata"])["node"]["prompt"] == "a lighthouse"
            images.append(image.tobytes())
    assert images[0] == images[1]  # the single file holds the same weights as the folder


def test_an_unknown_model_is_an_input_error_found_before_running(tiny_models, tmp_path):
    root = tmp_path / "invokeai"
    added = invokeai("--root", str(root), "models", "add", str(tiny_models["folder"]), "--name", "tiny", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    ran = invokeai(
        "--root", str(root), "run", "img_noise --width 64 --height 64 | img2img --model tinny --prompt x", cwd=tmp_path
    )  # fmt: skip
    assert ran.returncode == 2
    assert ran.stdout == ""
    assert ran.stderr == "error: node '1' (img2img): input 'model': no model named 'tinny'; did you mean 'tiny'?\n"
    # nothing ran (the noise would have stored an image) and no failed session was stored
    assert invokeai("--root", str(root), "sessions", "list", cwd=tmp_path).stdout == ""
    assert invokeai("--root", str(root), "images", "list", cwd=tmp_path).stdout == ""
