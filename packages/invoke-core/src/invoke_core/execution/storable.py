"""Whether a node's outputs can be stored: a session is kept and served as JSON, so an output
JSON cannot hold (an integer past Python's digit limit, NaN or infinity, a string with a lone
surrogate) would make its session unstorable and unreadable. The runner fails such a node.

Checked once per execution, so the common case is a walk over plain values that costs little;
anything the walk does not know is dumped to JSON the way storages and the web API do.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from pydantic import BaseModel

from invoke_core.errors import UnstorableOutputError
from invoke_core.invocation import BaseInvocationOutput

_UNKNOWN = "unknown"  # the walk cannot tell: let the real dump decide


def check_storable(outputs: BaseInvocationOutput) -> None:
    """UnstorableOutputError naming the first output field JSON cannot hold."""
    for field in type(outputs).model_fields:
        problem = _problem(getattr(outputs, field, None))
        if problem is _UNKNOWN:
            problem = _dump_problem(outputs, field)
        if problem is not None:
            raise UnstorableOutputError(f"output {field!r} cannot be stored as JSON: {problem}", field=field)


def _problem(value: Any, depth: int = 0) -> str | None:
    kind = type(value)
    if value is None or kind is bool:
        return None
    if kind is str:
        if value.isascii():
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "it holds a lone surrogate, which is not text"
        return None
    if kind is int:
        limit = sys.get_int_max_str_digits()
        if limit and value.bit_length() > limit * 3:  # fewer bits than that: fewer digits than the limit
            try:
                str(value)
            except ValueError:
                return f"an integer of more than {limit} digits"
        return None
    if kind is float:
        return None if math.isfinite(value) else f"{value} is not a number JSON can hold"
    if depth > 100:
        return _UNKNOWN
    if kind in (list, tuple, set, frozenset):
        return next((problem for item in value if (problem := _problem(item, depth + 1)) is not None), None)
    if kind is dict:
        for key, item in value.items():
            problem = _problem(key, depth + 1) or _problem(item, depth + 1)
            if problem is not None:
                return problem
        return None
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            problem = _problem(getattr(value, name, None), depth + 1)
            if problem is not None:
                return problem
        return None
    return _UNKNOWN


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
