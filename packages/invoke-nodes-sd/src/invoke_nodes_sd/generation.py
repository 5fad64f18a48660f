"""The torch side of generation: prompts to embeddings, noise, the denoising loop, the VAE.

Each step does what the diffusers pipelines do, in the same order and with the same random
draws, so a graph built from these steps gives the pipeline's image bit for bit. Nodes call
these functions; nothing here knows about graphs or services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

VAE_SCALE_FACTOR = 8  # every SD 1.x/2.x/SDXL VAE halves the size three times
LATENT_CHANNELS = 4


@dataclass
class Conditioning:
    """A prompt's embeddings; `pooled` only for SDXL."""

    embeds: Any
    pooled: Any = None


def encode_prompt(tokenizer: Any, text_encoder: Any, prompt: str) -> Any:
    """SD 1.x/2.x: the text encoder's last hidden state for a prompt, padded to the full length."""
    import torch

    ids = tokenizer(
        prompt, padding="max_length", max_length=tokenizer.model_max_length, truncation=True, return_tensors="pt"
    ).input_ids
    mask = None
    if getattr(text_encoder.config, "use_attention_mask", False):
        mask = torch.ones_like(ids).to(text_encoder.device)
    with torch.inference_mode():
        embeds = text_encoder(ids.to(text_encoder.device), attention_mask=mask)[0]
    return embeds.to(dtype=text_encoder.dtype)


def encode_prompt_sdxl(encoders: list[tuple[Any, Any]], prompt: str, zero: bool = False) -> Conditioning:
    """SDXL: both encoders' second-to-last hidden states side by side, and the pooled output of the last."""
    import torch

    hidden_states, pooled = [], None
    with torch.inference_mode():
        for tokenizer, text_encoder in encoders:
            ids = tokenizer(
                prompt,
                padding="max_length",
                max_length=tokenizer.model_max_length,
                truncation=True,
                return_tensors="pt",
            ).input_ids
            output = text_encoder(ids.to(text_encoder.device), output_hidden_states=True)
            if output[0].ndim == 2:
                pooled = output[0]
            hidden_states.append(output.hidden_states[-2])
    dtype = encoders[-1][1].dtype
    embeds = torch.cat(hidden_states, dim=-1).to(dtype=dtype)
    if zero:  # SDXL's empty negative prompt is all zeros, as in the pipeline
        return Conditioning(torch.zeros_like(embeds), torch.zeros_like(pooled))
    return Conditioning(embeds, pooled.to(dtype=dtype))


