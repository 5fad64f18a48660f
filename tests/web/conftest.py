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


@pytest.fixture
def server(tmp_path) -> Iterator[LiveServer]:
    with live_server(tmp_path) as running:
        yield running


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http
