"""Scheduler names the nodes accept, mapped to diffusers classes (imported on use)."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any, Literal

SchedulerName = Literal["ddim", "ddpm", "euler", "euler_a", "heun", "lms", "dpmpp_2m", "dpmpp_2m_karras", "unipc"]

# name -> (diffusers class name, settings laid over the model's own scheduler config)
SCHEDULERS: dict[str, tuple[str, dict[str, Any]]] = {
    "ddim": ("DDIMScheduler", {}),
    "ddpm": ("DDPMScheduler", {}),
    "euler": ("EulerDiscreteScheduler", {}),
    "euler_a": ("EulerAncestralDiscreteScheduler", {}),
    "heun": ("HeunDiscreteScheduler", {}),
    "lms": ("LMSDiscreteScheduler", {}),  # needs scipy
    "dpmpp_2m": ("DPMSolverMultistepScheduler", {"algorithm_type": "dpmsolver++", "solver_order": 2}),
    "dpmpp_2m_karras": (
        "DPMSolverMultistepScheduler",
        {"algorithm_type": "dpmsolver++", "solver_order": 2, "use_karras_sigmas": True},
    ),
    "unipc": ("UniPCMultistepScheduler", {}),
}


@lru_cache(maxsize=64)
def _prototype(name: str, config_json: str) -> Any:
    import diffusers

    class_name, overrides = SCHEDULERS[name]
    config = {key: value for key, value in json.loads(config_json).items() if not key.startswith("_")}
    return getattr(diffusers, class_name).from_config({**config, **overrides})


def make_scheduler(name: str, model_config: dict[str, Any]) -> Any:
    """A fresh scheduler (they keep per-run state) built from the model's scheduler config.

    Building one from a config takes milliseconds; copying a cached one a fraction of that.
    """
    if name not in SCHEDULERS:
        raise ValueError(f"unknown scheduler {name!r} (one of {', '.join(SCHEDULERS)})")
    return copy.deepcopy(_prototype(name, json.dumps(model_config, sort_keys=True)))
