"""SQLite session queue: order, batches, statuses, atomic claims across threads and
processes, recovery of items a dead process left in progress, and corrupt rows."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from invoke_core import Batch, InvocationServices, Session, load_config, register_plugin
from invoke_core.errors import QueueItemNotFoundError
from invoke_services_local import plugin as local_plugin
from invoke_services_local.database import DATABASE_FILE
from invoke_services_local.session_queue import INTERRUPTED


def one_node(value: int = 0) -> Session:
    return Session({"nodes": {"n": {"type": "integer", "value": value}}})


def claim_all(queue) -> list:
    claimed = []
    while (item := queue.claim_next()) is not None:
        claimed.append(item)
    return claimed


def test_priority_then_age_and_fronts_go_first_within_a_priority(services):
    queue = services.queue
    a = queue.enqueue(one_node(1))
    b = queue.enqueue(one_node(2), priority=5)
    c = queue.enqueue(one_node(3))
    d = queue.enqueue(one_node(4), front=True)
    e = queue.enqueue(one_node(5), front=True)
    order = [item.item_id for item in claim_all(queue)]
    assert order == [b.item_id, e.item_id, d.item_id, a.item_id, c.item_id]


def test_claim_hands_over_the_session_and_marks_it_in_progress(services):
    session = one_node(7)
    item = services.queue.enqueue(session, invoke_all=False)
    claimed = services.queue.claim_next()
    assert claimed.item_id == item.item_id and claimed.status == "in_progress" and claimed.started_at
    assert claimed.session.id == session.id and claimed.invoke_all is False
    assert claimed.session.graph_json() == session.graph_json()
    assert services.queue.claim_next() is None


def test_batch_zips_within_groups_crosses_groups_and_repeats(services):
    batch = Batch.model_validate(
        {
            "graph": {"nodes": {"x": {"type": "integer"}, "y": {"type": "string"}, "z": {"type": "float"}}},
            "data": [
                [
                    {"node_path": "x", "field_name": "value", "items": [1, 2]},
                    {"node_path": "y", "field_name": "value", "items": ["a", "b"]},
                ],
                [{"node_path": "z", "field_name": "value", "items": [0.5, 1.5, 2.5]}],
            ],
            "runs": 2,
        }
    )
    result = services.queue.enqueue_batch(batch, priority=3)
    assert (result.enqueued, result.priority, result.batch_id) == (12, 3, batch.batch_id)
    claimed = claim_all(services.queue)
    combos = [tuple(item.session.graph.nodes[n].value for n in ("x", "y", "z")) for item in claimed]
    one_run = [(x, y, z) for x, y in ((1, "a"), (2, "b")) for z in (0.5, 1.5, 2.5)]
    assert combos == one_run * 2
    assert claimed[0].field_values == [
        {"node_path": "x", "field_name": "value", "value": 1},
        {"node_path": "y", "field_name": "value", "value": "a"},
        {"node_path": "z", "field_name": "value", "value": 0.5},
    ]
    assert len({item.session_id for item in claimed}) == 12
    assert all(item.batch_id == batch.batch_id for item in claimed)


def test_a_front_batch_keeps_its_order_ahead_of_waiting_items(services):
    waiting = services.queue.enqueue(one_node())
    batch = Batch.model_validate(
        {
            "graph": {"nodes": {"x": {"type": "integer"}}},
            "data": [[{"node_path": "x", "field_name": "value", "items": [1, 2, 3]}]],
        }
    )
    services.queue.enqueue_batch(batch, front=True)
    claimed = claim_all(services.queue)
    assert [item.session.graph.nodes["x"].value for item in claimed[:3]] == [1, 2, 3]
    assert claimed[3].item_id == waiting.item_id


def test_statuses_cancels_clear_prune_and_counts(services):
    queue = services.queue
    batch = Batch.model_validate(
        {
            "graph": {"nodes": {"x": {"type": "integer"}}},
            "data": [[{"node_path": "x", "field_name": "value", "items": [1, 2, 3]}]],
        }
    )
    batch_id = queue.enqueue_batch(batch).batch_id
    single = queue.enqueue(one_node())
    first = queue.claim_next()
    assert queue.counts() == {"pending": 3, "in_progress": 1, "completed": 0, "failed": 0, "canceled": 0}
    done = queue.finish(first.item_id, "completed")
    assert done.status == "completed" and done.completed_at
    canceled = queue.cancel_batch(batch_id)
    assert len(canceled) == 2 and all(item.status == "canceled" for item in canceled)
    assert queue.counts(batch_id) == {"pending": 0, "in_progress": 0, "completed": 1, "failed": 0, "canceled": 2}
    assert queue.finish(canceled[0].item_id, "completed").status == "canceled"  # a cancel sticks
    assert queue.items_for_session(single.session_id)[0].item_id == single.item_id
    assert queue.cancel(single.item_id).status == "canceled"
    assert queue.cancel_all() == []  # nothing unfinished is left
    assert queue.list(status="canceled").total == 3
    assert queue.prune() == 4 and queue.counts()["canceled"] == 0
    queue.enqueue(one_node())
    assert queue.clear() == 1 and queue.list().total == 0
    with pytest.raises(QueueItemNotFoundError):
        queue.get(single.item_id)
    with pytest.raises(QueueItemNotFoundError):
        queue.cancel(10_000)
    with pytest.raises(ValueError):
        queue.list(page=-1)


def test_list_pages_in_queue_order(services):
    items = [services.queue.enqueue(one_node(i)) for i in range(5)]
    page = services.queue.list(page=1, per_page=2)
    assert [item.item_id for item in page.items] == [items[2].item_id, items[3].item_id]
    assert page.total == 5


def test_threads_claim_each_item_exactly_once(services):
    for value in range(200):
        services.queue.enqueue(one_node(value))
    claimed: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = [item.item_id for item in claim_all(services.queue)]
        with lock:
            claimed.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 200


def _claim_in_a_process(root: str, results) -> None:
    register_plugin(local_plugin, name="local")
    services = InvocationServices.from_config(load_config(root, environ={}))
    results.put([item.item_id for item in claim_all(services.queue)])
    services.close()


def test_processes_claim_each_item_exactly_once(services, root: Path):
    for value in range(150):
        services.queue.enqueue(one_node(value))
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_claim_in_a_process, args=(str(root), results)) for _ in range(3)]
    for worker in workers:
        worker.start()
    claimed = [item for _ in workers for item in results.get(timeout=60)]
    for worker in workers:
        worker.join(30)
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 150


def _claim_one_then_wait(root: str, claimed, release) -> None:
    register_plugin(local_plugin, name="local")
    services = InvocationServices.from_config(load_config(root, environ={}))
    claimed.put(services.queue.claim_next().item_id)
    # holds the item (and its lock) until told, or dies without a word; a process to be
    # killed must not wait on a shared Event (a kill mid-wait breaks its condition)
    if release is None:
        time.sleep(120)
    else:
        release.wait(60)


def test_a_dead_claimers_items_fail_and_a_live_claimers_stay(services, open_services, root: Path):
    first, second = services.queue.enqueue(one_node(1)), services.queue.enqueue(one_node(2))
    services.close()
    context = multiprocessing.get_context("spawn")
    claimed, release = context.Queue(), context.Event()
    doomed = context.Process(target=_claim_one_then_wait, args=(str(root), claimed, None))
    doomed.start()
    assert claimed.get(timeout=60) == first.item_id
    alive = context.Process(target=_claim_one_then_wait, args=(str(root), claimed, release))
    alive.start()
    assert claimed.get(timeout=60) == second.item_id
    doomed.kill()  # SIGKILL: no cleanup at all
    doomed.join()
    try:
        queue = open_services().queue  # a new process starting on this root
        assert queue.recovered == 1
        failed = queue.get(first.item_id)
        assert (failed.status, failed.error) == ("failed", INTERRUPTED)
        assert queue.get(second.item_id).status == "in_progress"  # its process still runs it
    finally:
        release.set()
        alive.join(30)


def test_a_corrupt_pending_row_fails_alone(services, root: Path):
    broken, fine = services.queue.enqueue(one_node(1)), services.queue.enqueue(one_node(2))
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("UPDATE queue SET session = '{broken' WHERE item_id = ?", (broken.item_id,))
    claimed = services.queue.claim_next()
    assert claimed.item_id == fine.item_id
    failed = services.queue.get(broken.item_id)
    assert failed.status == "failed" and broken.session_id in failed.error


def test_the_queue_persists_across_a_reopen(services, open_services):
    item = services.queue.enqueue(one_node(3), priority=2)
    services.close()
    reopened = open_services().queue
    claimed = reopened.claim_next()
    assert (claimed.item_id, claimed.priority) == (item.item_id, 2)
    assert claimed.session.graph.nodes["n"].value == 3


def test_the_processor_runs_queued_sessions_to_session_storage(invoker):
    items = [
        invoker.invoke(invoker.create_session({"nodes": {"n": {"type": "add", "a": i, "b": 1}}})) for i in range(5)
    ]
    for item in items:
        assert invoker.wait(item, timeout=30).status == "completed"
    assert [invoker.get_session(item.session_id).results["n"].value for item in items] == [1, 2, 3, 4, 5]


def test_a_batch_item_with_a_corrupt_graph_fails_alone(services, root):
    batch = Batch.model_validate(
        {
            "graph": {"nodes": {"x": {"type": "integer"}}},
            "data": [[{"node_path": "x", "field_name": "value", "items": [1, 2]}]],
        }
    )
    services.queue.enqueue_batch(batch)
    broken, fine = services.queue.list().items
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("UPDATE queue SET graph = '{\"nodes\": 7}' WHERE item_id = ?", (broken.item_id,))
    claimed = services.queue.claim_next()
    assert claimed.item_id == fine.item_id and claimed.session.graph.nodes["x"].value == 2
    failed = services.queue.get(broken.item_id)
    assert failed.status == "failed" and broken.session_id in failed.error
    assert services.queue.claim_next() is None


def _claim_one_then_exit(root: str, claimed) -> None:
    register_plugin(local_plugin, name="local")
    services = InvocationServices.from_config(load_config(root, environ={}))
    claimed.put(services.queue.claim_next().item_id)
    claimed.close()
    claimed.join_thread()
    os._exit(0)  # gone without closing anything


def test_an_item_whose_claimer_exited_without_closing_fails_on_the_next_open(services, open_services, root):
    item = services.queue.enqueue(one_node(1))
    context = multiprocessing.get_context("spawn")
    claimed = context.Queue()
    claimer = context.Process(target=_claim_one_then_exit, args=(str(root), claimed))
    claimer.start()
    assert claimed.get(timeout=60) == item.item_id
    claimer.join(30)
    assert services.queue.get(item.item_id).status == "in_progress"  # nothing notices until a queue opens
    queue = open_services().queue
    assert queue.recovered == 1
    assert (queue.get(item.item_id).status, queue.get(item.item_id).error) == ("failed", INTERRUPTED)


def test_items_claimed_in_this_process_are_not_failed_by_another_open(services, open_services):
    item = services.queue.enqueue(one_node(1))
    services.queue.claim_next()
    queue = open_services().queue  # say, a second Invoker in the same program
    assert queue.recovered == 0 and queue.get(item.item_id).status == "in_progress"


def test_a_pending_row_of_the_wrong_shape_fails_alone(services, root):
    broken, fine = services.queue.enqueue(one_node(1)), services.queue.enqueue(one_node(2))
    damaged = {**one_node(1).model_dump(), "history": 5}
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("UPDATE queue SET session = ? WHERE item_id = ?", (json.dumps(damaged), broken.item_id))
    claimed = services.queue.claim_next()
    assert claimed.item_id == fine.item_id
    assert services.queue.get(broken.item_id).status == "failed"


def test_the_processor_goes_on_past_a_damaged_stored_session(invoker, root):
    damaged = invoker.create_session({"nodes": {"n": {"type": "add", "a": 1, "b": 1}}})
    first = invoker.services.queue.enqueue(damaged)
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute(
            "UPDATE sessions SET data = ? WHERE id = ?",
            (json.dumps({**damaged.model_dump(), "history": 5}), damaged.id),
        )
    second = invoker.invoke(invoker.create_session({"nodes": {"n": {"type": "add", "a": 2, "b": 2}}}))
    assert invoker.wait(first, timeout=10).status in ("completed", "failed")
    assert invoker.wait(second, timeout=10).status == "completed"


def test_item_ids_are_never_reused(services, open_services):
    first = services.queue.enqueue(one_node())
    services.queue.clear()
    services.close()
    queue = open_services().queue
    assert queue.enqueue(one_node()).item_id > first.item_id  # an old id never names a new item


def test_items_for_session_lists_only_unfinished_items(services):
    session = one_node()
    done = services.queue.enqueue(session)
    waiting = services.queue.enqueue(session)
    services.queue.claim_next()
    assert [item.item_id for item in services.queue.items_for_session(session.id)] == [done.item_id, waiting.item_id]
    services.queue.finish(done.item_id, "completed", session=session)
    assert [item.item_id for item in services.queue.items_for_session(session.id)] == [waiting.item_id]
    assert services.queue.items_for_session("no-such-session") == []
