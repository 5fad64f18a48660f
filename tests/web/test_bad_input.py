"""Bad input gets a 4xx naming the node and field, never a 500."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.web.helpers import edge, live_server


def test_malformed_json_is_400(client):
    answer = client.post("/api/v1/sessions", content=b'{"nodes": ', headers={"content-type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "MalformedJSON"


def test_graph_with_unknown_node_type_names_the_node(client):
    answer = client.post("/api/v1/sessions", json={"nodes": {"n1": {"type": "no_such_node"}}})
    assert answer.status_code == 422
    assert answer.json() == {
        "error": "UnknownNodeTypeError",
        "message": "node 'n1': unknown node type 'no_such_node'",
        "node_id": "n1",
        "field": "type",
    }


def test_wrong_field_type_names_node_and_field(client):
    answer = client.post("/api/v1/sessions", json={"nodes": {"sum": {"type": "add", "a": "three"}}})
    assert answer.status_code == 422
    body = answer.json()
    assert (body["error"], body["node_id"], body["field"]) == ("NodeValidationError", "sum", "a")


def test_edge_between_mismatched_types_names_the_field(client):
    session_id = client.post(
        "/api/v1/sessions", json={"nodes": {"s": {"type": "string", "value": "x"}, "n": {"type": "add"}}}
    ).json()["id"]
    answer = client.post(f"/api/v1/sessions/{session_id}/edges", json=edge("s", "value", "n", "a"))
    assert answer.status_code == 422
    assert (answer.json()["error"], answer.json()["node_id"], answer.json()["field"]) == ("EdgeTypeError", "n", "a")
    missing = client.post(f"/api/v1/sessions/{session_id}/edges", json=edge("s", "nope", "n", "a"))
    assert missing.status_code == 422 and missing.json()["field"] == "nope"


def test_node_and_edge_bodies_that_are_not_objects_are_422(client):
    session_id = client.post("/api/v1/sessions").json()["id"]
    assert client.post(f"/api/v1/sessions/{session_id}/nodes", json=[1, 2]).status_code == 422
    assert client.post(f"/api/v1/sessions/{session_id}/edges", json={"source": 1}).status_code == 422
    duplicate = client.post(f"/api/v1/sessions/{session_id}/nodes", json={"id": "x", "type": "integer"})
    assert duplicate.status_code == 201
    again = client.post(f"/api/v1/sessions/{session_id}/nodes", json={"id": "x", "type": "integer"})
    assert again.status_code == 422 and again.json()["node_id"] == "x"


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/sessions/nope"),
        ("POST", "/api/v1/sessions/nope/nodes"),
        ("PUT", "/api/v1/sessions/nope/invoke"),
        ("DELETE", "/api/v1/sessions/nope/invoke"),
        ("GET", "/api/v1/queue/items/424242"),
        ("PUT", "/api/v1/queue/items/424242/cancel"),
        ("GET", "/api/v1/images/nope.png"),
        ("GET", "/api/v1/images/nope.png/full"),
        ("DELETE", "/api/v1/images/nope.png"),
        ("GET", "/api/v1/nodes/nope"),
        ("GET", "/api/v1/no/such/route"),
    ],
)
def test_unknown_things_are_404(client, method, path):
    answer = client.request(method, path, json={"type": "integer"} if method == "POST" else None)
    assert answer.status_code == 404, answer.text
    assert answer.json()["message"]


def test_bad_paging_and_status_are_422(client):
    assert client.get("/api/v1/sessions", params={"per_page": 0}).status_code == 422
    assert client.get("/api/v1/queue/items", params={"status": "sleeping"}).status_code == 422
    answer = client.get("/api/v1/images", params={"page": -1})
    assert answer.status_code == 422 and answer.json()["field"] == "page"


def test_batch_naming_a_missing_node_or_bad_value_is_422(client):
    graph = {"nodes": {"n": {"type": "integer", "value": 1}}}
    missing = client.post(
        "/api/v1/queue/batches",
        json={"graph": graph, "data": [[{"node_path": "ghost", "field_name": "value", "items": [1]}]]},
    )
    assert missing.status_code == 422 and missing.json()["node_id"] == "ghost"
    wrong = client.post(
        "/api/v1/queue/batches",
        json={"graph": graph, "data": [[{"node_path": "n", "field_name": "value", "items": [1, "x"]}]]},
    )
    assert wrong.status_code == 422 and (wrong.json()["node_id"], wrong.json()["field"]) == ("n", "value")
    uneven = client.post(
        "/api/v1/queue/batches",
        json={
            "graph": graph,
            "data": [
                [
                    {"node_path": "n", "field_name": "value", "items": [1, 2]},
                    {"node_path": "n", "field_name": "use_cache", "items": [True]},
                ]
            ],
        },
    )
    assert uneven.status_code == 422


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


def test_upload_decodes_and_refuses_non_images_and_oversized(tmp_path):
    with (
        live_server(tmp_path, max_upload_bytes=20_000, max_upload_pixels=100 * 100) as server,
        server.client() as client,
    ):
        ok = client.post("/api/v1/images/upload", files={"file": ("blue.png", _png(10, 6), "image/png")})
        assert ok.status_code == 201
        record = ok.json()
        assert (record["width"], record["height"], record["metadata"]["uploaded_as"]) == (10, 6, "blue.png")
        assert client.get(f"/api/v1/images/{record['image_name']}/full").status_code == 200

        text = client.post("/api/v1/images/upload", files={"file": ("x.png", b"not an image at all", "image/png")})
        assert text.status_code == 415 and text.json()["field"] == "file"
        truncated = client.post("/api/v1/images/upload", files={"file": ("t.png", _png(50, 50)[:60], "image/png")})
        assert truncated.status_code == 415
        too_many_pixels = client.post("/api/v1/images/upload", files={"file": ("big.png", _png(200, 200), "image/png")})
        assert too_many_pixels.status_code == 413 and "pixels" in too_many_pixels.json()["message"]
        too_big = client.post("/api/v1/images/upload", files={"file": ("huge.bin", b"\0" * 30_000, "image/png")})
        assert too_big.status_code == 413
        huge_request = client.post(
            "/api/v1/sessions", content=b" " * 2_000_000, headers={"content-type": "application/json"}
        )
        assert huge_request.status_code == 413
        no_file = client.post("/api/v1/images/upload")
        assert no_file.status_code == 422

        deleted = client.delete(f"/api/v1/images/{record['image_name']}")
        assert deleted.status_code == 204
        assert client.get(f"/api/v1/images/{record['image_name']}").status_code == 404
        assert [item["image_name"] for item in client.get("/api/v1/images").json()["items"]] == []


@pytest.mark.parametrize("name", ["..%2F..%2Fetc%2Fpasswd", "..", ".hidden", "a%00b"])
def test_image_names_cannot_reach_outside_the_store(client, name):
    for suffix in ("", "/full", "/thumbnail"):
        answer = client.get(f"/api/v1/images/{name}{suffix}")
        assert answer.status_code in (404, 422), (name, suffix, answer.status_code)
