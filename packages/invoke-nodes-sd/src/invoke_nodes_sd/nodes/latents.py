"""Latent-space nodes: seeded noise, the denoising loop, VAE decode/encode, resizing."""

from __future__ import annotations

from typing import Any, Literal

from invoke_core import BaseInvocation, BaseInvocationOutput, Field, ImageField, ImageOutput, InvocationContext
from pydantic import model_validator

from invoke_nodes_sd.fields import ConditioningField, LatentsField, UNetField, VaeField
from invoke_nodes_sd.nodes.shared import MAX_SIZE, load_latents, model_manager, save_latents, step_callbacks
from invoke_nodes_sd.preflight import checks_models
from invoke_nodes_sd.schedulers import SchedulerName

SEED_MAX = 2**32 - 1


class LatentsOutput(BaseInvocationOutput):
    latents: LatentsField = Field(description="The latents")
    width: int = Field(description="The width in pixels of the image they make")
    height: int = Field(description="The height in pixels of the image they make")


def _latents_output(context: InvocationContext, latents: Any, seed: int | None = None) -> LatentsOutput:
    from invoke_nodes_sd.generation import VAE_SCALE_FACTOR

    return LatentsOutput(
        latents=save_latents(context, latents, seed),
        width=latents.shape[-1] * VAE_SCALE_FACTOR,
        height=latents.shape[-2] * VAE_SCALE_FACTOR,
    )


class NoiseInvocation(BaseInvocation, category="latents", tags=("latents", "noise")):
    """Seeded gaussian noise for an image of a given size; the same seed gives the same noise everywhere."""

    type: Literal["noise"] = "noise"
    seed: int = Field(default=0, ge=0, le=SEED_MAX, description="The seed")
    width: int = Field(default=512, ge=8, le=MAX_SIZE, multiple_of=8, description="Image width in pixels")
    height: int = Field(default=512, ge=8, le=MAX_SIZE, multiple_of=8, description="Image height in pixels")

    class Outputs(BaseInvocationOutput):
        noise: LatentsField = Field(description="The noise")
        width: int = Field(description="The width in pixels")
        height: int = Field(description="The height in pixels")

    def invoke(self, context: InvocationContext) -> NoiseInvocation.Outputs:
        from invoke_nodes_sd.generation import make_noise

        noise = make_noise(self.seed, self.width, self.height)
        return self.Outputs(noise=save_latents(context, noise, self.seed), width=self.width, height=self.height)


class DenoiseLatentsInvocation(BaseInvocation, category="latents", tags=("latents", "denoise")):
    """Denoises latents guided by prompts: text-to-image from noise, image-to-image from latents, inpainting with a mask."""

    type: Literal["denoise_latents"] = "denoise_latents"
    positive_conditioning: ConditioningField = Field(description="What the image should show")
    negative_conditioning: ConditioningField = Field(description="What it should not show")
    unet: UNetField = Field(description="The UNet, from a model loader")
    noise: LatentsField | None = Field(default=None, description="Starting noise (from a noise node)")
    latents: LatentsField | None = Field(default=None, description="Latents to start from (image-to-image)")
    mask: ImageField | None = Field(default=None, description="Where to repaint (white) and keep (black)")
    scheduler: SchedulerName = Field(default="euler", description="The sampling method")
    steps: int = Field(default=30, ge=1, le=1000, description="The number of steps")
    cfg_scale: float = Field(default=7.5, ge=0, le=100, description="How strongly to follow the prompt")
    denoising_start: float = Field(default=0.0, ge=0, le=1, description="Where in the schedule to start (0 to 1)")
    denoising_end: float = Field(default=1.0, ge=0, le=1, description="Where in the schedule to stop (0 to 1)")

    Outputs = LatentsOutput

    @model_validator(mode="after")
    def _start_before_end(self) -> DenoiseLatentsInvocation:
        if self.denoising_start >= self.denoising_end:
            raise ValueError("denoising_start must be less than denoising_end")
        return self

    preflight = checks_models()

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        if self.noise is None and self.latents is None:
            raise ValueError(f"node {self.id!r}: link noise, latents or both")
        if self.mask is not None and (self.noise is None or self.latents is None):
            raise ValueError(f"node {self.id!r}: a mask needs both latents (the image) and noise")
        return _latents_output(context, run_denoise(context, self))


