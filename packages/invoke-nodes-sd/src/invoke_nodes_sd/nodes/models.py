"""Model loader nodes: they check the model is installed and pass on references to its parts."""

from __future__ import annotations

from typing import Literal

from invoke_core import BaseInvocation, BaseInvocationOutput, Field, InvocationContext

from invoke_nodes_sd.fields import ClipField, UNetField, VaeField
from invoke_nodes_sd.nodes.shared import model_manager
from invoke_nodes_sd.preflight import checks_models


class SDModelLoaderInvocation(BaseInvocation, category="model", tags=("model", "sd")):
    """Names the UNet, text encoder and VAE of an installed SD 1.x/2.x model."""

    type: Literal["sd_model_loader"] = "sd_model_loader"
    model: str = Field(description="The name of an installed SD 1.x or 2.x model")

    class Outputs(BaseInvocationOutput):
        unet: UNetField = Field(description="The UNet")
        clip: ClipField = Field(description="The tokenizer and text encoder")
        vae: VaeField = Field(description="The VAE")

    preflight = checks_models(bases=("sd-1", "sd-2"), instead="sdxl_model_loader")

    def invoke(self, context: InvocationContext) -> SDModelLoaderInvocation.Outputs:
        record = model_manager(context).get(self.model)
        if record.base == "sdxl":
            raise ValueError(f"model {self.model!r} is an SDXL model: use sdxl_model_loader")
        return self.Outputs(
            unet=UNetField(model_name=record.name, base=record.base),
            clip=ClipField(model_name=record.name, base=record.base),
            vae=VaeField(model_name=record.name, base=record.base),
        )


class SDXLModelLoaderInvocation(BaseInvocation, category="model", tags=("model", "sdxl")):
    """Names the UNet, both text encoders and the VAE of an installed SDXL model."""

    type: Literal["sdxl_model_loader"] = "sdxl_model_loader"
    model: str = Field(description="The name of an installed SDXL model")

    class Outputs(BaseInvocationOutput):
        unet: UNetField = Field(description="The UNet")
        clip: ClipField = Field(description="The first tokenizer and text encoder (CLIP ViT-L)")
        clip2: ClipField = Field(description="The second tokenizer and text encoder (OpenCLIP bigG)")
        vae: VaeField = Field(description="The VAE")

    preflight = checks_models(bases=("sdxl",), instead="sd_model_loader")

    def invoke(self, context: InvocationContext) -> SDXLModelLoaderInvocation.Outputs:
        record = model_manager(context).get(self.model)
        if record.base != "sdxl":
            raise ValueError(f"model {self.model!r} is an {record.base} model: use sd_model_loader")
        return self.Outputs(
            unet=UNetField(model_name=record.name, base="sdxl"),
            clip=ClipField(model_name=record.name, base="sdxl"),
            clip2=ClipField(
                model_name=record.name, base="sdxl", text_encoder="text_encoder_2", tokenizer="tokenizer_2"
            ),
            vae=VaeField(model_name=record.name, base="sdxl"),
        )
