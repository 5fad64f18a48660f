"""Tensors go to disk as safetensors (plain data, not pickles) and come back equal.

Runs where torch is installed (the integration env); the services_local env has no torch."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")


def test_a_tensor_is_stored_as_safetensors(open_services, root):
    objects = open_services(object_cache_size=0).objects
    latents = torch.randn(1, 4, 8, 8, dtype=torch.float16)
    name = objects.save(latents)
    assert (root / "objects" / f"{name}.safetensors").is_file()
    assert not (root / "objects" / f"{name}.pickle").exists()
    loaded = objects.load(name)
    assert loaded.dtype == torch.float16 and torch.equal(loaded, latents)


def test_a_dict_of_tensors_round_trips_and_other_dicts_pickle(open_services, root):
    objects = open_services(object_cache_size=0).objects
    conditioning = {"embeds": torch.randn(1, 77, 32), "pooled": torch.randn(1, 32)}
    name = objects.save(conditioning)
    assert (root / "objects" / f"{name}.safetensors").is_file()
    loaded = objects.load(name)
    assert set(loaded) == {"embeds", "pooled"} and all(torch.equal(loaded[k], conditioning[k]) for k in loaded)
    mixed = objects.save({"embeds": torch.ones(2), "note": "text"})
    assert (root / "objects" / f"{mixed}.pickle").is_file()
    assert objects.load(mixed)["note"] == "text"
