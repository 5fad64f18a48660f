"""Node types over HTTP, and the OpenAPI document that carries their schemas, the graph and events."""

from __future__ import annotations

from invoke_core import invocation_classes


def test_every_loaded_node_type_is_listed_with_its_schemas(client):
    listed = client.get("/api/v1/nodes").json()
    by_type = {node["type"]: node for node in listed}
    assert set(by_type) == set(invocation_classes())
    add = by_type["add"]
    assert add["plugin"] == "builtin" and add["category"] == "math"
    assert add["inputs"]["properties"]["a"]["type"] == "integer"
    assert "value" in add["outputs"]["properties"]
    slow = by_type["web_test_slow_count"]
    assert slow["plugin"] == "web_test_nodes"
    steps = slow["inputs"]["properties"]["steps"]
    assert (steps["default"], steps["minimum"], steps["maximum"]) == (3, 1, 10_000)
    assert slow["description"].startswith("Counts up")
    assert client.get("/api/v1/nodes/add").json() == add


def test_openapi_carries_node_graph_and_event_schemas(client):
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["AddInvocation"]["properties"]["type"]["const"] == "add"
    assert schemas["SlowCountInvocationOutputs"]["properties"]["value"]["type"] == "integer"
    assert "ImageField" in schemas  # a node's nested model, lifted out of its $defs
    assert len(schemas["AnyInvocation"]["oneOf"]) == len(invocation_classes())
    assert schemas["AnyInvocation"]["discriminator"]["mapping"]["add"] == "#/components/schemas/AddInvocation"
    assert schemas["InvocationProgressEvent"]["x-event-name"] == "invocation_progress"
    assert {"Graph", "Session", "ErrorResponse"} <= set(schemas)
    index = document["x-invoke-nodes"]
    assert index["web_test_fail"]["plugin"] == "web_test_nodes"
    assert index["img_invert"]["outputs"] == {"$ref": "#/components/schemas/ImageOutput"}
    paths = document["paths"]
    for path in ("/api/v1/sessions/{session_id}/invoke", "/api/v1/queue/batches", "/api/v1/images/upload"):
        assert path in paths
    assert "422" in paths["/api/v1/sessions"]["post"]["responses"]


def test_docs_page_is_served(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "openapi.json" in page.text


def test_plugins_add_routes_through_register_routes(tmp_path):
    from fastapi import APIRouter
    from invoke_core import hookimpl, register_plugin, unregister_plugin

    from tests.web.helpers import live_server

    class ExtraRoutes:
        @hookimpl
        def register_routes(self, app):
            router = APIRouter(prefix="/api/v1/extra")

            @router.get("/hello")
            def hello() -> dict[str, str]:
                return {"hello": "world"}

            app.include_router(router)

    name = register_plugin(ExtraRoutes(), name="web_test_extra_routes")
    try:
        with live_server(tmp_path) as server, server.client() as client:
            assert client.get("/api/v1/extra/hello").json() == {"hello": "world"}
            assert "/api/v1/extra/hello" in client.get("/openapi.json").json()["paths"]
    finally:
        unregister_plugin(name)
