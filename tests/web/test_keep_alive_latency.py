"""Requests on a kept-alive connection answer in milliseconds, not one delayed ACK (~40 ms) each.

uvicorn writes a response's head and body separately; without TCP_NODELAY the body waits for the
ACK of the head, which the client delays by up to 40 ms (Nagle meeting delayed ACKs). asyncio sets
TCP_NODELAY on accepted sockets only when the listening socket says it is TCP: `invokeai web`
(uvicorn binding host and port) gets it, a socket made as socket(AF_INET, SOCK_STREAM) with proto 0
does not, which is how the tests' own server answered every kept-alive request in 44 ms. The
client here writes each request in one segment, so any delay measured is the server's.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

from tests.web.test_command import SERVE, free_port

REQUESTS = 100
# 40 ms per request would take 4 s; the bound leaves a loaded 2-core runner 15 ms per request.
BUDGET_S = 1.5


def read_response(sock: socket.socket) -> bytes:
    """One HTTP/1.1 response with a Content-Length body, read off a kept-alive socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the kept-alive connection"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the kept-alive connection"
        body += chunk
    assert head.startswith(b"HTTP/1.1 2"), head
    return body


def timed_requests(url: str, request: bytes) -> float:
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port)) as sock:
        sock.sendall(request)  # the first request opens the connection's slow start
        read_response(sock)
        started = time.perf_counter()
        for _ in range(REQUESTS):
            sock.sendall(request)
            read_response(sock)
        return time.perf_counter() - started


def test_sequential_gets_on_one_connection_do_not_wait_for_delayed_acks(server):
    host = urlsplit(server.url).netloc.encode()
    request = b"GET /api/v1/health HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"
    assert timed_requests(server.url, request) < BUDGET_S


def test_sequential_enqueues_on_one_connection_do_not_wait_for_delayed_acks(server):
    host = urlsplit(server.url).netloc.encode()
    body = json.dumps({"graph": {"nodes": {"n": {"type": "add", "a": 1, "b": 2}}}}).encode()
    request = (
        b"POST /api/v1/queue/batches HTTP/1.1\r\nHost: "
        + host
        + b"\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    assert timed_requests(server.url, request) < BUDGET_S * 3  # an enqueue also writes the queue


def test_the_web_command_answers_kept_alive_requests_without_delayed_acks(tmp_path):
    """`invokeai web` itself (uvicorn binding its own socket), not only the tests' in-process server."""
    port = free_port()
    env = {**os.environ, "INVOKE_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("INVOKE_API_TOKEN", None)
    command = [sys.executable, "-c", SERVE, "web", "--port", str(port), "--root", str(tmp_path / "root")]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        request = b"GET /api/v1/health HTTP/1.1\r\nHost: " + f"127.0.0.1:{port}".encode() + b"\r\n\r\n"
        assert timed_requests(url, request) < BUDGET_S
    finally:
        process.terminate()
        process.wait(10)
