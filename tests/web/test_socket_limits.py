"""What a socket client can make the server hold: nothing without the token, a bounded backlog with it."""

from __future__ import annotations

import socket

import httpx
import websocket

from tests.web.helpers import SocketListener, live_server, wait_for

POLLING_HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def websocket_url(server, query: str = "") -> str:
    return server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket" + query


def test_handshakes_without_the_token_are_refused_before_a_session_exists(tmp_path):
    with live_server(tmp_path, api_token="s3cret") as server, httpx.Client(base_url=server.url) as http:
        sockets = server.app.state.sio.eio.sockets
        for _ in range(200):
            refused = http.get(POLLING_HANDSHAKE)
            assert refused.status_code == 401
        assert refused.json()["error"] == "Unauthorized"
        assert http.get(POLLING_HANDSHAKE, headers={"Authorization": "Bearer wrong"}).status_code == 401
        try:
            websocket.create_connection(websocket_url(server), suppress_origin=True, timeout=10)
            raise AssertionError("a websocket handshake without the token was accepted")
        except websocket.WebSocketBadStatusException as refused_websocket:
            assert refused_websocket.status_code == 403
        assert sockets == {}  # nothing was allocated for any of them

        assert http.get(POLLING_HANDSHAKE + "&token=s3cret").status_code == 200
        assert len(sockets) == 1
        with SocketListener(server) as listener:  # the Python client, sending the token on its handshake
            listener.subscribe_queue()


def silent_subscriber(server) -> websocket.WebSocket:
    """A raw Socket.IO client that joins the queue room, then never reads again (a tiny receive buffer)."""
    connection = websocket.create_connection(
        websocket_url(server),
        suppress_origin=True,
        timeout=10,
        sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),),
    )
    assert connection.recv().startswith("0{")  # Engine.IO open
    connection.send("40")  # Socket.IO connect
    assert connection.recv().startswith("40{")
    connection.send('421["subscribe_queue",{}]')
    assert connection.recv().startswith("431[")
    return connection


def run_batch(client, value: str, runs: int) -> None:
    batch = {"graph": {"nodes": {"s": {"type": "string", "value": value, "use_cache": False}}}, "runs": runs}
    batch_id = client.post("/api/v1/queue/batches", json=batch).json()["batch_id"]
    wait_for(lambda: client.get("/api/v1/queue/status", params={"batch_id": batch_id}).json()["completed"] == runs)


def test_a_client_that_stops_reading_is_disconnected_and_freed(server, client):
    forwarder = server.app.state.forwarder
    forwarder.max_backlog_bytes = 1024 * 1024  # the default is larger; the behaviour is the same
    sockets = server.app.state.sio.eio.sockets
    stalled = silent_subscriber(server)
    stalled_client = next(iter(sockets.values()))
    big = "x" * 100_000  # each invocation_complete carries it: megabytes per batch
    with SocketListener(server) as reader:
        reader.subscribe_queue()
        # the first batches fill the connection and its writer; the next ones wait in the server for it
        batches = 0
        while batches < 4 and not forwarder.dropped_clients:
            run_batch(client, big, 30)
            batches += 1
        assert forwarder.dropped_clients == 1
        assert list(sockets.values()) != [stalled_client] and len(sockets) == 1  # the reader's
        assert stalled_client.queue.qsize() == 0  # what waited for it is freed
        # the reader that kept up got every event
        wait_for(lambda: len(reader.of("invocation_complete")) == 30 * batches)
        assert all(event["outputs"]["value"] == big for event in reader.of("invocation_complete"))
    stalled.close()
