"""`invokeai --server URL run ...`: the run happens on a running `invokeai web` server, so its
models stay loaded between commands.

Only the HTTP API documented in docs/web/index.md is used, through the standard library: the
graph becomes a session (POST /sessions), is queued (PUT /sessions/{id}/invoke), and the queue
item is polled until it is over; then the session and its images are fetched and printed as a
local run prints them. Exit codes are a local run's too: 1 when a node failed, 2 for bad input
(the server answered 4xx), 130 on Ctrl-C, which cancels the queue item on the server.
`INVOKE_API_TOKEN` is sent as a bearer token when set.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from invoke_cli.app import App
from invoke_cli.errors import CliError, Interrupted, RunFailed
from invoke_cli.graph_file import read_graph_json
from invoke_cli.image_files import import_image_paths
from invoke_cli.output import failure_message, print_outputs, report_json
from invoke_cli.running import RunReport

API = "/api/v1"
FINISHED = ("completed", "failed", "canceled")
TOKEN_VARIABLE = "INVOKE_API_TOKEN"
_FIRST_POLL, _SLOWEST_POLL = 0.02, 0.25  # seconds: quick runs return at once, long ones poll gently
_CANCEL_WAIT = 30.0  # seconds to wait for the server to stop a canceled run


class ServerError(RunFailed):
    """The server failed (5xx): not the user's input, so exit 1 as a failed run does."""


class Refused(CliError):
    """The server refused the request (4xx): bad input, exit 2. `status` is the HTTP status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class Server:
    """The HTTP API of one server; every failure becomes a one-line CLI error."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0):
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CliError(f"--server: expected a URL such as http://127.0.0.1:9090, got {url!r}")
        self.url = url.strip().rstrip("/")
        self.token = token or None
        self.timeout = timeout

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        data: bytes | None = None,
        content_type: str | None = None,
    ) -> Any:
        """The decoded JSON answer of API + path."""
        url = f"{self.url}{API}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Accept": "application/json"}
        if body is not None:
            data, content_type = json.dumps(body).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise self._refused(exc) from None
        except (urllib.error.URLError, OSError) as exc:  # refused, unknown host, timeout
            reason = getattr(exc, "reason", exc)
            raise CliError(f"cannot reach the server at {self.url}: {reason}") from None
        return json.loads(payload) if payload else None

    def _refused(self, exc: urllib.error.HTTPError) -> Exception:
        try:
            answer = json.loads(exc.read() or b"{}")
            message = answer.get("message") or answer.get("detail") or exc.reason
        except (ValueError, AttributeError, OSError):
            message = exc.reason
        if exc.code == 401:
            what = f"refused the token in {TOKEN_VARIABLE}" if self.token else f"needs a token: set {TOKEN_VARIABLE}"
            return Refused(f"the server at {self.url} {what}", exc.code)
        if 400 <= exc.code < 500:
            return Refused(str(message), exc.code)
        return ServerError(f"the server at {self.url} failed: HTTP {exc.code}: {message}")


def server_from(app: App) -> Server:
    return Server(app.server or "", os.environ.get(TOKEN_VARIABLE))


class RemoteImageStore:
    """Image files named in a pipeline are uploaded to the server, which stores them."""

    def __init__(self, server: Server):
        self.server = server

    def has(self, image_name: str) -> bool:
        try:
            self.server.call("GET", f"/images/{urllib.parse.quote(image_name, safe='')}")
        except Refused as exc:
            if exc.status in (404, 422):  # 422: not even a valid image name
                return False
            raise
        return True

    def add(self, path: Path, image: Any) -> str:
        boundary = uuid.uuid4().hex
        filename = path.name.replace('"', "_").replace("\r", "_").replace("\n", "_")
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        data = head.encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        try:
            record = self.server.call(
                "POST", "/images/upload", data=data, content_type=f"multipart/form-data; boundary={boundary}"
            )
        except CliError as exc:
            raise CliError(f"{path}: {exc}") from None
        return record["image_name"]


# ---- the finished session, as the output functions read a local one ----------------------------


@dataclass
class _Outputs:
    values: dict[str, Any]

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        return self.values


@dataclass
class _NodeError:
    node_id: str
    node_type: str
    error_type: str
    message: str


