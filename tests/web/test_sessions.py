"""Sessions over HTTP and Socket.IO on a live uvicorn: build node by node, invoke, watch, fetch."""

from __future__ import annotations

import io

from PIL import Image

from tests.web.helpers import SocketListener, edge, wait_for


def test_build_invoke_receive_events_in_order_and_fetch_the_image(server, client):
    created = client.post("/api/v1/sessions")
    assert created.status_code == 201
    session_id = created.json()["id"]
    assert created.json()["graph"] == {"nodes": {}, "edges": []}

    added = client.post(
        f"/api/v1/sessions/{session_id}/nodes",
        json={"id": "blank", "type": "blank_image", "width": 8, "height": 4, "color": "#102030"},
    )
    assert added.status_code == 201 and added.json() == {"node_id": "blank"}
    invert = client.post(f"/api/v1/sessions/{session_id}/nodes", json={"type": "img_invert"})
    invert_id = invert.json()["node_id"]
    linked = client.post(f"/api/v1/sessions/{session_id}/edges", json=edge("blank", "image", invert_id, "image"))
    assert linked.status_code == 201
    assert client.get(f"/api/v1/sessions/{session_id}").json()["graph"]["edges"] == [
        edge("blank", "image", invert_id, "image")
    ]

    with SocketListener(server) as listener:
        listener.subscribe_session(session_id)
        queued = client.put(f"/api/v1/sessions/{session_id}/invoke", params={"all": "true"})
        assert queued.status_code == 202
        assert queued.json()["session_id"] == session_id
        wait_for(lambda: "session_complete" in listener.names())
        names = [name for name in listener.names() if name != "queue_item_status_changed"]
        assert names == [
            "invocation_started",
            "invocation_complete",
            "invocation_started",
            "invocation_complete",
            "session_complete",
        ]
        started = [event["source_node_id"] for event in listener.of("invocation_started")]
        assert started == ["blank", invert_id]
        assert listener.of("session_complete")[0]["status"] == "completed"

    session = client.get(f"/api/v1/sessions/{session_id}").json()
    assert session["status"] == "completed"
    image_name = session["results"][invert_id]["image"]["image_name"]

    record = client.get(f"/api/v1/images/{image_name}").json()
    assert (record["width"], record["height"], record["session_id"]) == (8, 4, session_id)
    assert record["metadata"]["graph"]["nodes"]["blank"]["color"] == "#102030"

    full = client.get(f"/api/v1/images/{image_name}/full")
    assert full.status_code == 200 and full.headers["content-type"] == "image/png"
    assert "immutable" in full.headers["cache-control"]
    pixel = Image.open(io.BytesIO(full.content)).convert("RGB").getpixel((0, 0))
    assert pixel == (255 - 0x10, 255 - 0x20, 255 - 0x30)
    again = client.get(f"/api/v1/images/{image_name}/full", headers={"If-None-Match": full.headers["etag"]})
    assert again.status_code == 304 and again.content == b""

    thumb = client.get(f"/api/v1/images/{image_name}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(thumb.content)).size == (8, 4)
    assert thumb.headers["etag"] != full.headers["etag"]

    # blank's image only feeds the invert: intermediate, listed only when asked for
    listed = client.get("/api/v1/images", params={"session_id": session_id}).json()
    assert [item["image_name"] for item in listed["items"]] == [image_name]
    everything = client.get("/api/v1/images", params={"session_id": session_id, "include_intermediates": True})
    assert [item["image_name"] for item in everything.json()["items"]] == [
        image_name,
        session["results"]["blank"]["image"]["image_name"],
    ]


def test_invoke_one_node_at_a_time_then_executed_nodes_are_immutable(client, server):
    graph = {
        "nodes": {"a": {"type": "integer", "value": 2}, "b": {"type": "add", "b": 3}},
        "edges": [edge("a", "value", "b", "a")],
    }
    session_id = client.post("/api/v1/sessions", json=graph).json()["id"]

    item = client.put(f"/api/v1/sessions/{session_id}/invoke", params={"all": "false"}).json()
    server.invoker.wait(item["item_id"], timeout=15)
    session = client.get(f"/api/v1/sessions/{session_id}").json()
    assert session["history"] == ["a"] and session["status"] == "in_progress"

    item = client.put(f"/api/v1/sessions/{session_id}/invoke", params={"all": "false"}).json()
    server.invoker.wait(item["item_id"], timeout=15)
    session = client.get(f"/api/v1/sessions/{session_id}").json()
    assert session["results"]["b"] == {"value": 5} and session["status"] == "completed"

    client.post(f"/api/v1/sessions/{session_id}/nodes", json={"id": "c", "type": "integer", "value": 9})
    refused = client.post(f"/api/v1/sessions/{session_id}/edges", json=edge("c", "value", "b", "b"))
    assert refused.status_code == 409
    assert refused.json() == {
        "error": "NodeAlreadyExecutedError",
        "message": refused.json()["message"],
        "node_id": "b",
        "field": "b",
    }
    assert "'b'" in refused.json()["message"]

    done = client.put(f"/api/v1/sessions/{session_id}/invoke")  # c is left: it runs
    assert done.status_code == 202
    server.invoker.wait(done.json()["item_id"], timeout=15)
    assert client.put(f"/api/v1/sessions/{session_id}/invoke").status_code == 409  # nothing left


def test_a_failing_node_is_an_error_event_and_recorded(server, client):
    session_id = client.post(
        "/api/v1/sessions", json={"nodes": {"f": {"type": "web_test_fail", "reason": "boom"}}}
    ).json()["id"]
    with SocketListener(server) as listener:
        listener.subscribe_session(session_id)
        client.put(f"/api/v1/sessions/{session_id}/invoke")
        wait_for(lambda: listener.of("session_complete"))
        error = listener.of("invocation_error")[0]
        assert (error["source_node_id"], error["error_type"], error["message"]) == ("f", "RuntimeError", "boom")
    session = client.get(f"/api/v1/sessions/{session_id}").json()
    assert session["status"] == "failed" and session["errors"]["f"]["message"] == "boom"


def test_cancel_a_running_session(server, client):
    graph = {"nodes": {"slow": {"type": "web_test_slow_count", "steps": 2000, "delay": 0.005}}}
    session_id = client.post("/api/v1/sessions", json=graph).json()["id"]
    with SocketListener(server) as listener:
        listener.subscribe_session(session_id)
        item = client.put(f"/api/v1/sessions/{session_id}/invoke").json()
        progress = wait_for(lambda: listener.of("invocation_progress"))
        assert progress[0]["preview"].startswith("data:image/jpeg;base64,")
        # a busy session takes no changes
        busy = client.post(f"/api/v1/sessions/{session_id}/nodes", json={"type": "integer"})
        assert busy.status_code == 409 and busy.json()["error"] == "SessionBusyError"
        canceled = client.delete(f"/api/v1/sessions/{session_id}/invoke")
        assert canceled.status_code == 202
        assert [found["item_id"] for found in canceled.json()["canceled"]] == [item["item_id"]]
        wait_for(lambda: client.get(f"/api/v1/queue/items/{item['item_id']}").json()["status"] == "canceled")
        wait_for(lambda: "session_canceled" in listener.names())
        steps = [event["step"] for event in listener.of("invocation_progress")]
        assert steps == sorted(steps) and steps[-1] < 2000
    session = wait_for(lambda: (s := client.get(f"/api/v1/sessions/{session_id}").json())["status"] == "canceled" and s)
    assert "slow" not in session["results"]


def test_list_sessions_is_paginated_newest_first(client):
    ids = [client.post("/api/v1/sessions").json()["id"] for _ in range(5)]
    first = client.get("/api/v1/sessions", params={"page": 0, "per_page": 2}).json()
    second = client.get("/api/v1/sessions", params={"page": 1, "per_page": 2}).json()
    assert first["total"] == 5 and first["per_page"] == 2
    assert [s["id"] for s in first["items"] + second["items"]] == list(reversed(ids))[:4]


def test_the_server_runs_on_the_services_asked_for(server, request):
    kind = request.node.callspec.params["server"]
    module = type(server.invoker.services.sessions).__module__
    assert module.startswith("invoke_services_local" if kind == "local" else "invoke_core")
