"""Which class implements each node type, and which plugin provided it.

Plugins provide node classes through `register_invocations`. Classes defined in a script or
notebook (not returned by any plugin) are found too, so `Graph.model_validate` works with them.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from invoke_core.errors import DuplicateNodeTypeError, PluginLoadError, UnknownNodeTypeError
from invoke_core.plugins import call_per_plugin, plugins_generation

if TYPE_CHECKING:
    from invoke_core.invocation import BaseInvocation

_lock = threading.Lock()
_defined: dict[str, type[BaseInvocation]] = {}
_plugin_types: dict[str, tuple[type[BaseInvocation], str]] = {}
_built_for_generation = -1


def remember_defined_class(cls: type[BaseInvocation]) -> None:
    """Called for every concrete node class; a later definition of the same type replaces it."""
    _defined[cls.invocation_type()] = cls  # type: ignore[index]


def _describe(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _build() -> dict[str, tuple[type[BaseInvocation], str]]:
    from invoke_core.invocation import BaseInvocation

    types: dict[str, tuple[type[BaseInvocation], str]] = {}
    for plugin_name, classes in call_per_plugin("register_invocations"):
        for cls in classes or ():
            if not (isinstance(cls, type) and issubclass(cls, BaseInvocation) and cls.invocation_type()):
                raise PluginLoadError(f"plugin {plugin_name!r} registered {cls!r}, which is not a node class")
            type_name = cls.invocation_type()
            known = types.get(type_name)
            if known is not None and known[0] is not cls:
                raise DuplicateNodeTypeError(
                    f"node type {type_name!r} is registered by both plugin {known[1]!r} "
                    f"({_describe(known[0])}) and plugin {plugin_name!r} ({_describe(cls)})"
                )
            types[type_name] = (cls, plugin_name)
    return types


def _plugin_registry() -> dict[str, tuple[type[BaseInvocation], str]]:
    global _plugin_types, _built_for_generation
    from invoke_core.plugins import get_plugin_manager

    get_plugin_manager()
    if _built_for_generation != plugins_generation():
        with _lock:
            generation = plugins_generation()
            if _built_for_generation != generation:
                _plugin_types = _build()
                _built_for_generation = generation
    return _plugin_types


def get_invocation_class(type_name: str, *, node_id: str | None = None) -> type[BaseInvocation]:
    """The class for a node type; UnknownNodeTypeError when no plugin provides it."""
    found = _plugin_registry().get(type_name)
    if found is not None:
        return found[0]
    cls = _defined.get(type_name)
    if cls is not None:
        return cls
    where = f"node {node_id!r}: " if node_id is not None else ""
    raise UnknownNodeTypeError(f"{where}unknown node type {type_name!r}", node_id=node_id, field="type")


def invocation_classes() -> dict[str, type[BaseInvocation]]:
    """Every node type known to this process, plugin-provided first."""
    classes = {name: cls for name, (cls, _plugin) in _plugin_registry().items()}
    for name, cls in _defined.items():
        classes.setdefault(name, cls)
    return classes


def plugin_of(type_name: str) -> str | None:
    found = _plugin_registry().get(type_name)
    return found[1] if found else None


def node_schema(cls: type[BaseInvocation]) -> dict[str, Any]:
    """Everything a UI needs to show one node type: metadata, input and output JSON schemas."""
    return {
        **cls.metadata(),
        "plugin": plugin_of(cls.invocation_type() or ""),
        "inputs": cls.model_json_schema(),
        "outputs": cls.Outputs.model_json_schema(),
    }
