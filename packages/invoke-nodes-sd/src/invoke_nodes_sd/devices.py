"""Which device and dtype models run on: the best one present, unless the config says otherwise.

Config keys (invoke.toml or INVOKE_* variables): `device` ("auto", "cuda", "cuda:1", "mps",
"cpu") and `precision` ("auto", "float16", "bfloat16", "float32").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PRECISIONS = ("float16", "bfloat16", "float32")


def choose_device(requested: str | None, cuda_available: bool, mps_available: bool) -> str:
    """The device name: the config's choice, else cuda, else mps, else cpu."""
    requested = (requested or "auto").strip().lower()
    if requested == "auto":
        if cuda_available:
            return "cuda"
        if mps_available:
            return "mps"
        return "cpu"
    kind = requested.split(":", 1)[0]
    if kind not in ("cuda", "mps", "cpu"):
        raise ValueError(f"config setting 'device': {requested!r} is not auto, cuda, cuda:N, mps or cpu")
    if kind == "cuda" and not cuda_available:
        raise ValueError(f"config setting 'device' asks for {requested!r} but no CUDA device is available")
    if kind == "mps" and not mps_available:
        raise ValueError("config setting 'device' asks for 'mps' but MPS is not available")
    return requested


def choose_precision(requested: str | None, device: str) -> str:
    """The dtype name: the config's choice, else float16 on a GPU and float32 on the CPU."""
    requested = (requested or "auto").strip().lower()
    if requested == "auto":
        return "float32" if device == "cpu" else "float16"
    if requested not in PRECISIONS:
        raise ValueError(f"config setting 'precision': {requested!r} is not auto, {', '.join(PRECISIONS)}")
    return requested


def torch_device_and_dtype(config: Any, probe: Callable[[], tuple[bool, bool]] | None = None) -> tuple[Any, Any]:
    """(torch.device, torch.dtype) for this config on this machine."""
    import torch

    if probe is None:
        cuda = torch.cuda.is_available()
        mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    else:
        cuda, mps = probe()
    device = choose_device(config.extra("device"), cuda, mps)
    precision = choose_precision(config.extra("precision"), device)
    return torch.device(device), getattr(torch, precision)
