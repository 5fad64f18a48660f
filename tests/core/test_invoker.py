"""The invoker: queued runs on the processor thread, events, cancellation, batches."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Literal

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    Batch,
    BatchDatum,
    Graph,
    InvocationContext,
    InvocationServices,
    InvokeConfig,
    Invoker,
    Session,
    SessionBusyError,
)
from invoke_core.events import (
    InvocationCompleteEvent,
    InvocationErrorEvent,
    InvocationProgressEvent,
    InvocationStartedEvent,
    QueueItemStatusChangedEvent,
    SessionCanceledEvent,
    SessionCompleteEvent,
)

from tests.core.helpers import edge

WAIT_STARTED = threading.Event()
WAIT_GATE = threading.Event()


class InvokerTestWaitInvocation(BaseInvocation, cacheable=False):
    """Reports progress until its session is canceled or its gate opens."""

    type: Literal["invoker_test_wait"] = "invoker_test_wait"

    class Outputs(BaseInvocationOutput):
        steps: int

    def invoke(self, context: InvocationContext) -> InvokerTestWaitInvocation.Outputs:
        WAIT_STARTED.set()
        steps = 0
        while not WAIT_GATE.is_set():
            context.raise_if_canceled()
            steps += 1
            context.progress(steps, 0, message="waiting")
            time.sleep(0.005)
        return self.Outputs(steps=steps)


class InvokerTestFailInvocation(BaseInvocation, cacheable=False):
    """Always fails."""

    type: Literal["invoker_test_fail"] = "invoker_test_fail"

    class Outputs(BaseInvocationOutput):
        value: int

    def invoke(self, context: InvocationContext) -> InvokerTestFailInvocation.Outputs:
        raise ValueError("this node always fails")


def record_events(invoker: Invoker) -> list:
    seen: list = []
    invoker.services.events.subscribe(seen.append)
    return seen


def test_run_with_no_arguments_uses_configured_services(tmp_path, monkeypatch):
    monkeypatch.setenv("INVOKE_ROOT", str(tmp_path))
    session = Invoker().run(Graph.model_validate({"nodes": {"a": {"type": "add", "a": 2, "b": 5}}}))
    assert session.results["a"].value == 7 and session.errors == {}


def test_queued_session_runs_on_the_processor_with_events_in_order(invoker):
    events = record_events(invoker)
    session = invoker.create_session(
        {"nodes": {"a": {"type": "add", "a": 1}, "b": {"type": "mul", "b": 3}}, "edges": [edge("a", "value", "b", "a")]}
    )
    item = invoker.invoke(session.id)
    finished = invoker.wait(item, timeout=10)
    assert finished.status == "completed" and finished.started_at and finished.completed_at
    stored = invoker.get_session(session.id)
    assert stored.results["b"].value == 3
    kinds = [(type(e).__name__, getattr(e, "node_id", None), getattr(e, "status", None)) for e in events]
    assert kinds == [
        ("QueueItemStatusChangedEvent", None, "pending"),
        ("QueueItemStatusChangedEvent", None, "in_progress"),
        ("InvocationStartedEvent", "a", None),
        ("InvocationCompleteEvent", "a", None),
        ("InvocationStartedEvent", "b", None),
        ("InvocationCompleteEvent", "b", None),
        ("SessionCompleteEvent", None, "completed"),
        ("QueueItemStatusChangedEvent", None, "completed"),
    ]
    assert all(e.session_id == session.id and e.queue_item_id == item.item_id for e in events)
    complete = [e for e in events if isinstance(e, InvocationCompleteEvent)]
    assert complete[1].outputs.value == 3
    assert complete[1].envelope()["data"]["outputs"] == {"value": 3}


def test_invoke_next_node_only(invoker):
    session = invoker.create_session(
        {"nodes": {"a": {"type": "add", "a": 1}, "b": {"type": "add", "b": 1}}, "edges": [edge("a", "value", "b", "a")]}
    )
    invoker.wait(invoker.invoke(session, invoke_all=False), timeout=10)
    assert list(invoker.get_session(session.id).results) == ["a"]
    invoker.wait(invoker.invoke(session, invoke_all=False), timeout=10)
    assert invoker.get_session(session.id).results["b"].value == 2


def test_failing_session_fails_its_item_and_the_processor_goes_on(invoker):
    events = record_events(invoker)
    bad = invoker.create_session({"nodes": {"x": {"type": "invoker_test_fail"}}})
    good = invoker.create_session({"nodes": {"y": {"type": "add", "a": 4}}})
    bad_item, good_item = invoker.invoke(bad), invoker.invoke(good)
    failed = invoker.wait(bad_item, timeout=10)
    assert (
        failed.status == "failed"
        and "this node always fails" in failed.error
        and "x (invoker_test_fail)" in failed.error
    )
    assert invoker.wait(good_item, timeout=10).status == "completed"
    errors = [e for e in events if isinstance(e, InvocationErrorEvent)]
    assert len(errors) == 1 and errors[0].node_id == "x" and errors[0].error_type == "ValueError"
    assert "raise ValueError" in errors[0].traceback
    assert invoker.get_session(bad.id).errors["x"].message == "this node always fails"


def test_cancel_a_running_session_stops_it_within_a_step(invoker):
    WAIT_STARTED.clear()
    WAIT_GATE.clear()
    events = record_events(invoker)
    session = invoker.create_session(
        {
            "nodes": {"w": {"type": "invoker_test_wait"}, "after": {"type": "add"}},
            "edges": [edge("w", "steps", "after", "a")],
        }
    )
    item = invoker.invoke(session)
    assert WAIT_STARTED.wait(10)
    canceled = invoker.cancel(session.id)
    assert [c.item_id for c in canceled] == [item.item_id]
    finished = invoker.wait(item, timeout=10)
    assert finished.status == "canceled"
    stored = invoker.get_session(session.id)
    assert stored.status == "canceled" and stored.errors == {} and "after" not in stored.results
    assert any(isinstance(e, SessionCanceledEvent) for e in events)
    assert any(isinstance(e, InvocationProgressEvent) and e.node_id == "w" for e in events)


def test_canceled_pending_items_never_run(invoker):
    WAIT_STARTED.clear()
    WAIT_GATE.clear()
    blocker = invoker.invoke(invoker.create_session({"nodes": {"w": {"type": "invoker_test_wait"}}}))
    assert WAIT_STARTED.wait(10)
    waiting = invoker.invoke(invoker.create_session({"nodes": {"a": {"type": "add"}}}))
    assert invoker.cancel_queue_item(waiting.item_id).status == "canceled"
    WAIT_GATE.set()
    assert invoker.wait(blocker, timeout=10).status == "completed"
    assert invoker.wait(waiting, timeout=10).status == "canceled"
    assert invoker.get_session(waiting.session_id).results == {}


def test_batch_runs_every_combination(invoker):
    graph = Graph.model_validate(
        {"nodes": {"a": {"type": "add"}, "m": {"type": "mul"}}, "edges": [edge("a", "value", "m", "a")]}
    )
    batch = Batch(
        graph=graph,
        data=[
            [
                BatchDatum(node_path="a", field_name="a", items=[1, 2]),
                BatchDatum(node_path="a", field_name="b", items=[10, 20]),
            ],
            [BatchDatum(node_path="m", field_name="b", items=[1, 100])],
        ],
        runs=2,
    )
    result = invoker.enqueue_batch(batch)
    assert result.enqueued == batch.session_count() == 8
    deadline = time.monotonic() + 20
    while invoker.services.queue.counts(batch.batch_id)["completed"] < 8:
        assert time.monotonic() < deadline, invoker.services.queue.counts(batch.batch_id)
        time.sleep(0.01)
    items = invoker.services.queue.list(per_page=100).items[::-1]  # oldest first: the batch's order
    values = [invoker.get_session(i.session_id).results["m"].value for i in items]
    assert values == [11, 1100, 22, 2200] * 2


def test_async_consumers_receive_events(invoker):
    async def consume() -> list[str]:
        names: list[str] = []
        stream = invoker.services.events.stream()
        reader = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0)
        runner = asyncio.get_running_loop().run_in_executor(
            None, lambda: invoker.run(Graph.model_validate({"nodes": {"a": {"type": "add"}}}))
        )
        names.append((await reader).name)
        while names[-1] != "session_complete":
            names.append((await stream.__anext__()).name)
        await runner
        await stream.aclose()
        return names

    # run() goes through the queue like every run: its item's status changes are events too
    assert asyncio.run(asyncio.wait_for(consume(), 10)) == [
        "queue_item_status_changed",
        "queue_item_status_changed",
        "invocation_started",
        "invocation_complete",
        "session_complete",
    ]


def test_run_without_listeners_still_records_everything(tmp_path):
    invoker = Invoker(InvocationServices(InvokeConfig(root=tmp_path)))
    session = invoker.run(Graph.model_validate({"nodes": {"a": {"type": "add", "a": 1}}}))
    assert session.history == ["a"] and invoker.get_session(session.id) is session


@pytest.mark.parametrize("event_type", [InvocationStartedEvent, QueueItemStatusChangedEvent, SessionCompleteEvent])
def test_events_have_names_and_json_envelopes(event_type):
    fields = {
        InvocationStartedEvent: {"node_id": "n", "source_node_id": "n", "node_type": "add"},
        QueueItemStatusChangedEvent: {"status": "pending"},
        SessionCompleteEvent: {"status": "completed"},
    }[event_type]
    envelope = event_type(session_id="s", **fields).envelope()
    assert envelope["event"] == event_type.name and envelope["data"]["session_id"] == "s"


def test_cancel_reaches_a_session_running_in_another_threads_run(invoker):
    WAIT_STARTED.clear()
    WAIT_GATE.clear()
    session = invoker.create_session(
        {
            "nodes": {"w": {"type": "invoker_test_wait"}, "after": {"type": "add"}},
            "edges": [edge("w", "steps", "after", "a")],
        }
    )
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(invoker.run(session)))
    worker.start()
    assert WAIT_STARTED.wait(10)
    canceled = invoker.cancel(session.id)  # run() queued it: the same cancel as for any queued run
    assert [item.session_id for item in canceled] == [session.id]
    worker.join(10)
    assert not worker.is_alive()
    assert outcome[0].status == "canceled" and "after" not in outcome[0].results and outcome[0].errors == {}
    assert invoker.services.queue.get(canceled[0].item_id).status == "canceled"


def test_invoke_returns_a_snapshot_of_the_queue_item(invoker):
    WAIT_GATE.set()
    item = invoker.invoke(invoker.create_session({"nodes": {"a": {"type": "add"}}}))
    assert item.status == "pending"
    assert invoker.wait(item, timeout=10).status == "completed"
    assert item.status == "pending"


def test_a_running_session_can_be_read_and_saved_from_another_thread(invoker):
    size = 3000
    nodes = {f"n{i}": {"type": "add", "b": 1} for i in range(size)}
    edges = [edge(f"n{i}", "value", f"n{i + 1}", "a") for i in range(size - 1)]
    session = invoker.create_session({"nodes": nodes, "edges": edges})
    item = invoker.invoke(session)
    snapshots = []
    while invoker.services.queue.get(item.item_id).status in ("pending", "in_progress"):
        snapshots.append(Session.model_validate_json(session.model_dump_json()))
    assert invoker.wait(item, timeout=30).status == "completed"
    assert session.results[f"n{size - 1}"].value == size
    # every snapshot taken mid-run is a consistent session that can carry on to the same end
    middle = snapshots[len(snapshots) // 2]
    invoker.run(middle)
    assert middle.results[f"n{size - 1}"].value == size


def test_a_running_session_refuses_edits_until_its_run_ends(invoker):
    WAIT_STARTED.clear()
    WAIT_GATE.clear()
    session = invoker.create_session({"nodes": {"w": {"type": "invoker_test_wait"}}})
    item = invoker.invoke(session)
    assert WAIT_STARTED.wait(10)
    with pytest.raises(SessionBusyError, match=f"session {session.id} is running"):
        invoker.add_node(session.id, {"id": "late", "type": "add"})
    with pytest.raises(SessionBusyError):
        invoker.add_edge(session.id, edge("w", "steps", "w", "steps"))
    with pytest.raises(SessionBusyError):
        invoker.add_graph(session.id, {"nodes": {"other": {"type": "add"}}})
    WAIT_GATE.set()
    assert invoker.wait(item, timeout=10).status == "completed"
    # once the run is over the session grows again and the next run picks up the new node
    invoker.add_node(session.id, {"id": "late", "type": "add", "a": 1, "b": 2})
    assert invoker.wait(invoker.invoke(session.id), timeout=10).status == "completed"
    assert invoker.get_session(session.id).results["late"].value == 3


def test_a_session_in_a_direct_run_refuses_edits(invoker):
    WAIT_STARTED.clear()
    WAIT_GATE.clear()
    session = invoker.create_session({"nodes": {"w": {"type": "invoker_test_wait"}}})
    worker = threading.Thread(target=invoker.run, args=(session,))
    worker.start()
    assert WAIT_STARTED.wait(10)
    with pytest.raises(SessionBusyError):
        invoker.add_node(session.id, {"id": "late", "type": "add"})
    WAIT_GATE.set()
    worker.join(10)
    invoker.add_node(session.id, {"id": "late", "type": "add"})
    assert "late" in invoker.get_session(session.id).graph.nodes
