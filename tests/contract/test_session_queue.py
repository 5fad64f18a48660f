"""The SessionQueue contract: order, batches, statuses, claims from threads and processes, and
recovery of items whose claimer died."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
from invoke_core import Batch, FieldNotFoundError, Graph, NodeNotFoundError, NodeValidationError
from invoke_core.errors import QueueItemNotFoundError
from invoke_core.services.session_queue import INTERRUPTED, QUEUE_STATUSES

from tests.contract.conftest import open_in_this_process
from tests.core.helpers import batch_graph, claim_all, datum, one_node

SERVICE = "session_queue"
NONE_COUNTED = dict.fromkeys(QUEUE_STATUSES, 0)


def ids(items) -> list[int]:
    return [item.item_id for item in items]


# ---- order ---------------------------------------------------------------------------------


def test_enqueue_returns_pending_items_with_growing_ids(service):
    sessions = [one_node(i) for i in range(4)]
    items = [service.enqueue(session) for session in sessions]
    assert ids(items) == sorted(set(ids(items)))
    assert all(item.status == "pending" and item.started_at is None and item.session is None for item in items)
    assert [item.session_id for item in items] == [session.id for session in sessions]
    assert [item.session_id for item in claim_all(service)] == [session.id for session in sessions]


def test_higher_priority_first_then_oldest(service):
    low = service.enqueue(one_node(), priority=0)
    high1 = service.enqueue(one_node(), priority=5)
    mid = service.enqueue(one_node(), priority=1)
    high2 = service.enqueue(one_node(), priority=5)
    negative = service.enqueue(one_node(), priority=-3)
    assert ids(claim_all(service)) == ids([high1, high2, mid, low, negative])


def test_front_goes_first_within_its_priority_latest_front_first(service):
    a = service.enqueue(one_node())
    b = service.enqueue(one_node())
    front1 = service.enqueue(one_node(), front=True)
    front2 = service.enqueue(one_node(), front=True)
    urgent = service.enqueue(one_node(), priority=1)
    c = service.enqueue(one_node())
    assert ids(claim_all(service)) == ids([urgent, front2, front1, a, b, c])


def test_front_does_not_jump_a_higher_priority(service):
    high = service.enqueue(one_node(), priority=2)
    front_low = service.enqueue(one_node(), priority=0, front=True)
    assert ids(claim_all(service)) == ids([high, front_low])


# ---- claiming and finishing ----------------------------------------------------------------


def test_claim_next_marks_in_progress_and_hands_over_the_session(service):
    session = one_node(7)
    item = service.enqueue(session, invoke_all=False)
    before = time.time()
    claimed = service.claim_next()
    assert claimed.item_id == item.item_id and claimed.status == "in_progress"
    assert claimed.session.id == session.id and claimed.session.graph_json() == session.graph_json()
    assert claimed.invoke_all is False
    assert claimed.started_at is not None and claimed.started_at >= before
    assert "session" not in claimed.model_dump()  # the session never goes into the item's JSON

    stored = service.get(item.item_id)
    assert stored.status == "in_progress" and stored.started_at == claimed.started_at
    assert service.claim_next() is None  # not handed out twice


def test_claim_next_on_an_empty_queue_is_none(service):
    assert service.claim_next() is None


def test_claim_takes_that_item_out_of_order(service):
    first = service.enqueue(one_node(1), priority=9)
    wanted = service.enqueue(one_node(2), invoke_all=False)
    before = time.time()
    claimed = service.claim(wanted.item_id)
    assert claimed.item_id == wanted.item_id and claimed.status == "in_progress"
    assert claimed.started_at >= before and claimed.invoke_all is False
    assert claimed.session.id == wanted.session_id and claimed.session.graph.nodes["n"].value == 2
    assert service.get(wanted.item_id).status == "in_progress"
    assert ids(claim_all(service)) == [first.item_id]  # claim_next never hands it out again


def test_claim_of_an_item_that_is_not_pending_is_none(service):
    running, done, canceled, waiting = (service.enqueue(one_node()) for _ in range(4))
    service.claim(running.item_id)
    service.claim(done.item_id)
    service.finish(done.item_id, "completed")
    service.cancel(canceled.item_id)
    assert service.claim(running.item_id) is None
    assert service.claim(done.item_id) is None
    assert service.claim(canceled.item_id) is None
    assert service.claim(10_000) is None  # never existed
    service.prune()
    assert service.claim(done.item_id) is None  # gone
    assert [service.get(item.item_id).status for item in (running, waiting)] == ["in_progress", "pending"]


def test_get_returns_a_copy(service):
    item = service.enqueue(one_node())
    copy = service.get(item.item_id)
    copy.status = "failed"
    assert service.get(item.item_id).status == "pending"


def test_finish_records_status_error_and_time(service):
    ok, bad = service.enqueue(one_node()), service.enqueue(one_node())
    assert ids([service.claim_next(), service.claim_next()]) == ids([ok, bad])

    done = service.finish(ok.item_id, "completed")
    assert done.status == "completed" and done.error is None
    assert done.completed_at is not None and done.completed_at >= done.started_at

    failed = service.finish(bad.item_id, "failed", error="node 'a' exploded")
    assert failed.status == "failed" and failed.error == "node 'a' exploded"
    assert failed.completed_at is not None and failed.completed_at >= failed.started_at
    assert service.get(ok.item_id).status == "completed"
    assert service.get(bad.item_id).error == "node 'a' exploded"


def test_finish_with_the_finished_session(service):
    session = one_node(4)
    done, waiting = service.enqueue(session), service.enqueue(session)
    service.claim_next()
    finished = service.finish(done.item_id, "completed", session=session)
    assert finished.status == "completed" and service.get(done.item_id).status == "completed"
    assert ids(service.items_for_session(session.id)) == [waiting.item_id]


def test_items_for_session_lists_only_its_unfinished_items(service):
    session, other = one_node(), one_node()
    done = service.enqueue(session)
    running = service.enqueue(session)
    waiting = service.enqueue(session)
    service.enqueue(other)
    service.claim_next()
    service.finish(done.item_id, "completed")
    service.claim_next()
    assert sorted(ids(service.items_for_session(session.id))) == ids([running, waiting])
    assert service.items_for_session("no-such-session") == []


# ---- canceling ------------------------------------------------------------------------------


def test_cancel_a_pending_item(service):
    keep = service.enqueue(one_node())
    drop = service.enqueue(one_node())
    canceled = service.cancel(drop.item_id)
    assert canceled.item_id == drop.item_id and canceled.status == "canceled"
    assert canceled.completed_at is not None
    assert ids(claim_all(service)) == [keep.item_id]  # a canceled item is never claimed


def test_cancel_a_running_item_and_finishing_it_later_keeps_it_canceled(service):
    item = service.enqueue(one_node())
    service.claim_next()
    canceled = service.cancel(item.item_id)
    assert canceled.status == "canceled" and canceled.completed_at is not None
    stamp = canceled.completed_at

    assert service.finish(item.item_id, "completed").status == "canceled"
    after = service.finish(item.item_id, "failed", error="too late")
    assert after.status == "canceled" and after.error is None and after.completed_at == stamp
    assert service.get(item.item_id).status == "canceled"
    assert service.counts()["in_progress"] == 0


def test_cancel_leaves_finished_items_alone(service):
    item = service.enqueue(one_node())
    service.claim_next()
    service.finish(item.item_id, "completed")
    assert service.cancel(item.item_id).status == "completed"
    assert service.cancel_all() == []


def test_cancel_batch_and_cancel_all_return_what_they_canceled(service):
    loose = service.enqueue(one_node())
    in_a = [service.enqueue(one_node(), batch_id="A") for _ in range(3)]
    in_b = [service.enqueue(one_node(), batch_id="B") for _ in range(2)]
    assert service.claim_next().item_id == loose.item_id
    service.finish(loose.item_id, "completed")
    assert service.claim_next().item_id == in_a[0].item_id  # left running

    canceled_a = service.cancel_batch("A")
    assert ids(canceled_a) == ids(in_a)  # the running one too, in id order
    assert all(item.status == "canceled" for item in canceled_a)
    assert service.cancel_batch("A") == []
    assert service.cancel_batch("no such batch") == []

    assert ids(service.cancel_all()) == ids(in_b)
    assert service.get(loose.item_id).status == "completed"
    assert service.claim_next() is None
    assert service.counts() == {**NONE_COUNTED, "completed": 1, "canceled": 5}


# ---- clear, prune, counts, list -------------------------------------------------------------


def test_prune_removes_finished_items_and_clear_removes_all(service):
    items = [service.enqueue(one_node()) for _ in range(6)]
    for status in ("completed", "failed"):
        service.finish(service.claim_next().item_id, status)
    service.cancel(items[2].item_id)
    assert service.claim_next().item_id == items[3].item_id  # left running

    assert service.prune() == 3
    assert ids(service.list().items) == ids(items[5:2:-1])
    assert service.prune() == 0
    with pytest.raises(QueueItemNotFoundError):
        service.get(items[0].item_id)
    assert service.claim_next().item_id == items[4].item_id  # pending items survive a prune

    assert service.clear() == 3
    assert service.list().total == 0 and service.claim_next() is None
    assert service.clear() == 0
    assert service.counts() == NONE_COUNTED


def test_ids_are_never_reused_after_a_clear(service):
    first = service.enqueue(one_node())
    service.clear()
    assert service.enqueue(one_node()).item_id > first.item_id


def test_counts_in_total_and_per_batch(service):
    assert service.counts() == NONE_COUNTED
    for _ in range(2):
        service.enqueue(one_node(), batch_id="A")
    for _ in range(3):
        service.enqueue(one_node(), batch_id="B")
    service.enqueue(one_node())
    service.finish(service.claim_next().item_id, "failed", error="x")  # A's first
    service.claim_next()  # A's second, left running
    service.cancel_batch("B")

    assert service.counts() == {**NONE_COUNTED, "pending": 1, "in_progress": 1, "failed": 1, "canceled": 3}
    assert service.counts("A") == {**NONE_COUNTED, "in_progress": 1, "failed": 1}
    assert service.counts("B") == {**NONE_COUNTED, "canceled": 3}
    assert service.counts("C") == NONE_COUNTED


def test_list_is_newest_first_filtered_by_status_and_paged(service):
    items = [service.enqueue(one_node(), priority=p) for p in (0, 3, 0, 1, 0)]
    newest_first = ids(items)[::-1]
    assert service.claim_next().item_id == items[1].item_id

    everything = service.list()
    assert ids(everything.items) == newest_first  # by id, not by claim order
    assert (everything.page, everything.per_page, everything.total) == (0, 20, 5)

    pending = service.list(status="pending")
    assert ids(pending.items) == [i for i in newest_first if i != items[1].item_id] and pending.total == 4
    assert ids(service.list(status="in_progress").items) == [items[1].item_id]
    assert service.list(status="completed").total == 0

    second = service.list(status="pending", page=1, per_page=3)
    assert ids(second.items) == [items[0].item_id]
    assert (second.page, second.per_page, second.total) == (1, 3, 4)
    assert service.list(page=5, per_page=2).items == []


@pytest.mark.parametrize(("page", "per_page"), [(-1, 20), (0, 0), (0, 10_001)])
def test_bad_paging_is_a_value_error(service, page, per_page):
    with pytest.raises(ValueError):
        service.list(page=page, per_page=per_page)


def test_unknown_item_ids_are_not_found(service):
    service.enqueue(one_node())
    with pytest.raises(QueueItemNotFoundError, match="999"):
        service.get(999)
    with pytest.raises(QueueItemNotFoundError):
        service.cancel(999)
    with pytest.raises(QueueItemNotFoundError):
        service.finish(999, "completed")


# ---- batches --------------------------------------------------------------------------------


def test_a_batch_zips_within_groups_crosses_groups_and_repeats_runs(service):
    batch = Batch(
        graph=batch_graph(),
        data=[[datum("a", "a", [1, 2, 3]), datum("a", "b", [10, 20, 30])], [datum("m", "b", [5, 6])]],
        runs=2,
    )
    result = service.enqueue_batch(batch, priority=2)
    assert (result.batch_id, result.enqueued, result.priority) == (batch.batch_id, 12, 2)
    expected = [(a, b, mb) for a, b in [(1, 10), (2, 20), (3, 30)] for mb in (5, 6)] * 2

    listed = service.list(per_page=100).items[::-1]  # oldest first, as enqueued
    assert len(listed) == 12 and service.counts(batch.batch_id)["pending"] == 12
    assert all(item.batch_id == batch.batch_id and item.priority == 2 for item in listed)
    assert [[(v["node_path"], v["field_name"], v["value"]) for v in item.field_values] for item in listed] == [
        [("a", "a", a), ("a", "b", b), ("m", "b", mb)] for a, b, mb in expected
    ]

    claimed = claim_all(service)
    assert ids(claimed) == ids(listed)
    seen = []
    for item in claimed:
        nodes = item.session.graph.nodes
        seen.append((nodes["a"].a, nodes["a"].b, nodes["m"].b))
        assert nodes["m"].a == 0 and nodes["r"].stop == 3  # fields without values keep the graph's
        assert len(item.session.graph.edges) == 1
        assert item.session.id == item.session_id
    assert seen == expected
    assert len({item.session_id for item in claimed}) == 12  # each run is its own session
    assert service.counts(batch.batch_id) == {**NONE_COUNTED, "in_progress": 12}


def test_a_batch_without_data_enqueues_copies(service):
    assert service.enqueue_batch(Batch(graph=batch_graph(), runs=3)).enqueued == 3
    items = claim_all(service)
    assert [item.field_values for item in items] == [[], [], []]
    assert all(item.session.graph.nodes["a"].a == 1 for item in items)


def test_batch_values_take_their_fields_validated_form(service):
    graph = Graph.model_validate({"nodes": {"a": {"type": "add"}, "f": {"type": "float"}}, "edges": []})
    service.enqueue_batch(Batch(graph=graph, data=[[datum("a", "a", ["7"])], [datum("f", "value", [3])]]))
    item = service.claim_next()
    assert item.field_values == [
        {"node_path": "a", "field_name": "a", "value": 7},
        {"node_path": "f", "field_name": "value", "value": 3.0},
    ]
    assert item.session.graph.nodes["a"].a == 7 and isinstance(item.session.graph.nodes["f"].value, float)


@pytest.mark.parametrize(
    ("node", "field", "items", "message"),
    [("a", "b", [1, "lots"], "lots"), ("r", "step", [1, 0], "zero")],  # not an int; the field's own validator
)
def test_a_bad_batch_value_names_node_and_field_and_enqueues_nothing(service, node, field, items, message):
    with pytest.raises(NodeValidationError, match=message) as caught:
        service.enqueue_batch(Batch(graph=batch_graph(), data=[[datum(node, field, items)]]))
    assert (caught.value.node_id, caught.value.field) == (node, field)
    assert repr(node) in str(caught.value) and repr(field) in str(caught.value)
    assert service.list().total == 0


def test_a_batch_naming_an_unknown_node_or_field_enqueues_nothing(service):
    with pytest.raises(NodeNotFoundError, match="ghost") as missing:
        service.enqueue_batch(Batch(graph=batch_graph(), data=[[datum("ghost", "a", [1])]]))
    assert missing.value.node_id == "ghost"
    with pytest.raises(FieldNotFoundError, match="nope") as caught:
        service.enqueue_batch(Batch(graph=batch_graph(), data=[[datum("a", "nope", [1])]]))
    assert (caught.value.node_id, caught.value.field) == ("a", "nope")
    with pytest.raises(FieldNotFoundError):  # reserved fields are not inputs
        service.enqueue_batch(Batch(graph=batch_graph(), data=[[datum("a", "type", ["mul"])]]))
    assert service.list().total == 0


def test_front_batches_keep_their_own_order(service):
    waiting = service.enqueue(one_node())
    first = Batch(graph=batch_graph(), data=[[datum("a", "a", [1, 2, 3])]])
    second = Batch(graph=batch_graph(), data=[[datum("a", "a", [7, 8])]])
    service.enqueue_batch(first, front=True)
    service.enqueue_batch(second, front=True)
    claimed = claim_all(service)
    assert [item.batch_id for item in claimed] == [second.batch_id] * 2 + [first.batch_id] * 3 + [None]
    assert [item.session.graph.nodes["a"].a for item in claimed[:5]] == [7, 8, 1, 2, 3]
    assert [item.field_values[0]["value"] for item in claimed[:5]] == [7, 8, 1, 2, 3]
    assert claimed[5].item_id == waiting.item_id


def test_cancel_a_whole_batch(service):
    other = service.enqueue(one_node())
    result = service.enqueue_batch(Batch(graph=batch_graph(), data=[[datum("a", "a", [1, 2, 3])]]))
    service.claim_next()  # the loose item
    running = service.claim_next()
    canceled = service.cancel_batch(result.batch_id)
    assert len(canceled) == 3 and {item.batch_id for item in canceled} == {result.batch_id}
    assert running.item_id in ids(canceled)
    assert service.counts(result.batch_id) == {**NONE_COUNTED, "canceled": 3}
    assert service.claim_next() is None and service.get(other.item_id).status == "in_progress"


# ---- waking waiters ------------------------------------------------------------------------


def test_enqueue_wakes_a_waiter(service):
    woke = threading.Event()

    def wait() -> None:
        service.wait_for_work(30)
        woke.set()

    waiter = threading.Thread(target=wait)
    started = time.monotonic()
    waiter.start()
    while not woke.is_set() and time.monotonic() - started < 5:  # again and again: it may start waiting late
        service.enqueue(one_node())
        woke.wait(0.05)
    waiter.join(30)
    assert woke.is_set() and time.monotonic() - started < 5


# ---- claims from several threads -----------------------------------------------------------


def run_threads(target, count: int = 4) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


def test_threads_claim_each_item_exactly_once(service):
    for value in range(200):
        service.enqueue(one_node(value))
    claimed: list[int] = []
    lock = threading.Lock()

    def claimer() -> None:
        mine = ids(claim_all(service))
        with lock:
            claimed.extend(mine)

    run_threads(claimer)
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 200


def test_threads_claiming_the_same_items_by_id_get_each_once(service):
    items = [service.enqueue(one_node(value)) for value in range(60)]
    claimed: list[int] = []
    lock = threading.Lock()

    def claimer() -> None:
        mine = [got.item_id for item in items if (got := service.claim(item.item_id)) is not None]
        with lock:
            claimed.extend(mine)

    run_threads(claimer)
    assert sorted(claimed) == ids(items)  # each exactly once, however the threads raced


# ---- recovery --------------------------------------------------------------------------------


def test_recover_leaves_items_this_process_claimed(service, open_service):
    item = service.enqueue(one_node())
    assert service.claim_next().item_id == item.item_id
    assert service.recover() == []
    assert open_service().recover() == []  # a second instance, as a second invoker in one program
    assert service.get(item.item_id).status == "in_progress"


# ---- several processes -----------------------------------------------------------------------


def _claim_all_in_a_process(implementation: str, place: str, results) -> None:
    queue = open_in_this_process(implementation, SERVICE, place)
    results.put(ids(claim_all(queue)))
    queue.close()


@pytest.mark.needs("shared_between_processes")
def test_processes_claim_each_item_exactly_once(implementation, service, place):
    for value in range(120):
        service.enqueue(one_node(value))
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [
        context.Process(target=_claim_all_in_a_process, args=(implementation.name, str(place), results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    claimed = [item_id for _ in workers for item_id in results.get(timeout=60)]
    for worker in workers:
        worker.join(30)
    claimed += ids(claim_all(service))  # whatever they left, if one started late
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 120


def _claim_one_and_hold_it(implementation: str, place: str, who: str, claimed, release) -> None:
    queue = open_in_this_process(implementation, SERVICE, place)
    claimed.put((who, queue.claim_next().item_id))
    # a process to be killed must not wait on a shared Event (a kill mid-wait breaks its lock)
    if release is None:
        time.sleep(120)
    else:
        release.wait(60)


@pytest.mark.needs("shared_between_processes")
def test_recover_fails_a_killed_claimers_item_and_leaves_a_live_claimers(implementation, service, place):
    items = [service.enqueue(one_node(1)), service.enqueue(one_node(2)), service.enqueue(one_node(3))]
    context = multiprocessing.get_context("spawn")
    claimed, release = context.Queue(), context.Event()
    doomed = context.Process(
        target=_claim_one_and_hold_it, args=(implementation.name, str(place), "doomed", claimed, None)
    )
    alive = context.Process(
        target=_claim_one_and_hold_it, args=(implementation.name, str(place), "alive", claimed, release)
    )
    doomed.start()
    alive.start()
    try:
        held = dict(claimed.get(timeout=60) for _ in range(2))
        doomed.kill()  # SIGKILL: no cleanup at all
        doomed.join(30)
        assert service.get(held["doomed"]).status == "in_progress"  # nothing notices until recover()

        recovered = service.recover()
        assert ids(recovered) == [held["doomed"]]
        assert (recovered[0].status, recovered[0].error) == ("failed", INTERRUPTED)
        assert recovered[0].completed_at is not None
        failed = service.get(held["doomed"])
        assert (failed.status, failed.error) == ("failed", INTERRUPTED)
        assert service.get(held["alive"]).status == "in_progress"  # its process still runs it
        (untouched,) = set(ids(items)) - set(held.values())
        assert service.get(untouched).status == "pending"
        assert service.recover() == []  # done once
    finally:
        release.set()
        alive.join(30)
        if doomed.is_alive():
            doomed.kill()


# ---- persistence -----------------------------------------------------------------------------


@pytest.mark.needs("persistent")
def test_waiting_items_survive_a_reopen_in_order(service, open_service):
    batch = Batch(graph=batch_graph(), data=[[datum("a", "a", [4, 5])]])
    service.enqueue_batch(batch)
    urgent = service.enqueue(one_node(3), priority=2, invoke_all=False)
    open_service.close(service)

    reopened = open_service()
    claimed = claim_all(reopened)
    assert (claimed[0].item_id, claimed[0].priority, claimed[0].invoke_all) == (urgent.item_id, 2, False)
    assert claimed[0].session.graph.nodes["n"].value == 3
    assert [item.session.graph.nodes["a"].a for item in claimed[1:]] == [4, 5]
    assert [item.field_values[0]["value"] for item in claimed[1:]] == [4, 5]
    assert {item.batch_id for item in claimed[1:]} == {batch.batch_id}


@pytest.mark.needs("persistent")
def test_finished_items_and_used_ids_survive_a_reopen(service, open_service):
    done = service.enqueue(one_node())
    service.claim_next()
    finished = service.finish(done.item_id, "failed", error="it broke")
    open_service.close(service)

    reopened = open_service()
    assert reopened.get(done.item_id).model_dump() == finished.model_dump()
    reopened.clear()
    open_service.close(reopened)
    assert open_service().enqueue(one_node()).item_id > done.item_id  # an old id never names a new item


def test_a_session_enqueued_as_stored_needs_no_copy_in_the_queue(service):
    # The invoker stores a session before queueing it, so a queue may hand the item out without it
    # (the processor then reads session storage); the item still names its session.
    session = one_node(3)
    item = service.enqueue(session, stored=True)
    claimed = service.claim(item.item_id)
    assert claimed.session_id == session.id
    assert claimed.session is None or claimed.session.id == session.id
    assert service.get(item.item_id).status == "in_progress"
