"""Node types: what each loaded node takes and gives, for UIs and scripts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from invoke_core import UnknownNodeTypeError, invocation_classes, node_schema
from pydantic import BaseModel, Field

from invoke_web.errors import COMMON_ERRORS, ApiError

router = APIRouter(prefix="/nodes", tags=["nodes"], responses=COMMON_ERRORS)


class NodeSchema(BaseModel):
    type: str = Field(description="The node's `type`, as written in graph JSON")
    title: str
    description: str
    tags: list[str]
    category: str
    version: str
    cacheable: bool
    plugin: str | None = Field(description="The plugin that provides the node type")
    inputs: dict[str, Any] = Field(description="JSON schema of the inputs: types, defaults, constraints, descriptions")
    outputs: dict[str, Any] = Field(description="JSON schema of the outputs")


@router.get("", response_model=list[NodeSchema], summary="Every loaded node type")
def list_nodes() -> list[dict[str, Any]]:
    return [node_schema(cls) for _name, cls in sorted(invocation_classes().items())]


@router.get("/{node_type}", response_model=NodeSchema, summary="One node type")
def get_node(node_type: str) -> dict[str, Any]:
    cls = invocation_classes().get(node_type)
    if cls is None:
        raise ApiError(404, f"unknown node type {node_type!r}", error=UnknownNodeTypeError.__name__, field="type")
    return node_schema(cls)
