"""Queueing a whole session checks it first (invoke_core.preflight): bad input is a 422 naming
node and field, and nothing is queued."""

from __future__ import annotations

from tests.web.helpers import edge, wait_for


def new_session(client, graph: dict) -> str:
    created = client.post("/api/v1/sessions", json=graph)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_a_required_input_with_no_value_and_no_link_is_422_and_nothing_is_queued(client):
    session_id = new_session(
        client, {"nodes": {"noise": {"type": "img_noise", "width": 8}, "blur": {"type": "img_blur"}}}
    )
    answer = client.put(f"/api/v1/sessions/{session_id}/invoke", params={"all": "true"})
    assert answer.status_code == 422
    assert answer.json() == {
        "error": "MissingInputError",
        "message": "node 'blur' (img_blur): required input 'image' has no value and no link",
        "node_id": "blur",
        "field": "image",
    }
    assert client.get("/api/v1/queue/items").json()["total"] == 0
    assert client.get(f"/api/v1/sessions/{session_id}").json()["status"] == "pending"


def test_once_linked_the_same_session_is_queued_and_runs(client):
    session_id = new_session(
        client, {"nodes": {"noise": {"type": "img_noise", "width": 8}, "blur": {"type": "img_blur"}}}
    )
    assert client.put(f"/api/v1/sessions/{session_id}/invoke").status_code == 422
    assert (
        client.post(f"/api/v1/sessions/{session_id}/edges", json=edge("noise", "image", "blur", "image")).status_code
        == 201
    )
    assert client.put(f"/api/v1/sessions/{session_id}/invoke").status_code == 202
    wait_for(lambda: client.get(f"/api/v1/sessions/{session_id}").json()["status"] == "completed")


def test_running_only_the_next_node_is_not_checked(client):
    """Step by step, links may still come before later nodes run; a node that runs empty fails as before."""
    session_id = new_session(client, {"nodes": {"blur": {"type": "img_blur"}}})
    assert client.put(f"/api/v1/sessions/{session_id}/invoke", params={"all": "false"}).status_code == 202
    wait_for(lambda: client.get(f"/api/v1/sessions/{session_id}").json()["status"] == "failed")
    assert client.get(f"/api/v1/sessions/{session_id}").json()["errors"]["blur"]["error_type"] == "MissingInputError"
