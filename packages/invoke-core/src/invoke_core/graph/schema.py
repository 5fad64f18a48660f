"""The JSON schema of graph JSON, for OpenAPI documents and editors."""

from __future__ import annotations

from typing import Any

_CONNECTION_SCHEMA = {
    "type": "object",
    "properties": {"node_id": {"type": "string"}, "field": {"type": "string"}},
    "required": ["node_id", "field"],
}

GRAPH_JSON_SCHEMA: dict[str, Any] = {
    "title": "Graph",
    "type": "object",
    "properties": {
        "nodes": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {"type": {"type": "string"}},
                "required": ["type"],
            },
        },
        "edges": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"source": _CONNECTION_SCHEMA, "destination": _CONNECTION_SCHEMA},
                "required": ["source", "destination"],
            },
        },
    },
}
