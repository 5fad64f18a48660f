"""`invokeai --root DIR CMD` and `invokeai CMD --root DIR` mean the same for the built-in commands
and the plugin commands (web, models), on the installed packages with their local storage."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

INVOKEAI = Path(sys.executable).with_name("invokeai")


def user_env(elsewhere: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INVOKE_")}
    env["HF_HUB_OFFLINE"] = "1"
    env.pop("INVOKE_API_TOKEN", None)
    env["INVOKE_ROOT"] = str(elsewhere)  # --root must win over it, wherever it is written
    return env


def invokeai(*args: str, elsewhere: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(INVOKEAI), *args], capture_output=True, text=True, env=user_env(elsewhere), timeout=300)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_session_through_web(args: list[str], elsewhere: Path) -> str:
    """Serve with `args`, create one session over HTTP, stop the server; the session's id."""
    port = free_port()
    process = subprocess.Popen(
        [str(INVOKEAI), *args, "--port", str(port)],
        env=user_env(elsewhere),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {process.stdout.read()}") from None  # type: ignore[union-attr]
                time.sleep(0.2)
        created = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/sessions", json={"nodes": {"n": {"type": "integer", "value": 4}}}
        )
        assert created.status_code == 201, created.text
        return created.json()["id"]
    finally:
        process.terminate()
        process.wait(20)


def test_web_serves_from_the_root_given_before_or_after_it(tmp_path):
    root, elsewhere = tmp_path / "invokeai", tmp_path / "elsewhere"
    first = create_session_through_web(["--root", str(root), "web"], elsewhere)
    second = create_session_through_web(["web", "--root", str(root)], elsewhere)
    listed = invokeai("sessions", "list", "--json", "--root", str(root), elsewhere=elsewhere)
    assert listed.returncode == 0, listed.stderr
    assert {first, second} <= {session["id"] for session in json.loads(listed.stdout)["sessions"]}
    assert not elsewhere.exists()


def test_run_images_and_sessions_read_the_root_after_the_command(tmp_path):
    root, elsewhere = tmp_path / "invokeai", tmp_path / "elsewhere"
    ran = invokeai(
        "run", "blank_image --width 4 --height 4 | save_image", "--json", "--root", str(root), elsewhere=elsewhere
    )
    assert ran.returncode == 0, ran.stderr
    session_id = json.loads(ran.stdout)["session_id"]
    for args in (("--root", str(root), "images", "list", "--json"), ("images", "list", "--json", "--root", str(root))):
        listed = invokeai(*args, elsewhere=elsewhere)
        assert listed.returncode == 0, listed.stderr
        images = json.loads(listed.stdout)["images"]
        assert images and all(image["session_id"] == session_id for image in images)
        assert all(Path(image["location"]).parent == root / "images" for image in images)
    shown = invokeai("sessions", "show", session_id, "--root", str(root), elsewhere=elsewhere)
    assert shown.returncode == 0 and shown.stdout.startswith(f"session {session_id}: completed")
    assert not elsewhere.exists()
