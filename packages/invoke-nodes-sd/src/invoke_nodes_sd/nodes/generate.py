"""One-node generation: txt2img, img2img and inpaint, built from the same steps as the node-by-node graph."""

from __future__ import annotations

from typing import Any, Literal

from invoke_core import BaseInvocation, Field, ImageField, ImageOutput, InvocationContext

from invoke_nodes_sd.nodes.latents import SEED_MAX
from invoke_nodes_sd.nodes.shared import MAX_SIZE, model_manager, step_callbacks
from invoke_nodes_sd.preflight import checks_models
from invoke_nodes_sd.schedulers import SchedulerName


class _GenerateBase(BaseInvocation):
    """The fields all three share (no `type`: not a node by itself).

    Not cached: like save_image, each run stores a new image that carries its own graph.
    """

    model: str = Field(description="The name of an installed model (SD 1.x, 2.x or SDXL)")
    prompt: str = Field(default="", description="What the image should show")
    negative_prompt: str = Field(default="", description="What it should not show")
    seed: int = Field(default=0, ge=0, le=SEED_MAX, description="The seed of the starting noise")
    steps: int = Field(default=30, ge=1, le=1000, description="The number of denoising steps")
    cfg_scale: float = Field(default=7.5, ge=0, le=100, description="How strongly to follow the prompt")
    scheduler: SchedulerName = Field(default="euler", description="The sampling method")

    Outputs = ImageOutput
    preflight = checks_models()

    def generate(
        self,
        context: InvocationContext,
        width: int,
        height: int,
        image: Any = None,
        strength: float = 1.0,
        mask: Any = None,
    ) -> ImageOutput:
        from invoke_nodes_sd import generation
        from invoke_nodes_sd.schedulers import make_scheduler

        manager = model_manager(context)
        record = manager.get(self.model)
        name = record.name
        if record.base == "sdxl":
            encoders = [
                (manager.load(name, "tokenizer"), manager.load(name, "text_encoder")),
                (manager.load(name, "tokenizer_2"), manager.load(name, "text_encoder_2")),
            ]
            positive = generation.encode_prompt_sdxl(encoders, self.prompt)
            negative = generation.encode_prompt_sdxl(encoders, self.negative_prompt, zero=not self.negative_prompt)
        else:
            tokenizer, text_encoder = manager.load(name, "tokenizer"), manager.load(name, "text_encoder")
            positive = generation.Conditioning(generation.encode_prompt(tokenizer, text_encoder, self.prompt))
            negative = generation.Conditioning(generation.encode_prompt(tokenizer, text_encoder, self.negative_prompt))
        vae = manager.load(name, "vae")
        latents = None
        if image is not None:
            image = image.convert("RGB")
            if image.size != (width, height):
                image = image.resize((width, height))
            latents = generation.encode(vae, image)
        noise = generation.make_noise(self.seed, width, height)
        result = generation.denoise(
            unet=manager.load(name, "unet"),
            scheduler=make_scheduler(self.scheduler, manager.load(name, "scheduler")),
            positive=positive,
            negative=negative,
            cfg_scale=self.cfg_scale,
            steps=self.steps,
            noise=noise,
            latents=latents,
            generator=generation.generator_after_noise(self.seed, noise),
            denoising_start=1.0 - strength,
            mask=mask,
            **step_callbacks(context, record.base),
        )
        record_ = context.images.save(generation.decode(vae, result))
        return ImageOutput(image=ImageField(image_name=record_.image_name), width=record_.width, height=record_.height)


def _size_of(image: Any, width: int | None, height: int | None) -> tuple[int, int]:
    """The requested size, else the image's, cut down to multiples of 8."""
    return (width or image.width // 8 * 8), (height or image.height // 8 * 8)


class TextToImageInvocation(_GenerateBase, category="generate", tags=("generate", "txt2img"), cacheable=False):
    """Generates an image from a prompt."""

    type: Literal["txt2img"] = "txt2img"
    width: int = Field(default=512, ge=8, le=MAX_SIZE, multiple_of=8, description="Image width in pixels")
    height: int = Field(default=512, ge=8, le=MAX_SIZE, multiple_of=8, description="Image height in pixels")

    def invoke(self, context: InvocationContext) -> ImageOutput:
        return self.generate(context, self.width, self.height)


class ImageToImageInvocation(_GenerateBase, category="generate", tags=("generate", "img2img"), cacheable=False):
    """Generates an image from a prompt and a starting image."""

    type: Literal["img2img"] = "img2img"
    image: ImageField = Field(description="The starting image")
    strength: float = Field(default=0.75, gt=0, le=1, description="How much to change the image (0 to 1)")
    width: int | None = Field(default=None, ge=8, le=MAX_SIZE, multiple_of=8, description="Width; default: the image's")
    height: int | None = Field(
        default=None, ge=8, le=MAX_SIZE, multiple_of=8, description="Height; default: the image's"
    )

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = context.images.load(self.image.image_name)
        width, height = _size_of(image, self.width, self.height)
        return self.generate(context, width, height, image=image, strength=self.strength)


class InpaintInvocation(_GenerateBase, category="generate", tags=("generate", "inpaint"), cacheable=False):
    """Repaints the white part of a mask in an image, following a prompt."""

    type: Literal["inpaint"] = "inpaint"
    image: ImageField = Field(description="The image to paint into")
    mask: ImageField = Field(description="The mask: white is repainted, black is kept")
    strength: float = Field(default=1.0, gt=0, le=1, description="How much to change the masked part (0 to 1)")
    width: int | None = Field(default=None, ge=8, le=MAX_SIZE, multiple_of=8, description="Width; default: the image's")
    height: int | None = Field(
        default=None, ge=8, le=MAX_SIZE, multiple_of=8, description="Height; default: the image's"
    )

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = context.images.load(self.image.image_name)
        mask = context.images.load(self.mask.image_name)
        width, height = _size_of(image, self.width, self.height)
        return self.generate(context, width, height, image=image, strength=self.strength, mask=mask)
