"""The batch queue over HTTP: enqueue, watch it drain over Socket.IO, list, cancel, clear, prune."""

from __future__ import annotations

from tests.web.helpers import SocketListener, wait_for

ADD_GRAPH = {"nodes": {"sum": {"type": "add", "a": 1, "b": 0}}}


def test_enqueue_a_batch_and_watch_the_queue_drain(server, client):
    batch = {"graph": ADD_GRAPH, "data": [[{"node_path": "sum", "field_name": "b", "items": [10, 20, 30]}]], "runs": 2}
    with SocketListener(server) as listener:
        listener.subscribe_queue()
        answer = client.post("/api/v1/queue/batches", json=batch)
        assert answer.status_code == 201
        batch_id = answer.json()["batch_id"]
        assert answer.json()["enqueued"] == 6
        wait_for(lambda: client.get("/api/v1/queue/status").json()["completed"] == 6)

        def completed_events():
            found = [e for e in listener.of("queue_item_status_changed") if e["status"] == "completed"]
            return found if len(found) == 6 else None

        finished = wait_for(completed_events)
        assert {event["batch_id"] for event in finished} == {batch_id}
        assert len(listener.of("session_complete")) == 6  # the queue room sees every queued session's events

    status = client.get("/api/v1/queue/status", params={"batch_id": batch_id}).json()
    assert status == {"pending": 0, "in_progress": 0, "completed": 6, "failed": 0, "canceled": 0, "total": 6}
    items = client.get("/api/v1/queue/items", params={"status": "completed", "per_page": 4}).json()
    assert items["total"] == 6 and len(items["items"]) == 4
    rest = client.get("/api/v1/queue/items", params={"status": "completed", "per_page": 4, "page": 1}).json()
    ids = [item["item_id"] for item in items["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6  # newest first
    values = [item["field_values"][0]["value"] for item in items["items"] + rest["items"]]
    assert values == [30, 20, 10, 30, 20, 10]
    one = client.get(f"/api/v1/queue/items/{ids[1]}").json()
    session = client.get(f"/api/v1/sessions/{one['session_id']}").json()
    assert session["results"]["sum"] == {"value": 21}

    assert client.put("/api/v1/queue/prune").json() == {"count": 6}
    assert client.get("/api/v1/queue/status").json()["total"] == 0


def test_cancel_an_item_a_batch_and_everything(server, client):
    slow = {"nodes": {"slow": {"type": "web_test_slow_count", "steps": 1000, "delay": 0.01}}}
    first = client.post("/api/v1/queue/batches", json={"graph": slow, "runs": 3}).json()
    second = client.post("/api/v1/queue/batches", json={"graph": slow, "runs": 2}).json()
    wait_for(lambda: client.get("/api/v1/queue/status").json()["in_progress"] == 1)
    running = client.get("/api/v1/queue/items", params={"status": "in_progress"}).json()["items"][0]

    canceled = client.put(f"/api/v1/queue/items/{running['item_id']}/cancel")
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    by_batch = client.put(f"/api/v1/queue/batches/{first['batch_id']}/cancel").json()["canceled"]
    assert {item["batch_id"] for item in by_batch} == {first["batch_id"]}
    assert len(by_batch) == 2  # the third was canceled by itself above
    wait_for(
        lambda: client.get("/api/v1/queue/status", params={"batch_id": second["batch_id"]}).json()["in_progress"] == 1
    )
    everything = client.put("/api/v1/queue/cancel").json()["canceled"]
    assert {item["batch_id"] for item in everything} == {second["batch_id"]} and len(everything) == 2
    wait_for(lambda: client.get("/api/v1/queue/status").json()["in_progress"] == 0)
    assert client.get("/api/v1/queue/status").json()["canceled"] == 5
    assert client.put("/api/v1/queue/clear").json() == {"count": 5}
    assert client.get("/api/v1/queue/items").json()["items"] == []
