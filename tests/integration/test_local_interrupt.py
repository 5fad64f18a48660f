"""Ctrl-C during a local `invokeai run` cancels the session and exits 130, as a shell reports SIGINT.

Driven as a user sees it: stderr is a terminal (so progress bars show), and the signal comes
once the node's bar is up."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

INVOKEAI = Path(sys.executable).with_name("invokeai")


def test_ctrl_c_cancels_a_local_run_and_exits_130(tmp_path):
    from invoke_nodes_sd import tiny

    env = {key: value for key, value in os.environ.items() if not key.startswith("INVOKE_")}
    env.update(HF_HUB_OFFLINE="1", INVOKE_ROOT=str(tmp_path / "root"), COLUMNS="120")
    model = tiny.build_sd1(tmp_path / "tiny-sd1")
    added = subprocess.run(
        [str(INVOKEAI), "models", "add", str(model), "--name", "tiny"], env=env, capture_output=True, text=True
    )
    assert added.returncode == 0, added.stderr
    terminal, terminal_side = os.openpty()
    run = subprocess.Popen(
        [str(INVOKEAI), "run", "txt2img --model tiny --prompt 'a lighthouse' --steps 1000 --width 256 --height 256"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=terminal_side,
        text=True,
        # a runner started in the background (`cmd &`) ignores SIGINT, and children inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(terminal_side)
    shown = b""
    try:
        deadline = time.monotonic() + 120
        while b"0 txt2img" not in shown:  # its progress bar: the node is running
            assert run.poll() is None and time.monotonic() < deadline, shown.decode(errors="replace")
            if select.select([terminal], [], [], 0.1)[0]:
                shown += os.read(terminal, 65536)
        run.send_signal(signal.SIGINT)
        # keep reading, as a terminal does: a full terminal would stall the progress display
        deadline = time.monotonic() + 60
        while True:
            ready = select.select([terminal], [], [], 0.1)[0]
            try:
                chunk = os.read(terminal, 65536) if ready else b""
            except OSError:  # the other side closed
                chunk = b""
            shown += chunk
            if run.poll() is not None and not chunk:
                break
            assert time.monotonic() < deadline, shown.decode(errors="replace")
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        os.close(terminal)
    assert run.returncode == 130, shown.decode(errors="replace")
    assert b"error: interrupted: session " in shown and b" was canceled" in shown
