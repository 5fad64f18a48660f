"""`invokeai --server URL run ...` against a real `invokeai web` server in another process:
the same output and exit codes as a local run, image files uploaded, the token honoured, and
Ctrl-C canceling the queue item on the server."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

INVOKEAI = Path(sys.executable).with_name("invokeai")


def user_env(**extra: str) -> dict[str, str]:
    """A user's environment: every installed plugin loads; no INVOKE_* setting leaks in."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("INVOKE_")}
    env["HF_HUB_OFFLINE"] = "1"
    env.update(extra)
    return env


def invokeai(*args: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = user_env(INVOKE_ROOT=str(cwd / "client-root"), **extra)
    return subprocess.run([str(INVOKEAI), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class WebServer:
    url: str
    root: Path
    process: subprocess.Popen
    token: str | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(f"{self.url}/api/v1{path}")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def json(self, path: str) -> dict:
        status, body = self.get(path)
        assert status == 200, (status, body)
        return json.loads(body)


def start_server(root: Path, token: str | None = None) -> WebServer:
    port = free_port()
    extra = {"INVOKE_API_TOKEN": token} if token else {}
    process = subprocess.Popen(
        [str(INVOKEAI), "--root", str(root), "web", "--port", str(port)],
        env=user_env(**extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = WebServer(f"http://127.0.0.1:{port}", root, process, token)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/api/v1/health", timeout=2):
                return server
        except urllib.error.HTTPError:  # 401 with a token: it is up
            return server
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"invokeai web did not start: {process.communicate()[1]}") from None
            time.sleep(0.1)


def stop_server(server: WebServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[WebServer]:
    started = start_server(tmp_path_factory.mktemp("server") / "root")
    yield started
    stop_server(started)


def shape(text: str) -> str:
    """Output with the parts that differ between any two runs (names, places) blanked."""
    text = re.sub(r"[0-9a-f]{32}\.png", "NAME", text)
    return re.sub(r"^(image \w+): .*$", r"\1: LOCATION", text, flags=re.MULTILINE)


def session_count(server: WebServer) -> int:
    return server.json("/sessions?per_page=1")["total"]


def test_a_pipeline_prints_what_a_local_run_prints(server, tmp_path):
    pipeline = "blank_image --width 8 --height 4 --color red | img_invert | save_image"
    remote = invokeai("--server", server.url, "run", pipeline, cwd=tmp_path)
    local = invokeai("--root", str(tmp_path / "local"), "run", pipeline, cwd=tmp_path)
    assert remote.returncode == local.returncode == 0, remote.stderr + local.stderr
    assert shape(remote.stdout) == shape(local.stdout)
    assert len(remote.stdout.splitlines()) == 4  # three nodes, one gallery image (the others are intermediate)
    assert not (tmp_path / "client-root" / "images").exists()  # it ran there, not here
    # each image line gives the image's URL on the server
    saved_url = remote.stdout.splitlines()[-1].split(": ", 1)[1]
    assert saved_url.startswith(f"{server.url}/api/v1/images/")
    with urllib.request.urlopen(saved_url, timeout=10) as answer:
        (tmp_path / "saved.png").write_bytes(answer.read())
    with Image.open(tmp_path / "saved.png") as image:
        assert image.size == (8, 4) and image.convert("RGB").getpixel((0, 0)) == (0, 255, 255)


def test_json_report_matches_a_local_one(server, tmp_path):
    pipeline = "add --a 2 --b 3 | mul --b 4 -l a -1 value"
    remote = invokeai("--server", server.url, "run", "--json", pipeline, cwd=tmp_path)
    local = invokeai("--root", str(tmp_path / "local"), "run", "--json", pipeline, cwd=tmp_path)
    assert remote.returncode == local.returncode == 0, remote.stderr
    remote_report, local_report = json.loads(remote.stdout), json.loads(local.stdout)
    assert set(remote_report) == set(local_report)
    assert [(n["id"], n["type"], n["outputs"]) for n in remote_report["nodes"]] == [
        (n["id"], n["type"], n["outputs"]) for n in local_report["nodes"]
    ]
    assert server.json(f"/sessions/{remote_report['session_id']}")["status"] == "completed"


def test_the_server_variable_works_like_the_option(server, tmp_path):
    ran = invokeai("run", "-q", "add --a 20 --b 22", cwd=tmp_path, INVOKE_SERVER=server.url)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "0 add: value=42\n"
    assert not (tmp_path / "client-root" / "databases").exists()


def test_a_failing_node_exits_1_naming_it(server, tmp_path):
    remote = invokeai("--server", server.url, "run", "add --a 1 | div --a 1 --b 0", cwd=tmp_path)
    local = invokeai("--root", str(tmp_path / "local"), "run", "add --a 1 | div --a 1 --b 0", cwd=tmp_path)
    assert remote.returncode == local.returncode == 1
    assert remote.stdout == local.stdout == "0 add: value=1\n"
    assert remote.stderr.splitlines()[-1] == local.stderr.splitlines()[-1]
    assert remote.stderr.splitlines()[-1].startswith("error: node '1' (div) failed: ZeroDivisionError")


def test_a_bad_node_type_is_refused_by_the_server_and_exits_2(server, tmp_path):
    graph = tmp_path / "bad.json"
    graph.write_text(json.dumps({"nodes": {"n": {"type": "no_such_node"}}}))
    before = session_count(server)
    ran = invokeai("--server", server.url, "run", "--graph", str(graph), cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stdout == ""
    assert ran.stderr.startswith("error: ") and ran.stderr.count("\n") == 1
    assert "unknown node type 'no_such_node'" in ran.stderr
    assert session_count(server) == before


def test_a_graph_file_runs_on_the_server(server, tmp_path):
    graph = tmp_path / "graph.json"
    graph.write_text(json.dumps({"nodes": {"four": {"type": "integer", "value": 4}, "sum": {"type": "add", "b": 3}},
                                 "edges": [{"source": {"node_id": "four", "field": "value"},
                                            "destination": {"node_id": "sum", "field": "a"}}]}))  # fmt: skip
    ran = invokeai("--server", server.url, "run", "-q", "--graph", str(graph), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "four integer: value=4\nsum add: value=7\n"


def test_input_errors_exit_2_before_the_server_is_asked(server, tmp_path):
    before = session_count(server)
    ran = invokeai("--server", server.url, "run", "img_blur --radius 2", cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr == "error: node '0' (img_blur): required input 'image' has no value and no link\n"
    assert session_count(server) == before


def test_an_image_file_is_uploaded_to_the_server(server, tmp_path):
    Image.new("RGB", (24, 16), (10, 20, 30)).save(tmp_path / "photo.png")
    ran = invokeai("--server", server.url, "run", "--json", "load_image --image photo.png", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    (node,) = json.loads(ran.stdout)["nodes"]
    assert (node["outputs"]["width"], node["outputs"]["height"]) == (24, 16)
    record = server.json(f"/images/{node['outputs']['image']['image_name']}")
    assert record["metadata"]["uploaded_as"] == "photo.png"


def test_an_unreachable_server_is_one_line_and_exit_2(tmp_path):
    ran = invokeai("--server", f"http://127.0.0.1:{free_port()}", "run", "add --a 1", cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr.startswith("error: cannot reach the server at http://127.0.0.1:") and ran.stderr.count("\n") == 1


def test_a_server_with_a_token_needs_it(tmp_path):
    guarded = start_server(tmp_path / "guarded", token="s3cret")
    try:
        refused = invokeai("--server", guarded.url, "run", "add --a 1", cwd=tmp_path)
        assert refused.returncode == 2
        assert refused.stderr == f"error: the server at {guarded.url} needs a token: set INVOKE_API_TOKEN\n"
        wrong = invokeai("--server", guarded.url, "run", "add --a 1", cwd=tmp_path, INVOKE_API_TOKEN="nope")
        assert wrong.returncode == 2 and "refused the token in INVOKE_API_TOKEN" in wrong.stderr
        Image.new("RGB", (4, 4)).save(tmp_path / "tiny.png")
        ran = invokeai(
            "--server", guarded.url, "run", "-q", "load_image --image tiny.png | img_invert",
            cwd=tmp_path, INVOKE_API_TOKEN="s3cret",
        )  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.splitlines()[0].endswith("width=4 height=4")
    finally:
        stop_server(guarded)


@pytest.fixture(scope="module")
def tiny_model_on_server(server, tmp_path_factory) -> str:
    """A tiny random SD 1.x model, installed in the server's root as `tiny`."""
    from invoke_nodes_sd import tiny

    folder = tmp_path_factory.mktemp("models")
    model = tiny.build_sd1(folder / "tiny-sd1")
    added = invokeai("--root", str(server.root), "models", "add", str(model), "--name", "tiny", cwd=folder)
    assert added.returncode == 0, added.stderr
    return "tiny"


def test_an_unknown_model_is_refused_by_the_server_and_exits_2(server, tiny_model_on_server, tmp_path):
    before = server.json("/queue/items")["total"]
    ran = invokeai("--server", server.url, "run", "txt2img --model tinny --prompt x", cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr == "error: node '0' (txt2img): input 'model': no model named 'tinny'; did you mean 'tiny'?\n"
    assert server.json("/queue/items")["total"] == before  # nothing was queued


def test_ctrl_c_cancels_the_queue_item_on_the_server_and_exits_130(server, tiny_model_on_server, tmp_path):
    # a long generation: 1000 steps take many seconds even on the tiny model
    pipeline = "txt2img --model tiny --prompt 'a lighthouse' --steps 1000 --width 256 --height 256"
    client = subprocess.Popen(
        [str(INVOKEAI), "--server", server.url, "run", pipeline],
        env=user_env(INVOKE_ROOT=str(tmp_path / "client-root")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 120
        while not server.json("/queue/items?status=in_progress")["items"]:
            assert client.poll() is None, client.communicate()
            assert time.monotonic() < deadline, "the run never started on the server"
            time.sleep(0.05)
        (item,) = server.json("/queue/items?status=in_progress")["items"]
        client.send_signal(signal.SIGINT)
        out, err = client.communicate(timeout=60)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    assert client.returncode == 130, err
    assert err.splitlines()[-1] == f"error: interrupted: session {item['session_id']} was canceled on {server.url}"
    assert server.json(f"/queue/items/{item['item_id']}")["status"] == "canceled"
    # the item is canceled at once; the node stops within a step, then the session is stored
    deadline = time.monotonic() + 30
    while server.json(f"/sessions/{item['session_id']}")["status"] != "canceled":
        assert time.monotonic() < deadline, server.json(f"/sessions/{item['session_id']}")["status"]
        time.sleep(0.1)
