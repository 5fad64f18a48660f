"""Can an output of one type feed an input of another? Decided once per pair, then cached."""

from __future__ import annotations

import collections.abc
import types
import typing
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

_cache: dict[tuple[Any, Any], bool] = {}
_UNION_ORIGINS = (Union, types.UnionType)


def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in _UNION_ORIGINS


def _literal_base(values: tuple[Any, ...]) -> set[type]:
    return {type(value) for value in values}


def _container_assignable(source: Any, target: Any) -> bool:
    source_origin, target_origin = get_origin(source) or source, get_origin(target) or target
    if not (isinstance(source_origin, type) and isinstance(target_origin, type)):
        return False
    if not issubclass(source_origin, target_origin):
        return False
    source_args, target_args = get_args(source), get_args(target)
    if not source_args or not target_args:
        return True  # a bare `list` matches any list
    if issubclass(target_origin, collections.abc.Mapping) or issubclass(target_origin, tuple):
        if len(source_args) != len(target_args):
            return target_args[-1] is Ellipsis and all(is_assignable(s, target_args[0]) for s in source_args)
        return all(is_assignable(s, t) for s, t in zip(source_args, target_args, strict=True) if s is not Ellipsis)
    return is_assignable(source_args[0], target_args[0])


def _decide(source: Any, target: Any) -> bool:
    source, target = _strip(source), _strip(target)
    if target is Any or source is Any or target is object:
        return True
    if isinstance(target, typing.TypeVar) or isinstance(source, typing.TypeVar):
        return True
    if _is_union(source):
        # every value the source may produce must fit; None may still arrive at run time
        members = [m for m in get_args(source) if m is not type(None)]
        return all(is_assignable(member, target) for member in members)
    if _is_union(target):
        return any(is_assignable(source, member) for member in get_args(target))
    if source is type(None):
        return target is type(None)
    if get_origin(source) is Literal:
        values = get_args(source)
        if get_origin(target) is Literal:
            return set(values) <= set(get_args(target))
        return all(is_assignable(base, target) for base in _literal_base(values))
    if get_origin(target) is Literal:
        return False  # a free value could be anything outside the allowed choices
    if get_origin(source) is not None or get_origin(target) is not None:
        return _container_assignable(source, target)
    if not (isinstance(source, type) and isinstance(target, type)):
        return source == target
    if target is float and source is int:
        return True
    if issubclass(target, Enum) and not issubclass(source, Enum):
        return False
    return issubclass(source, target)


def is_assignable(source: Any, target: Any) -> bool:
    """True when a value of type `source` may be linked into a field of type `target`."""
    try:
        return _cache[(source, target)]
    except KeyError:
        pass
    except TypeError:  # unhashable annotation
        return _decide(source, target)
    answer = _decide(source, target)
    _cache[(source, target)] = answer
    return answer


def item_type(collection_type: Any) -> Any:
    """The element type of a list-like type, or Any when it is not known."""
    tp = _strip(collection_type)
    if _is_union(tp):
        members = [item_type(m) for m in get_args(tp) if m is not type(None)]
        return members[0] if len(members) == 1 else Any
    args = get_args(tp)
    origin = get_origin(tp)
    if (
        isinstance(origin, type)
        and issubclass(origin, (list, tuple, set, frozenset, collections.abc.Sequence))
        and args
    ):
        return args[0]
    return Any


def type_name(tp: Any) -> str:
    """A short readable name for error messages: `list[int]`, `ImageField | None`."""
    tp = _strip(tp)
    if tp is Any:
        return "Any"
    if _is_union(tp):
        return " | ".join(type_name(m) for m in get_args(tp))
    if tp is type(None):
        return "None"
    origin = get_origin(tp)
    if origin is Literal:
        return "Literal[" + ", ".join(repr(v) for v in get_args(tp)) + "]"
    if origin is not None:
        args = ", ".join("..." if a is Ellipsis else type_name(a) for a in get_args(tp))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    return getattr(tp, "__name__", str(tp))
