"""The graph API fuzz over HTTP, on the local services (sessions stored as JSON in SQLite):
random graph JSON, valid and not, to `POST /sessions` and `POST /queue/batches`. Every answer is
a 2xx or a 4xx with the JSON error shape, never a 5xx, and everything stored stays readable:
each created session reads back, the queue drains, and the session listing answers.

Strategies are shared with tests/core/test_graph_fuzz.py; a few seconds in all."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.graph_strategies import graphs, plausible_graphs
from tests.web.helpers import LiveServer, live_server, wait_for

pytest.importorskip("invoke_services_local", reason="the fuzz stores sessions on the local services")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("fuzz"), services="local") as running:
        yield running


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    # A new connection per request: on some machines a kept-alive one adds ~40 ms to each answer.
    with server.client(limits=httpx.Limits(max_keepalive_connections=0)) as http:
        yield http


def post_json(client: httpx.Client, url: str, data: object) -> httpx.Response:
    """Posts `data` as Python writes JSON, NaN and Infinity included, as a careless client may
    (httpx itself refuses to write those)."""
    return client.post(url, content=json.dumps(data), headers={"Content-Type": "application/json"})


def check_answer(answer: httpx.Response) -> None:
    assert answer.status_code < 500, (answer.status_code, answer.text)
    if answer.status_code >= 400:
        body = answer.json()
        assert body["error"] and body["message"], body


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(st.one_of(graphs(), plausible_graphs()))
def test_any_graph_json_gets_a_typed_answer_and_what_is_stored_reads_back(client, data):
    created = post_json(client, "/api/v1/sessions", data)
    check_answer(created)
    if created.status_code == 201:
        session = created.json()
        again = client.get(f"/api/v1/sessions/{session['id']}")
        assert again.status_code == 200 and again.json()["graph"] == session["graph"]
    check_answer(post_json(client, "/api/v1/queue/batches", {"graph": data}))


def test_after_the_fuzz_the_queue_drains_and_the_listings_answer(client):
    # runs after the fuzz above (pytest keeps file order): its queued graphs end, stored
    wait_for(lambda: client.get("/api/v1/queue/status").json()["in_progress"] == 0, timeout=60)
    wait_for(lambda: client.get("/api/v1/queue/status").json()["pending"] == 0, timeout=60)
    assert client.get("/api/v1/sessions", params={"per_page": 100}).status_code == 200
    items = client.get("/api/v1/queue/items", params={"per_page": 100}).json()["items"]
    for item in items:
        assert client.get(f"/api/v1/sessions/{item['session_id']}").status_code == 200, item
