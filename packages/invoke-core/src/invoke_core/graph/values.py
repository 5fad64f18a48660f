"""Values JSON can store: finite numbers, text that UTF-8 can encode, integers Python can
print, bounded nesting.

Python and its JSON parser accept NaN, infinities and lone surrogates ("\\ud800"), any
nesting depth and (from Python) integers of any length; stored JSON and HTTP answers cannot
hold them. A graph refuses them when a node is added, and the runner when a node's outputs
hold one (`strict`), so nothing unreadable is ever stored.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

# Deeper than any real input needs, and well under the depth pydantic serializes (about 255
# levels, counted from the stored session down).
MAX_VALUE_DEPTH = 64

_Path = list[str | int]
# The path given with a too-deep value: it stops at the field, not 64 keys further down.
_TOO_DEEP: _Path = []
# The reason given, in strict mode, for what the walk cannot judge: an object it does not know,
# or nesting past `max_depth`. The caller then dumps the value as the storages do.
NEEDS_DUMP = "a value this check cannot judge"
# Integers with fewer bits than this have fewer digits than Python's limit on printing them.
_INT_DIGITS = sys.get_int_max_str_digits()
_SAFE_INT_BITS = _INT_DIGITS * 3 if _INT_DIGITS else sys.maxsize


def unstorable_part(value: Any, max_depth: int = MAX_VALUE_DEPTH, *, strict: bool = False) -> tuple[_Path, str] | None:
    """Where in `value` something cannot be stored (a path of keys and indexes) and why; None when all can.

    `strict`: objects the walk does not know, and nesting past `max_depth`, give the reason
    NEEDS_DUMP instead of passing (objects) or being refused (depth)."""
    return _problem(value, max_depth, 0, strict)


# Written for speed: every node's value passes through here when a graph loads, so plain
# scalars are decided by their exact type, without a call deeper.
def _problem(value: Any, max_depth: int, depth: int, strict: bool) -> tuple[_Path, str] | None:
    kind = type(value)
    if kind is str:
        return None if value.isascii() else _text_problem(value)
    if kind is float:
        return None if value - value == 0 else _number_problem(value)  # NaN and infinities give NaN
    if kind is int:
        return None if value.bit_length() < _SAFE_INT_BITS else _int_problem(value)
    if kind is list or kind is tuple:
        return _items_problem(value, max_depth, depth, strict)
    if kind is dict:
        return _mapping_problem(value, max_depth, depth, strict)
    if kind is bool or value is None:
        return None
    if isinstance(value, str):
        return None if value.isascii() else _text_problem(value)
    if isinstance(value, float):
        return None if math.isfinite(value) else _number_problem(value)
    if isinstance(value, int):
        return None if value.bit_length() < _SAFE_INT_BITS else _int_problem(value)
    if isinstance(value, dict):
        return _mapping_problem(value, max_depth, depth, strict)
    if isinstance(value, list | tuple | set | frozenset):
        return _items_problem(value, max_depth, depth, strict)
    if isinstance(value, BaseModel):
        return _mapping_problem(value.__dict__, max_depth, depth, strict)
    return ([], NEEDS_DUMP) if strict else None  # objects pydantic stores by its own rules


def _items_problem(items: Any, max_depth: int, depth: int, strict: bool) -> tuple[_Path, str] | None:
    if depth >= max_depth:
        return _TOO_DEEP, NEEDS_DUMP if strict else f"the value nests deeper than {max_depth} levels"
    for item in items:
        kind = type(item)
        if (
            (kind is int and item.bit_length() < _SAFE_INT_BITS)
            or (kind is str and item.isascii())
            or (kind is float and item - item == 0)
        ):
            continue
        found = _problem(item, max_depth, depth + 1, strict)
        if found is not None:
            if found[0] is _TOO_DEEP:
                return found
            index = next(number for number, other in enumerate(items) if other is item)
            return [index, *found[0]], found[1]
    return None


def _mapping_problem(mapping: Any, max_depth: int, depth: int, strict: bool) -> tuple[_Path, str] | None:
    if depth >= max_depth:
        return _TOO_DEEP, NEEDS_DUMP if strict else f"the value nests deeper than {max_depth} levels"
    for key, item in mapping.items():
        if not (type(key) is str and key.isascii()):
            found = _problem(key, max_depth, depth + 1, strict)
            if found is not None:
                return [key], found[1] if found[1] is NEEDS_DUMP else f"a key: {found[1]}"
        kind = type(item)
        if (
            (kind is int and item.bit_length() < _SAFE_INT_BITS)
            or (kind is str and item.isascii())
            or (kind is float and item - item == 0)
        ):
            continue
        found = _problem(item, max_depth, depth + 1, strict)
        if found is not None:
            return found if found[0] is _TOO_DEEP else ([key, *found[0]], found[1])
    return None


def _number_problem(number: float) -> tuple[_Path, str]:
    return [], f"{number!r} is not a finite number (JSON cannot store NaN or infinities)"


def _int_problem(number: int) -> tuple[_Path, str] | None:
    try:
        str(number)
    except ValueError:
        return [], f"an integer of more than {_INT_DIGITS} digits, which JSON text cannot hold"
    return None


def _text_problem(text: str) -> tuple[_Path, str] | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            [],
            f"the text holds a lone surrogate {text[exc.start]!r} at index {exc.start}, which is not valid Unicode",
        )
    return None


# Fields of these types hold nothing unstorable, so a node's check skips them.
_ALWAYS_STORABLE = {int, bool, type(None)}
_CONTAINERS = {list, tuple, set, frozenset, dict}


def _needs_check(annotation: Any, finite_floats: bool) -> bool:
    if annotation in _ALWAYS_STORABLE or (annotation is float and finite_floats):
        return False
    origin = get_origin(annotation)
    if origin is Literal:  # fixed by the node class
        return False
    if origin is Union or type(annotation).__name__ == "UnionType" or origin in _CONTAINERS:
        arguments = [arg for arg in get_args(annotation) if arg is not Ellipsis]
        return not arguments or any(_needs_check(arg, finite_floats) for arg in arguments)
    return True


# Per node class, the fields to check; read directly (not through a call) when a graph loads.
CHECKED_FIELDS: dict[type, tuple[str, ...]] = {}


def checked_fields(cls: type) -> tuple[str, ...]:
    """The input fields of a node class that may hold an unstorable value (not ints, bools, literals)."""
    fields = CHECKED_FIELDS.get(cls)
    if fields is None:
        # pydantic refuses NaN and infinities itself in float fields of a class that says so
        finite_floats = not cls.model_config.get("allow_inf_nan", True)
        fields = tuple(
            name for name, annotation in cls.__input_types__.items() if _needs_check(annotation, finite_floats)
        )
        CHECKED_FIELDS[cls] = fields
    return fields


def describe_path(field: str, path: _Path) -> str:
    return ".".join(str(part) for part in (field, *path))
