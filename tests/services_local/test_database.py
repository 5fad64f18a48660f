"""The shared SQLite database: WAL, versioned schema, one connection per root, threads."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest
from invoke_core import InvocationServices, Session, load_config, register_plugin
from invoke_services_local import migrations
from invoke_services_local import plugin as local_plugin
from invoke_services_local.database import DATABASE_FILE, open_database, release_database
from invoke_services_local.migrations import SCHEMA_VERSION, SchemaTooNewError


def test_wal_mode_and_schema_version(services, root):
    assert services.sessions.db is services.queue.db is services.images.db  # one per root
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert services.sessions.db.integrity_check() == "ok"


def test_a_database_from_a_newer_release_is_refused_untouched(root):
    (root / DATABASE_FILE).parent.mkdir(parents=True)
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("CREATE TABLE future (x)")
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNewError, match="upgrade invoke-services-local"):
        open_database(root)
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        assert raw.execute("SELECT name FROM sqlite_master").fetchall() == [("future",)]


def test_the_connection_closes_with_its_last_user(root):
    first, second = open_database(root), open_database(root)
    assert first is second
    release_database(first)
    assert first.read_one("SELECT 1") == (1,)  # one user left: still open
    release_database(second)
    with pytest.raises(sqlite3.ProgrammingError):
        first.read_one("SELECT 1")
    again = open_database(root)
    assert again is not first  # a later open starts afresh
    release_database(again)


def test_writes_from_many_threads_all_land(services):
    def write(worker: int) -> None:
        for index in range(50):
            services.sessions.set(Session({"nodes": {"n": {"type": "integer", "value": worker * 100 + index}}}))

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert services.sessions.list().total == 200


def _open_on_signal(root: str, start, results) -> None:
    register_plugin(local_plugin, name="local")
    start.wait(60)
    try:
        services = InvocationServices.from_config(load_config(root, environ={}))
        services.sessions.set(Session({"nodes": {"n": {"type": "integer", "value": 1}}}))
        services.close()
        results.put("ok")
    except Exception as exc:
        results.put(f"{type(exc).__name__}: {exc}")


def test_processes_opening_a_new_root_at_once_all_succeed(root: Path):
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [context.Process(target=_open_on_signal, args=(str(root), start, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    start.set()  # all race to create and migrate the same database
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(30)
    assert outcomes == ["ok"] * 4
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 4


def test_a_failing_migration_leaves_the_previous_version_intact(root: Path, monkeypatch):
    release_database(open_database(root))  # at the current version

    def broken_next_version(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, broken_next_version))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="disk full"):
        open_database(root)
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall() == []


def test_a_version_1_database_gains_the_intermediate_indexes_and_keeps_its_images(root: Path):
    (root / DATABASE_FILE).parent.mkdir(parents=True)
    with sqlite3.connect(root / DATABASE_FILE, isolation_level=None) as raw:
        migrations.MIGRATIONS[0](raw)
        raw.execute("PRAGMA user_version = 1")
        raw.execute(
            "INSERT INTO images (image_name, width, height, session_id, is_intermediate, created_at) "
            "VALUES ('a', 1, 1, 's', 0, 1.0), ('b', 1, 1, 's', 1, 2.0)"
        )
    database = open_database(root)
    try:
        indexes = {row[0] for row in database.read("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"images_gallery", "images_intermediate"} <= indexes
        assert database.read("SELECT image_name FROM images WHERE is_intermediate = 0") == [("a",)]
        assert database.read_one("PRAGMA user_version")[0] == SCHEMA_VERSION
    finally:
        release_database(database)
