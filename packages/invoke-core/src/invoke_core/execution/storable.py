"""Whether a node's outputs can be stored: a session is kept and served as JSON, so an output
JSON cannot hold (an integer past Python's digit limit, NaN or infinity, a string with a lone
surrogate) would make its session unstorable and unreadable. The runner fails such a node.

Checked once per execution with the walk graphs use for node values (graph/values.py), so the
common case costs little; anything the walk cannot judge is dumped to JSON the way storages and
the web API do.
"""

from __future__ import annotations

import json

from invoke_core.errors import UnstorableOutputError
from invoke_core.graph.values import NEEDS_DUMP, unstorable_part
from invoke_core.invocation import BaseInvocationOutput

# Outputs may nest deeper than node inputs (pydantic serializes about 255 levels); past this
# the walk stops and the real dump decides.
_OUTPUT_WALK_DEPTH = 100


def check_storable(outputs: BaseInvocationOutput) -> None:
    """UnstorableOutputError naming the first output field JSON cannot hold."""
    fields = outputs.__dict__  # a model's field values (outputs allow no extras)
    if unstorable_part(fields, _OUTPUT_WALK_DEPTH + 1, strict=True) is None:
        return  # the common case, in one walk (runs once per execution)
    for field, value in fields.items():
        found = unstorable_part(value, _OUTPUT_WALK_DEPTH, strict=True)
        problem = None if found is None else found[1]
        if problem is NEEDS_DUMP:
            problem = _dump_problem(outputs, field)
        if problem is not None:
            raise UnstorableOutputError(f"output {field!r} cannot be stored as JSON: {problem}", field=field)


def _dump_problem(outputs: BaseInvocationOutput, field: str) -> str | None:
    """Dump one field as the storages and the web API do; why it fails, or None."""
    try:
        value = outputs.model_dump(mode="json", include={field})
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        return "it is nested too deeply"
    except Exception as exc:  # what fails here fails the same way when the session is stored
        return f"{type(exc).__name__}: {exc}"
    return None
