"""The installed package: its entry point makes the local services the default, lightly.

Run in fresh processes with entry-point loading on, as a user's program runs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from invoke_core import InvocationServices, catalog, load_config
from invoke_core.services.session_storage import MemorySessionStorage
from invoke_services_local import plugin as local_plugin
from invoke_services_local.image_storage import DiskImageStorage
from invoke_services_local.session_queue import SqliteSessionQueue
from invoke_services_local.session_storage import SqliteSessionStorage

SERVICE_TYPES = """
import sys
from invoke_core import InvocationServices, load_config
services = InvocationServices.from_config(load_config(sys.argv[1], environ={}, **dict(a.split("=") for a in sys.argv[2:])))
print(",".join(type(getattr(services, kind)).__name__ for kind in ("sessions", "queue", "images", "objects", "cache")))
"""


def as_installed(code: str, *args: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INVOKE_")}
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_entry_point_makes_sqlite_and_disk_the_defaults(root):
    assert as_installed(SERVICE_TYPES, str(root)) == (
        "SqliteSessionStorage,SqliteSessionQueue,DiskImageStorage,DiskObjectStorage,MemoryInvocationCache"
    )
    assert (root / "databases" / "invoke.db").is_file()


def test_the_config_still_chooses(root):
    chosen = as_installed(SERVICE_TYPES, str(root), "session_queue=memory", "invocation_cache=sqlite")
    assert chosen.split(",")[1] == "MemorySessionQueue" and chosen.split(",")[4] == "SqliteInvocationCache"


def test_the_plugin_module_imports_nothing_heavy():
    code = (
        "import sys, invoke_services_local.plugin\n"
        "print(','.join(m for m in ('sqlite3', 'PIL', 'torch', 'safetensors') if m in sys.modules))"
    )
    assert as_installed(code) == ""


@pytest.fixture
def entry_points_loaded(monkeypatch):
    """A fresh plugin manager in this process that loads the installed `local` entry point."""
    monkeypatch.delenv("INVOKE_DISABLE_PLUGIN_AUTOLOAD")
    monkeypatch.setenv("INVOKE_PLUGINS", "local")  # other installed plugins stay out
    # a fresh catalog; the old one (with the hand-registered copy) comes back after
    monkeypatch.setattr(catalog, "_catalog", catalog.PluginCatalog())
    return catalog.get_plugin_manager()


def test_the_entry_point_loads_in_process(entry_points_loaded, root):
    assert entry_points_loaded.get_plugin("local") is local_plugin
    services = InvocationServices.from_config(load_config(root, environ={}))
    try:
        assert isinstance(services.sessions, SqliteSessionStorage) and isinstance(services.images, DiskImageStorage)
        chosen = InvocationServices.from_config(load_config(root, environ={}, session_storage="memory"))
        assert isinstance(chosen.sessions, MemorySessionStorage) and isinstance(chosen.queue, SqliteSessionQueue)
        chosen.close()
    finally:
        services.close()
