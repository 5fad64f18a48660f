"""Turns the text a user typed after `--field` into what the node's field expects.

The result is handed to pydantic with the rest of the node, which does the final check: this
module only decides how text maps onto the field's shape (a number, a choice, a list, an image
by name, JSON).
"""

from __future__ import annotations

import json
import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

_SCALARS = (str, int, float, bool)


def strip_optional(annotation: Any) -> Any:
    """`X | None` -> X; other annotations unchanged."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [member for member in get_args(annotation) if member is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def literal_choices(annotation: Any) -> tuple[Any, ...] | None:
    """The allowed values of a Literal (or an enum) field, or None."""
    core = strip_optional(annotation)
    if get_origin(core) is Literal:
        return get_args(core)
    if isinstance(core, type) and _is_enum(core):
        return tuple(member.value for member in core)
    return None


def _is_enum(cls: type) -> bool:
    import enum

    return issubclass(cls, enum.Enum)


def single_name_field(annotation: Any) -> str | None:
    """For a reference model with one required string field (ImageField: image_name), its name."""
    core = strip_optional(annotation)
    if not (isinstance(core, type) and issubclass(core, BaseModel)):
        return None
    required = [name for name, info in core.model_fields.items() if info.is_required()]
    if len(required) == 1 and core.model_fields[required[0]].annotation is str:
        return required[0]
    return None


def metavar(annotation: Any) -> str:
    """What `--help` shows as the value of an option."""
    core = strip_optional(annotation)
    choices = literal_choices(core)
    if choices is not None:
        return "[" + "|".join(str(choice) for choice in choices) + "]"
    name_field = single_name_field(core)
    if name_field is not None:
        return name_field.upper()
    if core in _SCALARS:
        return {str: "TEXT", int: "INTEGER", float: "FLOAT", bool: "BOOLEAN"}[core]
    origin = get_origin(core)
    if origin in (list, tuple, set, frozenset):
        args = get_args(core)
        item = metavar(args[0]) if args else "VALUE"
        return f"{item},..."
    return "JSON"


def parse_text(text: str, annotation: Any) -> Any:
    """The value for pydantic to validate, from the text given on the command line."""
    core = strip_optional(annotation)
    if text.lower() in ("none", "null") and core is not annotation:
        return None
    choices = literal_choices(core)
    if choices is not None:
        for choice in choices:
            if str(choice) == text:
                return choice
        return text  # pydantic names the allowed values in its error
    if core in _SCALARS:
        return text  # pydantic's lax mode reads "3", "1.5", "true", "no"
    name_field = single_name_field(core)
    if name_field is not None:
        if text.lstrip().startswith("{"):
            return _json(text)
        return {name_field: text}
    origin = get_origin(core)
    if origin in (list, tuple, set, frozenset):
        stripped = text.strip()
        if stripped.startswith("["):
            return _json(text)
        if not stripped:
            return []
        item_type = (get_args(core) or (Any,))[0]
        return [parse_text(part.strip(), item_type) for part in stripped.split(",")]
    try:
        return json.loads(text)
    except ValueError:
        if core is Any or get_origin(core) in (Union, types.UnionType):
            return text  # a plain word for a field that takes anything
        raise BadValue(f"expected JSON, got {text!r}") from None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadValue(f"bad JSON {text!r}: {exc}") from None


class BadValue(ValueError):
    """The text cannot be read as the field's type at all."""
