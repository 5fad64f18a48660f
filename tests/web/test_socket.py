"""Socket.IO forwarding: every subscriber gets every event in order, from one encoding per event."""

from __future__ import annotations

import json

from invoke_core import InvocationProgressEvent, SessionCompleteEvent
from invoke_web.socket import EventPacket, PreEncodedJSON, coalesce_progress

from tests.web.helpers import SocketListener, edge, wait_for


def chain(length: int) -> dict:
    nodes = {"n0": {"type": "integer", "value": 0}}
    nodes.update({f"n{i}": {"type": "add", "b": 1} for i in range(1, length)})
    return {"nodes": nodes, "edges": [edge(f"n{i - 1}", "value", f"n{i}", "a") for i in range(1, length)]}


def item_finished(events: list[dict]) -> bool:
    return any(
        event["event"] == "queue_item_status_changed" and event["data"]["status"] == "completed" for event in events
    )


def test_ten_subscribers_receive_the_same_events_in_order(server, client):
    session_id = client.post("/api/v1/sessions", json=chain(50)).json()["id"]
    listeners = [SocketListener(server) for _ in range(10)]
    try:
        for listener in listeners:
            listener.subscribe_session(session_id)
        client.put(f"/api/v1/sessions/{session_id}/invoke")
        for listener in listeners:
            # the last event of a run is its queue item finishing, after session_complete
            wait_for(lambda listener=listener: item_finished(listener.events))
        first = listeners[0].events
        assert all(listener.events == first for listener in listeners[1:])
        completed = [event["data"] for event in first if event["event"] == "invocation_complete"]
        assert [event["source_node_id"] for event in completed] == [f"n{i}" for i in range(50)]
        assert completed[-1]["outputs"] == {"value": 49}
        # events travel in batches: fewer messages than events, and not one per subscriber
        assert server.app.state.forwarder.sent_messages <= len(first)
    finally:
        for listener in listeners:
            listener.close()


def test_nobody_connected_means_the_engine_has_no_listener(server, client):
    events = server.invoker.services.events
    assert not events.has_listeners  # so the runner does not even build events
    with SocketListener(server):
        assert events.has_listeners
    wait_for(lambda: not events.has_listeners)


def test_unsubscribed_clients_get_nothing(server, client):
    session_id = client.post("/api/v1/sessions", json={"nodes": {"n": {"type": "integer"}}}).json()["id"]
    with SocketListener(server) as watching, SocketListener(server) as idle:
        watching.subscribe_session(session_id)
        idle.subscribe_session(session_id)
        assert idle.sio.call("unsubscribe_session", {"session_id": session_id}, timeout=10)["ok"]
        assert not idle.sio.call("subscribe_session", {"nope": 1}, timeout=10)["ok"]
        client.put(f"/api/v1/sessions/{session_id}/invoke")
        wait_for(lambda: "session_complete" in watching.names())
        assert idle.events == []


def _progress(node: str, step: int) -> InvocationProgressEvent:
    return InvocationProgressEvent(session_id="s", node_id=node, source_node_id=node, node_type="t", step=step, total=9)


def test_progress_piling_up_is_coalesced_to_the_latest_per_node():
    done = SessionCompleteEvent(session_id="s", status="completed")
    events = [_progress("a", 1), _progress("b", 1), _progress("a", 2), done, _progress("a", 3)]
    kept = coalesce_progress(events)
    assert [(getattr(e, "node_id", None), getattr(e, "step", None)) for e in kept] == [
        ("b", 1),
        (None, None),
        ("a", 3),
    ]


def test_pre_encoded_batches_are_written_as_is():
    batch = PreEncodedJSON('[{"event":"x","data":{"a":1}}]')
    packet = EventPacket(data=["events", batch])
    encoded = packet.encode()
    assert json.loads(encoded[1:]) == ["events", [{"event": "x", "data": {"a": 1}}]]
    assert json.loads(EventPacket(data=["other", {"b": [1]}]).encode()[1:]) == ["other", {"b": [1]}]
