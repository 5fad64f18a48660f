"""Fixtures: the test node plugin, a live server on the in-memory services, an httpx client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from invoke_core import register_plugin, unregister_plugin

from tests.web import nodes_for_tests
from tests.web.helpers import LiveServer, live_server


@pytest.fixture(scope="session", autouse=True)
def test_nodes() -> Iterator[None]:
    name = register_plugin(nodes_for_tests, name="web_test_nodes")
    yield
    unregister_plugin(name)


try:
    from invoke_services_local import plugin as local_plugin
except ImportError:  # the local services are optional: without them, only memory is tested
    local_plugin = None

SERVICE_KINDS = ["memory", "local"] if local_plugin is not None else ["memory"]


@pytest.fixture(scope="session", autouse=True)
def local_services_registered() -> Iterator[None]:
    if local_plugin is None:
        yield
        return
    name = register_plugin(local_plugin, name="local")
    yield
    unregister_plugin(name)


@pytest.fixture(params=SERVICE_KINDS)
def server(request, tmp_path) -> Iterator[LiveServer]:
    """A live server on each kind of services installed."""
    with live_server(tmp_path, services=request.param) as running:
        yield running


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http
