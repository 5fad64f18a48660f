"""GET /api/v1/sessions gives summaries, not whole sessions, so one huge session cannot make
every listing huge (issue 11, item 6: after a 1M-node graph every listing was 64 MB)."""

from __future__ import annotations

from tests.web.helpers import wait_for


def test_the_listing_gives_summaries_however_large_a_session_is(client):
    small = client.post("/api/v1/sessions", json={"nodes": {"n": {"type": "integer", "value": 1}}}).json()
    text = "x" * 2_000_000
    nodes = {f"s{i}": {"type": "string", "value": text} for i in range(3)}
    huge = client.post("/api/v1/sessions", json={"nodes": nodes}).json()
    whole = client.get(f"/api/v1/sessions/{huge['id']}")
    assert whole.status_code == 200 and len(whole.content) > 6_000_000
    listing = client.get("/api/v1/sessions")
    assert listing.status_code == 200 and len(listing.content) < 1000
    body = listing.json()
    assert body["total"] == 2 and [s["id"] for s in body["items"]] == [huge["id"], small["id"]]
    summary = body["items"][0]
    assert summary == {
        "id": huge["id"],
        "status": "pending",
        "created_at": huge["created_at"],
        "updated_at": huge["updated_at"],
    }


def test_a_summary_follows_its_session_status(client):
    session_id = client.post("/api/v1/sessions", json={"nodes": {"n": {"type": "integer", "value": 1}}}).json()["id"]
    client.put(f"/api/v1/sessions/{session_id}/invoke")
    wait_for(lambda: client.get("/api/v1/sessions").json()["items"][0]["status"] == "completed")
