"""The registry of installed models: one JSON file, `<root>/models/models.json`.

A model stays where the user keeps it; the registry records its path, format and base. Writes
go to a temporary file that replaces the old one, so a crash never leaves half a registry.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from invoke_nodes_sd.detect import SINGLE_FILE_SUFFIXES, base_of_diffusers_folder, detect
from invoke_nodes_sd.errors import ModelExistsError, ModelFileError, UnknownModelError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class ModelRecord(BaseModel):
    name: str = Field(description="The name nodes use for this model")
    path: str = Field(description="The diffusers folder or the single checkpoint file")
    format: Literal["diffusers", "checkpoint"]
    base: Literal["sd-1", "sd-2", "sdxl"]
    config: str | None = Field(
        default=None, description="For a single file: a local diffusers folder holding the configs and tokenizers"
    )
    added_at: float = Field(default_factory=time.time)


def default_name(path: Path) -> str:
    stem = path.name if path.is_dir() else path.stem
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "model"
    return name[:128]


class ModelRegistry:
    def __init__(self, root: Path):
        self.folder = Path(root) / "models"
        self.file = self.folder / "models.json"
        self._lock = threading.Lock()

    def _read(self) -> dict[str, ModelRecord]:
        if not self.file.is_file():
            return {}
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
            return {name: ModelRecord.model_validate(value) for name, value in raw.items()}
        except (OSError, ValueError) as exc:
            raise ModelFileError(f"{self.file}: the model registry is unreadable ({exc}); fix or move it") from None

    def _write(self, records: dict[str, ModelRecord]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.file.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(
            json.dumps({name: record.model_dump(mode="json") for name, record in records.items()}, indent=2),
            encoding="utf-8",
        )
        os.replace(temporary, self.file)

    def list(self) -> list[ModelRecord]:
        return sorted(self._read().values(), key=lambda record: record.name)

    def get(self, name: str) -> ModelRecord:
        records = self._read()
        record = records.get(name)
        if record is None:
            known = ", ".join(sorted(records)) or "none installed"
            raise UnknownModelError(f"no model named {name!r} (installed: {known})")
        return record

    def add(self, path: str | Path, *, name: str | None = None, config: str | Path | None = None) -> ModelRecord:
        """Detect the model at `path` and record it; ModelFileError when it is not loadable."""
        path = Path(path).expanduser().resolve()
        model_format, base = detect(path)
        config_path = None
        if model_format == "checkpoint":
            if config is None:
                raise ModelFileError(
                    f"{path}: a single-file model needs --config, a local diffusers folder with its configs "
                    "and tokenizers (loading never downloads them)"
                )
            config_path = Path(config).expanduser().resolve()
            config_base = base_of_diffusers_folder(config_path)
            if config_base != base:
                raise ModelFileError(
                    f"{path} is an {base} checkpoint but the config folder {config_path} is {config_base}"
                )
        elif config is not None:
            raise ModelFileError(f"{path}: --config is only for single-file models; this is a diffusers folder")
        name = name or default_name(path)
        if not _NAME.match(name):
            raise ModelFileError(f"model name {name!r}: use letters, digits, '.', '_' or '-' (at most 128)")
        record = ModelRecord(
            name=name,
            path=str(path),
            format=model_format,
            base=base,
            config=str(config_path) if config_path else None,
        )
        with self._lock:
            records = self._read()
            if name in records:
                raise ModelExistsError(f"a model named {name!r} is already installed ({records[name].path})")
            records[name] = record
            self._write(records)
        return record

    def remove(self, name: str) -> ModelRecord:
        """Forget a model; its files stay where they are."""
        with self._lock:
            records = self._read()
            record = records.pop(name, None)
            if record is None:
                raise UnknownModelError(f"no model named {name!r}")
            self._write(records)
        return record


__all__ = ["ModelRecord", "ModelRegistry", "SINGLE_FILE_SUFFIXES"]
