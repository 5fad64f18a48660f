"""The invoker on the local services: what differs from memory is that the queue may keep its
own copy of a session (one enqueued without `stored`), so the processor must run the stored one."""

from __future__ import annotations


def test_an_edit_made_while_the_item_waits_is_run(services, invoker):
    session = invoker.create_session({"nodes": {"a": {"type": "add", "a": 1, "b": 1}}})
    item = invoker.services.queue.enqueue(session)  # queued, the processor not started yet
    invoker.add_node(session.id, {"id": "b", "type": "add", "a": 10, "b": 5})
    invoker.start()
    assert invoker.wait(item, timeout=30).status == "completed"
    stored = invoker.get_session(session.id)
    assert stored.results["a"].value == 2
    assert stored.results["b"].value == 15  # the node added after enqueue ran, and was kept


def test_a_session_grows_between_runs(invoker):
    session = invoker.create_session({"nodes": {"a": {"type": "add", "a": 1, "b": 1}}})
    assert invoker.wait(invoker.invoke(session.id), timeout=30).status == "completed"
    invoker.add_node(session.id, {"id": "b", "type": "add", "b": 100})
    invoker.add_edge(
        session.id, {"source": {"node_id": "a", "field": "value"}, "destination": {"node_id": "b", "field": "a"}}
    )
    assert invoker.wait(invoker.invoke(session.id), timeout=30).status == "completed"
    stored = invoker.get_session(session.id)
    assert stored.results["b"].value == 102
    assert stored.history == ["a", "b"]  # "a" ran once: its result was kept, not redone


def test_a_queued_session_deleted_from_storage_fails_its_item_with_why(invoker):
    session = invoker.create_session({"nodes": {"n": {"type": "integer", "value": 1}}})
    item = invoker.services.queue.enqueue(session, stored=True)
    invoker.services.sessions.delete(session.id)
    claimed = invoker.services.queue.claim(item.item_id)
    assert claimed.session is None  # the local queue keeps no copy of a stored session
    assert invoker.processor.run_item(claimed) is None
    finished = invoker.services.queue.get(item.item_id)
    assert finished.status == "failed"
    assert finished.error == (
        f"SessionNotFoundError: session {session.id} of queue item {item.item_id} is no longer in session storage"
    )
