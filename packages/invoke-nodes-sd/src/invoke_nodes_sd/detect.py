"""What a model on disk is: its format (diffusers folder or single file) and base (sd-1, sd-2, sdxl).

Read from config files and state-dict key names only; no weights are loaded. A `.safetensors`
header is parsed by hand, so detection needs neither torch nor diffusers.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Literal

from invoke_nodes_sd.errors import ModelFileError

Base = Literal["sd-1", "sd-2", "sdxl"]
Format = Literal["diffusers", "checkpoint"]
SINGLE_FILE_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin")
_MAX_HEADER = 100 * 1024 * 1024


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{path}: cannot read this config file: {exc}") from None


def base_of_diffusers_folder(folder: Path) -> Base:
    index_file = folder / "model_index.json"
    if not index_file.is_file():
        raise ModelFileError(f"{folder}: not a diffusers model folder (no model_index.json)")
    index = _read_json(index_file)
    class_name = str(index.get("_class_name", ""))
    unet_file = folder / "unet" / "config.json"
    unet = _read_json(unet_file) if unet_file.is_file() else {}
    if "XL" in class_name or "text_encoder_2" in index or unet.get("addition_embed_type") == "text_time":
        return "sdxl"
    if not class_name.startswith("StableDiffusion"):
        raise ModelFileError(f"{folder}: {class_name or 'this pipeline'} is not a Stable Diffusion model")
    # SD 2.x: OpenCLIP text encoder (1024 wide) and linear attention projections in the UNet
    if unet.get("cross_attention_dim") == 1024 or unet.get("use_linear_projection"):
        return "sd-2"
    return "sd-1"


def safetensors_keys(path: Path) -> list[str]:
    """The tensor names in a .safetensors file, from its JSON header."""
    try:
        with path.open("rb") as handle:
            raw_length = handle.read(8)
            if len(raw_length) != 8:
                raise ValueError("the file is shorter than a safetensors header")
            (length,) = struct.unpack("<Q", raw_length)
            if length <= 0 or length > _MAX_HEADER:
                raise ValueError(f"header length {length} is not plausible")
            header = json.loads(handle.read(length))
        if not isinstance(header, dict):
            raise ValueError("the header is not a JSON object")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path}: not a valid .safetensors file ({exc})") from None
    return [key for key in header if key != "__metadata__"]


def checkpoint_keys(path: Path) -> list[str]:
    """The tensor names in a pickled checkpoint (.ckpt); loads it with torch, tensors only."""
    import torch

    try:
        data = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:  # torch raises many kinds for a damaged file
        raise ModelFileError(f"{path}: not a readable checkpoint ({type(exc).__name__}: {exc})") from None
    if isinstance(data, dict) and isinstance(data.get("state_dict"), dict):
        data = data["state_dict"]
    if not isinstance(data, dict):
        raise ModelFileError(f"{path}: the checkpoint holds no state dict")
    return list(data)


def base_of_keys(keys: list[str], path: Path) -> Base:
    if any(key.startswith("conditioner.embedders.1.") for key in keys):
        return "sdxl"
    if any(key.startswith("cond_stage_model.model.") for key in keys):
        return "sd-2"
    if any(key.startswith("cond_stage_model.transformer.") for key in keys):
        return "sd-1"
    raise ModelFileError(f"{path}: no Stable Diffusion text encoder keys found; not an SD 1.x, 2.x or SDXL checkpoint")


def detect(path: Path) -> tuple[Format, Base]:
    """(format, base) of the model at `path`; ModelFileError when it is not a model we can load."""
    if not path.exists():
        raise ModelFileError(f"{path}: no such file or folder")
    if path.is_dir():
        return "diffusers", base_of_diffusers_folder(path)
    suffix = path.suffix.lower()
    if suffix not in SINGLE_FILE_SUFFIXES:
        raise ModelFileError(f"{path}: unknown model file type {suffix!r} (use {', '.join(SINGLE_FILE_SUFFIXES)})")
    keys = safetensors_keys(path) if suffix == ".safetensors" else checkpoint_keys(path)
    return "checkpoint", base_of_keys(keys, path)
