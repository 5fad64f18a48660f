"""The ObjectStorage contract: objects saved under a new or a given name, loaded, replaced, deleted."""

from __future__ import annotations

import pytest
from invoke_core.errors import ObjectNotFoundError

SERVICE = "object_storage"


def test_save_gives_a_new_name_and_load_returns_the_object(service):
    value = {"shape": [1, 4, 64, 64], "label": "latents"}
    name = service.save(value)
    assert isinstance(name, str) and name
    assert service.load(name) == value
    other = service.save([1, 2])
    assert other != name and service.load(other) == [1, 2]
    assert len({service.save(0) for _ in range(20)}) == 20


def test_a_given_name_is_kept_and_holds_the_latest_object(service):
    assert service.save("conditioning", name="cond") == "cond"
    assert service.load("cond") == "conditioning"
    assert service.save(["replaced"], name="cond") == "cond"
    assert service.load("cond") == ["replaced"]


def test_delete_then_not_found(service):
    keep, gone = service.save("kept"), service.save("deleted")
    service.delete(gone)
    with pytest.raises(ObjectNotFoundError, match=gone):
        service.load(gone)
    with pytest.raises(ObjectNotFoundError):
        service.delete(gone)
    assert service.load(keep) == "kept"


def test_a_missing_name_is_not_found(service):
    with pytest.raises(ObjectNotFoundError, match="missing"):
        service.load("missing")
    with pytest.raises(ObjectNotFoundError):
        service.delete("missing")


@pytest.mark.needs("persistent")
def test_objects_survive_a_reopen_with_their_latest_value(service, open_service):
    name = service.save({"weights": [1.5, 2.5]})
    service.save([1], name="latest")
    service.save([2], name="latest")
    open_service.close(service)
    reopened = open_service()
    assert reopened.load(name) == {"weights": [1.5, 2.5]}
    assert reopened.load("latest") == [2]
