"""The Origin check that keeps other sites from changing anything through a visitor's browser.

A page on any site can send a form or a bodiless POST to this server without a CORS preflight
(a multipart upload is such a "simple" request), and CORS only stops it from reading the
answer, not the change. Browsers name the page's origin in `Origin` (or at least `Referer`) on
such requests, so state-changing requests (POST, PUT, PATCH, DELETE) that name an origin must
name this server itself or one of `cors_origins`. Requests naming none (curl, the CLI, scripts)
are not from a browser page and pass; the token, when set, still guards them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from invoke_web.host_check import split_host
from invoke_web.middleware import send_json_error

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin or URL; None for "null" and what does not parse."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


def _header(scope: dict[str, Any], wanted: bytes) -> str | None:
    return next((value.decode("latin-1") for name, value in scope.get("headers", ()) if name == wanted), None)


class OriginCheck:
    """Refuses state-changing requests whose Origin (or Referer) is neither this server nor a CORS origin."""

    def __init__(self, app: Any, cors_origins: list[str]):
        self.app = app
        self.allowed = {found for found in map(_origin_of, cors_origins) if found is not None}

    def _same_origin(self, origin: tuple[str, str, int], scope: dict[str, Any]) -> bool:
        host = _header(scope, b"host")
        if host is None:
            return False
        name, port = split_host(host)
        return (origin[1].strip("[]"), origin[2]) == (name, port or _DEFAULT_PORTS[origin[0]])

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in STATE_CHANGING:
            await self.app(scope, receive, send)
            return
        named = _header(scope, b"origin") or _header(scope, b"referer")
        if named is None:  # not sent by a browser page
            await self.app(scope, receive, send)
            return
        origin = _origin_of(named)
        if (
            origin is not None
            and origin[0] in _DEFAULT_PORTS
            and (origin in self.allowed or self._same_origin(origin, scope))
        ):
            await self.app(scope, receive, send)
            return
        shown = "null" if origin is None else f"{origin[0]}://{origin[1]}:{origin[2]}"  # never a Referer's path
        await send_json_error(
            send,
            403,
            "CrossOriginRequestRefused",
            f"a page from {shown[:200]!r} may not change anything on this server; "
            "add its origin to cors_origins (INVOKE_CORS_ORIGINS) to allow it",
        )