def make_noise(seed: int, width: int, height: int) -> Any:
    """Seeded gaussian noise in latent space, drawn on the CPU so every device gets the same."""
    import torch

    generator = torch.Generator("cpu").manual_seed(seed)
    shape = (1, LATENT_CHANNELS, height // VAE_SCALE_FACTOR, width // VAE_SCALE_FACTOR)
    return torch.randn(shape, generator=generator, dtype=torch.float32)


def generator_after_noise(seed: int, noise: Any) -> Any:
    """A generator in the state the pipeline's is in after drawing this noise (ancestral steps use it)."""
    import torch

    generator = torch.Generator("cpu").manual_seed(seed)
    torch.randn(noise.shape, generator=generator, dtype=torch.float32)
    return generator


def step_kwargs(scheduler: Any, generator: Any) -> dict[str, Any]:
    import inspect

    accepted = set(inspect.signature(scheduler.step).parameters)
    kwargs: dict[str, Any] = {}
    if "eta" in accepted:
        kwargs["eta"] = 0.0
    if "generator" in accepted:
        kwargs["generator"] = generator
    return kwargs


def step_range(steps: int, start: float, end: float) -> tuple[int, int]:
    """First and last-plus-one step for denoising_start/end (img2img strength = 1 - start)."""
    first = steps - min(int(steps * (1.0 - start) + 1e-6), steps)
    last = min(int(steps * end + 1e-6), steps)
    return first, max(first, last)


def sdxl_time_ids(height: int, width: int, dtype: Any, device: Any) -> Any:
    import torch

    return torch.tensor([[height, width, 0, 0, height, width]], dtype=dtype, device=device)


def mask_to_latents(mask_image: Any, latents: Any) -> Any:
    """A PIL mask (white: repaint) as a 0..1 tensor the size of the latents."""
    import numpy as np
    import torch
    from PIL import Image

    size = (latents.shape[-1], latents.shape[-2])
    gray = mask_image.convert("L").resize(size, resample=Image.Resampling.BOX)  # each latent: its 8x8 block's mean
    values = torch.from_numpy(np.asarray(gray, dtype=np.float32) / 255.0)
    return values[None, None].to(device=latents.device, dtype=latents.dtype)


def denoise(
    *,
    unet: Any,
    scheduler: Any,
    positive: Conditioning,
    negative: Conditioning,
    cfg_scale: float,
    steps: int,
    noise: Any = None,
    latents: Any = None,
    generator: Any = None,
    denoising_start: float = 0.0,
    denoising_end: float = 1.0,
    mask: Any = None,
    check_canceled: Callable[[], None] | None = None,
    on_step: Callable[[int, int, Any], None] | None = None,
) -> Any:
    """Run the sampling loop and return the latents.

    No `latents`: text-to-image from `noise`. With `latents` and `noise`: the latents are noised
    to where `denoising_start` begins (image-to-image). With `mask` (1 = repaint) the parts
    outside it are put back from the noised original after every step (inpainting).
    `check_canceled()` runs before each step and may raise to stop; `on_step(done, total, latents)`
    runs after each.
    """
    import torch

    device, dtype = unet.device, unet.dtype
    if unet.config.in_channels != LATENT_CHANNELS:
        raise ValueError(
            f"this UNet takes {unet.config.in_channels} input channels; only standard {LATENT_CHANNELS}-channel "
            "UNets are supported (inpainting-specific models are not)"
        )
    if noise is None and latents is None:
        raise ValueError("denoising needs noise, latents or both")
    scheduler.set_timesteps(steps, device=device)
    first, last = step_range(steps, denoising_start, denoising_end)
    order = scheduler.order
    timesteps = scheduler.timesteps[first * order : last * order]
    if noise is not None:
        noise = noise.to(device=device, dtype=dtype)
    original = None
    if latents is None:
        latents = noise * scheduler.init_noise_sigma
    else:
        original = latents.to(device=device, dtype=dtype)
        if hasattr(scheduler, "set_begin_index"):
            scheduler.set_begin_index(first * order)
        latents = original
        if noise is not None and len(timesteps):
            latents = scheduler.add_noise(original, noise, timesteps[:1])
    if mask is not None:
        if original is None or noise is None:
            raise ValueError("inpainting needs the original image's latents and noise")
        mask = mask_to_latents(mask, latents)

    guided = cfg_scale > 1.0
    embeds = torch.cat([negative.embeds, positive.embeds]) if guided else positive.embeds
    embeds = embeds.to(device=device, dtype=dtype)
    added = None
    if positive.pooled is not None:
        pooled = torch.cat([negative.pooled, positive.pooled]) if guided else positive.pooled
        height, width = latents.shape[-2] * VAE_SCALE_FACTOR, latents.shape[-1] * VAE_SCALE_FACTOR
        time_ids = sdxl_time_ids(height, width, embeds.dtype, device).repeat(embeds.shape[0], 1)
        added = {"text_embeds": pooled.to(device=device, dtype=dtype), "time_ids": time_ids}
    extra = step_kwargs(scheduler, generator)
    total = len(timesteps)
    with torch.inference_mode():
        for index, t in enumerate(timesteps):
            if check_canceled is not None:
                check_canceled()
            model_input = torch.cat([latents] * 2) if guided else latents
            model_input = scheduler.scale_model_input(model_input, t)
            noise_pred = unet(model_input, t, encoder_hidden_states=embeds, added_cond_kwargs=added, return_dict=False)[
                0
            ]
            if guided:
                uncond, text = noise_pred.chunk(2)
                noise_pred = uncond + cfg_scale * (text - uncond)
            latents = scheduler.step(noise_pred, t, latents, **extra, return_dict=False)[0]
            if mask is not None:
                kept = original
                if index < total - 1:
                    kept = scheduler.add_noise(original, noise, timesteps[index + 1 : index + 2])
                latents = (1 - mask) * kept + mask * latents
            if on_step is not None:
                on_step(index + 1, total, latents)
    return latents


def decode(vae: Any, latents: Any) -> Any:
    """Latents to a PIL image."""
    import torch
    from diffusers.image_processor import VaeImageProcessor

    with torch.inference_mode():
        latents = latents.to(device=vae.device, dtype=vae.dtype)
        image = vae.decode(latents / vae.config.scaling_factor, return_dict=False)[0]
    return VaeImageProcessor(vae_scale_factor=VAE_SCALE_FACTOR).postprocess(image, output_type="pil")[0]


def encode(vae: Any, image: Any) -> Any:
    """A PIL image to latents (the mean of the VAE's distribution: no randomness)."""
    import torch
    from diffusers.image_processor import VaeImageProcessor

    pixels = VaeImageProcessor(vae_scale_factor=VAE_SCALE_FACTOR).preprocess(image.convert("RGB"))
    with torch.inference_mode():
        posterior = vae.encode(pixels.to(device=vae.device, dtype=vae.dtype)).latent_dist
        return (posterior.mode() * vae.config.scaling_factor).to(torch.float32)


# Rough linear maps from the 4 latent channels to RGB, for step previews without the VAE.
_PREVIEW_FACTORS = {
    "sd": ((0.298, 0.207, 0.208), (0.187, 0.286, 0.173), (-0.158, 0.189, 0.264), (-0.184, -0.271, -0.473)),
    "sdxl": (
        (0.3651, 0.4232, 0.4341),
        (-0.2533, -0.0042, 0.1068),
        (0.1076, 0.1111, -0.0362),
        (-0.3165, -0.2492, -0.2188),
    ),
}


def preview(latents: Any, base: str) -> Any:
    """A small PIL image guessed from latents: one pixel per latent, no VAE."""
    import torch
    from PIL import Image

    factors = torch.tensor(_PREVIEW_FACTORS["sdxl" if base == "sdxl" else "sd"], dtype=torch.float32)
    rgb = torch.einsum("chw,cr->hwr", latents[0].detach().float().cpu(), factors)
    rgb = ((rgb + 1) * 127.5).clamp(0, 255).to(torch.uint8).numpy()
    return Image.fromarray(rgb)