@dataclass
class _Node:
    type: str


@dataclass
class _Graph:
    nodes: dict[str, _Node]


class RemoteSession:
    """A session as the server returned it; what output.py reads of a Session, from its JSON
    (so node types the server has and this CLI lacks still print)."""

    def __init__(self, data: dict[str, Any]):
        self.id: str = data["id"]
        self.status: str = data["status"]
        self.history: list[str] = list(data.get("history", []))
        self.results = {execution: _Outputs(values) for execution, values in data.get("results", {}).items()}
        self.errors = {
            execution: _NodeError(error["node_id"], error["node_type"], error["error_type"], error["message"])
            for execution, error in data.get("errors", {}).items()
        }
        nodes = data.get("graph", {}).get("nodes", {})
        self.graph = _Graph({node_id: _Node(node.get("type", "?")) for node_id, node in nodes.items()})

    @staticmethod
    def source_node(execution: str) -> str:
        return execution.split("[", 1)[0]  # iterated executions are "node[2]"


def saved_images(server: Server, session_id: str) -> list[dict[str, Any]]:
    """The session's images on the server, oldest first, each located by its URL."""
    records: list[dict[str, Any]] = []
    page = 0
    while True:
        found = server.call("GET", "/images", params={"session_id": session_id, "page": str(page), "per_page": "100"})
        records.extend(found["items"])
        if not found["items"] or (page + 1) * found["per_page"] >= found["total"]:
            break
        page += 1
    return [
        {
            "image_name": record["image_name"],
            "node_id": record.get("node_id"),
            "location": f"{server.url}{API}/images/{record['image_name']}/full",
        }
        for record in reversed(records)
    ]


# ---- running ------------------------------------------------------------------------------------


def wait_until_finished(server: Server, item_id: int, deadline: float | None = None) -> dict[str, Any]:
    delay = _FIRST_POLL
    while True:
        item = server.call("GET", f"/queue/items/{item_id}")
        if item["status"] in FINISHED or (deadline is not None and time.monotonic() > deadline):
            return item
        time.sleep(delay)
        delay = min(delay * 1.5, _SLOWEST_POLL)


def run_on_server(
    app: App, *, words: Sequence[str] | None, graph_file: Path | None, quiet: bool, as_json: bool
) -> None:
    from invoke_core.preflight import check_ready

    from invoke_cli.pipeline import build_graph

    server = server_from(app)
    if words is not None:
        graph = build_graph(words)
        check_ready(graph, None)  # the nodes' own checks need the server's services: it runs them
        import_image_paths(graph, RemoteImageStore(server))
        graph_json = graph.model_dump()
    else:
        assert graph_file is not None
        graph_json = read_graph_json(graph_file)
    start = time.perf_counter()
    session_id = server.call("POST", "/sessions", body=graph_json)["id"]
    item = server.call("PUT", f"/sessions/{session_id}/invoke", params={"all": "true"})
    interrupted = False
    try:
        item = wait_until_finished(server, item["item_id"])
    except KeyboardInterrupt:
        interrupted = True
        server.call("PUT", f"/queue/items/{item['item_id']}/cancel")
        try:
            item = wait_until_finished(server, item["item_id"], deadline=time.monotonic() + _CANCEL_WAIT)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted: queue item {item['item_id']} on {server.url} was canceled") from None
    session = RemoteSession(server.call("GET", f"/sessions/{session_id}"))
    report = RunReport(session, seconds=time.perf_counter() - start, interrupted=interrupted)
    images = saved_images(server, session_id)
    if as_json:
        click.echo(json.dumps(report_json(app, report, images), indent=2))
    else:
        print_outputs(app, report, images)
        if not quiet:
            click.echo(f"ran on {server.url} in {report.seconds * 1000:.1f} ms", err=True)
    if interrupted:
        raise Interrupted(f"interrupted: session {session_id} was canceled on {server.url}")
    failed = failure_message(session)
    if failed:
        raise RunFailed(failed)
    if item["status"] != "completed":
        reason = f": {item['error']}" if item.get("error") else ""
        raise RunFailed(f"session {session_id} {item['status']} on {server.url}{reason}")