def run_denoise(context: InvocationContext, node: DenoiseLatentsInvocation) -> Any:
    """The denoising loop for one denoise_latents node (the convenience nodes call it too)."""
    from invoke_nodes_sd.generation import Conditioning, denoise, generator_after_noise
    from invoke_nodes_sd.schedulers import make_scheduler

    manager = model_manager(context)
    unet = manager.load(node.unet.model_name, "unet")
    scheduler = make_scheduler(node.scheduler, manager.load(node.unet.model_name, "scheduler"))
    positive = Conditioning(**context.objects.load(node.positive_conditioning.conditioning_name))
    negative = Conditioning(**context.objects.load(node.negative_conditioning.conditioning_name))
    if (positive.pooled is None) != (node.unet.base != "sdxl"):
        raise ValueError(f"node {node.id!r}: the conditioning does not match the {node.unet.base} UNet")
    noise = load_latents(context, node.noise) if node.noise is not None else None
    generator = None
    if noise is not None and node.noise.seed is not None:  # ancestral samplers go on drawing from the seed
        generator = generator_after_noise(node.noise.seed, noise)
    return denoise(
        unet=unet,
        scheduler=scheduler,
        positive=positive,
        negative=negative,
        cfg_scale=node.cfg_scale,
        steps=node.steps,
        noise=noise,
        latents=load_latents(context, node.latents) if node.latents is not None else None,
        generator=generator,
        denoising_start=node.denoising_start,
        denoising_end=node.denoising_end,
        mask=context.images.load(node.mask.image_name) if node.mask is not None else None,
        **step_callbacks(context, node.unet.base),
    )


class LatentsToImageInvocation(BaseInvocation, category="latents", tags=("latents", "image", "vae"), cacheable=False):
    """Decodes latents into an image with a VAE and saves it, with the graph in its metadata."""

    type: Literal["l2i"] = "l2i"
    latents: LatentsField = Field(description="The latents to decode")
    vae: VaeField = Field(description="The VAE, from a model loader")

    Outputs = ImageOutput

    preflight = checks_models()

    def invoke(self, context: InvocationContext) -> ImageOutput:
        from invoke_nodes_sd.generation import decode

        vae = model_manager(context).load(self.vae.model_name, "vae")
        image = decode(vae, load_latents(context, self.latents))
        record = context.images.save(image)
        return ImageOutput(image=ImageField(image_name=record.image_name), width=record.width, height=record.height)


class ImageToLatentsInvocation(BaseInvocation, category="latents", tags=("latents", "image", "vae")):
    """Encodes an image into latents with a VAE (sides are cut down to multiples of 8)."""

    type: Literal["i2l"] = "i2l"
    image: ImageField = Field(description="The image to encode")
    vae: VaeField = Field(description="The VAE, from a model loader")

    Outputs = LatentsOutput

    preflight = checks_models()

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        from invoke_nodes_sd.generation import encode

        vae = model_manager(context).load(self.vae.model_name, "vae")
        return _latents_output(context, encode(vae, context.images.load(self.image.image_name)))


class ResizeLatentsInvocation(BaseInvocation, category="latents", tags=("latents", "resize")):
    """Resizes latents to the latents of an image of the given size."""

    type: Literal["lresize"] = "lresize"
    latents: LatentsField = Field(description="The latents to resize")
    width: int = Field(default=512, ge=8, le=MAX_SIZE, multiple_of=8, description="The new image width in pixels")
    height: int = Field(default=512, ge=8, le=MAX_SIZE, multiple_of=8, description="The new image height in pixels")
    mode: Literal["nearest", "bilinear", "bicubic", "area", "nearest-exact"] = Field(
        default="bilinear", description="The interpolation"
    )

    Outputs = LatentsOutput

    def invoke(self, context: InvocationContext) -> LatentsOutput:
        import torch.nn.functional as functional

        from invoke_nodes_sd.generation import VAE_SCALE_FACTOR

        latents = load_latents(context, self.latents)
        size = (self.height // VAE_SCALE_FACTOR, self.width // VAE_SCALE_FACTOR)
        corners = {"align_corners": False} if self.mode in ("bilinear", "bicubic") else {}
        resized = functional.interpolate(latents, size=size, mode=self.mode, **corners)
        return _latents_output(context, resized)
