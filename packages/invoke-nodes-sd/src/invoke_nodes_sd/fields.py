"""What SD nodes pass each other: names of models, conditioning and latents, never tensors."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Base = Literal["sd-1", "sd-2", "sdxl"]


class _Reference(BaseModel):
    model_config = ConfigDict(frozen=True)


class UNetField(_Reference):
    """The denoising network of an installed model."""

    model_name: str = Field(description="The installed model's name")
    base: Base = Field(description="sd-1, sd-2 or sdxl")


class ClipField(_Reference):
    """A tokenizer and text encoder pair of an installed model."""

    model_name: str = Field(description="The installed model's name")
    base: Base = Field(description="sd-1, sd-2 or sdxl")
    text_encoder: Literal["text_encoder", "text_encoder_2"] = Field(default="text_encoder")
    tokenizer: Literal["tokenizer", "tokenizer_2"] = Field(default="tokenizer")


class VaeField(_Reference):
    """The image encoder/decoder of an installed model."""

    model_name: str = Field(description="The installed model's name")
    base: Base = Field(description="sd-1, sd-2 or sdxl")


class ConditioningField(_Reference):
    """Prompt embeddings in object storage."""

    conditioning_name: str = Field(description="The name of the embeddings in object storage")


class LatentsField(_Reference):
    """A latents tensor in object storage."""

    latents_name: str = Field(description="The name of the tensor in object storage")
    seed: int | None = Field(default=None, description="The seed of the noise, when this is seeded noise")
