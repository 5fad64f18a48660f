"""Disk object storage: pickles on disk, a memory cache in front, safe names, damaged files."""

from __future__ import annotations

import threading

import pytest
from invoke_core.errors import CorruptDataError, ObjectNotFoundError
from invoke_services_local.files import TEMP_PREFIX


def test_round_trip_through_the_cache_and_through_the_disk(services, open_services, root):
    value = {"weights": [1.5, 2.5], "label": "x"}
    name = services.objects.save(value)
    assert services.objects.load(name) is value  # the next node in this process skips the disk
    assert (root / "objects" / f"{name}.pickle").is_file()
    services.close()
    assert open_services().objects.load(name) == value  # a new process reads the file


def test_the_cache_is_bounded(open_services, root):
    objects = open_services(object_cache_size=2).objects
    names = [objects.save([index]) for index in range(3)]
    assert objects.load(names[2]) == [2]
    (root / "objects" / f"{names[0]}.pickle").unlink()  # evicted from memory: only the disk had it
    with pytest.raises(ObjectNotFoundError):
        objects.load(names[0])
    (root / "objects" / f"{names[2]}.pickle").unlink()  # still cached
    assert objects.load(names[2]) == [2]


@pytest.mark.parametrize("name", ["../escape", "/etc/passwd", ".hidden", "a/b", "x" * 300])
def test_names_that_could_escape_are_refused(services, root, name):
    with pytest.raises(ValueError, match="not allowed"):
        services.objects.save(1, name=name)
    with pytest.raises(ObjectNotFoundError):
        services.objects.load(name)
    assert not (root / "escape.pickle").exists()


def test_a_damaged_file_is_an_error_about_that_object(open_services, root):
    objects = open_services(object_cache_size=0).objects
    good, bad = objects.save("fine"), objects.save("soon broken")
    (root / "objects" / f"{bad}.pickle").write_bytes(b"\x80\x05 truncated")
    with pytest.raises(CorruptDataError, match=bad):
        objects.load(bad)
    assert objects.load(good) == "fine"


def test_delete(services, root):
    name = services.objects.save(3)
    services.objects.delete(name)
    assert not (root / "objects" / f"{name}.pickle").exists()
    with pytest.raises(ObjectNotFoundError):
        services.objects.load(name)
    with pytest.raises(ObjectNotFoundError):
        services.objects.delete(name)


def test_stale_temp_files_are_removed_when_storage_opens(services, open_services, root):
    name = services.objects.save({"kept": True})
    stale = root / "objects" / f"{TEMP_PREFIX}dead-beef-x.pickle"
    stale.write_bytes(b"half a pickle")
    services.close()
    reopened = open_services()
    assert not stale.exists()
    assert reopened.objects.load(name) == {"kept": True}


class SlowToPickle:
    """Pickles only when told to, so a save can be caught half-way through its write."""

    def __init__(self, writing: threading.Event, go_on: threading.Event):
        self.writing, self.go_on = writing, go_on

    def __reduce__(self):
        self.writing.set()
        assert self.go_on.wait(30)
        return (dict, ((("done", True),),))


def test_opening_storage_does_not_break_a_save_in_flight(services, open_services):
    writing, go_on, errors = threading.Event(), threading.Event(), []

    def save() -> None:
        try:
            services.objects.save(SlowToPickle(writing, go_on), name="slow")
        except Exception as exc:
            errors.append(exc)

    saver = threading.Thread(target=save)
    saver.start()
    assert writing.wait(30)
    open_services()  # a CLI starting next to a busy server
    go_on.set()
    saver.join(30)
    assert errors == []
    assert open_services(object_cache_size=0).objects.load("slow") == {"done": True}
