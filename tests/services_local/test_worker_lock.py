"""Lock files of claimers: a process killed while idle (its lock file named by no queue item)
has its file tidied when the next process starts on the root; a live process keeps its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from invoke_core import Invoker
from invoke_services_local.worker_lock import LOCKS_FOLDER, WorkerLock, is_alive, tidy

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

# An idle server: its processor has looked for work (so it holds its lock) and found none.
IDLE_WORKER = """
import sys, time
from invoke_core import InvocationServices, Invoker, load_config, register_plugin
from invoke_services_local import plugin
register_plugin(plugin, name="local")
Invoker(InvocationServices.from_config(load_config(sys.argv[1], environ={}))).start()
time.sleep(0.5)
print("ready", flush=True)
time.sleep(600)
"""


def start_idle_worker(root: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    worker = subprocess.Popen(
        [sys.executable, "-c", IDLE_WORKER, str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    line = worker.stdout.readline()
    assert line.strip() == b"ready", worker.stderr.read().decode()
    return worker


def lock_files_of(root: Path, pid: int) -> list[Path]:
    return list((root / LOCKS_FOLDER).glob(f"{pid}-*.lock"))


def stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    worker.stdout.close()
    worker.stderr.close()


def test_the_next_start_tidies_the_lock_of_a_process_killed_while_idle(root: Path, open_services):
    killed, live = start_idle_worker(root), start_idle_worker(root)
    try:
        assert lock_files_of(root, killed.pid) and lock_files_of(root, live.pid)
        stop(killed)
        assert lock_files_of(root, killed.pid)  # the kernel drops the lock, not the file

        invoker = Invoker(open_services())
        invoker.start()  # a new server on this root
        invoker.stop()

        assert not lock_files_of(root, killed.pid)
        (kept,) = lock_files_of(root, live.pid)
        assert is_alive(root, kept.stem)  # the live process's lock is untouched and still held
    finally:
        stop(live)


def test_tidy_keeps_the_locks_held_in_this_process(root: Path):
    held = WorkerLock(root)
    assert tidy(root) == 0
    assert is_alive(root, held.name)
    held.release()
    assert not list((root / LOCKS_FOLDER).glob("*.lock"))
