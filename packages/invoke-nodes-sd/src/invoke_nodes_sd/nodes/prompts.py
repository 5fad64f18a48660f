"""Prompt nodes: text to conditioning (embeddings kept in object storage, passed by name)."""

from __future__ import annotations

from typing import Literal

from invoke_core import BaseInvocation, BaseInvocationOutput, Field, InvocationContext

from invoke_nodes_sd.fields import ClipField, ConditioningField
from invoke_nodes_sd.nodes.shared import model_manager
from invoke_nodes_sd.preflight import checks_models


class ConditioningOutput(BaseInvocationOutput):
    conditioning: ConditioningField = Field(description="The prompt's embeddings")


class SDPromptInvocation(BaseInvocation, category="conditioning", tags=("prompt", "conditioning", "sd")):
    """Encodes a prompt with an SD 1.x/2.x text encoder."""

    type: Literal["sd_prompt"] = "sd_prompt"
    prompt: str = Field(default="", description="The prompt")
    clip: ClipField = Field(description="The tokenizer and text encoder, from a model loader")

    Outputs = ConditioningOutput

    preflight = checks_models()

    def invoke(self, context: InvocationContext) -> ConditioningOutput:
        from invoke_nodes_sd.generation import encode_prompt

        manager = model_manager(context)
        tokenizer = manager.load(self.clip.model_name, self.clip.tokenizer)
        text_encoder = manager.load(self.clip.model_name, self.clip.text_encoder)
        embeds = encode_prompt(tokenizer, text_encoder, self.prompt)
        name = context.objects.save({"embeds": embeds})
        return ConditioningOutput(conditioning=ConditioningField(conditioning_name=name))


class SDXLPromptInvocation(BaseInvocation, category="conditioning", tags=("prompt", "conditioning", "sdxl")):
    """Encodes a prompt with both SDXL text encoders; an empty prompt gives zeros, as SDXL expects."""

    type: Literal["sdxl_prompt"] = "sdxl_prompt"
    prompt: str = Field(default="", description="The prompt")
    clip: ClipField = Field(description="The first tokenizer and text encoder, from sdxl_model_loader")
    clip2: ClipField = Field(description="The second tokenizer and text encoder, from sdxl_model_loader")

    Outputs = ConditioningOutput

    preflight = checks_models()

    def invoke(self, context: InvocationContext) -> ConditioningOutput:
        from invoke_nodes_sd.generation import encode_prompt_sdxl

        manager = model_manager(context)
        encoders = [
            (manager.load(clip.model_name, clip.tokenizer), manager.load(clip.model_name, clip.text_encoder))
            for clip in (self.clip, self.clip2)
        ]
        conditioning = encode_prompt_sdxl(encoders, self.prompt, zero=not self.prompt)
        name = context.objects.save({"embeds": conditioning.embeds, "pooled": conditioning.pooled})
        return ConditioningOutput(conditioning=ConditioningField(conditioning_name=name))
