"""The in-memory services, what only they do: live objects handed back, no files, counters;
and batches on the memory queue. What every implementation does is in tests/contract/."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    Batch,
    Field,
    Graph,
    InvocationContext,
    InvokeConfig,
    NodeValidationError,
    SessionCanceledEvent,
)
from invoke_core.errors import ImageNotFoundError
from invoke_core.events import Event
from invoke_core.services.events import MemoryEventService
from invoke_core.services.image_storage import MemoryImageStorage
from invoke_core.services.invocation_cache import MemoryInvocationCache
from invoke_core.services.object_storage import MemoryObjectStorage
from invoke_core.services.session_queue import MemorySessionQueue
from invoke_core.services.session_storage import MemorySessionStorage
from invoke_core.session import Session
from PIL import Image
from pydantic import ValidationError

from tests.core.helpers import batch_graph, datum, edge

# ---- session storage -------------------------------------------------------------------


def make_session(created_at: float | None = None) -> Session:
    session = Session({"nodes": {"a": {"type": "add", "a": 1, "b": 2}}, "edges": []})
    if created_at is not None:
        session.created_at = created_at
    return session


def test_session_storage_keeps_the_live_sessions():
    storage = MemorySessionStorage()
    session = make_session()
    storage.set(session)
    assert storage.get(session.id) is session  # live object: readers see progress
    assert storage.list().items[0] is session

    replacement = Session({"nodes": {"b": {"type": "sub"}}, "edges": []}, id=session.id)
    storage.set(replacement)
    assert storage.get(session.id) is replacement


# ---- session queue ---------------------------------------------------------------------


def test_queue_hands_over_the_very_session_enqueued():
    queue = MemorySessionQueue()
    session = make_session()
    queue.enqueue(session)
    second = queue.enqueue(session)
    assert queue.claim_next().session is session
    assert queue.claim(second.item_id).session is session
    assert queue.recover() == []  # every claimer is this process, alive as long as the queue


# ---- batches ---------------------------------------------------------------------------


def test_batch_sessions_run_with_their_values(invoker):
    batch = Batch(graph=batch_graph(), data=[[datum("a", "a", [4, 7])]])
    invoker.services.queue.enqueue_batch(batch)
    values = []
    while (item := invoker.services.queue.claim_next()) is not None:
        session = invoker.run(item.session)
        values.append(session.results["m"].value)
    assert values == [6, 9]  # (a + 2) * 1


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


def test_delete_finished_intermediates_keeps_those_of_sessions_not_over():
    from invoke_core import InvocationServices, Invoker
    from invoke_core.services.image_storage import delete_finished_intermediates

    services = InvocationServices(InvokeConfig(root="unused"))
    invoker = Invoker(services)  # never started: queued items stay pending
    two_steps = {
        "nodes": {"a": {"type": "integer", "value": 1}, "b": {"type": "add", "b": 2}},
        "edges": [edge("a", "value", "b", "a")],
    }
    completed = invoker.run(two_steps)
    stepped = invoker.run(two_steps, invoke_all=False)  # ran "a" only: "b" still needs a's outputs
    queued_again = invoker.run(two_steps)
    services.queue.enqueue(queued_again)  # complete, yet an item still waits to run it
    assert (completed.status, stepped.status, queued_again.status) == ("completed", "in_progress", "completed")
    owners = {
        "completed": completed.id,
        "stepped": stepped.id,
        "queued": queued_again.id,
        "deleted": "a-session-no-longer-stored",
    }
    saved = {
        key: services.images.save(make_image(), session_id=sid, is_intermediate=True) for key, sid in owners.items()
    }
    final = services.images.save(make_image(), session_id=completed.id)

    assert delete_finished_intermediates(services) == 2
    left = {r.image_name for r in services.images.list(include_intermediates=True, per_page=100).items}
    assert left == {saved["stepped"].image_name, saved["queued"].image_name, final.image_name}


# ---- object storage --------------------------------------------------------------------


def test_object_storage_hands_back_the_very_object():
    storage = MemoryObjectStorage()
    tensor = {"shape": [1, 4, 64, 64]}
    assert storage.load(storage.save(tensor)) is tensor
    storage.save(tensor, name="cond")
    assert storage.load("cond") is tensor


# ---- invocation cache ------------------------------------------------------------------


class CacheTestOutputs(BaseInvocationOutput):
    value: int


def out(value: int) -> CacheTestOutputs:
    return CacheTestOutputs(value=value)


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


def test_a_failing_handler_is_logged_with_its_error(caplog):
    service = MemoryEventService()

    def explode(event: Event) -> None:
        raise RuntimeError("handler broke")

    service.subscribe(explode)
    with caplog.at_level(logging.ERROR, logger="invoke.events"):
        service.emit(events_for(1)[0])  # does not raise
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


def test_closing_a_stream_unsubscribes():
    service = MemoryEventService()

    async def consume() -> None:
        stream = service.stream()
        first = asyncio.ensure_future(stream.__anext__())  # starts the generator: it subscribes
        for _ in range(100):
            if service.has_listeners:
                break
            await asyncio.sleep(0.01)
        assert service.has_listeners
        service.emit(events_for(1)[0])
        await asyncio.wait_for(first, timeout=5)
        await stream.aclose()

    asyncio.run(consume())
    assert service.has_listeners is False


def test_image_storage_keeps_no_files():
    images = MemoryImageStorage()
    record = images.save(make_image())
    assert images.path(record.image_name) is None  # kept in memory, no file
    with pytest.raises(ImageNotFoundError):
        images.path("nope.png")
