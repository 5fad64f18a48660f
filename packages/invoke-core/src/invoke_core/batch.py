"""Batches: one graph run many times with different field values.

`data` is a list of groups; each group is a list of (node, field, values). Values within a
group are zipped (all lists in a group have one length); groups combine as a cartesian
product; the whole set repeats `runs` times. This matches InvokeAI's batches.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from invoke_core.errors import NodeValidationError
from invoke_core.graph import Graph
from invoke_core.graph.values import describe_path, unstorable_part


class BatchDatum(BaseModel):
    node_path: str = Field(description="The id of the node whose field takes the values")
    field_name: str
    items: list[Any]


class Batch(BaseModel):
    batch_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    graph: Graph
    data: list[list[BatchDatum]] = Field(default_factory=list)
    runs: int = Field(default=1, ge=1, le=10_000)

    @field_validator("data")
    @classmethod
    def _groups_zip(cls, data: list[list[BatchDatum]]) -> list[list[BatchDatum]]:
        for number, group in enumerate(data):
            lengths = {len(datum.items) for datum in group}
            if len(lengths) > 1:
                raise ValueError(
                    f"data group {number}: every list in a group needs the same length, got {sorted(lengths)}"
                )
        return data

    def session_count(self) -> int:
        count = self.runs
        for group in self.data:
            count *= len(group[0].items) if group else 1
        return count

    def graphs(self) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """(graph JSON, the field values applied) for every session of the batch, in order."""
        base = self.graph.model_dump()
        groups = [self._validated_group(group) for group in self.data if group]
        combos = [list(zip(*(values for _node, _field, values in group), strict=True)) for group in groups]
        targets = [[(node, field) for node, field, _values in group] for group in groups]
        for _run in range(self.runs):
            for choice in itertools.product(*combos):
                nodes = dict(base["nodes"])
                applied = []
                for group_targets, values in zip(targets, choice, strict=True):
                    for (node_id, field), value in zip(group_targets, values, strict=True):
                        nodes[node_id] = {**nodes[node_id], field: value}
                        applied.append({"node_path": node_id, "field_name": field, "value": value})
                yield {"nodes": nodes, "edges": base["edges"]}, applied

    def _validated_group(self, group: list[BatchDatum]) -> list[tuple[str, str, list[Any]]]:
        """Check each value against its field once, up front, and keep its JSON form."""
        checked = []
        for datum in group:
            self.graph.input_type(datum.node_path, datum.field_name)  # the node and input must exist
            node = self.graph.nodes[datum.node_path]
            values = []
            for value in datum.items:
                trial = node.model_copy()
                try:
                    node.__pydantic_validator__.validate_assignment(trial, datum.field_name, value)
                except ValidationError as exc:
                    raise NodeValidationError(
                        f"batch value {value!r} for node {datum.node_path!r} field {datum.field_name!r}: {exc.errors()[0].get('msg')}",
                        node_id=datum.node_path,
                        field=datum.field_name,
                    ) from None
                found = unstorable_part(getattr(trial, datum.field_name))
                if found is not None:
                    raise NodeValidationError(
                        f"batch items[{len(values)}] for node {datum.node_path!r} field "
                        f"{describe_path(datum.field_name, found[0])!r}: {found[1]}",
                        node_id=datum.node_path,
                        field=datum.field_name,
                    )
                values.append(trial.model_dump(mode="json", include={datum.field_name})[datum.field_name])
            checked.append((datum.node_path, datum.field_name, values))
        return checked
