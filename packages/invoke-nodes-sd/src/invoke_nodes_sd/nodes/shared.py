"""Helpers every SD node uses: the model manager, tensors in object storage, step progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from invoke_nodes_sd.fields import LatentsField

if TYPE_CHECKING:
    from invoke_core import InvocationContext

    from invoke_nodes_sd.model_manager import ModelManager

MAX_SIZE = 8192


def model_manager(context: InvocationContext) -> ModelManager:
    return context.service("model_manager")


def save_latents(context: InvocationContext, latents: Any, seed: int | None = None) -> LatentsField:
    return LatentsField(latents_name=context.objects.save(latents.detach().to("cpu")), seed=seed)


def load_latents(context: InvocationContext, field: LatentsField) -> Any:
    return context.objects.load(field.latents_name)


def step_callbacks(context: InvocationContext, base: str) -> dict[str, Any]:
    """check_canceled/on_step for generation.denoise: cancel within one step, progress with a preview."""

    def on_step(done: int, total: int, latents: Any) -> None:
        from invoke_nodes_sd.generation import preview

        # a function: the preview is made only when someone is listening
        context.progress(done, total, preview=lambda: preview(latents, base))

    return {"check_canceled": context.raise_if_canceled, "on_step": on_step}
