"""On SQLite: a node whose output JSON cannot hold fails its item at once (not `in_progress`
until a restart calls it interrupted), and the session is stored and readable, also after a restart."""

from __future__ import annotations

from typing import Literal

import pytest
from invoke_core import BaseInvocation, BaseInvocationOutput, Invoker, register_plugin, unregister_plugin
from pydantic import field_serializer


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


class SerializedTooBigInvocation(BaseInvocation, category="test"):
    """Outputs a small number that its serializer turns into one JSON cannot hold: the runner's
    check sees the plain value, so only storing the session finds out."""

    type: Literal["test_serialized_too_big"] = "test_serialized_too_big"

    class Outputs(BaseInvocationOutput):
        value: int = 0

        @field_serializer("value")
        def _grow(self, value: int) -> int:
            return 10**5000

    def invoke(self, context) -> Outputs:
        return self.Outputs(value=1)


@pytest.fixture
def too_big_node():
    class Plugin:
        @staticmethod
        def register_invocations():
            return [SerializedTooBigInvocation]

    name = register_plugin(Plugin(), name="serialized_too_big")
    yield
    unregister_plugin(name)


def test_a_session_storage_refuses_fails_its_item_and_the_stored_copy_says_why(open_services, too_big_node):
    invoker = Invoker(open_services())
    session = invoker.create_session({"nodes": {"big": {"type": "test_serialized_too_big"}}})
    item = invoker.wait(invoker.invoke(session), timeout=30)
    invoker.stop()
    assert item.status == "failed"
    assert item.error.startswith("the session could not be stored: ValueError: Exceeds the limit (4300 digits)")
    stored = invoker.get_session(session.id)  # readable: the copy from before the run, with the failure
    assert stored.status == "failed" and stored.errors["big"].message == item.error
