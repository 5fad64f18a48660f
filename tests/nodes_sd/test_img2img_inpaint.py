"""Image to image and inpainting, as one node and node by node."""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.nodes_sd.graphs import edge
from tests.nodes_sd.helpers import SD

COMMON = {"model": "tiny", "prompt": "a red barn", "seed": 5, "steps": 6, "scheduler": "euler", "cfg_scale": 7.5}


def stored_image(sd: SD, image: Image.Image) -> str:
    return sd.services.images.save(image).image_name


def gradient(size: int = 64) -> Image.Image:
    ramp = np.linspace(0, 255, size, dtype=np.uint8)
    return Image.fromarray(
        np.stack([np.tile(ramp, (size, 1)), np.tile(ramp[:, None], (1, size)), np.full((size, size), 90, np.uint8)], -1)
    )


def left_half_mask(size: int = 64) -> Image.Image:
    mask = np.zeros((size, size), np.uint8)
    mask[:, : size // 2] = 255
    return Image.fromarray(mask, "L")


def test_img2img_strength_controls_how_much_changes(sd: SD) -> None:
    source = gradient()
    name = stored_image(sd, source)
    distance = {}
    for strength in (0.25, 1.0):
        session = sd.run(
            {"nodes": {"gen": {"type": "img2img", "image": {"image_name": name}, "strength": strength, **COMMON}}}
        )
        image = sd.image(session, "gen")
        assert image.size == (64, 64)
        distance[strength] = np.abs(np.asarray(image, np.int16) - np.asarray(source, np.int16)).mean()
    assert distance[0.25] < distance[1.0]


def test_img2img_node_by_node_equals_the_one_node(sd: SD) -> None:
    name = stored_image(sd, gradient())
    graph = {
        "nodes": {
            "model": {"type": "sd_model_loader", "model": "tiny"},
            "positive": {"type": "sd_prompt", "prompt": "a red barn"},
            "negative": {"type": "sd_prompt", "prompt": ""},
            "encode": {"type": "i2l", "image": {"image_name": name}},
            "noise": {"type": "noise", "seed": 5, "width": 64, "height": 64},
            "denoise": {"type": "denoise_latents", "steps": 6, "scheduler": "euler", "denoising_start": 0.5},
            "decode": {"type": "l2i"},
        },
        "edges": [
            edge("model", "clip", "positive", "clip"),
            edge("model", "clip", "negative", "clip"),
            edge("model", "vae", "encode", "vae"),
            edge("model", "unet", "denoise", "unet"),
            edge("model", "vae", "decode", "vae"),
            edge("positive", "conditioning", "denoise", "positive_conditioning"),
            edge("negative", "conditioning", "denoise", "negative_conditioning"),
            edge("encode", "latents", "denoise", "latents"),
            edge("noise", "noise", "denoise", "noise"),
            edge("denoise", "latents", "decode", "latents"),
        ],
    }
    by_nodes = sd.image(sd.run(graph), "decode")
    one_node = sd.image(
        sd.run({"nodes": {"gen": {"type": "img2img", "image": {"image_name": name}, "strength": 0.5, **COMMON}}}), "gen"
    )
    assert np.array_equal(np.asarray(by_nodes), np.asarray(one_node))


def test_inpaint_keeps_the_unmasked_latents_exactly(sd: SD) -> None:
    image_name = stored_image(sd, gradient())
    mask_name = stored_image(sd, left_half_mask())
    graph = {
        "nodes": {
            "model": {"type": "sd_model_loader", "model": "tiny"},
            "positive": {"type": "sd_prompt", "prompt": "a red barn"},
            "negative": {"type": "sd_prompt", "prompt": ""},
            "encode": {"type": "i2l", "image": {"image_name": image_name}},
            "noise": {"type": "noise", "seed": 5, "width": 64, "height": 64},
            "denoise": {"type": "denoise_latents", "steps": 6, "scheduler": "euler", "mask": {"image_name": mask_name}},
        },
        "edges": [
            edge("model", "clip", "positive", "clip"),
            edge("model", "clip", "negative", "clip"),
            edge("model", "vae", "encode", "vae"),
            edge("model", "unet", "denoise", "unet"),
            edge("positive", "conditioning", "denoise", "positive_conditioning"),
            edge("negative", "conditioning", "denoise", "negative_conditioning"),
            edge("encode", "latents", "denoise", "latents"),
            edge("noise", "noise", "denoise", "noise"),
        ],
    }
    session = sd.run(graph)
    original = sd.services.objects.load(session.results["encode"].latents.latents_name)
    result = sd.services.objects.load(session.results["denoise"].latents.latents_name)
    assert original.shape == result.shape == (1, 4, 8, 8)
    assert (result[..., 4:] == original[..., 4:]).all()  # right half: black in the mask, kept
    assert not (result[..., :4] == original[..., :4]).all()  # left half: repainted


def test_inpaint_node_repaints_only_the_masked_side(sd: SD) -> None:
    source = gradient()
    session = sd.run(
        {
            "nodes": {
                "gen": {
                    "type": "inpaint",
                    "image": {"image_name": stored_image(sd, source)},
                    "mask": {"image_name": stored_image(sd, left_half_mask())},
                    **COMMON,
                }
            }
        }
    )
    out = np.asarray(sd.image(session, "gen"), np.int16)
    decoded_source = np.asarray(source, np.int16)
    kept = np.abs(out[:, 40:] - decoded_source[:, 40:]).mean()
    repainted = np.abs(out[:, :24] - decoded_source[:, :24]).mean()
    # the kept side only goes through the (random, tiny) VAE; the masked side was regenerated
    assert repainted > kept
