"""The model manager service: installed models, loading, and the cache that keeps them.

Registered as the `model_manager` service kind; nodes reach it with
`context.service("model_manager")`. Settings (invoke.toml or INVOKE_* variables):
`model_cache_size_gb` (default 8), `device`, `precision` (see devices.py).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from invoke_nodes_sd.errors import ModelFileError
from invoke_nodes_sd.model_cache import ModelCache
from invoke_nodes_sd.registry import ModelRecord, ModelRegistry

DEFAULT_CACHE_SIZE_GB = 8.0


class ModelManager:
    def __init__(self, config: Any):
        self.config = config
        self.registry = ModelRegistry(Path(config.root))
        size_gb = float(config.extra("model_cache_size_gb", DEFAULT_CACHE_SIZE_GB))
        self.cache = ModelCache(int(size_gb * 1024**3))
        self._device: Any = None
        self._dtype: Any = None
        self._device_lock = threading.Lock()

    # ---- where models run ----------------------------------------------------------------

    def _choose(self) -> None:
        with self._device_lock:
            if self._device is None:
                from invoke_nodes_sd.devices import torch_device_and_dtype

                self._device, self._dtype = torch_device_and_dtype(self.config)

    @property
    def device(self) -> Any:
        self._choose()
        return self._device

    @property
    def dtype(self) -> Any:
        self._choose()
        return self._dtype

    # ---- the registry --------------------------------------------------------------------

    def list(self) -> list[ModelRecord]:
        return self.registry.list()

    def get(self, name: str) -> ModelRecord:
        return self.registry.get(name)

    def add(self, path: str | Path, *, name: str | None = None, config: str | Path | None = None) -> ModelRecord:
        return self.registry.add(path, name=name, config=config)

    def remove(self, name: str) -> ModelRecord:
        record = self.registry.remove(name)
        self.cache.drop_model(name)
        return record

    def install(self, repo_id: str, *, name: str | None = None, revision: str | None = None) -> ModelRecord:
        """Download a diffusers model from the Hugging Face hub into the root folder and add it."""
        from huggingface_hub import snapshot_download

        if not re.match(r"^[\w.-]+/[\w.-]+$", repo_id):
            raise ModelFileError(f"{repo_id!r} is not a hub repository id (owner/name)")
        name = name or repo_id.split("/", 1)[1]
        target = self.registry.folder / name
        try:
            snapshot_download(
                repo_id,
                revision=revision,
                local_dir=target,
                allow_patterns=["*.json", "*.txt", "*.safetensors", "*.model"],
                ignore_patterns=["*.fp16.safetensors", "*non_ema*", "*.ckpt", "*/*.bin"],
            )
        except Exception as exc:  # offline, unknown repo, gated repo: all one message
            first = (str(exc).strip().splitlines() or [""])[0]
            raise ModelFileError(f"cannot download {repo_id!r}: {type(exc).__name__}: {first}") from None
        return self.registry.add(target, name=name)

    # ---- loading -------------------------------------------------------------------------

    def load(self, name: str, submodel: str) -> Any:
        """A submodel of an installed model, from the cache or loaded (and then cached)."""
        from invoke_nodes_sd import loading

        if submodel not in loading.SUBMODELS:
            raise ValueError(f"unknown submodel {submodel!r} (one of {', '.join(loading.SUBMODELS)})")
        record = self.registry.get(name)

        def load_it() -> Any:
            if record.format == "diffusers":
                return loading.load_from_folder(record, submodel, self.device, self.dtype)
            parts = loading.load_single_file(record, self.device, self.dtype)
            if submodel not in parts:
                raise ModelFileError(f"model {name!r} has no {submodel!r} submodel")
            for other, obj in parts.items():  # one read of the file fills the cache for all of them
                if other != submodel:
                    self.cache.put((name, other), obj)
            return parts[submodel]

        return self.cache.get((name, submodel), load_it)

    def close(self) -> None:
        self.cache.clear()


def local_model_manager(config: Any) -> ModelManager:
    """The factory `register_services` names: models under the config's root folder."""
    return ModelManager(config)
