"""The Host header check that keeps DNS rebinding out.

A web page on another domain can make its name resolve to 127.0.0.1 and then call a server on
this machine as if it were its own site; the browser still sends that domain in `Host`. So a
request that reaches the server over a loopback address must name the server by a loopback
name (localhost, 127.0.0.1, [::1]) unless `allowed_hosts` lists the name it uses (a reverse
proxy's public name, say). Requests over other addresses (the server bound to a LAN address)
are checked only when `allowed_hosts` is set. `"*"` in `allowed_hosts` turns the check off.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from invoke_web.middleware import send_json_error


def split_host(header: str) -> tuple[str, int | None]:
    """A Host header's name and port: `[::1]:9090` -> (`::1`, 9090), `Example.org` -> (`example.org`, None)."""
    header = header.strip().lower()
    if header.startswith("[") and "]" in header:
        end = header.index("]")
        name, rest = header[1:end], header[end + 1 :]
    elif header.count(":") == 1:
        name, rest = header.split(":")[0], ":" + header.split(":")[1]
    else:
        name, rest = header, ""
    port = int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    return name, port


def host_name(header: str) -> str:
    return split_host(header)[0]


def is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class HostCheck:
    """Refuses requests whose Host names this server by a name it was not told to answer to."""

    def __init__(self, app: Any, allowed_hosts: list[str]):
        self.app = app
        self.allowed = {name.strip().lower().strip("[]") for name in allowed_hosts if name.strip()}
        self.any_host = "*" in self.allowed

    def _host_allowed(self, scope: dict[str, Any]) -> tuple[bool, str]:
        header = next((value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"host"), None)
        if header is None:  # no browser sends a request without Host: nothing to rebind
            return True, ""
        name = host_name(header)
        if is_loopback(name) or name in self.allowed:
            return True, name
        server = scope.get("server")
        over_loopback = server is not None and is_loopback(str(server[0]))
        # Not over loopback and no list configured: a server bound to a LAN address answers any name.
        return (not over_loopback and not self.allowed), name

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or self.any_host:
            await self.app(scope, receive, send)
            return
        allowed, name = self._host_allowed(scope)
        if allowed:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accepting: the server answers 403
        else:
            await send_json_error(
                send,
                400,
                "HostNotAllowed",
                f"this server does not answer to the host name {name[:100]!r}; "
                "use localhost, or add the name to allowed_hosts (INVOKE_ALLOWED_HOSTS)",
            )
