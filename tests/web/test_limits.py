"""Limits over HTTP (issue 11, item 6): too many nodes, a list too long, a range past the limit
and a session too large to store are clear errors naming the setting, and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from invoke_core import InvocationServices, InvokeConfig, Invoker, load_config
from invoke_web import create_app

from tests.web.conftest import SERVICE_KINDS
from tests.web.helpers import LiveServer, serve, wait_for


@contextmanager
def limited_server(tmp_path, kind: str, **limits) -> Iterator[LiveServer]:
    root = tmp_path / "root"
    config = InvokeConfig(root=root, **limits) if kind == "memory" else load_config(root, environ={}, **limits)
    services = InvocationServices(config) if kind == "memory" else InvocationServices.from_config(config)
    invoker = Invoker(services)
    app = create_app(invoker)
    try:
        with serve(app) as url:
            yield LiveServer(url, app, invoker, None)
    finally:
        invoker.close()


def integers(count: int) -> dict:
    return {"nodes": {f"n{i}": {"type": "integer", "value": i} for i in range(count)}}


@pytest.fixture(params=SERVICE_KINDS)
def client(request, tmp_path):
    with limited_server(tmp_path, request.param, max_graph_nodes=5, max_collection_items=10) as server:
        with server.client() as http:
            yield http


def assert_limit(answer, setting: str, node_id=None, field=None):
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert (body["error"], body["node_id"], body["field"]) == ("LimitExceededError", node_id, field)
    assert f"({setting})" in body["message"]


def test_a_graph_with_too_many_nodes_is_422_on_every_route(client):
    assert_limit(client.post("/api/v1/sessions", json=integers(6)), "max_graph_nodes")
    assert_limit(client.post("/api/v1/queue/batches", json={"graph": integers(6)}), "max_graph_nodes")
    assert client.get("/api/v1/sessions").json()["total"] == 0
    assert client.get("/api/v1/queue/status").json()["total"] == 0
    session_id = client.post("/api/v1/sessions", json=integers(5)).json()["id"]
    assert_limit(client.post(f"/api/v1/sessions/{session_id}/nodes", json={"type": "integer"}), "max_graph_nodes")
    assert len(client.get(f"/api/v1/sessions/{session_id}").json()["graph"]["nodes"]) == 5


def test_a_list_longer_than_the_limit_is_422_naming_node_and_field(client):
    graph = {"nodes": {"each": {"type": "iterate", "collection": list(range(11))}}}
    assert_limit(client.post("/api/v1/sessions", json=graph), "max_collection_items", "each", "collection")
    assert_limit(
        client.post("/api/v1/queue/batches", json={"graph": graph}), "max_collection_items", "each", "collection"
    )
    assert client.get("/api/v1/sessions").json()["total"] == 0


def test_a_range_past_the_limit_fails_its_node_and_the_session_stays_small(client):
    session_id = client.post("/api/v1/sessions", json={"nodes": {"r": {"type": "range", "stop": 10**7}}}).json()["id"]
    item = client.put(f"/api/v1/sessions/{session_id}/invoke").json()
    done = wait_for(
        lambda: (i := client.get(f"/api/v1/queue/items/{item['item_id']}").json())["status"] == "failed" and i
    )
    assert "max_collection_items" in done["error"]
    session = client.get(f"/api/v1/sessions/{session_id}")
    assert session.status_code == 200 and len(session.content) < 10_000
    error = session.json()["errors"]["r"]
    assert (error["error_type"], error["field"]) == ("LimitExceededError", "stop")


def test_a_session_too_large_to_store_is_refused_and_the_stored_one_kept(tmp_path):
    pytest.importorskip("invoke_services_local")  # the local storage writes sessions, so it measures them
    with limited_server(tmp_path, "local", max_session_mb=0.01) as server, server.client() as client:
        session_id = client.post("/api/v1/sessions", json=integers(2)).json()["id"]
        big = {"id": "text", "type": "string", "value": "x" * 20_000}
        assert_limit(client.post(f"/api/v1/sessions/{session_id}/nodes", json=big), "max_session_mb")
        assert list(client.get(f"/api/v1/sessions/{session_id}").json()["graph"]["nodes"]) == ["n0", "n1"]
        # a run whose results grow the session past the limit fails its item with why
        grows = {"nodes": {"r": {"type": "range", "stop": 5000}}}
        grown_id = client.post("/api/v1/sessions", json=grows).json()["id"]
        item = client.put(f"/api/v1/sessions/{grown_id}/invoke").json()
        done = wait_for(
            lambda: (
                (i := client.get(f"/api/v1/queue/items/{item['item_id']}").json())["status"] != "pending"
                and i["status"] != "in_progress"
                and i
            )
        )
        assert done["status"] == "failed" and "max_session_mb" in done["error"]
        assert client.get(f"/api/v1/sessions/{grown_id}").status_code == 200
