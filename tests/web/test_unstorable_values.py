"""Values JSON cannot store (NaN, infinities, lone surrogates) are a 422 naming node and field
before anything is stored, on every route that takes nodes; a stored row that cannot be read is
left out of listings and is a 410, never a 500 (issue 11, item 2)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.web.helpers import edge, live_server

JSON = {"content-type": "application/json"}

# Request bodies as a careless client sends them: Python's json module writes NaN and Infinity,
# and "\ud800" escapes a lone surrogate.
BAD_NODES = {
    "nan": ('{"a":{"type":"float","value":NaN}}', "a", "value"),
    "infinity": ('{"a":{"type":"float","value":Infinity}}', "a", "value"),
    "1e999": ('{"a":{"type":"float","value":1e999}}', "a", "value"),
    "surrogate id": ('{"a\\ud800":{"type":"float","value":1}}', "a\\ud800", None),
    "surrogate text": ('{"a":{"type":"string","value":"x\\ud800"}}', "a", "value"),
    "surrogate in a list": ('{"a":{"type":"collect","collection":[1,["\\udfff"]]}}', "a", "collection"),
}


def assert_refused(answer, node_id, field):
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert (body["node_id"], body["field"]) == (node_id, field)
    assert node_id in body["message"]  # a lone surrogate escaped, as in node_id


@pytest.mark.parametrize("name", BAD_NODES)
def test_creating_a_session_with_an_unstorable_value_is_422_and_stores_nothing(client, name):
    nodes, node_id, field = BAD_NODES[name]
    assert_refused(client.post("/api/v1/sessions", content=f'{{"nodes":{nodes}}}', headers=JSON), node_id, field)
    listing = client.get("/api/v1/sessions")
    assert listing.status_code == 200 and listing.json()["total"] == 0


@pytest.mark.parametrize("name", BAD_NODES)
def test_a_batch_with_an_unstorable_value_is_422_and_queues_nothing(client, name):
    nodes, node_id, field = BAD_NODES[name]
    answer = client.post("/api/v1/queue/batches", content=f'{{"graph":{{"nodes":{nodes}}}}}', headers=JSON)
    assert_refused(answer, node_id, field)
    assert client.get("/api/v1/queue/status").json()["total"] == 0
    assert client.get("/api/v1/sessions").json()["total"] == 0


@pytest.mark.parametrize("value", ["NaN", "-Infinity", "1e999"])
def test_batch_data_with_an_unstorable_value_is_422_and_queues_nothing(client, value):
    body = (
        '{"graph":{"nodes":{"c":{"type":"collect","collection":[0]}}},'
        f'"data":[[{{"node_path":"c","field_name":"collection","items":[[1],[2,{value}]]}}]]}}'
    )
    answer = client.post("/api/v1/queue/batches", content=body, headers=JSON)
    assert answer.status_code == 422, answer.text
    assert (answer.json()["node_id"], answer.json()["field"]) == ("c", "collection")
    assert client.get("/api/v1/queue/status").json()["total"] == 0


@pytest.mark.parametrize("name", BAD_NODES)
def test_adding_a_node_with_an_unstorable_value_is_422_and_leaves_the_session_as_it_was(client, name):
    nodes, node_id, field = BAD_NODES[name]
    session_id = client.post("/api/v1/sessions", json={"nodes": {"ok": {"type": "float", "value": 1.5}}}).json()["id"]
    (given_id, node), *_ = json.loads(nodes).items()
    answer = client.post(
        f"/api/v1/sessions/{session_id}/nodes", content=json.dumps({**node, "id": given_id}), headers=JSON
    )
    assert_refused(answer, node_id, field)
    stored = client.get(f"/api/v1/sessions/{session_id}")
    assert stored.status_code == 200 and list(stored.json()["graph"]["nodes"]) == ["ok"]
    assert client.get("/api/v1/sessions").status_code == 200


def test_an_edge_naming_a_node_id_with_a_lone_surrogate_is_a_json_4xx(client):
    session_id = client.post("/api/v1/sessions", json={"nodes": {"f": {"type": "float", "value": 1.5}}}).json()["id"]
    for source, destination in (("f\ud800", "f"), ("f", "g\udfff")):
        body = json.dumps(edge(source, "value", destination, "value"))  # escapes the surrogate
        answer = client.post(f"/api/v1/sessions/{session_id}/edges", content=body, headers=JSON)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"] == "NodeNotFoundError" and "\\ud" in answer.json()["node_id"]
    assert client.get(f"/api/v1/sessions/{session_id}").json()["graph"]["edges"] == []


def test_a_stored_session_that_cannot_be_read_is_410_and_left_out_of_listings(tmp_path):
    database = pytest.importorskip("invoke_services_local.database")  # only stored rows can be unreadable
    with live_server(tmp_path, services="local") as server, server.client() as client:
        good = client.post("/api/v1/sessions", json={"nodes": {"f": {"type": "float", "value": 1.5}}}).json()
        bad = client.post("/api/v1/sessions", json={"nodes": {"f": {"type": "float", "value": 1.5}}}).json()
        # the row an older server stored for {"type": "float", "value": NaN}
        with sqlite3.connect(server.invoker.services.config.root / database.DATABASE_FILE) as raw:
            raw.execute("UPDATE sessions SET data = replace(data, '1.5', 'NaN') WHERE id = ?", (bad["id"],))
        answer = client.get(f"/api/v1/sessions/{bad['id']}")
        assert answer.status_code == 410
        assert answer.json()["error"] == "CorruptDataError" and bad["id"] in answer.json()["message"]
        listing = client.get("/api/v1/sessions")
        assert listing.status_code == 200 and [s["id"] for s in listing.json()["items"]] == [good["id"]]
        assert client.post(f"/api/v1/sessions/{bad['id']}/nodes", json={"type": "float"}).status_code == 410
