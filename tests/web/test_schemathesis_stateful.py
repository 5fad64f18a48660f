"""Schemathesis chains operations through the links it infers from the OpenAPI document (create a
session, add nodes and edges, invoke it, read it and its queue item, upload and read images), on
the local services (SQLite and files) behind a real uvicorn server. Beside its generated requests,
the machine sends the payloads that once broke the server: non-finite numbers, lone surrogates,
deep nesting, huge integers, and images in odd pixel modes.

Every answer is a status the document lists for its operation, never a 5xx, and everything stored
stays readable: each session the run made, every listed queue item and image.
"""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule
from PIL import Image
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.web.helpers import live_server

SCENARIOS = 100
STEPS = 15


def deep(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


# JSON text as a careless client writes it (Python's own encoder writes NaN and Infinity too).
FIELD_VALUES = {
    "nan": "NaN",
    "infinity": "Infinity",
    "minus-infinity": "-Infinity",
    "overflowing-float": "1e999",
    "lone-surrogate": '"a\\ud800b"',
    "huge-integer": "1" + "0" * 5000,
    "deep-300": deep(300),
    "deep-64": deep(64),
}
NODE_IDS = {"lone-surrogate-id": '"n\\udfff"', "plain": '"n"'}
# Where a value goes: typed fields (int, float, text) and a free-form list (iterate's collection).
FIELDS = {
    "integer": ("integer", "value", "{}"),
    "float": ("float", "value", "{}"),
    "string": ("string", "value", "{}"),
    "iterate": ("iterate", "collection", "[{}]"),
}


def node(field: str, value: str) -> str:
    node_type, name, shape = FIELDS[field]
    return '{"type": "' + node_type + '", "' + name + '": ' + shape.format(FIELD_VALUES[value]) + "}"


def graph(node_id: str, field: str, value: str) -> str:
    return '{"nodes": {' + NODE_IDS[node_id] + ": " + node(field, value) + "}}"


NODE_ID, FIELD, VALUE = (st.sampled_from(sorted(choices)) for choices in (NODE_IDS, FIELDS, FIELD_VALUES))


def odd_image(kind: str) -> tuple[str, bytes]:
    image, image_format = {
        "cmyk-jpeg": (Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG"),
        "cmyk-tiff": (Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "TIFF"),
        "lab-tiff": (Image.new("LAB", (8, 8), (136, 208, 195)), "TIFF"),
        "ycbcr-tiff": (Image.new("YCbCr", (8, 8), (76, 85, 255)), "TIFF"),
        "float-tiff": (Image.new("F", (8, 8), -3.5), "TIFF"),
        "int-tiff": (Image.new("I", (8, 8), 2**20), "TIFF"),
        "spider": (Image.new("F", (8, 8), 0.25), "SPIDER"),
    }[kind]
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return f"odd.{image_format.lower()}", buffer.getvalue()


@pytest.fixture
def served(tmp_path):
    with live_server(tmp_path, services="local") as server:
        yield server


def documented_statuses(document: dict[str, Any], method: str, path: str) -> set[int]:
    return {int(status) for status in document["paths"][path][method.lower()]["responses"] if status.isdigit()}


def test_linked_operations_and_hostile_payloads_never_break_the_server(served):
    schema = schemathesis.openapi.from_url(served.url + "/openapi.json")
    document = httpx.get(served.url + "/openapi.json").json()
    http = httpx.Client(base_url=served.url, timeout=30)
    made_sessions: set[str] = set()
    counts = {"steps": 0, "hostile": 0, "links": 0}

    def answered(method: str, path: str, answer: httpx.Response) -> None:
        assert answer.status_code < 500, f"{method} {path}: {answer.status_code} {answer.text[:300]}"
        assert answer.status_code in documented_statuses(document, method, path), (method, path, answer.status_code)
        assert answer.headers["content-type"].startswith("application/json"), answer.text[:300]
        counts["hostile"] += 1

    class Machine(schema.as_state_machine()):
        def after_call(self, response, case) -> None:
            super().after_call(response, case)
            counts["steps"] += 1
            if case.path == "/api/v1/sessions" and case.method == "POST" and response.status_code == 201:
                made_sessions.add(response.json()["id"])

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            if "{" in case.path:  # a path parameter filled in from an earlier response or generated
                counts["links"] += 1
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
            # A graph can fit the JSON schema and still fail validation (unknown node type, cycle): a 422.
            case.validate_response(response, excluded_checks=[positive_data_acceptance], transport_kwargs=kwargs)

        @rule(node_id=NODE_ID, field=FIELD, value=VALUE)
        def post_hostile_session(self, node_id: str, field: str, value: str) -> None:
            answer = http.post("/api/v1/sessions", content=graph(node_id, field, value), headers=JSON)
            answered("POST", "/api/v1/sessions", answer)
            if answer.status_code == 201:
                made_sessions.add(answer.json()["id"])

        @rule(node_id=NODE_ID, field=FIELD, value=VALUE)
        def enqueue_hostile_batch(self, node_id: str, field: str, value: str) -> None:
            body = '{"graph": ' + graph(node_id, field, value) + "}"
            answer = http.post("/api/v1/queue/batches", content=body, headers=JSON)
            answered("POST", "/api/v1/queue/batches", answer)

        @rule(field=FIELD, value=VALUE, pick=st.integers(0, 2**16))
        def add_hostile_node(self, field: str, value: str, pick: int) -> None:
            # The server's sessions vary from run to run, so the draw is an index, not a session.
            if not made_sessions:
                made_sessions.add(http.post("/api/v1/sessions").json()["id"])
            ordered = sorted(made_sessions)
            session_id = ordered[pick % len(ordered)]
            body = '{"id": "hostile", ' + node(field, value)[1:]
            path = "/api/v1/sessions/{session_id}/nodes"
            answer = http.post(f"/api/v1/sessions/{session_id}/nodes", content=body, headers=JSON)
            answered("POST", path, answer)

        @rule(
            kind=st.sampled_from(
                ["cmyk-jpeg", "cmyk-tiff", "lab-tiff", "ycbcr-tiff", "float-tiff", "int-tiff", "spider"]
            )
        )
        def upload_odd_image(self, kind: str) -> None:
            name, data = odd_image(kind)
            answer = http.post("/api/v1/images/upload", files={"file": (name, data, "application/octet-stream")})
            answered("POST", "/api/v1/images/upload", answer)
            if answer.status_code == 201:
                image_name = answer.json()["image_name"]
                assert http.get(f"/api/v1/images/{image_name}/full").status_code == 200

        def teardown(self) -> None:
            for session_id in made_sessions:
                answer = http.get(f"/api/v1/sessions/{session_id}")
                assert answer.status_code == 200, (session_id, answer.text[:300])
            assert http.get("/api/v1/sessions").status_code == 200

    try:
        Machine.run(
            settings=settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
        )
        everything_stored_reads_back(http, made_sessions)
    finally:
        http.close()
    assert counts["steps"] >= SCENARIOS and counts["links"] >= SCENARIOS, counts
    assert counts["hostile"] >= SCENARIOS, counts


JSON = {"Content-Type": "application/json"}


def everything_stored_reads_back(http: httpx.Client, made_sessions: set[str]) -> None:
    """After the run: every session it made, every queue item's session, every image, read back."""
    listed = http.get("/api/v1/sessions", params={"limit": 1000})
    assert listed.status_code == 200, listed.text[:300]
    items = http.get("/api/v1/queue/items", params={"limit": 1000})
    assert items.status_code == 200, items.text[:300]
    item_sessions = {item["session_id"] for item in items.json()["items"]}
    for session_id in made_sessions | item_sessions:
        answer = http.get(f"/api/v1/sessions/{session_id}")
        assert answer.status_code == 200, (session_id, answer.text[:300])
    images = http.get("/api/v1/images", params={"limit": 1000})
    assert images.status_code == 200, images.text[:300]
    for image in images.json()["items"]:
        assert http.get(f"/api/v1/images/{image['image_name']}/full").status_code == 200
