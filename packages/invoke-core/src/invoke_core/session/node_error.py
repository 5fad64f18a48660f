"""Execution ids and the record of a failed execution."""

from __future__ import annotations

from pydantic import BaseModel


class NodeError(BaseModel):
    """Why one execution of a node failed."""

    node_id: str
    source_node_id: str
    node_type: str
    error_type: str
    message: str
    traceback: str = ""
    field: str | None = None


def execution_id(node_id: str, key: tuple[int, ...]) -> str:
    """A node's id followed by one `[index]` per enclosing iteration (`denoise[1][0]`)."""
    if not key:
        return node_id
    return node_id + "".join(f"[{index}]" for index in key)


def source_of(execution: str) -> str:
    """The graph node an execution id belongs to."""
    return execution.split("[", 1)[0]
