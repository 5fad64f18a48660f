"""The plugin module (entry point `nodes_sd`): nodes, the model_manager service, the `models` command.

Imports only invoke-core and pydantic: torch and diffusers load when a node runs or a model loads.
"""

from __future__ import annotations

from typing import Any

from invoke_core import hookimpl


@hookimpl
def register_invocations() -> list[type]:
    from invoke_nodes_sd.nodes import generate, latents, models, prompts

    return [
        models.SDModelLoaderInvocation,
        models.SDXLModelLoaderInvocation,
        prompts.SDPromptInvocation,
        prompts.SDXLPromptInvocation,
        latents.NoiseInvocation,
        latents.DenoiseLatentsInvocation,
        latents.LatentsToImageInvocation,
        latents.ImageToLatentsInvocation,
        latents.ResizeLatentsInvocation,
        generate.TextToImageInvocation,
        generate.ImageToImageInvocation,
        generate.InpaintInvocation,
    ]


@hookimpl
def register_services() -> dict[str, dict[str, str]]:
    return {"model_manager": {"local": "invoke_nodes_sd.model_manager:local_model_manager"}}


@hookimpl
def register_commands(cli: Any) -> None:
    from invoke_nodes_sd.cli import add_models_command

    add_models_command(cli)
