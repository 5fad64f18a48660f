"""The SD nodes' check before running: every model they were given a name of is installed.

invoke_core.preflight.check_ready calls a node's `preflight(get_service)`. A misspelt model
name would otherwise fail only when the node runs, after the nodes before it; here it is an
input error naming the node, the field and the closest installed names. Only given values
are checked: a linked one is known when the node runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from invoke_core.preflight import PreflightError

Preflight = Callable[[Any, Callable[[str], Any]], None]


def unknown_model_hint(name: str, installed: list[str]) -> str:
    close = difflib.get_close_matches(name, installed, n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    if installed:
        return f"installed: {', '.join(installed)}"
    return "no model is installed; `invokeai models add PATH` adds one"


def _given_model_names(node: Any) -> list[tuple[str, str]]:
    """(field, model name) for the `model` input and model references (unet, clip, vae) given as values."""
    found = []
    for field in sorted(node.model_fields_set):
        value = getattr(node, field, None)
        if field == "model" and isinstance(value, str):
            found.append((field, value))
        elif isinstance(getattr(value, "model_name", None), str):
            found.append((field, value.model_name))
    return found


def checks_models(*, bases: tuple[str, ...] | None = None, instead: str | None = None) -> Preflight:
    """A `preflight` method: given model names must be installed (and of one of `bases`, when given;
    `instead` names the node type to use for the other bases)."""

    def preflight(node: Any, get_service: Callable[[str], Any]) -> None:
        given = _given_model_names(node)
        if not given:
            return
        records = {record.name: record for record in get_service("model_manager").list()}
        for field, name in given:
            where = f"node {node.id!r} ({node.type}): input {field!r}"
            record = records.get(name)
            if record is None:
                hint = unknown_model_hint(name, sorted(records))
                raise PreflightError(f"{where}: no model named {name!r}; {hint}", node_id=node.id, field=field)
            if bases is not None and record.base not in bases:
                use = f": use {instead}" if instead else ""
                raise PreflightError(
                    f"{where}: model {name!r} is an {record.base} model{use}", node_id=node.id, field=field
                )

    return preflight
