"""The in-memory services: session storage, queue (and batches), images, objects, cache, events."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Literal

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    Batch,
    Field,
    FieldNotFoundError,
    Graph,
    InvocationContext,
    InvokeConfig,
    NodeNotFoundError,
    NodeValidationError,
    SessionCanceledEvent,
    SessionCompleteEvent,
)
from invoke_core.errors import (
    ImageNotFoundError,
    ObjectNotFoundError,
    QueueItemNotFoundError,
    SessionNotFoundError,
)
from invoke_core.events import Event
from invoke_core.services.events import MemoryEventService
from invoke_core.services.image_storage import MemoryImageStorage
from invoke_core.services.invocation_cache import MemoryInvocationCache
from invoke_core.services.object_storage import MemoryObjectStorage
from invoke_core.services.session_queue import QUEUE_STATUSES, MemorySessionQueue
from invoke_core.services.session_storage import MemorySessionStorage
from invoke_core.session import Session
from PIL import Image
from pydantic import ValidationError

from tests.core.helpers import edge

# ---- session storage -------------------------------------------------------------------


def make_session(created_at: float | None = None) -> Session:
    session = Session({"nodes": {"a": {"type": "add", "a": 1, "b": 2}}, "edges": []})
    if created_at is not None:
        session.created_at = created_at
    return session


def test_session_storage_set_get_replace_delete():
    storage = MemorySessionStorage()
    session = make_session()
    storage.set(session)
    assert storage.get(session.id) is session  # live object: readers see progress

    replacement = Session({"nodes": {"b": {"type": "sub"}}, "edges": []}, id=session.id)
    storage.set(replacement)
    assert storage.get(session.id) is replacement

    other = make_session()
    storage.set(other)
    storage.delete(session.id)
    with pytest.raises(SessionNotFoundError, match=session.id):
        storage.get(session.id)
    with pytest.raises(SessionNotFoundError):
        storage.delete(session.id)
    assert storage.get(other.id) is other


def test_session_storage_missing_id_raises():
    storage = MemorySessionStorage()
    storage.set(make_session())
    with pytest.raises(SessionNotFoundError, match="nope"):
        storage.get("nope")
    with pytest.raises(LookupError):  # SessionNotFoundError is a LookupError too
        storage.delete("nope")


def test_session_storage_list_of_empty_storage():
    page = MemorySessionStorage().list()
    assert (page.items, page.page, page.per_page, page.total) == ([], 0, 20, 0)


def test_session_storage_lists_newest_first_with_paging():
    storage = MemorySessionStorage()
    # stored out of creation order, so insertion order is not what decides
    stamps = [30.0, 10.0, 50.0, 20.0, 40.0]
    sessions = {stamp: make_session(stamp) for stamp in stamps}
    for session in sessions.values():
        storage.set(session)
    newest_first = [sessions[stamp].id for stamp in sorted(stamps, reverse=True)]

    everything = storage.list()
    assert [s.id for s in everything.items] == newest_first
    assert everything.items[0] is sessions[50.0]  # the live sessions, not copies
    assert (everything.page, everything.per_page, everything.total) == (0, 20, 5)

    pages = [storage.list(page=n, per_page=2) for n in range(4)]
    assert [[s.id for s in p.items] for p in pages] == [newest_first[0:2], newest_first[2:4], newest_first[4:5], []]
    assert all(p.total == 5 and p.per_page == 2 for p in pages)
    assert [p.page for p in pages] == [0, 1, 2, 3]
    assert pages[0].pages == 3

    storage.delete(newest_first[0])
    assert [s.id for s in storage.list().items] == newest_first[1:]


@pytest.mark.parametrize("page, per_page", [(-1, 20), (0, 0), (0, -5), (0, 10_001)])
def test_session_storage_bad_paging_raises(page, per_page):
    storage = MemorySessionStorage()
    with pytest.raises(ValueError):
        storage.list(page=page, per_page=per_page)


# ---- session queue ---------------------------------------------------------------------


def claim_all(queue: MemorySessionQueue) -> list:
    claimed = []
    while (item := queue.claim_next()) is not None:
        claimed.append(item)
    return claimed


def test_queue_claims_in_enqueue_order():
    queue = MemorySessionQueue()
    sessions = [Session() for _ in range(4)]
    items = [queue.enqueue(session) for session in sessions]
    assert [item.item_id for item in items] == sorted({item.item_id for item in items})
    assert all(item.status == "pending" for item in items)
    assert [item.session_id for item in items] == [s.id for s in sessions]
    assert [item.session_id for item in claim_all(queue)] == [s.id for s in sessions]


def test_queue_higher_priority_first_then_oldest():
    queue = MemorySessionQueue()
    low = queue.enqueue(Session(), priority=0)
    high1 = queue.enqueue(Session(), priority=5)
    mid = queue.enqueue(Session(), priority=1)
    high2 = queue.enqueue(Session(), priority=5)
    negative = queue.enqueue(Session(), priority=-3)
    order = [item.item_id for item in claim_all(queue)]
    assert order == [high1.item_id, high2.item_id, mid.item_id, low.item_id, negative.item_id]


def test_queue_front_goes_before_equal_priority_and_fronts_are_lifo():
    queue = MemorySessionQueue()
    a = queue.enqueue(Session())
    b = queue.enqueue(Session())
    front1 = queue.enqueue(Session(), front=True)
    front2 = queue.enqueue(Session(), front=True)
    urgent = queue.enqueue(Session(), priority=1)
    c = queue.enqueue(Session())
    order = [item.item_id for item in claim_all(queue)]
    # priority still wins over front; among priority 0 the latest front item comes first
    assert order == [urgent.item_id, front2.item_id, front1.item_id, a.item_id, b.item_id, c.item_id]


def test_queue_front_does_not_jump_higher_priority():
    queue = MemorySessionQueue()
    high = queue.enqueue(Session(), priority=2)
    front_low = queue.enqueue(Session(), priority=0, front=True)
    assert [item.item_id for item in claim_all(queue)] == [high.item_id, front_low.item_id]


def test_claim_next_marks_in_progress_and_hands_over_the_session():
    queue = MemorySessionQueue()
    session = Session({"nodes": {"a": {"type": "add"}}, "edges": []})
    item = queue.enqueue(session, invoke_all=False)
    assert item.session is None and item.started_at is None

    before = time.time()
    claimed = queue.claim_next()
    assert claimed is not None
    assert claimed.item_id == item.item_id
    assert claimed.status == "in_progress"
    assert claimed.session is session
    assert claimed.invoke_all is False
    assert claimed.started_at is not None and claimed.started_at >= before
    assert "session" not in claimed.model_dump()  # the live session never goes into JSON

    stored = queue.get(item.item_id)
    assert stored.status == "in_progress" and stored.started_at == claimed.started_at
    assert queue.claim_next() is None  # it is not handed out twice


def test_claim_next_on_empty_queue_returns_none():
    assert MemorySessionQueue().claim_next() is None


def test_get_returns_a_copy():
    queue = MemorySessionQueue()
    item = queue.enqueue(Session())
    copy = queue.get(item.item_id)
    copy.status = "failed"
    assert queue.get(item.item_id).status == "pending"


def test_finish_completed_and_failed_set_timestamps_and_error():
    queue = MemorySessionQueue()
    ok = queue.enqueue(Session())
    bad = queue.enqueue(Session())
    claimed_ok, claimed_bad = queue.claim_next(), queue.claim_next()
    assert (claimed_ok.item_id, claimed_bad.item_id) == (ok.item_id, bad.item_id)

    done = queue.finish(ok.item_id, "completed")
    assert done.status == "completed" and done.error is None
    assert done.completed_at is not None and done.completed_at >= done.started_at

    failed = queue.finish(bad.item_id, "failed", error="node 'a' exploded")
    assert failed.status == "failed" and failed.error == "node 'a' exploded"
    assert failed.completed_at is not None and failed.completed_at >= failed.started_at

    assert queue.get(ok.item_id).status == "completed"
    assert queue.get(bad.item_id).error == "node 'a' exploded"


def test_finish_does_not_undo_a_cancel():
    queue = MemorySessionQueue()
    item = queue.enqueue(Session())
    queue.claim_next()
    canceled = queue.cancel(item.item_id)
    assert canceled.status == "canceled"
    stamp = canceled.completed_at

    after = queue.finish(item.item_id, "completed")
    assert after.status == "canceled"
    after = queue.finish(item.item_id, "failed", error="too late")
    assert after.status == "canceled" and after.error is None and after.completed_at == stamp
    assert queue.get(item.item_id).status == "canceled"


def test_cancel_one_item():
    queue = MemorySessionQueue()
    keep = queue.enqueue(Session())
    drop = queue.enqueue(Session())
    canceled = queue.cancel(drop.item_id)
    assert canceled.item_id == drop.item_id and canceled.status == "canceled"
    assert canceled.completed_at is not None
    assert [item.item_id for item in claim_all(queue)] == [keep.item_id]


def test_cancel_leaves_finished_items_alone():
    queue = MemorySessionQueue()
    item = queue.enqueue(Session())
    queue.claim_next()
    queue.finish(item.item_id, "completed")
    assert queue.cancel(item.item_id).status == "completed"
    assert queue.cancel_all() == []


def test_cancel_batch_and_cancel_all_return_what_they_canceled():
    queue = MemorySessionQueue()
    loose = queue.enqueue(Session())
    in_a = [queue.enqueue(Session(), batch_id="A") for _ in range(3)]
    in_b = [queue.enqueue(Session(), batch_id="B") for _ in range(2)]

    # finish the loose item, leave A's first item running
    assert queue.claim_next().item_id == loose.item_id
    queue.finish(loose.item_id, "completed")
    assert queue.claim_next().item_id == in_a[0].item_id

    canceled_a = queue.cancel_batch("A")
    assert [item.item_id for item in canceled_a] == [item.item_id for item in in_a]  # running ones too
    assert all(item.status == "canceled" for item in canceled_a)
    assert queue.cancel_batch("A") == []  # nothing left to cancel
    assert queue.cancel_batch("no such batch") == []

    canceled_all = queue.cancel_all()
    assert [item.item_id for item in canceled_all] == [item.item_id for item in in_b]
    assert queue.get(loose.item_id).status == "completed"
    assert queue.claim_next() is None  # canceled pending items are never claimed
    assert queue.counts() == {"pending": 0, "in_progress": 0, "completed": 1, "failed": 0, "canceled": 5}


def test_clear_and_prune_counts():
    queue = MemorySessionQueue()
    items = [queue.enqueue(Session()) for _ in range(6)]
    for status in ("completed", "failed"):
        claimed = queue.claim_next()
        queue.finish(claimed.item_id, status)
    queue.cancel(items[2].item_id)
    running = queue.claim_next()  # items[3]
    assert running.item_id == items[3].item_id

    assert queue.prune() == 3  # completed, failed, canceled
    assert [item.item_id for item in queue.list().items] == [items[3].item_id, items[4].item_id, items[5].item_id]
    assert queue.prune() == 0
    with pytest.raises(QueueItemNotFoundError):
        queue.get(items[0].item_id)
    assert queue.claim_next().item_id == items[4].item_id  # pending ones survive a prune

    assert queue.clear() == 3
    assert queue.list().total == 0
    assert queue.claim_next() is None
    assert queue.clear() == 0
    assert queue.counts() == dict.fromkeys(QUEUE_STATUSES, 0)


def test_counts_total_and_per_batch():
    queue = MemorySessionQueue()
    assert queue.counts() == dict.fromkeys(QUEUE_STATUSES, 0)
    for _ in range(2):
        queue.enqueue(Session(), batch_id="A")
    for _ in range(3):
        queue.enqueue(Session(), batch_id="B")
    queue.enqueue(Session())
    first = queue.claim_next()  # A's first
    queue.finish(first.item_id, "failed", error="x")
    queue.claim_next()  # A's second, left running
    queue.cancel_batch("B")

    assert queue.counts() == {"pending": 1, "in_progress": 1, "completed": 0, "failed": 1, "canceled": 3}
    assert queue.counts("A") == {"pending": 0, "in_progress": 1, "completed": 0, "failed": 1, "canceled": 0}
    assert queue.counts("B") == {"pending": 0, "in_progress": 0, "completed": 0, "failed": 0, "canceled": 3}
    assert queue.counts("C") == dict.fromkeys(QUEUE_STATUSES, 0)


def test_list_filters_by_status_in_id_order_with_paging():
    queue = MemorySessionQueue()
    items = [queue.enqueue(Session(), priority=p) for p in (0, 3, 0, 1, 0)]
    ids = [item.item_id for item in items]
    claimed = queue.claim_next()  # the priority 3 one
    assert claimed.item_id == ids[1]

    everything = queue.list()
    assert [item.item_id for item in everything.items] == ids  # id order, not claim order
    assert everything.total == 5

    pending = queue.list(status="pending")
    assert [item.item_id for item in pending.items] == [ids[0], ids[2], ids[3], ids[4]]
    assert pending.total == 4
    assert [item.item_id for item in queue.list(status="in_progress").items] == [ids[1]]
    assert queue.list(status="completed").total == 0

    page1 = queue.list(status="pending", page=1, per_page=3)
    assert [item.item_id for item in page1.items] == [ids[4]]
    assert (page1.page, page1.per_page, page1.total) == (1, 3, 4)
    assert queue.list(page=5, per_page=2).items == []
    with pytest.raises(ValueError):
        queue.list(page=-1)
    with pytest.raises(ValueError):
        queue.list(per_page=0)


def test_queue_item_not_found():
    queue = MemorySessionQueue()
    queue.enqueue(Session())
    with pytest.raises(QueueItemNotFoundError, match="999"):
        queue.get(999)
    with pytest.raises(QueueItemNotFoundError):
        queue.cancel(999)
    with pytest.raises(QueueItemNotFoundError):
        queue.finish(999, "completed")


def test_items_for_session_lists_unfinished_items_of_one_session():
    queue = MemorySessionQueue()
    session, other = Session(), Session()
    done = queue.enqueue(session)
    running = queue.enqueue(session)
    waiting = queue.enqueue(session)
    queue.enqueue(other)
    queue.claim_next()
    queue.finish(done.item_id, "completed")
    queue.claim_next()
    found = [item.item_id for item in queue.items_for_session(session.id)]
    assert sorted(found) == [running.item_id, waiting.item_id]


# ---- batches ---------------------------------------------------------------------------


def batch_graph() -> Graph:
    return Graph.model_validate(
        {
            "nodes": {
                "a": {"type": "add", "a": 1, "b": 2},
                "m": {"type": "mul", "a": 0, "b": 1},
                "r": {"type": "range", "start": 0, "stop": 3},
            },
            "edges": [edge("a", "value", "m", "a")],
        }
    )


def datum(node: str, field: str, items: list) -> dict:
    return {"node_path": node, "field_name": field, "items": items}


def test_batch_zips_within_group_crosses_groups_and_repeats_runs():
    batch = Batch(
        graph=batch_graph(),
        data=[
            [datum("a", "a", [1, 2, 3]), datum("a", "b", [10, 20, 30])],
            [datum("m", "b", [5, 6])],
        ],
        runs=2,
    )
    assert batch.session_count() == 12
    queue = MemorySessionQueue()
    result = queue.enqueue_batch(batch, priority=2)
    assert (result.batch_id, result.enqueued, result.priority) == (batch.batch_id, 12, 2)

    one_run = [(a, b, mb) for a, b in [(1, 10), (2, 20), (3, 30)] for mb in (5, 6)]
    expected = one_run * 2

    listed = queue.list(per_page=100).items
    assert len(listed) == 12
    assert all(item.batch_id == batch.batch_id and item.priority == 2 for item in listed)
    assert [[(v["node_path"], v["field_name"], v["value"]) for v in item.field_values] for item in listed] == [
        [("a", "a", a), ("a", "b", b), ("m", "b", mb)] for a, b, mb in expected
    ]

    claimed = claim_all(queue)
    assert [item.item_id for item in claimed] == [item.item_id for item in listed]
    seen = []
    for item in claimed:
        nodes = item.session.graph.nodes
        seen.append((nodes["a"].a, nodes["a"].b, nodes["m"].b))
        assert nodes["m"].a == 0 and nodes["r"].stop == 3  # untouched fields keep the graph's values
        assert len(item.session.graph.edges) == 1
    assert seen == expected
    assert len({item.session.id for item in claimed}) == 12  # every run is its own session
    assert queue.counts(batch.batch_id)["in_progress"] == 12


def test_batch_sessions_run_with_their_values(invoker):
    batch = Batch(graph=batch_graph(), data=[[datum("a", "a", [4, 7])]])
    invoker.services.queue.enqueue_batch(batch)
    values = []
    while (item := invoker.services.queue.claim_next()) is not None:
        session = invoker.run(item.session)
        values.append(session.results["m"].value)
    assert values == [6, 9]  # (a + 2) * 1


def test_batch_without_data_enqueues_runs_copies():
    queue = MemorySessionQueue()
    result = queue.enqueue_batch(Batch(graph=batch_graph(), runs=3))
    assert result.enqueued == 3
    items = claim_all(queue)
    assert [item.field_values for item in items] == [[], [], []]
    assert all(item.session.graph.nodes["a"].a == 1 for item in items)


def test_batch_values_take_the_fields_validated_form():
    queue = MemorySessionQueue()
    graph = Graph.model_validate({"nodes": {"a": {"type": "add"}, "f": {"type": "float"}}, "edges": []})
    queue.enqueue_batch(Batch(graph=graph, data=[[datum("a", "a", ["7"])], [datum("f", "value", [3])]]))
    item = queue.claim_next()
    assert item.field_values == [
        {"node_path": "a", "field_name": "a", "value": 7},
        {"node_path": "f", "field_name": "value", "value": 3.0},
    ]
    assert item.session.graph.nodes["a"].a == 7
    assert isinstance(item.session.graph.nodes["f"].value, float)


@pytest.mark.parametrize(
    "node, field, items, message",
    [
        ("a", "b", [1, "lots"], "lots"),  # not an int
        ("r", "step", [1, 0], "zero"),  # the field's own validator
    ],
)
def test_batch_value_failing_validation_is_rejected_naming_node_and_field(node, field, items, message):
    queue = MemorySessionQueue()
    batch = Batch(graph=batch_graph(), data=[[datum(node, field, items)]])
    with pytest.raises(NodeValidationError, match=message) as caught:
        queue.enqueue_batch(batch)
    assert caught.value.node_id == node and caught.value.field == field
    assert repr(node) in str(caught.value) and repr(field) in str(caught.value)
    assert queue.list().total == 0  # nothing of the batch was enqueued


class MemoryServicesTestBoundedInvocation(BaseInvocation):
    """Has an input with a constraint."""

    type: Literal["memory_services_test_bounded"] = "memory_services_test_bounded"
    small: int = Field(default=0, le=5)

    class Outputs(BaseInvocationOutput):
        value: int

    def invoke(self, context: InvocationContext) -> MemoryServicesTestBoundedInvocation.Outputs:
        return self.Outputs(value=self.small)


def test_batch_value_failing_a_constraint_is_rejected():
    graph = Graph.model_validate({"nodes": {"n": {"type": "memory_services_test_bounded"}}, "edges": []})
    queue = MemorySessionQueue()
    with pytest.raises(NodeValidationError, match="'small'") as caught:
        queue.enqueue_batch(Batch(graph=graph, data=[[datum("n", "small", [5, 6])]]))
    assert (caught.value.node_id, caught.value.field) == ("n", "small")
    assert queue.enqueue_batch(Batch(graph=graph, data=[[datum("n", "small", [4, 5])]])).enqueued == 2


def test_batch_group_with_mismatched_lengths_is_rejected():
    with pytest.raises(ValidationError, match="same length"):
        Batch(graph=batch_graph(), data=[[datum("a", "a", [1, 2]), datum("a", "b", [1, 2, 3])]])
    # different lengths in different groups are fine
    batch = Batch(graph=batch_graph(), data=[[datum("a", "a", [1, 2])], [datum("a", "b", [1, 2, 3])]])
    assert batch.session_count() == 6


def test_batch_unknown_node_or_field():
    queue = MemorySessionQueue()
    with pytest.raises(NodeNotFoundError, match="ghost") as caught:
        queue.enqueue_batch(Batch(graph=batch_graph(), data=[[datum("ghost", "a", [1])]]))
    assert caught.value.node_id == "ghost"
    with pytest.raises(FieldNotFoundError, match="nope") as caught:
        queue.enqueue_batch(Batch(graph=batch_graph(), data=[[datum("a", "nope", [1])]]))
    assert (caught.value.node_id, caught.value.field) == ("a", "nope")
    with pytest.raises(FieldNotFoundError):  # reserved fields are not inputs
        queue.enqueue_batch(Batch(graph=batch_graph(), data=[[datum("a", "type", ["mul"])]]))
    assert queue.list().total == 0


def test_front_batches_keep_their_internal_order():
    queue = MemorySessionQueue()
    waiting = queue.enqueue(Session())
    first = Batch(graph=batch_graph(), data=[[datum("a", "a", [1, 2, 3])]])
    second = Batch(graph=batch_graph(), data=[[datum("a", "a", [7, 8])]])
    queue.enqueue_batch(first, front=True)
    queue.enqueue_batch(second, front=True)
    claimed = claim_all(queue)
    assert [item.batch_id for item in claimed] == [second.batch_id] * 2 + [first.batch_id] * 3 + [None]
    assert [item.session.graph.nodes["a"].a for item in claimed[:5]] == [7, 8, 1, 2, 3]
    assert [item.field_values[0]["value"] for item in claimed[:5]] == [7, 8, 1, 2, 3]
    assert claimed[5].item_id == waiting.item_id


def test_cancel_batch_of_a_real_batch():
    queue = MemorySessionQueue()
    other = queue.enqueue(Session())
    result = queue.enqueue_batch(Batch(graph=batch_graph(), data=[[datum("a", "a", [1, 2, 3])]]))
    canceled = queue.cancel_batch(result.batch_id)
    assert len(canceled) == 3 and {item.batch_id for item in canceled} == {result.batch_id}
    assert [item.item_id for item in claim_all(queue)] == [other.item_id]


# ---- image storage ---------------------------------------------------------------------


def make_image(width: int = 4, height: int = 3, seed: int = 0) -> Image.Image:
    image = Image.new("RGB", (width, height))
    image.putdata(
        [
            ((x * 40 + seed) % 256, (y * 70 + seed) % 256, (x * y + seed) % 256)
            for y in range(height)
            for x in range(width)
        ]
    )
    return image


def pixels(image: Image.Image) -> tuple:
    return image.mode, image.size, image.tobytes()


def test_image_save_returns_record():
    storage = MemoryImageStorage()
    before = time.time()
    record = storage.save(make_image(5, 2), session_id="s1", node_id="n1", is_intermediate=True, metadata={"seed": 3})
    assert (record.width, record.height) == (5, 2)
    assert (record.session_id, record.node_id, record.is_intermediate) == ("s1", "n1", True)
    assert record.metadata == {"seed": 3}
    assert record.image_name.endswith(".png") and len(record.image_name) > len(".png")
    assert record.created_at >= before
    assert storage.get_record(record.image_name) == record

    plain = storage.save(make_image())
    assert (plain.session_id, plain.node_id, plain.is_intermediate, plain.metadata) == (None, None, False, {})


def test_image_names_are_unique():
    storage = MemoryImageStorage()
    image = make_image()
    names = {storage.save(image).image_name for _ in range(20)}
    assert len(names) == 20
    assert all(name.endswith(".png") for name in names)


def test_image_get_returns_an_equal_copy():
    storage = MemoryImageStorage()
    original = make_image(6, 4, seed=9)
    expected = pixels(original)
    record = storage.save(original)

    original.putpixel((0, 0), (1, 2, 3))  # changing the caller's image later does not reach storage
    got = storage.get(record.image_name)
    assert got.size == (6, 4) and got.mode == "RGB"
    assert pixels(got) == expected

    got.putpixel((1, 1), (255, 255, 255))
    got.paste((0, 0, 0), (0, 0, 6, 4))
    assert pixels(storage.get(record.image_name)) == expected
    assert storage.get(record.image_name) is not storage.get(record.image_name)


def test_image_list_newest_first_filtered_and_paged():
    storage = MemoryImageStorage()
    records = [storage.save(make_image(seed=i), session_id="s1" if i % 2 == 0 else "s2") for i in range(7)]
    names = [record.image_name for record in records]

    everything = storage.list()
    assert [r.image_name for r in everything.items] == names[::-1]
    assert everything.total == 7

    s1 = storage.list(session_id="s1")
    assert [r.image_name for r in s1.items] == [names[6], names[4], names[2], names[0]]
    assert s1.total == 4
    assert storage.list(session_id="nobody").total == 0

    page = storage.list(page=1, per_page=2, session_id="s1")
    assert [r.image_name for r in page.items] == [names[2], names[0]]
    assert (page.page, page.per_page, page.total) == (1, 2, 4)
    paged = storage.list(page=1, per_page=3)
    assert [r.image_name for r in paged.items] == [names[3], names[2], names[1]]
    with pytest.raises(ValueError):
        storage.list(per_page=0)


def test_image_delete_then_not_found():
    storage = MemoryImageStorage()
    keep = storage.save(make_image())
    gone = storage.save(make_image(seed=5))
    storage.delete(gone.image_name)
    with pytest.raises(ImageNotFoundError, match=gone.image_name):
        storage.get(gone.image_name)
    with pytest.raises(ImageNotFoundError):
        storage.get_record(gone.image_name)
    with pytest.raises(ImageNotFoundError):
        storage.delete(gone.image_name)
    assert [r.image_name for r in storage.list().items] == [keep.image_name]
    assert pixels(storage.get(keep.image_name)) == pixels(make_image())


# ---- object storage --------------------------------------------------------------------


def test_object_storage_save_load_delete():
    storage = MemoryObjectStorage()
    tensor = {"shape": [1, 4, 64, 64]}
    name = storage.save(tensor)
    assert isinstance(name, str) and name
    assert storage.load(name) is tensor
    other = storage.save([1, 2])
    assert other != name

    assert storage.save("conditioning", name="cond") == "cond"
    assert storage.load("cond") == "conditioning"
    storage.save("replaced", name="cond")
    assert storage.load("cond") == "replaced"

    storage.delete(name)
    with pytest.raises(ObjectNotFoundError, match=name):
        storage.load(name)
    with pytest.raises(ObjectNotFoundError):
        storage.delete(name)
    assert storage.load(other) == [1, 2]


def test_object_storage_missing_name():
    with pytest.raises(ObjectNotFoundError, match="missing"):
        MemoryObjectStorage().load("missing")


# ---- invocation cache ------------------------------------------------------------------


class CacheTestOutputs(BaseInvocationOutput):
    value: int


def out(value: int) -> CacheTestOutputs:
    return CacheTestOutputs(value=value)


def test_cache_evicts_least_recently_used():
    cache = MemoryInvocationCache(max_size=3)
    assert cache.enabled
    for key in "abc":
        cache.save(key, out(ord(key)))
    cache.save("d", out(4))  # evicts a, the oldest
    assert len(cache) == 3
    assert cache.get("a") is None
    assert [cache.get(k).value for k in "bcd"] == [ord("b"), ord("c"), 4]


def test_cache_get_refreshes_recency():
    cache = MemoryInvocationCache(max_size=2)
    cache.save("a", out(1))
    cache.save("b", out(2))
    assert cache.get("a").value == 1  # a is now the most recent
    cache.save("c", out(3))  # so b goes
    assert cache.get("b") is None
    assert cache.get("a").value == 1 and cache.get("c").value == 3


def test_cache_save_of_existing_key_refreshes_and_replaces():
    cache = MemoryInvocationCache(max_size=2)
    cache.save("a", out(1))
    cache.save("b", out(2))
    cache.save("a", out(10))
    cache.save("c", out(3))
    assert cache.get("b") is None
    assert cache.get("a").value == 10


def test_cache_size_zero_is_disabled():
    cache = MemoryInvocationCache(max_size=0)
    assert cache.enabled is False
    cache.save("a", out(1))
    assert len(cache) == 0
    assert cache.get("a") is None
    assert MemoryInvocationCache(InvokeConfig(node_cache_size=0)).enabled is False


def test_cache_size_comes_from_config():
    assert MemoryInvocationCache(InvokeConfig(node_cache_size=7)).max_size == 7
    assert MemoryInvocationCache().max_size == 512
    assert MemoryInvocationCache(InvokeConfig(node_cache_size=7), max_size=2).max_size == 2


def test_cache_counts_hits_and_misses_and_clears():
    cache = MemoryInvocationCache(max_size=10)
    assert (cache.hits, cache.misses) == (0, 0)
    assert cache.get("a") is None
    cache.save("a", out(1))
    stored = cache.get("a")
    assert stored.value == 1
    cache.get("a")
    cache.get("b")
    assert (cache.hits, cache.misses) == (2, 2)
    cache.clear()
    assert len(cache) == 0 and cache.get("a") is None
    assert (cache.hits, cache.misses) == (2, 3)


# ---- events ----------------------------------------------------------------------------


def events_for(n: int, prefix: str = "s") -> list[Event]:
    return [SessionCanceledEvent(session_id=f"{prefix}{i}") for i in range(n)]


def test_subscribers_get_events_in_order_and_can_unsubscribe():
    service = MemoryEventService()
    first, second = [], []
    stop_first = service.subscribe(first.append)
    service.subscribe(second.append)
    sent = events_for(3)
    for event in sent:
        service.emit(event)
    assert first == sent and second == sent

    stop_first()
    later = SessionCompleteEvent(session_id="x", status="completed")
    service.emit(later)
    assert first == sent
    assert second == [*sent, later]
    stop_first()  # a second call is harmless
    assert service.has_listeners


def test_failing_handler_does_not_stop_others(caplog):
    service = MemoryEventService()
    before, after = [], []

    def explode(event: Event) -> None:
        raise RuntimeError("handler broke")

    service.subscribe(before.append)
    service.subscribe(explode)
    service.subscribe(after.append)
    sent = events_for(2)
    with caplog.at_level(logging.ERROR, logger="invoke.events"):
        for event in sent:
            service.emit(event)  # does not raise
    assert before == sent and after == sent
    assert "handler broke" in caplog.text


def test_has_listeners():
    service = MemoryEventService()
    assert service.has_listeners is False
    stop_a = service.subscribe(lambda event: None)
    stop_b = service.subscribe(lambda event: None)
    assert service.has_listeners is True
    stop_a()
    assert service.has_listeners is True
    stop_b()
    assert service.has_listeners is False


def test_the_same_handler_subscribed_twice_gets_each_event_twice():
    service = MemoryEventService()
    got = []
    service.subscribe(got.append)
    service.subscribe(got.append)
    service.emit(events_for(1)[0])
    assert len(got) == 2


def test_stream_delivers_events_emitted_from_another_thread_in_order():
    service = MemoryEventService()
    sent = events_for(50, prefix="t")

    async def consume() -> list[Event]:
        stream = service.stream()
        first = asyncio.ensure_future(stream.__anext__())  # starts the generator: it subscribes
        for _ in range(100):
            if service.has_listeners:
                break
            await asyncio.sleep(0.01)
        assert service.has_listeners

        emitter = threading.Thread(target=lambda: [service.emit(event) for event in sent])
        emitter.start()
        received = [await asyncio.wait_for(first, timeout=5)]
        while len(received) < len(sent):
            received.append(await asyncio.wait_for(stream.__anext__(), timeout=5))
        emitter.join()
        await stream.aclose()
        return received

    received = asyncio.run(consume())
    assert [event.session_id for event in received] == [event.session_id for event in sent]
    assert received == sent
    assert service.has_listeners is False  # closing the stream unsubscribes


def test_two_streams_each_get_every_event():
    service = MemoryEventService()
    sent = events_for(10, prefix="u")

    async def consume() -> tuple[list[Event], list[Event]]:
        streams = [service.stream(), service.stream()]
        firsts = [asyncio.ensure_future(s.__anext__()) for s in streams]
        for _ in range(500):
            if len(service._handlers) == 2:
                break
            await asyncio.sleep(0.01)
        assert len(service._handlers) == 2
        thread = threading.Thread(target=lambda: [service.emit(event) for event in sent])
        thread.start()
        results = []
        for stream, first in zip(streams, firsts, strict=True):
            got = [await asyncio.wait_for(first, timeout=5)]
            while len(got) < len(sent):
                got.append(await asyncio.wait_for(stream.__anext__(), timeout=5))
            results.append(got)
            await stream.aclose()
        thread.join()
        return results[0], results[1]

    one, two = asyncio.run(consume())
    assert one == sent and two == sent


def test_image_storage_default_thumbnail_and_path():
    images = MemoryImageStorage()
    record = images.save(Image.new("RGB", (600, 300), (10, 20, 30)))
    thumb = images.thumbnail(record.image_name)
    assert thumb.size == (256, 128)  # longest side 256, aspect kept
    assert thumb.getpixel((5, 5)) == (10, 20, 30)
    assert images.thumbnail(record.image_name, max_size=60).size == (60, 30)
    assert images.get(record.image_name).size == (600, 300)  # the stored image is untouched
    assert images.path(record.image_name) is None  # kept in memory, no file
    with pytest.raises(ImageNotFoundError):
        images.path("nope.png")
    with pytest.raises(ImageNotFoundError):
        images.thumbnail("nope.png")
