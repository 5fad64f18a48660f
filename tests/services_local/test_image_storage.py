"""Disk image storage: PNG files with embedded graphs, records, thumbnails, names that
cannot escape the root, and damaged files that stay someone else's problem."""

from __future__ import annotations

import json
import threading

import pytest
from invoke_core.errors import CorruptDataError, ImageNotFoundError
from invoke_services_local.files import TEMP_PREFIX
from PIL import Image

GRAPH = {
    "nodes": {"noise": {"type": "img_noise", "width": 40, "height": 30, "seed": 5}, "save": {"type": "save_image"}},
    "edges": [{"source": {"node_id": "noise", "field": "image"}, "destination": {"node_id": "save", "field": "image"}}],
}


def red(width: int = 20, height: int = 10) -> Image.Image:
    return Image.new("RGB", (width, height), (200, 10, 10))


def test_save_writes_a_png_with_its_metadata_and_a_record(services, root):
    record = services.images.save(red(), session_id="s1", node_id="n1", metadata={"graph": {"nodes": {}}, "seed": 3})
    path = root / "images" / record.image_name
    assert services.images.path(record.image_name) == path
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (20, 10)
        assert json.loads(image.text["invokeai_graph"]) == {"nodes": {}}
        assert json.loads(image.text["invokeai_metadata"]) == {"seed": 3}
    stored = services.images.get_record(record.image_name)
    assert (stored.width, stored.height, stored.session_id, stored.node_id) == (20, 10, "s1", "n1")
    assert stored.metadata == {"graph": {"nodes": {}}, "seed": 3}
    assert services.images.get(record.image_name).getpixel((0, 0)) == (200, 10, 10)
    assert not [p for p in (root / "images").iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_a_node_saving_an_image_embeds_the_session_graph(invoker, root):
    session = invoker.run(GRAPH)
    name = session.results["save"].image.image_name
    with Image.open(root / "images" / name) as image:
        embedded = json.loads(image.text["invokeai_graph"])
        node = json.loads(image.text["invokeai_metadata"])["node"]
    assert embedded["nodes"]["noise"]["seed"] == 5 and set(embedded["nodes"]) == {"noise", "save"}
    assert node["type"] == "save_image" and node["id"] == "save"
    assert invoker.services.images.get_record(name).session_id == session.id


def test_the_gallery_listing_reads_only_its_partial_index(services):
    """The listing's behaviour is in tests/contract; here: it skips intermediates without reading their rows."""
    connection = services.images.db._connection
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    try:
        services.images.list()
    finally:
        connection.set_trace_callback(None)
    assert len(statements) == 2  # the count and the page
    for statement in statements:
        plan = " ".join(row[-1] for row in services.images.db.read(f"EXPLAIN QUERY PLAN {statement}"))
        assert "USING INDEX images_gallery" in plan and "TEMP B-TREE" not in plan, (statement, plan)


def test_delete_intermediates_removes_records_files_and_thumbnails_of_finished_sessions(
    services, open_services, root, monkeypatch
):
    from invoke_services_local import image_storage

    monkeypatch.setattr(image_storage, "_IN_CHUNK", 2)  # several `IN (...)` batches with few sessions
    final = services.images.save(red(), session_id="done-1")
    done = [services.images.save(red(), session_id=f"done-{i}", is_intermediate=True) for i in range(5)]
    busy = services.images.save(red(), session_id="busy", is_intermediate=True)
    unowned = services.images.save(red(), is_intermediate=True)
    services.images.thumbnail_path(done[0].image_name)
    asked = []

    def in_use(session_id: str) -> bool:
        asked.append(session_id)
        return session_id == "busy"

    assert services.images.delete_intermediates(in_use) == 6
    assert sorted(asked) == ["busy", *[f"done-{i}" for i in range(5)]]
    for gone in [*done, unowned]:
        assert not (root / "images" / gone.image_name).exists()
        with pytest.raises(ImageNotFoundError):
            services.images.get_record(gone.image_name)
    assert list((root / "images" / "thumbnails").iterdir()) == []
    reopened = open_services().images
    left = reopened.list(include_intermediates=True).items
    assert {r.image_name for r in left} == {final.image_name, busy.image_name}
    assert reopened.get(busy.image_name).size == (20, 10)


def test_delete_finished_intermediates_asks_the_stored_sessions_and_the_queue(invoker, services):
    from invoke_core.services.image_storage import delete_finished_intermediates

    two_steps = {
        "nodes": {"a": {"type": "integer", "value": 1}, "b": {"type": "add", "b": 2}},
        "edges": [{"source": {"node_id": "a", "field": "value"}, "destination": {"node_id": "b", "field": "a"}}],
    }
    completed = invoker.run(two_steps)
    stepped = invoker.run(two_steps, invoke_all=False)
    queued_again = invoker.run(two_steps)
    services.queue.enqueue(queued_again)  # the processor is not started: the item stays pending
    saved = {
        owner: services.images.save(red(), session_id=owner, is_intermediate=True).image_name
        for owner in (completed.id, stepped.id, queued_again.id, "deleted-session")
    }
    assert delete_finished_intermediates(services) == 2
    left = {r.image_name for r in services.images.list(include_intermediates=True).items}
    assert left == {saved[stepped.id], saved[queued_again.id]}


def test_thumbnail_is_a_webp_made_once(services, root):
    record = services.images.save(red(600, 300))
    path = services.images.thumbnail_path(record.image_name)
    assert path.parent == root / "images" / "thumbnails" and path.suffix == ".webp"
    made = path.stat().st_mtime_ns
    thumbnail = services.images.thumbnail(record.image_name)
    assert thumbnail.format == "WEBP" and thumbnail.size == (256, 128)
    assert services.images.thumbnail_path(record.image_name).stat().st_mtime_ns == made
    assert services.images.thumbnail(record.image_name, max_size=50).size == (50, 25)


def test_delete_removes_record_file_and_thumbnail(services, root):
    record = services.images.save(red())
    thumbnail = services.images.thumbnail_path(record.image_name)
    services.images.delete(record.image_name)
    assert not (root / "images" / record.image_name).exists() and not thumbnail.exists()
    with pytest.raises(ImageNotFoundError):
        services.images.get_record(record.image_name)
    with pytest.raises(ImageNotFoundError):
        services.images.delete(record.image_name)


@pytest.mark.parametrize(
    "name", ["../invoke.db", "/etc/passwd", "a/b.png", "thumbnails", "", "ABCDEF0123456789ABCDEF0123456789.png"]
)
def test_names_from_outside_are_not_found_and_touch_nothing(services, root, name):
    outside = root / "outside.png"
    red().save(outside)
    for call in (services.images.get, services.images.get_record, services.images.path, services.images.delete):
        with pytest.raises(ImageNotFoundError):
            call(name)
    with pytest.raises(ImageNotFoundError):
        services.images.delete("../outside.png")
    assert outside.is_file()


def test_a_missing_or_damaged_file_is_an_error_about_that_image_only(services, root):
    missing, damaged, fine = (services.images.save(red()) for _ in range(3))
    (root / "images" / missing.image_name).unlink()
    (root / "images" / damaged.image_name).write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(ImageNotFoundError, match=missing.image_name):
        services.images.get(missing.image_name)
    with pytest.raises(CorruptDataError, match=damaged.image_name):
        services.images.get(damaged.image_name)
    with pytest.raises(CorruptDataError):
        services.images.thumbnail(damaged.image_name)
    assert services.images.get(fine.image_name).size == (20, 10)
    assert services.images.list().total == 3  # the records stay, and can be deleted
    services.images.delete(missing.image_name)


def test_stale_temp_files_are_removed_when_storage_opens(services, open_services, root):
    record = services.images.save(red())
    stale = root / "images" / f"{TEMP_PREFIX}dead-beef.png"
    stale.write_bytes(b"half a png")
    services.close()
    reopened = open_services()
    assert not stale.exists()
    assert reopened.images.get(record.image_name).size == (20, 10)  # kept across the reopen


class SlowToWrite:
    """An image whose PNG is written only when told to, so a save can be caught half-way."""

    def __init__(self, writing: threading.Event, go_on: threading.Event):
        self.image, self.writing, self.go_on = red(), writing, go_on
        self.width, self.height = self.image.size

    def save(self, handle, **options) -> None:
        self.writing.set()
        assert self.go_on.wait(30)
        self.image.save(handle, **options)


def test_opening_storage_does_not_break_a_save_in_flight(services, open_services):
    writing, go_on, saved, errors = threading.Event(), threading.Event(), [], []

    def save() -> None:
        try:
            saved.append(services.images.save(SlowToWrite(writing, go_on)))
        except Exception as exc:
            errors.append(exc)

    saver = threading.Thread(target=save)
    saver.start()
    assert writing.wait(30)
    open_services()  # a CLI starting next to a busy server
    go_on.set()
    saver.join(30)
    assert errors == []
    assert services.images.get(saved[0].image_name).size == (20, 10)


def test_a_file_without_a_record_is_neither_listed_nor_found(services, root):
    kept = services.images.save(red())
    orphan = "0123456789abcdef0123456789abcdef.png"  # as a crash between file and record leaves it
    red().save(root / "images" / orphan)
    assert [r.image_name for r in services.images.list().items] == [kept.image_name]
    with pytest.raises(ImageNotFoundError):
        services.images.get(orphan)


def test_an_image_png_cannot_hold_is_refused_and_leaves_nothing(services, root):
    with pytest.raises((OSError, ValueError)):
        services.images.save(Image.new("PA", (8, 8)))
    assert list((root / "images").glob("*.png")) == [] and services.images.list().total == 0
    assert [p.name for p in (root / "images").iterdir()] == ["thumbnails"]
