"""Tiny SD 1.x and SDXL models, built once per test run, and services that have them installed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import invoke_nodes_sd.plugin
import pytest
from invoke_core import InvocationServices, Invoker, load_config, register_plugin, unregister_plugin
from invoke_nodes_sd import tiny

from tests.nodes_sd.helpers import SD


@dataclass
class TinyModels:
    sd1: Path
    sdxl: Path
    sd1_file: Path


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> TinyModels:
    folder = tmp_path_factory.mktemp("tiny-models")
    sd1 = tiny.build_sd1(folder / "tiny-sd1")
    sdxl = tiny.build_sdxl(folder / "tiny-sdxl")
    return TinyModels(sd1, sdxl, tiny.write_sd1_single_file(sd1, folder / "tiny-sd1-file.safetensors"))


@pytest.fixture(scope="session", autouse=True)
def sd_plugin() -> Iterator[None]:
    name = register_plugin(invoke_nodes_sd.plugin, name="nodes_sd")
    yield
    unregister_plugin(name)


@pytest.fixture
def sd(tmp_path: Path, tiny_models: TinyModels) -> Iterator[SD]:
    """An invoker whose model manager has the tiny models installed as `tiny`, `tinyxl`, `tinyfile`."""
    root = tmp_path / "root"
    services = InvocationServices.from_config(load_config(root, environ={}))
    manager = services.get("model_manager")
    manager.add(tiny_models.sd1, name="tiny")
    manager.add(tiny_models.sdxl, name="tinyxl")
    manager.add(tiny_models.sd1_file, name="tinyfile", config=tiny_models.sd1)
    with Invoker(services) as invoker:
        yield SD(invoker, services, manager, root)
