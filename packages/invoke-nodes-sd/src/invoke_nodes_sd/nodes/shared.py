"""Helpers every SD node uses: the model manager, tensors in object storage, step progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from invoke_nodes_sd.fields import LatentsField

if TYPE_CHECKING:
    from invoke_core import InvocationContext

    from invoke_nodes_sd.model_manager import ModelManager

MAX_SIZE = 8192


def model_manager(context: InvocationContext) -> ModelManager:
    return context.services.get("model_manager")


def save_latents(context: InvocationContext, latents: Any, seed: int | None = None) -> LatentsField:
    return LatentsField(latents_name=context.services.objects.save(latents.detach().to("cpu")), seed=seed)


def load_latents(context: InvocationContext, field: LatentsField) -> Any:
    return context.services.objects.load(field.latents_name)


def step_callbacks(context: InvocationContext, base: str) -> dict[str, Any]:
    """check_canceled/on_step for generation.denoise: cancel within one step, progress with a preview."""
    events = context.services.events

    def on_step(done: int, total: int, latents: Any) -> None:
        picture = None
        if events.has_listeners:  # nobody to show a preview to: skip making one
            from invoke_nodes_sd.generation import preview

            picture = preview(latents, base)
        context.report_progress(done, total, preview=picture)

    return {"check_canceled": context.raise_if_canceled, "on_step": on_step}
