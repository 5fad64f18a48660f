"""The `web` command, added to a click group by the plugin hook, serves the API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import click
import httpx
from click.testing import CliRunner
from invoke_web.plugin import register_commands

SERVE = """
import sys, click
from invoke_web.plugin import register_commands
group = click.Group("invokeai")
register_commands(group)
group(sys.argv[1:])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_hook_adds_web_with_its_options():
    group = click.Group("invokeai")
    register_commands(group)
    assert "web" in group.commands
    result = CliRunner().invoke(group, ["web", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--root", "127.0.0.1", "9090"):
        assert option in result.output
    bad = CliRunner().invoke(group, ["web", "--port", "notaport"])
    assert bad.exit_code == 2


def test_web_command_serves_the_api_from_its_root(tmp_path):
    port = free_port()
    root = tmp_path / "root"
    env = {**os.environ, "INVOKE_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("INVOKE_API_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "web", "--port", str(port), "--root", str(root)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"the server did not start: {process.stdout.read() if process.stdout else ''}"
                    ) from None
                time.sleep(0.1)
        assert answer.json()["status"] == "ok"
        created = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/sessions", json={"nodes": {"n": {"type": "integer", "value": 4}}}
        )
        assert created.status_code == 201
        nodes = httpx.get(f"http://127.0.0.1:{port}/api/v1/nodes").json()
        assert any(node["type"] == "add" for node in nodes)
    finally:
        process.terminate()
        process.wait(10)


def test_plugin_module_is_light():
    code = "import sys, invoke_web.plugin; print(sorted(m for m in ('fastapi', 'uvicorn', 'socketio', 'click') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
