"""Finds and loads plugins: the built-in one, then packages with an `invoke` entry point.

Plugins load on first use, never at `import invoke_core`.
- `INVOKE_PLUGINS=a,b` loads only the installed plugins named a and b (empty: none of them).
- `INVOKE_DISABLE_PLUGIN_AUTOLOAD=1` loads no installed plugin at all.
The built-in nodes and in-memory services always load.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import pluggy

from invoke_core import hookspecs
from invoke_core.errors import PluginLoadError

ENTRY_POINT_GROUP = "invoke"
BUILTIN_PLUGIN_NAME = "builtin"

logger = logging.getLogger("invoke.plugins")

_lock = threading.RLock()
_manager: pluggy.PluginManager | None = None
_generation = 0  # bumps whenever the set of plugins changes, so caches know to rebuild


def _new_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
    manager.add_hookspecs(hookspecs)
    return manager


def autoload_disabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    return environ.get("INVOKE_DISABLE_PLUGIN_AUTOLOAD", "").strip().lower() in ("1", "true", "yes")


def allowed_plugins(environ: dict[str, str] | os._Environ[str] = os.environ) -> set[str] | None:
    """Names from INVOKE_PLUGINS, or None when every installed plugin may load."""
    raw = environ.get("INVOKE_PLUGINS")
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    if autoload_disabled():
        return
    from importlib.metadata import entry_points  # slow to import; only needed here

    allowed = allowed_plugins()
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and entry_point.name not in allowed:
            continue
        if manager.has_plugin(entry_point.name):
            continue
        try:
            plugin = entry_point.load()
        except Exception as exc:  # a broken plugin must not take the rest down
            logger.warning("plugin %r (%s) failed to load: %s", entry_point.name, entry_point.value, exc)
            continue
        manager.register(plugin, name=entry_point.name)


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, loading plugins on first call."""
    global _manager, _generation
    if _manager is not None:
        return _manager
    with _lock:
        if _manager is None:
            from invoke_core import builtin_plugin

            manager = _new_manager()
            manager.register(builtin_plugin, name=BUILTIN_PLUGIN_NAME)
            _load_entry_points(manager)
            _manager = manager
            _generation += 1
    return _manager


def register_plugin(plugin: Any, name: str | None = None) -> str:
    """Register a plugin object or module by hand (tests, scripts, notebooks)."""
    global _generation
    manager = get_plugin_manager()
    with _lock:
        try:
            registered = manager.register(plugin, name=name)
        except ValueError as exc:  # pluggy: that name or object is taken
            raise PluginLoadError(f"cannot register plugin {name or plugin!r}: {exc}") from None
        if registered is None:
            raise PluginLoadError(f"plugin {name or plugin!r} is blocked")
        _generation += 1
    try:
        from invoke_core.registry import invocation_classes

        invocation_classes()  # a clash with a loaded plugin surfaces here, not at some later lookup
    except Exception:
        unregister_plugin(registered)
        raise
    return registered


def unregister_plugin(name: str) -> None:
    global _generation
    manager = get_plugin_manager()
    with _lock:
        if manager.get_plugin(name) is None:
            raise PluginLoadError(f"no plugin named {name!r} is registered")
        manager.unregister(name=name)
        _generation += 1


def plugins_generation() -> int:
    return _generation


def call_per_plugin(hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call one hook on each plugin separately: [(plugin name, its answer)], first-called first."""
    manager = get_plugin_manager()
    caller = getattr(manager.hook, hook_name)
    answers = []
    for impl in reversed(caller.get_hookimpls()):  # pluggy calls the last registered first
        args = {name: kwargs[name] for name in impl.argnames}
        answers.append((impl.plugin_name, impl.function(**args)))
    return answers
