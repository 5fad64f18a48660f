"""Helpers the SD tests share: the installed-models handle and the reference pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from invoke_core import InvocationServices, Invoker


@dataclass
class SD:
    invoker: Invoker
    services: InvocationServices
    manager: Any
    root: Path

    def run(self, graph: dict) -> Any:
        session = self.invoker.run(graph)
        assert not session.errors, {key: error.message for key, error in session.errors.items()}
        return session

    def image(self, session: Any, node_id: str) -> Any:
        return self.services.images.get(session.results[node_id].image.image_name)


def sd_pipeline(folder: Path, scheduler: str | None = None) -> Any:
    """The diffusers pipeline for a tiny model folder, optionally with one of our schedulers."""
    import json

    from diffusers import DiffusionPipeline
    from invoke_nodes_sd.schedulers import make_scheduler

    pipe = DiffusionPipeline.from_pretrained(folder, local_files_only=True)
    if scheduler is not None:
        config = json.loads((folder / "scheduler" / "scheduler_config.json").read_text())
        pipe.scheduler = make_scheduler(scheduler, config)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def pixels(image: Any) -> Any:
    import numpy as np

    return np.asarray(image.convert("RGB"), dtype=np.int16)
