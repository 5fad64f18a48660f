"""The ImageStorage contract: images saved with a record, read back as equal copies, listed
newest first, thumbnails, paths, deletion."""

from __future__ import annotations

import time

import pytest
from invoke_core.errors import ImageNotFoundError
from PIL import Image

SERVICE = "image_storage"


def make_image(width: int = 4, height: int = 3, seed: int = 0, mode: str = "RGB") -> Image.Image:
    image = Image.new("RGB", (width, height))
    image.putdata(
        [
            ((x * 40 + seed) % 256, (y * 70 + seed) % 256, (x * y + seed) % 256)
            for y in range(height)
            for x in range(width)
        ]
    )
    return image.convert(mode)


def pixels(image: Image.Image) -> tuple:
    return image.mode, image.size, image.tobytes()


def test_save_returns_the_record_get_record_gives_back(service):
    before = time.time()
    record = service.save(make_image(5, 2), session_id="s1", node_id="n1", is_intermediate=True, metadata={"seed": 3})
    assert (record.width, record.height) == (5, 2)
    assert (record.session_id, record.node_id, record.is_intermediate) == ("s1", "n1", True)
    assert record.metadata == {"seed": 3}
    assert record.image_name.endswith(".png") and len(record.image_name) > len(".png")
    assert record.created_at >= before
    assert service.get_record(record.image_name).model_dump() == record.model_dump()

    plain = service.save(make_image())
    assert (plain.session_id, plain.node_id, plain.is_intermediate, plain.metadata) == (None, None, False, {})


def test_names_are_unique(service):
    image = make_image()
    assert len({service.save(image).image_name for _ in range(20)}) == 20


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
def test_get_returns_an_equal_copy(service, mode):
    original = make_image(6, 4, seed=9, mode=mode)
    expected = pixels(original)
    record = service.save(original)
    original.paste(0, (0, 0, 6, 4))  # changing the caller's image later does not reach storage

    got = service.get(record.image_name)
    assert pixels(got) == expected
    got.paste(255, (0, 0, 6, 4))  # nor does changing what get returned
    assert pixels(service.get(record.image_name)) == expected


def test_list_is_newest_first_filtered_by_session_and_paged(service):
    records = [service.save(make_image(seed=i), session_id="s1" if i % 2 == 0 else "s2") for i in range(7)]
    names = [record.image_name for record in records]

    everything = service.list()
    assert [r.image_name for r in everything.items] == names[::-1]
    assert (everything.page, everything.per_page, everything.total) == (0, 20, 7)
    s1 = service.list(session_id="s1")
    assert [r.image_name for r in s1.items] == [names[6], names[4], names[2], names[0]] and s1.total == 4
    assert service.list(session_id="nobody").total == 0

    page = service.list(page=1, per_page=2, session_id="s1")
    assert [r.image_name for r in page.items] == [names[2], names[0]]
    assert (page.page, page.per_page, page.total) == (1, 2, 4)
    assert [r.image_name for r in service.list(page=1, per_page=3).items] == [names[3], names[2], names[1]]
    assert service.list(page=9, per_page=3).items == []


@pytest.mark.parametrize(("page", "per_page"), [(-1, 20), (0, 0), (0, 10_001)])
def test_bad_paging_is_a_value_error(service, page, per_page):
    with pytest.raises(ValueError):
        service.list(page=page, per_page=per_page)


def test_delete_then_not_found(service):
    keep = service.save(make_image())
    gone = service.save(make_image(seed=5))
    service.delete(gone.image_name)
    for call in (service.get, service.get_record, service.delete, service.path, service.thumbnail):
        with pytest.raises(ImageNotFoundError, match=gone.image_name):
            call(gone.image_name)
    assert [r.image_name for r in service.list().items] == [keep.image_name]
    assert pixels(service.get(keep.image_name)) == pixels(make_image())


def test_an_unknown_name_is_not_found(service):
    for call in (service.get, service.get_record, service.delete, service.path, service.thumbnail):
        with pytest.raises(ImageNotFoundError):
            call("0123456789abcdef0123456789abcdef.png")


def test_thumbnail_keeps_the_aspect_and_leaves_the_image_alone(service):
    record = service.save(Image.new("RGB", (600, 300), (10, 200, 30)))
    thumbnail = service.thumbnail(record.image_name)
    assert thumbnail.size == (256, 128)  # longest side 256
    red, green, blue = thumbnail.convert("RGB").getpixel((64, 64))
    assert abs(red - 10) <= 8 and abs(green - 200) <= 8 and abs(blue - 30) <= 8  # a lossy format may shift it
    assert service.thumbnail(record.image_name, max_size=60).size == (60, 30)
    assert service.get(record.image_name).size == (600, 300)


def test_path_is_none_or_the_images_file(service):
    image = make_image(7, 5, seed=3)
    record = service.save(image)
    path = service.path(record.image_name)
    if path is not None:  # a storage that keeps a file on this machine names it
        with Image.open(path) as stored:
            assert pixels(stored.convert(image.mode)) == pixels(image)


@pytest.mark.needs("persistent")
def test_images_and_records_survive_a_reopen(service, open_service):
    image = make_image(8, 6, seed=4)
    record = service.save(image, session_id="s", node_id="n", is_intermediate=True, metadata={"k": [1]})
    open_service.close(service)
    reopened = open_service()
    assert reopened.get_record(record.image_name).model_dump() == record.model_dump()
    assert pixels(reopened.get(record.image_name)) == pixels(image)


def test_list_leaves_out_intermediates_unless_asked(service):
    first = service.save(make_image(), session_id="s1")
    passed_on = service.save(make_image(seed=1), session_id="s1", is_intermediate=True)
    last = service.save(make_image(seed=2), session_id="s2")

    gallery = service.list()
    assert [r.image_name for r in gallery.items] == [last.image_name, first.image_name] and gallery.total == 2
    assert [r.image_name for r in service.list(session_id="s1").items] == [first.image_name]
    everything = service.list(include_intermediates=True)
    assert [r.image_name for r in everything.items] == [last.image_name, passed_on.image_name, first.image_name]
    assert everything.total == 3
    of_s1 = service.list(session_id="s1", include_intermediates=True, per_page=1)
    assert [r.image_name for r in of_s1.items] == [passed_on.image_name] and of_s1.total == 2
    assert service.get_record(passed_on.image_name).is_intermediate  # still there by name


def test_delete_intermediates_spares_sessions_in_use_and_every_final_image(service):
    final = service.save(make_image(), session_id="done")
    done = [service.save(make_image(seed=i), session_id="done", is_intermediate=True) for i in range(2)]
    busy = service.save(make_image(seed=3), session_id="busy", is_intermediate=True)
    unowned = service.save(make_image(seed=4), is_intermediate=True)
    asked = []

    def in_use(session_id: str) -> bool:
        asked.append(session_id)
        return session_id == "busy"

    assert service.delete_intermediates(in_use) == 3
    assert sorted(asked) == ["busy", "done"]  # once per session; an image with no session has no one to ask
    for gone in [*done, unowned]:
        with pytest.raises(ImageNotFoundError):
            service.get(gone.image_name)
    left = service.list(include_intermediates=True).items
    assert {r.image_name for r in left} == {final.image_name, busy.image_name}
    assert pixels(service.get(busy.image_name)) == pixels(make_image(seed=3))
    assert service.delete_intermediates(in_use) == 0
