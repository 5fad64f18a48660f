"""The EventService contract: every subscriber gets every event in order, from any thread, and
can stop; a failing subscriber harms no other; async streams get the same events.

Delivery may be asynchronous (a service behind a server), so tests wait for events to arrive
instead of expecting them when `emit` returns.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from invoke_core import SessionCanceledEvent, SessionCompleteEvent
from invoke_core.events import Event

SERVICE = "events"


def events_for(count: int, prefix: str = "s") -> list[Event]:
    return [SessionCanceledEvent(session_id=f"{prefix}{index}") for index in range(count)]


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for events"
        time.sleep(0.005)


def test_subscribers_get_events_in_order_and_can_stop(service):
    first, second = [], []
    stop_first = service.subscribe(first.append)
    service.subscribe(second.append)
    sent = events_for(3)
    for event in sent:
        service.emit(event)
    wait_until(lambda: len(first) == 3 and len(second) == 3)
    assert first == sent and second == sent

    stop_first()
    later = SessionCompleteEvent(session_id="x", status="completed")
    service.emit(later)
    wait_until(lambda: len(second) == 4)
    assert second == [*sent, later]
    assert first == sent
    stop_first()  # a second call is harmless
    assert service.has_listeners


def test_a_failing_subscriber_does_not_stop_the_others(service):
    before, after = [], []

    def explode(event: Event) -> None:
        raise RuntimeError("handler broke")

    service.subscribe(before.append)
    service.subscribe(explode)
    service.subscribe(after.append)
    sent = events_for(2)
    for event in sent:
        service.emit(event)  # does not raise
    wait_until(lambda: len(before) == 2 and len(after) == 2)
    assert before == sent and after == sent


def test_the_same_handler_subscribed_twice_gets_each_event_twice(service):
    got = []
    service.subscribe(got.append)
    service.subscribe(got.append)
    service.emit(events_for(1)[0])
    wait_until(lambda: len(got) == 2)
    time.sleep(0.05)
    assert len(got) == 2


def test_events_emitted_from_several_threads_all_arrive_each_threads_in_order(service):
    got = []
    lock = threading.Lock()

    def collect(event: Event) -> None:
        with lock:
            got.append(event.session_id)

    service.subscribe(collect)
    threads = [
        threading.Thread(target=lambda prefix=prefix: [service.emit(event) for event in events_for(50, prefix)])
        for prefix in "pq"
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    wait_until(lambda: len(got) == 100)
    for prefix in "pq":
        assert [name for name in got if name.startswith(prefix)] == [f"{prefix}{i}" for i in range(50)]


async def _subscribe(service, streams: list) -> None:
    """Start each stream and make sure each is subscribed: emit probes until every stream got
    one, then a marker, and read each up to the marker, so its next event is a real one."""
    first = [asyncio.ensure_future(stream.__anext__()) for stream in streams]
    deadline = time.monotonic() + 5
    while not all(task.done() for task in first):
        assert time.monotonic() < deadline, "a stream never subscribed"
        service.emit(SessionCanceledEvent(session_id="probe"))
        await asyncio.sleep(0.01)
    marker = SessionCanceledEvent(session_id="marker")
    service.emit(marker)
    for stream in streams:
        while await asyncio.wait_for(stream.__anext__(), timeout=5) != marker:
            pass


def test_streams_deliver_events_from_another_thread_in_order(service):
    sent = events_for(50, prefix="t")

    async def consume() -> tuple[list[Event], list[Event]]:
        streams = [service.stream(), service.stream()]
        await _subscribe(service, streams)
        emitter = threading.Thread(target=lambda: [service.emit(event) for event in sent])
        emitter.start()
        results = []
        for stream in streams:
            got = []
            while len(got) < len(sent):
                got.append(await asyncio.wait_for(stream.__anext__(), timeout=5))
            results.append(got)
            await stream.aclose()
        emitter.join()
        return results[0], results[1]

    one, two = asyncio.run(consume())
    assert one == sent and two == sent
