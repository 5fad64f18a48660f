"""On SQLite: a node whose output JSON cannot hold fails its item at once (not `in_progress`
until a restart calls it interrupted), and the session is stored and readable, also after a restart."""

from __future__ import annotations

from invoke_core import Invoker


def test_an_unstorable_product_fails_its_item_and_the_session_is_stored(open_services):
    invoker = Invoker(open_services())
    item = invoker.invoke(invoker.create_session({"nodes": {"m": {"type": "mul", "a": 10**2200, "b": 10**2200}}}))
    finished = invoker.wait(item, timeout=30)
    invoker.stop()
    assert finished.status == "failed"
    assert finished.error.startswith("m (mul): UnstorableOutputError: output 'value' cannot be stored")

    restarted = Invoker(open_services())  # a new process on the same root
    restarted.start()
    restarted.stop()
    assert restarted.services.queue.get(item.item_id).error == finished.error  # not "interrupted"
    session = restarted.get_session(item.session_id)
    assert session.status == "failed" and session.errors["m"].field == "value"
