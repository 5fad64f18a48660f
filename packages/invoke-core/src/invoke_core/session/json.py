"""A session as JSON: the graph, results, errors, history, expansions and iteration counts.

Loading recomputes everything else (what is ready, pending, complete) from these.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from invoke_core.errors import GraphValidationError
from invoke_core.graph import GRAPH_JSON_SCHEMA
from invoke_core.session.node_error import NodeError, source_of


class SessionJson:
    """Mixed into Session: `model_dump` and `model_validate`."""

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        """The session as JSON. Safe to call while another thread runs it: each container is
        copied in one step under the GIL, history first; an execution is recorded in results
        before history, so every execution the copied history names has its result copied too."""
        history = list(self.history)  # type: ignore[attr-defined]
        schedule = self._schedule  # type: ignore[attr-defined]
        expanded = list(schedule.expanded)
        results, errors, counts = dict(self.results), dict(self.errors), dict(schedule.counts)  # type: ignore[attr-defined]
        return {
            "id": self.id,  # type: ignore[attr-defined]
            "graph": self.graph_json(),  # type: ignore[attr-defined]
            "results": {execution: outputs.model_dump(mode="json") for execution, outputs in results.items()},
            "errors": {execution: error.model_dump() for execution, error in errors.items()},
            "history": history,
            "expanded": expanded,
            "iteration_counts": [[node_id, list(key), count] for (node_id, key), count in counts.items()],
            "canceled": self.canceled,  # type: ignore[attr-defined]
            "status": self.status,  # type: ignore[attr-defined]
            "created_at": self.created_at,  # type: ignore[attr-defined]
            "updated_at": self.updated_at,  # type: ignore[attr-defined]
        }

    @classmethod
    def model_validate(cls, data: Any) -> Any:
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict) or "graph" not in data:
            raise GraphValidationError("a session must be an object with at least 'graph'")
        session = cls(data["graph"], id=data.get("id"))  # type: ignore[call-arg]
        nodes = session.graph.nodes
        try:
            for execution, outputs in data.get("results", {}).items():
                session.results[execution] = nodes[source_of(execution)].Outputs.model_validate(outputs)
        except (KeyError, ValidationError) as exc:
            raise GraphValidationError(f"session {session.id}: stored results do not match the graph: {exc}") from None
        session.errors.update(
            {execution: NodeError.model_validate(error) for execution, error in data.get("errors", {}).items()}
        )
        session.history.extend(data.get("history", []))
        session.canceled = bool(data.get("canceled", False))
        session.created_at = data.get("created_at", session.created_at)
        session.updated_at = data.get("updated_at", session.updated_at)
        schedule = session._schedule
        schedule.counts = {(node_id, tuple(key)): count for node_id, key, count in data.get("iteration_counts", [])}
        schedule.expanded = list(data.get("expanded", []))
        schedule.rebuild()
        return session


SESSION_JSON_SCHEMA: dict[str, Any] = {
    "title": "Session",
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "graph": GRAPH_JSON_SCHEMA,
        "results": {
            "type": "object",
            "description": "Outputs by execution id",
            "additionalProperties": {"type": "object"},
        },
        "errors": {"type": "object", "additionalProperties": NodeError.model_json_schema()},
        "history": {"type": "array", "items": {"type": "string"}},
        "expanded": {"type": "array", "items": {"type": "string"}},
        "iteration_counts": {"type": "array", "items": {"type": "array"}},
        "canceled": {"type": "boolean"},
        "status": {"type": "string", "enum": ["pending", "in_progress", "completed", "failed", "canceled"]},
        "created_at": {"type": "number"},
        "updated_at": {"type": "number"},
    },
    "required": ["id", "graph"],
}
