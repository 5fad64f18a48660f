"""Safe defaults: the token guards every route and the socket; CORS is closed unless configured."""

from __future__ import annotations

import pytest
import socketio

from tests.web.helpers import SocketListener, live_server, wait_for

ROUTES = ["/api/v1/nodes", "/api/v1/sessions", "/api/v1/queue/status", "/api/v1/images", "/docs", "/openapi.json"]


def test_token_required_on_every_route_and_the_socket(tmp_path):
    with live_server(tmp_path, api_token="s3cret") as server:
        with server.client(token="") as anonymous, server.client(token="wrong") as wrong, server.client() as right:
            for route in ROUTES:
                refused = anonymous.get(route)
                assert refused.status_code == 401, route
                assert refused.headers["www-authenticate"] == "Bearer"
                assert refused.json()["error"] == "Unauthorized"
                assert wrong.get(route).status_code == 401, route
                assert right.get(route).status_code == 200, route
            assert anonymous.post("/api/v1/sessions").status_code == 401
            assert anonymous.get("/api/v1/health", params={"token": "s3cret"}).status_code == 200

        with pytest.raises(socketio.exceptions.ConnectionError):
            SocketListener(server, token="wrong")
        with SocketListener(server) as listener, server.client() as right:  # the server's token
            session_id = right.post("/api/v1/sessions", json={"nodes": {"n": {"type": "integer"}}}).json()["id"]
            listener.subscribe_session(session_id)
            right.put(f"/api/v1/sessions/{session_id}/invoke")
            wait_for(lambda: "session_complete" in listener.names())


def test_without_a_token_everything_is_open(server, client):
    assert client.get("/api/v1/nodes").status_code == 200
    with SocketListener(server) as listener:
        listener.subscribe_queue()


def test_cors_closed_by_default(client):
    preflight = client.options(
        "/api/v1/nodes", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.get("/api/v1/nodes", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_open_to_configured_origins_only(tmp_path):
    with live_server(tmp_path, cors_origins=["https://ui.example"]) as server, server.client() as client:
        allowed = client.get("/api/v1/nodes", headers={"Origin": "https://ui.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://ui.example"
        other = client.get("/api/v1/nodes", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_settings_come_from_the_config(tmp_path, monkeypatch):
    from invoke_core import load_config
    from invoke_web import WebSettings

    monkeypatch.setenv("INVOKE_API_TOKEN", "from-env")
    monkeypatch.setenv("INVOKE_CORS_ORIGINS", "https://a.example, https://b.example")
    settings = WebSettings.from_config(load_config(tmp_path))
    assert settings.api_token == "from-env"
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert WebSettings.from_config(load_config(tmp_path), api_token="given").api_token == "given"
