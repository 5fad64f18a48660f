"""Graph JSON builders shared by the tests."""

from __future__ import annotations


def edge(source: str, output: str, destination: str, field: str) -> dict:
    return {"source": {"node_id": source, "field": output}, "destination": {"node_id": destination, "field": field}}


def txt2img(model: str = "tiny", **fields) -> dict:
    node = {
        "type": "txt2img",
        "model": model,
        "prompt": "a lighthouse at dusk",
        "negative_prompt": "blurry",
        "seed": 7,
        "steps": 4,
        "cfg_scale": 7.5,
        "width": 64,
        "height": 64,
        "scheduler": "ddim",
    }
    return {"nodes": {"gen": {**node, **fields}}}


def node_by_node(model: str = "tiny", seed: int = 7, steps: int = 4, scheduler: str = "ddim") -> dict:
    """txt2img as separate nodes: loader, two prompts, noise, denoise, decode."""
    return {
        "nodes": {
            "model": {"type": "sd_model_loader", "model": model},
            "positive": {"type": "sd_prompt", "prompt": "a lighthouse at dusk"},
            "negative": {"type": "sd_prompt", "prompt": "blurry"},
            "noise": {"type": "noise", "seed": seed, "width": 64, "height": 64},
            "denoise": {"type": "denoise_latents", "steps": steps, "cfg_scale": 7.5, "scheduler": scheduler},
            "decode": {"type": "l2i"},
        },
        "edges": [
            edge("model", "clip", "positive", "clip"),
            edge("model", "clip", "negative", "clip"),
            edge("model", "unet", "denoise", "unet"),
            edge("model", "vae", "decode", "vae"),
            edge("positive", "conditioning", "denoise", "positive_conditioning"),
            edge("negative", "conditioning", "denoise", "negative_conditioning"),
            edge("noise", "noise", "denoise", "noise"),
            edge("denoise", "latents", "decode", "latents"),
        ],
    }
