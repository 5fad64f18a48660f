"""Text to image: the graph's image is the diffusers pipeline's image, pixel for pixel."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from invoke_nodes_sd.schedulers import SCHEDULERS

from tests.nodes_sd.graphs import edge, node_by_node, txt2img
from tests.nodes_sd.helpers import SD, sd_pipeline


@pytest.fixture
def one_thread():
    """Golden comparisons pin the thread count: it changes low bits of the sums."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def pipeline_image(folder, scheduler: str, seed: int = 7, steps: int = 4, **more):
    pipe = sd_pipeline(folder, scheduler)
    return pipe(
        "a lighthouse at dusk",
        negative_prompt="blurry",
        num_inference_steps=steps,
        guidance_scale=7.5,
        width=64,
        height=64,
        generator=torch.Generator("cpu").manual_seed(seed),
        **more,
    ).images[0]


def test_txt2img_equals_the_diffusers_pipeline(sd: SD, tiny_models, one_thread) -> None:
    session = sd.run(txt2img(steps=10))
    image = sd.image(session, "gen")
    expected = pipeline_image(tiny_models.sd1, "ddim", steps=10)
    assert image.size == (64, 64)
    assert np.array_equal(np.asarray(image), np.asarray(expected))
    assert np.asarray(image).std() > 0  # a real picture, not a blank one


def test_node_by_node_graph_equals_the_pipeline(sd: SD, tiny_models, one_thread) -> None:
    session = sd.run(node_by_node())
    assert np.array_equal(np.asarray(sd.image(session, "decode")), np.asarray(pipeline_image(tiny_models.sd1, "ddim")))
    # every big value travelled by name
    assert set(session.results["denoise"].latents.model_dump()) == {"latents_name", "seed"}
    assert session.results["denoise"].width == 64


@pytest.mark.parametrize("scheduler", sorted(SCHEDULERS))
def test_each_scheduler_matches_the_pipeline(sd: SD, tiny_models, scheduler: str, one_thread) -> None:
    session = sd.run(txt2img(scheduler=scheduler))
    expected = pipeline_image(tiny_models.sd1, scheduler)
    assert np.array_equal(np.asarray(sd.image(session, "gen")), np.asarray(expected)), scheduler


def test_schedulers_give_different_images(sd: SD) -> None:
    images = {name: np.asarray(sd.image(sd.run(txt2img(scheduler=name)), "gen")) for name in ("ddim", "euler_a")}
    assert not np.array_equal(images["ddim"], images["euler_a"])


def test_sdxl_txt2img_equals_the_pipeline(sd: SD, tiny_models, one_thread) -> None:
    session = sd.run(txt2img(model="tinyxl", scheduler="euler", negative_prompt=""))
    pipe = sd_pipeline(tiny_models.sdxl, "euler")
    expected = pipe(
        "a lighthouse at dusk",
        num_inference_steps=4,
        guidance_scale=7.5,
        width=64,
        height=64,
        generator=torch.Generator("cpu").manual_seed(7),
    ).images[0]
    assert np.array_equal(np.asarray(sd.image(session, "gen")), np.asarray(expected))


def test_sdxl_node_by_node(sd: SD) -> None:
    graph = {
        "nodes": {
            "model": {"type": "sdxl_model_loader", "model": "tinyxl"},
            "positive": {"type": "sdxl_prompt", "prompt": "a lighthouse at dusk"},
            "negative": {"type": "sdxl_prompt", "prompt": ""},
            "noise": {"type": "noise", "seed": 7, "width": 64, "height": 64},
            "denoise": {"type": "denoise_latents", "steps": 4, "scheduler": "euler"},
            "decode": {"type": "l2i"},
        },
        "edges": [
            edge("model", "clip", "positive", "clip"),
            edge("model", "clip2", "positive", "clip2"),
            edge("model", "clip", "negative", "clip"),
            edge("model", "clip2", "negative", "clip2"),
            edge("model", "unet", "denoise", "unet"),
            edge("model", "vae", "decode", "vae"),
            edge("positive", "conditioning", "denoise", "positive_conditioning"),
            edge("negative", "conditioning", "denoise", "negative_conditioning"),
            edge("noise", "noise", "denoise", "noise"),
            edge("denoise", "latents", "decode", "latents"),
        ],
    }
    by_nodes = sd.image(sd.run(graph), "decode")
    one_node = sd.image(sd.run(txt2img(model="tinyxl", scheduler="euler", negative_prompt="", cfg_scale=7.5)), "gen")
    assert np.array_equal(np.asarray(by_nodes), np.asarray(one_node))


def test_sd_loader_refuses_an_sdxl_model(sd: SD) -> None:
    session = sd.invoker.run({"nodes": {"m": {"type": "sd_model_loader", "model": "tinyxl"}}})
    assert "sdxl_model_loader" in session.errors["m"].message


def test_image_metadata_holds_graph_and_parameters(sd: SD) -> None:
    session = sd.run(txt2img(seed=11))
    record = sd.services.images.get_record(session.results["gen"].image.image_name)
    assert record.metadata["node"]["seed"] == 11
    assert record.metadata["node"]["prompt"] == "a lighthouse at dusk"
    assert record.metadata["graph"]["nodes"]["gen"]["scheduler"] == "ddim"


def test_a_batch_of_seeds_through_iterate(sd: SD) -> None:
    graph = {
        "nodes": {
            "seeds": {"type": "iterate", "collection": [1, 2, 3]},
            "gen": txt2img()["nodes"]["gen"],
            "all": {"type": "collect"},
        },
        "edges": [edge("seeds", "item", "gen", "seed"), edge("gen", "image", "all", "item")],
    }
    session = sd.run(graph)
    names = [field.image_name for field in session.results["all"].collection]
    assert len(set(names)) == 3
    images = [np.asarray(sd.services.images.get(name)) for name in names]
    for seed, image in zip((1, 2, 3), images, strict=True):
        alone = np.asarray(sd.image(sd.run(txt2img(seed=seed)), "gen"))
        assert np.array_equal(image, alone), f"seed {seed}"
    assert not np.array_equal(images[0], images[1])


def test_latent_resize(sd: SD) -> None:
    graph = node_by_node()
    graph["nodes"]["resize"] = {"type": "lresize", "width": 128, "height": 96}
    graph["nodes"]["decode_big"] = {"type": "l2i"}
    graph["edges"] += [
        edge("denoise", "latents", "resize", "latents"),
        edge("resize", "latents", "decode_big", "latents"),
        edge("model", "vae", "decode_big", "vae"),
    ]
    session = sd.run(graph)
    assert (session.results["resize"].width, session.results["resize"].height) == (128, 96)
    assert sd.image(session, "decode_big").size == (128, 96)


def test_bad_size_names_the_node_and_field(sd: SD) -> None:
    from invoke_core import Graph, GraphValidationError

    with pytest.raises(GraphValidationError) as caught:
        Graph.model_validate(txt2img(width=70))
    assert caught.value.node_id == "gen"
    assert caught.value.field == "width"
