"""Kill a process running sessions (SIGKILL, no chance to clean up) many times, then check
that nothing stored was lost or left half-written and that the queue still works."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from invoke_core import Invoker
from invoke_services_local.database import DATABASE_FILE
from invoke_services_local.files import TEMP_PREFIX
from invoke_services_local.image_storage import IMAGES_FOLDER
from invoke_services_local.session_queue import INTERRUPTED
from PIL import Image

from tests.services_local.crash_worker import GRAPH

WORKER = Path(__file__).with_name("crash_worker.py")
KILLS = 20

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def run_and_kill(root: Path, rng: random.Random) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        line = worker.stdout.readline()
        assert line.strip() == b"ready", worker.stderr.read().decode()
        try:
            worker.wait(timeout=rng.uniform(0.05, 0.6))  # let it work, then kill it mid-flight
        except subprocess.TimeoutExpired:
            pass
        assert worker.poll() is None, f"the worker died by itself: {worker.stderr.read().decode()}"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        worker.stdout.close()
        worker.stderr.close()


def test_sigkill_many_times_loses_nothing(root: Path, open_services) -> None:
    rng = random.Random(1234)
    for _ in range(KILLS):
        run_and_kill(root, rng)

    # Straight after the kills, before anything opens the root again:
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        in_progress = raw.execute("SELECT COUNT(*) FROM queue WHERE status = 'in_progress'").fetchone()[0]
    image_folder = root / IMAGES_FOLDER
    for path in image_folder.glob("*.png"):
        if path.name.startswith(TEMP_PREFIX):
            continue  # a write the kill cut short: only ever under a temp name, swept on the next start
        with Image.open(path) as image:
            image.load()  # every file under a real name is whole

    services = open_services()  # what the next start of the app does: open, then recover when processing starts
    queue = services.queue
    recovered = queue.recover()
    counts = queue.counts()
    assert counts["in_progress"] == 0
    assert len(recovered) == in_progress, counts  # every interrupted item, and only those
    assert all(item.status == "failed" and item.error == INTERRUPTED for item in recovered)
    assert in_progress >= 1, "no kill landed while an item ran; the test proved nothing"
    failed = queue.list(status="failed", per_page=10_000).items
    assert failed and all(item.error == INTERRUPTED for item in failed), [item.error for item in failed]
    assert not [path for path in image_folder.iterdir() if path.name.startswith(TEMP_PREFIX)]

    completed = queue.list(status="completed", per_page=10_000).items
    assert len(completed) >= KILLS, counts  # the kills left room for real work
    for item in completed:
        session = services.sessions.get(item.session_id)
        assert session.status == "completed"
        saved = session.results["save"].image.image_name
        assert services.images.get(saved).size == (96, 96)
        assert (
            services.images.get_record(saved).metadata["graph"]["nodes"]["noise"]["seed"]
            == item.field_values[0]["value"]
        )

    every_record = services.images.list(per_page=10_000, include_intermediates=True)  # every record, every file
    assert every_record.total == len(every_record.items)
    for record in every_record.items:
        assert services.images.path(record.image_name).is_file()

    # and the queue keeps working
    with Invoker(services) as invoker:
        item = invoker.invoke(invoker.create_session(GRAPH))
        assert invoker.wait(item, timeout=30).status == "completed"
