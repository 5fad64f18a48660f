"""SQLite session queue, what only it does: corrupt rows fail alone, a claimer that exits
without closing is found out by `recover()`, and the processor runs on it. What every queue
does is in tests/contract/test_session_queue.py."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest
from invoke_core import Batch, InvocationServices, load_config, register_plugin
from invoke_core.errors import CorruptDataError
from invoke_services_local import plugin as local_plugin
from invoke_services_local.database import DATABASE_FILE
from invoke_services_local.session_queue import INTERRUPTED

from tests.core.helpers import one_node


def test_a_corrupt_pending_row_fails_alone(services, root: Path):
    broken, fine = services.queue.enqueue(one_node(1)), services.queue.enqueue(one_node(2))
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("UPDATE queue SET session = '{broken' WHERE item_id = ?", (broken.item_id,))
    claimed = services.queue.claim_next()
    assert claimed.item_id == fine.item_id
    failed = services.queue.get(broken.item_id)
    assert failed.status == "failed" and broken.session_id in failed.error


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
    fine, broken = services.queue.list().items  # newest first
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


def test_an_item_whose_claimer_exited_without_closing_fails_on_recover(services, open_services, root):
    item = services.queue.enqueue(one_node(1))
    context = multiprocessing.get_context("spawn")
    claimed = context.Queue()
    claimer = context.Process(target=_claim_one_then_exit, args=(str(root), claimed))
    claimer.start()
    assert claimed.get(timeout=60) == item.item_id
    claimer.join(30)
    queue = open_services().queue  # a new process starting on this root: opening alone changes nothing
    assert queue.get(item.item_id).status == "in_progress"
    assert [failed.item_id for failed in queue.recover()] == [item.item_id]
    assert (queue.get(item.item_id).status, queue.get(item.item_id).error) == ("failed", INTERRUPTED)
    assert not list((root / "locks").glob(f"{claimer.pid}-*.lock"))  # the dead claimer's lock file is tidied


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


def test_claiming_a_corrupt_row_by_id_fails_it_and_says_which_session(services, root):
    broken = services.queue.enqueue(one_node(1))
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("UPDATE queue SET session = '{broken' WHERE item_id = ?", (broken.item_id,))
    with pytest.raises(CorruptDataError, match=broken.session_id):
        services.queue.claim(broken.item_id)
    assert services.queue.get(broken.item_id).status == "failed"
    assert services.queue.claim(broken.item_id) is None
