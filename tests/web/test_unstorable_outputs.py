"""Over HTTP: a product too big for JSON fails its queue item at once with the node and why,
and its session (and the session listing) still answer."""

from __future__ import annotations

from tests.web.helpers import wait_for


def test_a_product_too_big_to_store_fails_its_item_and_the_session_answers(server, client):
    graph = {"nodes": {"m": {"type": "mul", "a": 10**2200, "b": 10**2200}}}
    answer = client.post("/api/v1/queue/batches", json={"graph": graph})
    assert answer.status_code == 201, answer.text

    def finished():
        items = client.get("/api/v1/queue/items").json()["items"]
        return items if items and items[0]["status"] in ("completed", "failed") else None

    (item,) = wait_for(finished)
    assert item["status"] == "failed"
    assert item["error"].startswith("m (mul): UnstorableOutputError: output 'value' cannot be stored")
    session = client.get(f"/api/v1/sessions/{item['session_id']}")
    assert session.status_code == 200
    assert session.json()["errors"]["m"]["field"] == "value" and session.json()["results"] == {}
    assert client.get("/api/v1/sessions").status_code == 200
