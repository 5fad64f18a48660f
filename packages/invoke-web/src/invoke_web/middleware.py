"""Plain ASGI middleware: the Socket.IO mount, the API and socket token checks and the request size limit."""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import parse_qs

SOCKET_PATH = "/socket.io"


async def send_json_error(send: Any, status: int, error: str, message: str, headers: list[tuple[bytes, bytes]] = ()):
    body = json.dumps({"error": error, "message": message, "node_id": None, "field": None}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SocketIOMount:
    """Hands /socket.io/ requests to the Socket.IO server and everything else to the API."""

    def __init__(self, app: Any, socket_app: Any):
        self.app = app
        self.socket_app = socket_app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and (scope["path"] + "/").startswith(SOCKET_PATH + "/"):
            await self.socket_app(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def request_token(scope: dict[str, Any]) -> str | None:
    """`Authorization: Bearer <token>`, else `?token=<token>` (handy for a browser's first page)."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            text = value.decode("latin-1")
            if text.lower().startswith("bearer "):
                return text[7:].strip()
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[0] if values else None


class TokenRequired:
    """Every HTTP request needs the configured token (the socket checks it on connect)."""

    def __init__(self, app: Any, token: str):
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = request_token(scope)
            if given is None or not hmac.compare_digest(given.encode(), self.token):
                await send_json_error(
                    send,
                    401,
                    "Unauthorized",
                    "a valid API token is required: send 'Authorization: Bearer <token>'",
                    [(b"www-authenticate", b"Bearer")],
                )
                return
        await self.app(scope, receive, send)


class SocketTokenRequired:
    """The Socket.IO endpoint needs the token on each HTTP request itself (header or `?token=`).

    Checking only Socket.IO's `auth` would come after the Engine.IO session (and its buffers)
    exists, so anyone could make the server hold memory; this refuses them before that.
    """

    def __init__(self, app: Any, token: str):
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (
            scope["type"] in ("http", "websocket")
            and (scope["path"] + "/").startswith(SOCKET_PATH + "/")
            and scope.get("method") != "OPTIONS"  # a browser's CORS preflight carries no credentials
        ):
            given = request_token(scope)
            if given is None or not hmac.compare_digest(given.encode(), self.token):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})  # before accepting: a 403
                else:
                    await send_json_error(
                        send,
                        401,
                        "Unauthorized",
                        "a valid API token is required on the socket's handshake: "
                        "send 'Authorization: Bearer <token>' or '?token=<token>'",
                        [(b"www-authenticate", b"Bearer")],
                    )
                return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses request bodies over `max_bytes` with a 413, by Content-Length or as they stream in."""

    def __init__(self, app: Any, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await send_json_error(
                    send, 413, "RequestTooLargeError", f"the request body is over {self.max_bytes} bytes"
                )
                return
        received = 0
        started = False
        refused = False

        async def counted_receive() -> dict[str, Any]:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Answer now: the app would turn the exception below into its own 400
                    # ("error parsing the body"), which tracked_send then drops.
                    if not started and not refused:
                        refused = True
                        await send_json_error(
                            send, 413, "RequestTooLargeError", f"the request body is over {self.max_bytes} bytes"
                        )
                    raise _TooLarge
            return message

        async def tracked_send(message: dict[str, Any]) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            pass  # answered in counted_receive (or the response had started: nothing better to say)


class _TooLarge(Exception):
    pass
