"""Cross-site requests: a page from another origin cannot change anything, with or without the token."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.web.helpers import live_server

EVIL = "https://evil.example"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return buffer.getvalue()


def upload(client, **headers):
    return client.post("/api/v1/images/upload", files={"file": ("g.png", png(), "image/png")}, headers=headers)


def counts(client) -> tuple[int, int]:
    sessions = client.get("/api/v1/sessions").json()["total"]
    images = client.get("/api/v1/images").json()["total"]
    return sessions, images


def test_a_foreign_origin_cannot_upload_or_create(server, client):
    refused = upload(client, Origin=EVIL)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "CrossOriginRequestRefused",
        "message": "a page from 'https://evil.example:443' may not change anything on this server; "
        "add its origin to cors_origins (INVOKE_CORS_ORIGINS) to allow it",
        "node_id": None,
        "field": None,
    }
    assert client.post("/api/v1/sessions", headers={"Origin": EVIL}).status_code == 403  # the bodiless POST
    assert client.post("/api/v1/sessions", headers={"Referer": f"{EVIL}/page?x=1"}).status_code == 403
    assert client.post("/api/v1/sessions", headers={"Origin": "null"}).status_code == 403  # a sandboxed page
    assert client.put("/api/v1/queue/clear", headers={"Origin": "http://127.0.0.1:1"}).status_code == 403
    assert client.delete("/api/v1/images/intermediates", headers={"Origin": EVIL}).status_code == 403
    assert counts(client) == (0, 0)
    assert client.get("/api/v1/sessions", headers={"Origin": EVIL}).status_code == 200  # reading stays CORS's job


def test_the_servers_own_pages_and_non_browsers_can(server, client):
    assert upload(client, Origin=server.url).status_code == 201
    assert upload(client, Referer=f"{server.url}/docs").status_code == 201
    port = server.url.rsplit(":", 1)[1]
    local_page = {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"}
    assert client.post("/api/v1/sessions", headers=local_page).status_code == 201
    assert client.post("/api/v1/sessions").status_code == 201  # curl, the CLI, scripts: no Origin at all
    assert upload(client).status_code == 201
    assert counts(client) == (2, 3)


def test_configured_cors_origins_can(tmp_path):
    with live_server(tmp_path, cors_origins=["https://ui.example"]) as server, server.client() as client:
        assert upload(client, Origin="https://ui.example").status_code == 201
        assert client.post("/api/v1/sessions", headers={"Origin": "https://ui.example"}).status_code == 201
        assert client.post("/api/v1/sessions", headers={"Origin": EVIL}).status_code == 403


@pytest.mark.parametrize("token", ["s3cret", None])
def test_the_token_does_not_let_a_foreign_origin_in(tmp_path, token):
    with live_server(tmp_path, api_token=token) as server, server.client() as client:
        assert upload(client, Origin=EVIL).status_code == 403
        assert client.post("/api/v1/sessions", headers={"Origin": EVIL}).status_code == 403
        assert client.post("/api/v1/sessions", headers={"Origin": server.url}).status_code == 201
        assert counts(client) == (1, 0)


def test_the_refusals_are_documented(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in [
        ("/api/v1/images/upload", "post"),
        ("/api/v1/sessions", "post"),
        ("/api/v1/queue/clear", "put"),
    ]:
        responses = paths[path][method]["responses"]
        assert {"400", "403"} <= set(responses), (path, sorted(responses))
        assert responses["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
