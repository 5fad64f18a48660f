"""`invokeai web --access-log` never writes the API token sent as `?token=`."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import socketio

from tests.web.test_command import SERVE, free_port

TOKEN = "s3cret-token-value"


def test_the_token_in_a_query_is_masked_in_the_log(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "INVOKE_DISABLE_PLUGIN_AUTOLOAD": "1", "INVOKE_API_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "web", "--port", str(port), "--root", str(tmp_path / "root"), "--access-log"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"{url}/api/v1/health", params={"token": TOKEN}, timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert answer.status_code == 200
        assert httpx.get(f"{url}/api/v1/nodes", params={"a": "1", "TOKEN": "wrong-one"}).status_code == 401
        client = socketio.Client(reconnection=False)
        client.connect(f"{url}?token={TOKEN}", transports=["websocket"], wait_timeout=10)
        client.disconnect()
    finally:
        process.terminate()
        log = process.communicate(timeout=15)[0]
    assert "GET /api/v1/health?token=*** HTTP/1.1" in log
    assert "GET /api/v1/nodes?a=1&TOKEN=*** HTTP/1.1" in log
    assert "/socket.io/?" in log  # the websocket's path is logged too
    assert TOKEN not in log and "wrong-one" not in log
