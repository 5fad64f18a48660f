"""`invokeai nodes show TYPE --json` and GET /api/v1/nodes/TYPE (and each entry of GET /api/v1/nodes)
are the same JSON, for every node type the installed plugins provide."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

INVOKEAI = Path(sys.executable).with_name("invokeai")

# every node type's `nodes show --json`, from one process that loads the plugins as invokeai does
SHOW_EVERY_TYPE = """
import json, sys
from click.testing import CliRunner
from invoke_cli.main import cli
from invoke_core import invocation_classes
shown = {}
for node_type in sorted(invocation_classes()):
    result = CliRunner().invoke(cli, ["nodes", "show", node_type, "--json"])
    assert result.exit_code == 0, result.output
    shown[node_type] = json.loads(result.stdout)
print(json.dumps(shown))
"""


def user_env(root: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INVOKE_")}
    env["HF_HUB_OFFLINE"] = "1"
    env["INVOKE_ROOT"] = str(root)
    return env


@pytest.fixture(scope="module")
def web_nodes(tmp_path_factory) -> dict[str, dict]:
    """GET /api/v1/nodes from a real `invokeai web`, by type; also checks each single-type route."""
    root = tmp_path_factory.mktemp("root")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(INVOKEAI), "web", "--port", str(port)],
        env=user_env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {process.stdout.read()}") from None  # type: ignore[union-attr]
                time.sleep(0.2)
        listed = {node["type"]: node for node in httpx.get(f"{base}/nodes", timeout=30).json()}
        for node_type in ("img_blur", "add"):
            assert httpx.get(f"{base}/nodes/{node_type}", timeout=30).json() == listed[node_type]
        return listed
    finally:
        process.terminate()
        process.wait(20)


def test_every_node_type_has_the_same_schema_in_both(web_nodes, tmp_path):
    ran = subprocess.run(
        [sys.executable, "-c", SHOW_EVERY_TYPE], capture_output=True, text=True, env=user_env(tmp_path), timeout=300
    )
    assert ran.returncode == 0, ran.stderr
    cli_nodes = json.loads(ran.stdout)
    assert set(cli_nodes) == set(web_nodes)
    assert "txt2img" in cli_nodes  # the Stable Diffusion plugin's nodes are compared too
    for node_type, schema in cli_nodes.items():
        assert schema == web_nodes[node_type], node_type


@pytest.mark.parametrize("node_type", ["img_blur", "img_noise"])
def test_the_users_command_prints_the_web_schema(web_nodes, tmp_path, node_type):
    ran = subprocess.run(
        [str(INVOKEAI), "nodes", "show", node_type, "--json"],
        capture_output=True,
        text=True,
        env=user_env(tmp_path),
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == web_nodes[node_type]
