"""Deeply nested JSON is a 4xx naming node and field, never a 500 (issue 11, item 8: a field
nested 300 deep answered "Maximum serialization depth exceeded")."""

from __future__ import annotations

import pytest

JSON = {"content-type": "application/json"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def assert_too_deep(answer, node_id: str = "c", field: str = "collection"):
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert (body["error"], body["node_id"], body["field"]) == ("NodeValidationError", node_id, field)
    assert "nests deeper than 64 levels" in body["message"]


@pytest.mark.parametrize("depth", [65, 300, 900])
def test_a_session_with_a_field_nested_too_deep_is_422_and_stores_nothing(client, depth):
    body = f'{{"nodes":{{"c":{{"type":"collect","collection":{nested(depth)}}}}}}}'
    assert_too_deep(client.post("/api/v1/sessions", content=body, headers=JSON))
    assert client.get("/api/v1/sessions").json()["total"] == 0


@pytest.mark.parametrize("depth", [65, 300, 900])
def test_a_batch_with_a_field_nested_too_deep_is_422_and_queues_nothing(client, depth):
    body = f'{{"graph":{{"nodes":{{"c":{{"type":"collect","collection":{nested(depth)}}}}}}}}}'
    assert_too_deep(client.post("/api/v1/queue/batches", content=body, headers=JSON))
    body = (
        '{"graph":{"nodes":{"c":{"type":"collect","collection":[0]}}},'
        f'"data":[[{{"node_path":"c","field_name":"collection","items":[[1],{nested(depth)}]}}]]}}'
    )
    assert_too_deep(client.post("/api/v1/queue/batches", content=body, headers=JSON))
    assert client.get("/api/v1/queue/status").json()["total"] == 0


def test_a_node_nested_too_deep_is_422_and_the_session_keeps_its_nodes(client):
    session_id = client.post("/api/v1/sessions", json={"nodes": {"a": {"type": "integer", "value": 1}}}).json()["id"]
    body = f'{{"id":"c","type":"collect","collection":{nested(300)}}}'
    assert_too_deep(client.post(f"/api/v1/sessions/{session_id}/nodes", content=body, headers=JSON))
    assert list(client.get(f"/api/v1/sessions/{session_id}").json()["graph"]["nodes"]) == ["a"]


def test_values_nested_to_the_limit_are_kept_and_read_back(client):
    graph = {"nodes": {"c": {"type": "collect", "collection": [[[[["deep"]]]]]}}}
    created = client.post("/api/v1/sessions", json=graph)
    assert created.status_code == 201
    body = f'{{"nodes":{{"c":{{"type":"collect","collection":{nested(64)}}}}}}}'
    assert client.post("/api/v1/sessions", content=body, headers=JSON).status_code == 201
    listing = client.get("/api/v1/sessions")
    assert listing.status_code == 200 and listing.json()["total"] == 2
    stored = client.get(f"/api/v1/sessions/{created.json()['id']}").json()
    assert stored["graph"]["nodes"]["c"]["collection"] == [[[[["deep"]]]]]


def test_a_body_nested_deeper_than_the_json_parser_goes_is_a_json_400(client):
    body = f'{{"nodes":{{"c":{{"type":"collect","collection":{nested(100_000)}}}}}}}'
    answer = client.post("/api/v1/sessions", content=body, headers=JSON)
    assert answer.status_code == 400 and answer.json()["error"]
    assert client.get("/api/v1/sessions").json()["total"] == 0
