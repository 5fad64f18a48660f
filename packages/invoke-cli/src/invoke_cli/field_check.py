"""Whether a text is a good value for one field of a node type, checked as `--field TEXT` is when
the node is built: read as the field's type, then held to the field's constraints (ge,
multiple_of, choices...). The shell's `default` uses it to refuse a value no node could take."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from invoke_cli.values import BadValue, parse_text


def field_value_problem(cls: Any, name: str, text: str) -> str | None:
    """None when `text` is a valid value for `cls`'s input `name`; else what is wrong with it."""
    info = cls.input_fields()[name]
    try:
        value = parse_text(text, info.annotation)
    except BadValue as exc:
        return str(exc)
    annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    try:
        TypeAdapter(annotation).validate_python(value)
    except ValidationError as exc:
        return str(exc.errors()[0].get("msg", "")).removeprefix("Value error, ")
    return None
