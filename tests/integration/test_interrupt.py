"""Ctrl-C during `invokeai run`: a clean cancel, the session stored `canceled`, exit 130."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SLOW_CLI = Path(__file__).with_name("slow_cli.py")
INVOKEAI = Path(sys.executable).with_name("invokeai")


def press_ctrl_c_can_reach_it() -> None:
    # A runner started in the background (`cmd &`) ignores SIGINT, and children inherit that.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def environment(root: Path, started: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "INVOKE_DISABLE_PLUGIN_AUTOLOAD"}
    env.update(INVOKE_ROOT=str(root), INVOKE_PLUGINS="local", SLOW_STARTED_FILE=str(started))
    return env


def start_and_interrupt(
    root: Path, tmp_path: Path, presses: int, stubborn: bool = False
) -> subprocess.CompletedProcess[str]:
    started = tmp_path / "started"
    env = environment(root, started)
    process = subprocess.Popen(
        [
            sys.executable,
            str(SLOW_CLI),
            "run",
            "-q",
            f"slow_steps --steps 3000 --stubborn {stubborn} | add --link a -1 value",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=press_ctrl_c_can_reach_it,
    )
    deadline = time.monotonic() + 60
    while not started.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the node never started"
        time.sleep(0.05)
    for _ in range(presses):
        process.send_signal(signal.SIGINT)
        time.sleep(0.5)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def stored_sessions(root: Path) -> list[dict]:
    env = {key: value for key, value in os.environ.items() if key != "INVOKE_DISABLE_PLUGIN_AUTOLOAD"}
    env.update(INVOKE_ROOT=str(root), INVOKE_PLUGINS="local")
    listed = subprocess.run(  # through slow_cli, which knows the slow node
        [sys.executable, str(SLOW_CLI), "sessions", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(listed.stdout)["sessions"]


def queue_statuses(root: Path) -> list[str]:
    env = {key: value for key, value in os.environ.items() if key != "INVOKE_DISABLE_PLUGIN_AUTOLOAD"}
    env.update(INVOKE_ROOT=str(root), INVOKE_PLUGINS="local")
    listed = subprocess.run([str(INVOKEAI), "queue", "--json"], capture_output=True, text=True, env=env, check=True)
    return [item["status"] for item in json.loads(listed.stdout)["items"]]


def test_ctrl_c_cancels_the_run_cleanly(tmp_path):
    root = tmp_path / "root"
    result = start_and_interrupt(root, tmp_path, presses=1)
    assert result.returncode == 130, result.stderr
    assert "canceled" in result.stderr and "Traceback" not in result.stderr
    [session] = stored_sessions(root)
    assert session["status"] == "canceled"
    assert queue_statuses(root) == ["canceled"]


def test_a_second_ctrl_c_quits_at_once_and_still_records_the_cancel(tmp_path):
    root = tmp_path / "root"
    result = start_and_interrupt(root, tmp_path, presses=2, stubborn=True)  # the first press cannot stop it
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    [session] = stored_sessions(root)
    assert session["status"] == "canceled"
    assert queue_statuses(root) == ["canceled"]


def test_a_killed_run_is_recorded_as_interrupted_by_the_next_start(tmp_path):
    root = tmp_path / "root"
    started = tmp_path / "started"
    env = environment(root, started)
    process = subprocess.Popen(
        [sys.executable, str(SLOW_CLI), "run", "-q", "slow_steps --steps 3000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 60
    while not started.exists():
        assert time.monotonic() < deadline, "the node never started"
        time.sleep(0.05)
    process.kill()
    process.wait(30)
    [killed] = stored_sessions(root)
    assert killed["status"] == "pending"  # as the kill left it: nothing has looked yet

    after = subprocess.run(
        [sys.executable, str(SLOW_CLI), "run", "-q", "add --a 1"], capture_output=True, text=True, env=env
    )
    assert after.returncode == 0, after.stderr
    statuses = {session["id"]: session["status"] for session in stored_sessions(root)}
    assert statuses[killed["id"]] == "failed"
    assert sorted(queue_statuses(root)) == ["completed", "failed"]
    shown = subprocess.run(
        [sys.executable, str(SLOW_CLI), "sessions", "show", killed["id"], "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    [error] = json.loads(shown.stdout)["errors"].values()
    assert error["error_type"] == "RunInterruptedError" and error["node_id"] == "0"
