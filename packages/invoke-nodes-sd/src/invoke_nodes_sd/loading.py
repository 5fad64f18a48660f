"""Loading submodels from disk with diffusers and transformers, never from the hub.

A diffusers folder loads one submodel at a time. A single checkpoint file is read once, whole,
through `from_single_file` with the record's local config folder; every submodel it yields is
handed back so the cache can keep them all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from invoke_nodes_sd.errors import ModelFileError
from invoke_nodes_sd.registry import ModelRecord

SUBMODELS = ("unet", "vae", "text_encoder", "tokenizer", "text_encoder_2", "tokenizer_2", "scheduler")
_TORCH_SUBMODELS = ("unet", "vae", "text_encoder", "text_encoder_2")


def quiet_libraries() -> None:
    """No download progress bars or hub notices in a server's log: loading is local."""
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()


def _classes() -> dict[str, Any]:
    quiet_libraries()
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

    return {
        "unet": UNet2DConditionModel,
        "vae": AutoencoderKL,
        "text_encoder": CLIPTextModel,
        "text_encoder_2": CLIPTextModelWithProjection,
        "tokenizer": CLIPTokenizer,
        "tokenizer_2": CLIPTokenizer,
    }


def _scheduler_config(folder: Path) -> dict[str, Any]:
    path = folder / "scheduler" / "scheduler_config.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{path}: cannot read the scheduler config: {exc}") from None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def load_from_folder(record: ModelRecord, submodel: str, device: Any, dtype: Any) -> Any:
    folder = Path(record.path)
    if not folder.is_dir():
        raise ModelFileError(f"model {record.name!r}: its folder {folder} is missing")
    if submodel == "scheduler":
        return _scheduler_config(folder)
    if not (folder / submodel).is_dir():
        raise ModelFileError(f"model {record.name!r}: {folder} has no {submodel!r} submodel")
    cls = _classes()[submodel]
    try:
        if submodel.startswith("tokenizer"):
            return cls.from_pretrained(folder, subfolder=submodel, local_files_only=True)
        model = cls.from_pretrained(folder, subfolder=submodel, torch_dtype=dtype, local_files_only=True)
    except Exception as exc:  # damaged weights or configs surface as many exception types
        raise ModelFileError(f"model {record.name!r}: cannot load {submodel} from {folder}: {_describe(exc)}") from exc
    return model.to(device).eval().requires_grad_(False)


def load_single_file(record: ModelRecord, device: Any, dtype: Any) -> dict[str, Any]:
    """Every submodel of a single-file checkpoint, {submodel: object}."""
    from diffusers import StableDiffusionPipeline, StableDiffusionXLPipeline

    quiet_libraries()
    path = Path(record.path)
    if not path.is_file():
        raise ModelFileError(f"model {record.name!r}: its file {path} is missing")
    if record.config is None or not Path(record.config).is_dir():
        raise ModelFileError(f"model {record.name!r}: its config folder {record.config} is missing")
    pipeline_class = StableDiffusionXLPipeline if record.base == "sdxl" else StableDiffusionPipeline
    extra = {} if record.base == "sdxl" else {"safety_checker": None, "requires_safety_checker": False}
    try:
        pipe = pipeline_class.from_single_file(
            str(path), config=record.config, torch_dtype=dtype, local_files_only=True, **extra
        )
    except Exception as exc:
        raise ModelFileError(f"model {record.name!r}: cannot load {path}: {_describe(exc)}") from exc
    parts: dict[str, Any] = {"scheduler": _scheduler_config(Path(record.config))}
    for name in SUBMODELS:
        component = getattr(pipe, name, None)
        if component is None or name == "scheduler":
            continue
        if name in _TORCH_SUBMODELS:
            component = component.to(device).eval().requires_grad_(False)
        parts[name] = component
    return parts
