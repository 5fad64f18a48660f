"""One click command per node type, generated from the node's fields.

`--field value` options are named exactly after the fields (`--cfg_scale`, with a dashed alias
`--cfg-scale`); their help shows the type, the choices, the default and the description.
Every node command also takes `--link/-l DEST_FIELD SOURCE_NODE SOURCE_FIELD` and `--id`.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import click
from pydantic_core import PydanticUndefined

from invoke_cli.values import literal_choices, metavar, strip_optional

LINK_PARAM = "link"
ID_PARAM = "node_id"
FIELD_PREFIX = "field_"


def field_param(field: str) -> str:
    return FIELD_PREFIX + field


def show_default(info: Any) -> str | None:
    if info.default is PydanticUndefined and info.default_factory is None:
        return None
    value = info.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value)
    except TypeError:
        return str(value)


_BOUNDS = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))


def show_constraints(info: Any) -> str | None:
    """The limits validation holds the field to (`> 0, <= 16384, multiple of 8`), or None."""
    parts: list[str] = []
    for item in info.metadata:
        parts.extend(f"{symbol} {getattr(item, name)}" for name, symbol in _BOUNDS if hasattr(item, name))
        if getattr(item, "multiple_of", None) is not None:
            parts.append(f"multiple of {item.multiple_of}")
        if getattr(item, "min_length", None) is not None:
            parts.append(f"length >= {item.min_length}")
        if getattr(item, "max_length", None) is not None:
            parts.append(f"length <= {item.max_length}")
    return ", ".join(parts) or None


def _field_help(cls: type, name: str, info: Any) -> str:
    parts = [info.description or ""]
    default = show_default(info)
    limits = show_constraints(info)
    if name in cls.__required_inputs__:
        parts.append("[required unless linked" + (f"; {limits}]" if limits else "]"))
    elif default is not None:
        parts.append(f"[default: {default}" + (f"; {limits}]" if limits else "]"))
    elif limits:
        parts.append(f"[{limits}]")
    return " ".join(part for part in parts if part)


def _field_option(cls: type, name: str, info: Any, taken: set[str]) -> click.Option:
    names = [f"--{name}"]
    dashed = name.replace("_", "-")
    if dashed != name and f"--{dashed}" not in taken:
        names.append(f"--{dashed}")
    taken.update(names)
    choices = literal_choices(info.annotation)
    if strip_optional(info.annotation) is bool:
        # `--flag` alone means true; `--flag false` is accepted too
        return click.Option(
            [*names, field_param(name)],
            is_flag=False,
            flag_value="true",
            metavar="[BOOLEAN]",
            help=_field_help(cls, name, info),
        )
    return click.Option(
        [*names, field_param(name)],
        metavar=metavar(info.annotation) if choices is None else "[" + "|".join(str(c) for c in choices) + "]",
        help=_field_help(cls, name, info),
    )


@cache
def node_command(cls: type) -> click.Command:
    """The click command that reads one node's options (cached per class)."""
    meta = cls.metadata()
    taken: set[str] = {"--help", "-h", "--id"}
    params: list[click.Parameter] = [_field_option(cls, name, info, taken) for name, info in cls.input_fields().items()]
    link_names = ["-l"] if "--link" in taken else ["--link", "-l"]
    params.append(
        click.Option(
            [*link_names, LINK_PARAM],
            nargs=3,
            multiple=True,
            metavar="DEST_FIELD SOURCE_NODE SOURCE_FIELD",
            help="Link an output of another node to an input of this one; SOURCE_NODE is a node id "
            "or a relative index (-1: the previous command).",
        )
    )
    params.append(click.Option(["--id", ID_PARAM], metavar="ID", help="The id to give this node."))
    outputs = ", ".join(f"{name}: {metavar(info.annotation)}" for name, info in cls.output_fields().items())
    help_text = (meta["description"] or meta["title"]) + f"\n\nOutputs: {outputs}."
    return click.Command(
        meta["type"],
        params=params,
        help=help_text,
        short_help=meta["description"],
        context_settings={"help_option_names": ["--help", "-h"]},
        add_help_option=True,
    )
