"""Live servers for the web tests: real uvicorn on 127.0.0.1 at a random port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from invoke_core import InvocationServices, InvokeConfig, Invoker, load_config
from invoke_web import create_app


@dataclass
class LiveServer:
    url: str
    app: Any
    invoker: Invoker
    token: str | None

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        token = token if token is not None else self.token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run `app` under uvicorn in a thread; yields its base URL."""
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and without it
    # every kept-alive response waits ~40 ms for a delayed ACK (tests/web/test_keep_alive_latency.py)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def make_services(root, kind: str = "memory") -> InvocationServices:
    """The in-memory services, or the local ones (SQLite + disk) under `root`."""
    if kind == "memory":
        return InvocationServices(InvokeConfig(root=root))
    return InvocationServices.from_config(load_config(root, environ={}))


@contextmanager
def live_server(tmp_path, services: str = "memory", **settings: Any) -> Iterator[LiveServer]:
    invoker = Invoker(make_services(tmp_path / "root", services))
    app = create_app(invoker, **settings)
    try:
        with serve(app) as url:
            yield LiveServer(url, app, invoker, settings.get("api_token"))
    finally:
        invoker.close()


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


class SocketListener:
    """A python-socketio client that records every event it receives, in order."""

    def __init__(self, server: LiveServer, token: str | None = None):
        import socketio

        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("events", self._received)
        token = token if token is not None else server.token
        self.sio.connect(
            server.url,
            auth={"token": token} if token else None,
            headers={"Authorization": f"Bearer {token}"} if token else {},  # the handshake itself needs it
            transports=["websocket"],
            wait_timeout=10,
        )

    def _received(self, batch: list[dict[str, Any]]) -> None:
        with self._lock:
            self.events.extend(batch)

    def subscribe_session(self, session_id: str) -> None:
        answer = self.sio.call("subscribe_session", {"session_id": session_id}, timeout=10)
        assert answer["ok"], answer

    def subscribe_queue(self) -> None:
        assert self.sio.call("subscribe_queue", {}, timeout=10)["ok"]

    def names(self) -> list[str]:
        with self._lock:
            return [event["event"] for event in self.events]

    def of(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return [event["data"] for event in self.events if event["event"] == name]

    def close(self) -> None:
        self.sio.disconnect()

    def __enter__(self) -> SocketListener:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def edge(source: str, source_field: str, destination: str, destination_field: str) -> dict[str, Any]:
    return {
        "source": {"node_id": source, "field": source_field},
        "destination": {"node_id": destination, "field": destination_field},
    }
