"""Progress, cancellation, the model cache across sessions, single files and bad models."""

from __future__ import annotations

import numpy as np
import pytest
from invoke_core import InvocationProgressEvent, SessionCanceledEvent

from tests.nodes_sd.graphs import node_by_node, txt2img
from tests.nodes_sd.helpers import SD


def test_progress_event_per_step_with_a_preview(sd: SD) -> None:
    events: list[InvocationProgressEvent] = []
    unsubscribe = sd.services.events.subscribe(
        lambda event: events.append(event) if isinstance(event, InvocationProgressEvent) else None
    )
    try:
        sd.run(txt2img(steps=5))
    finally:
        unsubscribe()
    assert [(event.step, event.total) for event in events] == [(step, 5) for step in range(1, 6)]
    assert all(event.node_id == "gen" and event.preview.startswith("data:image/jpeg;base64,") for event in events)


def test_cancel_mid_denoise_stops_within_a_step_and_records_canceled(sd: SD) -> None:
    steps_seen: list[int] = []
    canceled_events = []
    session = sd.invoker.create_session(txt2img(steps=50))

    def watch(event) -> None:
        if isinstance(event, InvocationProgressEvent):
            steps_seen.append(event.step)
            if event.step == 3:
                sd.invoker.cancel(session.id)
        elif isinstance(event, SessionCanceledEvent):
            canceled_events.append(event)

    unsubscribe = sd.services.events.subscribe(watch)
    try:
        item = sd.invoker.wait(sd.invoker.invoke(session), timeout=120)
    finally:
        unsubscribe()
    assert steps_seen == [1, 2, 3]  # the cancel came after step 3; step 4 never ran
    assert item.status == "canceled"
    stored = sd.invoker.get_session(session.id)
    assert stored.canceled and stored.status == "canceled"
    assert not stored.errors
    assert canceled_events


def test_second_session_loads_nothing(sd: SD) -> None:
    sd.run(node_by_node(seed=1))
    stats = sd.manager.cache.stats
    loads = stats.loads
    assert loads == 5  # tokenizer, text encoder, unet, scheduler config, vae
    hits = stats.hits
    sd.run(node_by_node(seed=2))  # another seed: the nodes really run again
    assert stats.loads == loads
    assert stats.hits > hits
    sd.run(txt2img(seed=3))
    assert stats.loads == loads


def test_cache_budget_evicts_least_recently_used(sd: SD, tiny_models) -> None:
    from invoke_nodes_sd.model_cache import size_in_bytes

    cache = sd.manager.cache
    unet = sd.manager.load("tiny", "unet")
    vae = sd.manager.load("tiny", "vae")
    cache.budget_bytes = size_in_bytes(unet) + size_in_bytes(vae)  # room for these two only
    sd.manager.load("tiny", "unet")  # unet is now the most recently used
    sd.manager.load("tiny", "text_encoder")
    assert ("tiny", "vae") not in cache.keys()
    assert ("tiny", "unet") in cache.keys() and ("tiny", "text_encoder") in cache.keys()
    assert cache.stats.evictions == 1
    assert cache.used_bytes <= cache.budget_bytes


def test_single_file_model_gives_the_same_image_as_its_folder(sd: SD) -> None:
    from_file = sd.image(sd.run(txt2img(model="tinyfile")), "gen")
    from_folder = sd.image(sd.run(txt2img(model="tiny")), "gen")
    assert np.array_equal(np.asarray(from_file), np.asarray(from_folder))
    # one read of the file filled the cache with every part
    assert {key for key in sd.manager.cache.keys() if key[0] == "tinyfile"} == {
        ("tinyfile", part) for part in ("unet", "vae", "text_encoder", "tokenizer", "scheduler")
    }


def test_unknown_model_fails_the_node_with_a_clear_message(sd: SD) -> None:
    session = sd.invoker.run(txt2img(model="nope"))
    error = session.errors["gen"]
    assert error.error_type == "UnknownModelError"
    assert "'nope'" in error.message and "tiny" in error.message


def test_deleted_model_file_fails_the_node_with_a_clear_message(sd: SD, tiny_models, tmp_path) -> None:
    import shutil

    copy = tmp_path / "gone.safetensors"
    shutil.copy(tiny_models.sd1_file, copy)
    sd.manager.add(copy, name="gone", config=tiny_models.sd1)
    copy.unlink()
    error = sd.invoker.run(txt2img(model="gone")).errors["gen"]
    assert error.error_type == "ModelFileError"
    assert "gone.safetensors" in error.message and "missing" in error.message


def test_corrupt_weights_fail_the_node_with_a_clear_message(sd: SD, tiny_models, tmp_path) -> None:
    import shutil

    folder = tmp_path / "broken"
    shutil.copytree(tiny_models.sd1, folder)
    weights = next((folder / "unet").glob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:1000])  # truncated download
    sd.manager.add(folder, name="broken")
    error = sd.invoker.run(txt2img(model="broken")).errors["gen"]
    assert error.error_type == "ModelFileError"
    assert "broken" in error.message and "unet" in error.message


@pytest.mark.parametrize("missing", ["noise", "conditioning"])
def test_denoise_without_inputs_names_the_node(sd: SD, missing: str) -> None:
    graph = node_by_node()
    if missing == "noise":
        graph["edges"] = [e for e in graph["edges"] if e["destination"]["field"] != "noise"]
        error = sd.invoker.run(graph).errors["denoise"]
        assert "denoise" in error.message and "noise" in error.message
    else:
        graph["edges"] = [e for e in graph["edges"] if e["destination"]["field"] != "positive_conditioning"]
        error = sd.invoker.run(graph).errors["denoise"]
        assert "positive_conditioning" in error.message
