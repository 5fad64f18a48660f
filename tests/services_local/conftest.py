"""Fixtures: the local services on a fresh root folder, with the plugin registered by hand
(entry-point loading is off in tests, see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from invoke_core import (
    InvocationServices,
    Invoker,
    get_plugin_manager,
    load_config,
    register_plugin,
    unregister_plugin,
)
from invoke_services_local import plugin as local_plugin


@pytest.fixture(autouse=True)
def local_plugin_registered() -> Iterator[None]:
    name = register_plugin(local_plugin, name="local")
    yield
    if get_plugin_manager().get_plugin(name) is not None:  # a test may have unregistered it
        unregister_plugin(name)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "root"


@pytest.fixture
def open_services(root: Path) -> Iterator:
    """Opens services on `root` (as a new process would); all are closed at the end."""
    opened: list[InvocationServices] = []

    def open_(**settings) -> InvocationServices:
        services = InvocationServices.from_config(load_config(root, environ={}, **settings))
        opened.append(services)
        return services

    yield open_
    for services in opened:
        services.close()


@pytest.fixture
def services(open_services) -> InvocationServices:
    return open_services()


@pytest.fixture
def invoker(services: InvocationServices) -> Iterator[Invoker]:
    invoker = Invoker(services)
    yield invoker
    invoker.stop()
