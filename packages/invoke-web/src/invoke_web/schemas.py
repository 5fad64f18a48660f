"""Request and response shapes shared by the routers.

Graphs, nodes and edges arrive as plain JSON and are validated by the core, whose errors name
the node and field; the JSON schemas here only document their shape in OpenAPI.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request
from invoke_core import Invoker
from invoke_core.graph import GRAPH_JSON_SCHEMA
from pydantic import BaseModel, Field, WithJsonSchema

_EDGE_SCHEMA = GRAPH_JSON_SCHEMA["properties"]["edges"]["items"]
_NODE_SCHEMA = {
    "type": "object",
    "description": "A node: its `type` and input values (see GET /api/v1/nodes); `id` is chosen when left out",
    "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
    "required": ["type"],
}

GraphJson = Annotated[dict[str, Any], WithJsonSchema(GRAPH_JSON_SCHEMA)]
NodeJson = Annotated[dict[str, Any], WithJsonSchema(_NODE_SCHEMA)]
EdgeJson = Annotated[dict[str, Any], WithJsonSchema(_EDGE_SCHEMA)]


class NodeAdded(BaseModel):
    node_id: str = Field(description="The id the node was added under")


class Count(BaseModel):
    count: int = Field(description="How many items were affected")


def get_invoker(request: Request) -> Invoker:
    return request.app.state.invoker
