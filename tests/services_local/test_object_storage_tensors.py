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


def test_dtypes_and_non_contiguous_tensors_round_trip(open_services):
    objects = open_services(object_cache_size=0).objects
    stored = {
        "half": torch.randn(3, 5).to(torch.bfloat16),
        "indices": torch.arange(6, dtype=torch.int64),
        "mask": torch.tensor([True, False, True]),
        "transposed": torch.randn(4, 6).t(),  # a view: not contiguous
    }
    loaded = objects.load(objects.save(stored))
    assert {key: tensor.dtype for key, tensor in loaded.items()} == {k: t.dtype for k, t in stored.items()}
    assert all(torch.equal(loaded[key], stored[key]) for key in stored)


def test_a_name_switching_between_tensor_and_pickle_holds_the_latest(open_services, root):
    objects = open_services(object_cache_size=0).objects
    objects.save(torch.ones(2), name="slot")
    objects.save(["plain"], name="slot")
    assert not (root / "objects" / "slot.safetensors").exists()
    assert objects.load("slot") == ["plain"]
    objects.save(torch.zeros(3), name="slot")
    assert not (root / "objects" / "slot.pickle").exists()
    assert torch.equal(objects.load("slot"), torch.zeros(3))
