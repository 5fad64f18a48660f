"""DNS rebinding: over loopback the server answers only to loopback names, unless told other names."""

from __future__ import annotations

import pytest
import websocket

from tests.web.helpers import live_server

POLLING_HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def websocket_status(url: str, host: str) -> int:
    """The HTTP status a Socket.IO websocket handshake naming `host` gets (101 when it is accepted)."""
    address = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    try:
        connection = websocket.create_connection(address, host=host, suppress_origin=True, timeout=10)
    except websocket.WebSocketBadStatusException as refused:
        return refused.status_code
    connection.close()
    return 101


def test_a_foreign_host_name_is_refused_over_loopback(server, client):
    client.post("/api/v1/queue/batches", json={"graph": {"nodes": {"n": {"type": "integer"}}}, "runs": 2})
    refused = client.put("/api/v1/queue/clear", headers={"Host": "attacker.example"})
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "HostNotAllowed",
        "message": "this server does not answer to the host name 'attacker.example'; "
        "use localhost, or add the name to allowed_hosts (INVOKE_ALLOWED_HOSTS)",
        "node_id": None,
        "field": None,
    }
    assert client.get("/api/v1/queue/status").json()["total"] == 2  # nothing was cleared
    assert client.get(POLLING_HANDSHAKE, headers={"Host": "attacker.example:80"}).status_code == 400
    assert websocket_status(server.url, "attacker.example") == 403
    assert server.app.state.sio.eio.sockets == {}  # no Socket.IO session was opened


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:9090", "127.0.0.1", "127.0.0.1:1234", "[::1]", "[::1]:9090", "LOCALHOST"]
)
def test_loopback_names_are_answered(client, host):
    assert client.put("/api/v1/queue/clear", headers={"Host": host}).status_code == 200


def test_the_socket_handshake_under_a_loopback_name_works(server):
    assert websocket_status(server.url, "localhost:9090") == 101


def test_configured_host_names_are_answered(tmp_path):
    with live_server(tmp_path, allowed_hosts=["invoke.example"]) as server, server.client() as client:
        assert client.put("/api/v1/queue/clear", headers={"Host": "invoke.example"}).status_code == 200
        assert client.put("/api/v1/queue/clear", headers={"Host": "Invoke.Example:8443"}).status_code == 200
        assert client.put("/api/v1/queue/clear", headers={"Host": "localhost"}).status_code == 200
        assert client.put("/api/v1/queue/clear", headers={"Host": "attacker.example"}).status_code == 400
        assert websocket_status(server.url, "invoke.example") == 101


def test_a_star_answers_any_name(tmp_path):
    with live_server(tmp_path, allowed_hosts=["*"]) as server, server.client() as client:
        assert client.put("/api/v1/queue/clear", headers={"Host": "anything.example"}).status_code == 200


def test_allowed_hosts_come_from_the_environment(tmp_path, monkeypatch):
    from invoke_core import load_config
    from invoke_web import WebSettings

    monkeypatch.setenv("INVOKE_ALLOWED_HOSTS", "a.example, b.example")
    assert WebSettings.from_config(load_config(tmp_path)).allowed_hosts == ["a.example", "b.example"]
