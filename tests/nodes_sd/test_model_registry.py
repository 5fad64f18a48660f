"""Adding, detecting, listing and removing models; device and dtype choice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from invoke_core import InvocationServices, load_config
from invoke_nodes_sd.detect import detect
from invoke_nodes_sd.devices import choose_device, choose_precision, torch_device_and_dtype
from invoke_nodes_sd.errors import ModelExistsError, ModelFileError, UnknownModelError
from invoke_nodes_sd.model_manager import ModelManager


@pytest.fixture
def manager(tmp_path: Path) -> ModelManager:
    return ModelManager(load_config(tmp_path / "root", environ={}))


def test_detects_format_and_base(tiny_models, tmp_path: Path) -> None:
    assert detect(tiny_models.sd1) == ("diffusers", "sd-1")
    assert detect(tiny_models.sdxl) == ("diffusers", "sdxl")
    assert detect(tiny_models.sd1_file) == ("checkpoint", "sd-1")
    sd2 = tmp_path / "sd2"
    shutil.copytree(tiny_models.sd1, sd2)
    unet_config = sd2 / "unet" / "config.json"
    unet_config.write_text(json.dumps({**json.loads(unet_config.read_text()), "cross_attention_dim": 1024}))
    assert detect(sd2) == ("diffusers", "sd-2")


def test_registry_survives_a_new_manager(manager: ModelManager, tiny_models) -> None:
    manager.add(tiny_models.sd1)
    manager.add(tiny_models.sd1_file, name="file", config=tiny_models.sd1)
    again = ModelManager(manager.config)
    records = {record.name: record for record in again.list()}
    assert set(records) == {"tiny-sd1", "file"}
    assert records["file"].format == "checkpoint" and records["file"].config == str(tiny_models.sd1)
    assert (Path(manager.config.root) / "models" / "models.json").is_file()
    again.remove("tiny-sd1")
    assert [record.name for record in ModelManager(manager.config).list()] == ["file"]
    assert tiny_models.sd1.is_dir()  # removing forgets; the files stay


def test_bad_models_are_refused_with_a_clear_error(manager: ModelManager, tiny_models, tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no such file"):
        manager.add(tmp_path / "missing.safetensors")
    corrupt = tmp_path / "corrupt.safetensors"
    corrupt.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all!")
    with pytest.raises(ModelFileError, match="corrupt.safetensors: not a valid .safetensors file"):
        manager.add(corrupt, config=tiny_models.sd1)
    with pytest.raises(ModelFileError, match="needs --config"):
        manager.add(tiny_models.sd1_file)
    with pytest.raises(ModelFileError, match="sd-1 checkpoint but the config folder"):
        manager.add(tiny_models.sd1_file, config=tiny_models.sdxl)
    with pytest.raises(ModelFileError, match="no model_index.json"):
        manager.add(tmp_path)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match="unknown model file type"):
        manager.add(text)
    manager.add(tiny_models.sd1, name="one")
    with pytest.raises(ModelExistsError, match="'one' is already installed"):
        manager.add(tiny_models.sdxl, name="one")
    with pytest.raises(ModelFileError, match="model name"):
        manager.add(tiny_models.sdxl, name="bad name!")
    with pytest.raises(UnknownModelError, match="'two'"):
        manager.remove("two")
    assert [record.name for record in manager.list()] == ["one"]  # nothing stored was lost


def test_service_is_built_once_through_the_core(tmp_path: Path) -> None:
    services = InvocationServices.from_config(load_config(tmp_path, environ={}))
    assert isinstance(services.get("model_manager"), ModelManager)
    assert services.get("model_manager") is services.get("model_manager")


def test_cache_size_setting(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={"INVOKE_MODEL_CACHE_SIZE_GB": "0.5"})
    assert ModelManager(config).cache.budget_bytes == 512 * 1024**2


@pytest.mark.parametrize(
    ("requested", "cuda", "mps", "expected"),
    [
        (None, True, True, "cuda"),
        ("auto", False, True, "mps"),
        ("auto", False, False, "cpu"),
        ("cpu", True, False, "cpu"),
        ("cuda:1", True, False, "cuda:1"),
        ("MPS", False, True, "mps"),
    ],
)
def test_device_choice(requested, cuda, mps, expected) -> None:
    assert choose_device(requested, cuda, mps) == expected


@pytest.mark.parametrize(
    ("requested", "cuda", "mps", "message"),
    [("cuda", False, False, "no CUDA"), ("mps", True, False, "MPS is not available"), ("tpu", True, True, "not auto")],
)
def test_device_choice_errors(requested, cuda, mps, message) -> None:
    with pytest.raises(ValueError, match=message):
        choose_device(requested, cuda, mps)


def test_precision_choice() -> None:
    assert choose_precision(None, "cpu") == "float32"
    assert choose_precision("auto", "cuda") == "float16"
    assert choose_precision("auto", "mps") == "float16"
    assert choose_precision("bfloat16", "cuda:0") == "bfloat16"
    assert choose_precision("float32", "cuda") == "float32"
    with pytest.raises(ValueError, match="precision"):
        choose_precision("float8", "cuda")


def test_torch_device_and_dtype_reads_the_config(tmp_path: Path) -> None:
    import torch

    config = load_config(tmp_path, environ={})
    assert torch_device_and_dtype(config, probe=lambda: (False, False)) == (torch.device("cpu"), torch.float32)
    assert torch_device_and_dtype(config, probe=lambda: (True, False)) == (torch.device("cuda"), torch.float16)
    config = load_config(tmp_path, environ={"INVOKE_DEVICE": "cpu", "INVOKE_PRECISION": "bfloat16"})
    assert torch_device_and_dtype(config, probe=lambda: (True, True)) == (torch.device("cpu"), torch.bfloat16)
    # this machine, as the model manager sees it
    assert ModelManager(load_config(tmp_path, environ={})).device.type in ("cpu", "cuda", "mps")
