"""The plugin catalog: finds and loads plugins, and owns every answer they give.

Plugins load on first use, never at `import invoke_core`: the built-in one, then packages
with an `invoke` entry point.
- `INVOKE_PLUGINS=a,b` loads only the installed plugins named a and b (empty: none of them).
- `INVOKE_DISABLE_PLUGIN_AUTOLOAD=1` loads no installed plugin at all.

Hooks that take no arguments (`register_invocations`, `register_services`,
`default_services`) are asked once and their answers kept until the set of plugins changes;
everything that needs node types or service implementations reads them from here.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any

import pluggy

from invoke_core import hookspecs
from invoke_core.config import SERVICE_KINDS
from invoke_core.errors import DuplicateNodeTypeError, PluginLoadError, UnknownNodeTypeError
from invoke_core.invocation import BaseInvocation, defined_node_classes

if TYPE_CHECKING:
    from collections.abc import Callable

ENTRY_POINT_GROUP = "invoke"
BUILTIN_PLUGIN_NAME = "builtin"

logger = logging.getLogger("invoke.plugins")

NodeTypes = dict[str, tuple[type[BaseInvocation], str]]  # type name -> (class, plugin name)
Implementations = dict[str, dict[str, tuple[str, str]]]  # kind -> {name: ("module:factory", plugin)}


def autoload_disabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    return environ.get("INVOKE_DISABLE_PLUGIN_AUTOLOAD", "").strip().lower() in ("1", "true", "yes")


def allowed_plugins(environ: dict[str, str] | os._Environ[str] = os.environ) -> set[str] | None:
    """Names from INVOKE_PLUGINS, or None when every installed plugin may load."""
    raw = environ.get("INVOKE_PLUGINS")
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


class PluginCatalog:
    """The process's plugins and what they registered; rebuilt views whenever plugins change."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._manager: pluggy.PluginManager | None = None
        self.generation = 0  # bumps whenever the set of plugins changes
        self._views: dict[str, tuple[int, Any]] = {}

    # ---- plugins -------------------------------------------------------------------------

    @property
    def manager(self) -> pluggy.PluginManager:
        if self._manager is None:
            with self._lock:
                if self._manager is None:
                    from invoke_core import builtin_plugin

                    manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
                    manager.add_hookspecs(hookspecs)
                    manager.register(builtin_plugin, name=BUILTIN_PLUGIN_NAME)
                    _load_entry_points(manager)
                    self._manager = manager
                    self.generation += 1
        return self._manager

    def register(self, plugin: Any, name: str | None = None) -> str:
        manager = self.manager
        with self._lock:
            try:
                registered = manager.register(plugin, name=name)
            except ValueError as exc:  # pluggy: that name or object is taken
                raise PluginLoadError(f"cannot register plugin {name or plugin!r}: {exc}") from None
            if registered is None:
                raise PluginLoadError(f"plugin {name or plugin!r} is blocked")
            self.generation += 1
        try:
            self.node_types()  # a clash with a loaded plugin surfaces here, not at some later lookup
        except Exception:
            self.unregister(registered)
            raise
        return registered

    def unregister(self, name: str) -> None:
        manager = self.manager
        with self._lock:
            if manager.get_plugin(name) is None:
                raise PluginLoadError(f"no plugin named {name!r} is registered")
            manager.unregister(name=name)
            self.generation += 1

    def call(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call one hook on each plugin separately: [(plugin name, its answer)], first-registered first.

        For hooks that take arguments (`register_commands(cli)`, `register_routes(app)`); the
        argument-free ones are read through the cached views below.
        """
        caller = getattr(self.manager.hook, hook_name)
        answers = []
        for impl in reversed(caller.get_hookimpls()):  # pluggy calls the last registered first
            args = {name: kwargs[name] for name in impl.argnames}
            answers.append((impl.plugin_name, impl.function(**args)))
        return answers

    # ---- cached views --------------------------------------------------------------------

    def _view(self, name: str, build: Callable[[], Any]) -> Any:
        self.manager  # noqa: B018 (loads the plugins, which may bump the generation)
        found = self._views.get(name)
        if found is None or found[0] != self.generation:
            with self._lock:
                generation = self.generation
                found = self._views.get(name)
                if found is None or found[0] != generation:
                    found = (generation, build())
                    self._views[name] = found
        return found[1]

    def node_types(self) -> NodeTypes:
        return self._view("node_types", self._build_node_types)

    def service_implementations(self) -> Implementations:
        """{service kind: {implementation name: ("module:factory", plugin name)}}.

        Besides the core's kinds (SERVICE_KINDS), a plugin may define a kind of its own (say
        `model_manager`).
        """
        return self._view("services", self._build_services)

    def default_services(self) -> dict[str, str]:
        """{service kind: implementation name} when the config does not say; first plugin to answer wins."""
        return self._view("defaults", self._build_defaults)

    def _build_node_types(self) -> NodeTypes:
        types: NodeTypes = {}
        for plugin_name, classes in self.call("register_invocations"):
            for cls in classes or ():
                if not (isinstance(cls, type) and issubclass(cls, BaseInvocation) and cls.invocation_type()):
                    raise PluginLoadError(f"plugin {plugin_name!r} registered {cls!r}, which is not a node class")
                type_name = cls.invocation_type()
                known = types.get(type_name)  # type: ignore[arg-type]
                if known is not None and known[0] is not cls:
                    raise DuplicateNodeTypeError(
                        f"node type {type_name!r} is registered by both plugin {known[1]!r} "
                        f"({_describe(known[0])}) and plugin {plugin_name!r} ({_describe(cls)})"
                    )
                types[type_name] = (cls, plugin_name)  # type: ignore[index]
        return types

    def _build_services(self) -> Implementations:
        found: Implementations = {kind: {} for kind in SERVICE_KINDS}
        for plugin_name, answer in self.call("register_services"):
            for kind, implementations in (answer or {}).items():
                if not kind.isidentifier() or kind.startswith("_"):
                    raise PluginLoadError(f"plugin {plugin_name!r} registers a service with a bad name {kind!r}")
                for name, target in implementations.items():
                    found.setdefault(kind, {}).setdefault(name, (target, plugin_name))
        return found

    def _build_defaults(self) -> dict[str, str]:
        defaults: dict[str, str] = {}
        for _plugin_name, answer in self.call("default_services"):
            for kind, name in (answer or {}).items():
                defaults.setdefault(kind, name)
        return defaults


def _describe(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


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


_catalog = PluginCatalog()


def catalog() -> PluginCatalog:
    """The process-wide catalog."""
    return _catalog


# ---- the public functions (re-exported by `invoke_core`) ---------------------------------


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, loading plugins on first call."""
    return _catalog.manager


def register_plugin(plugin: Any, name: str | None = None) -> str:
    """Register a plugin object or module by hand (tests, scripts, notebooks)."""
    return _catalog.register(plugin, name)


def unregister_plugin(name: str) -> None:
    _catalog.unregister(name)


def plugins_generation() -> int:
    return _catalog.generation


def call_per_plugin(hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    return _catalog.call(hook_name, **kwargs)


def get_invocation_class(type_name: str, *, node_id: str | None = None) -> type[BaseInvocation]:
    """The class for a node type; UnknownNodeTypeError when neither a plugin nor this process defines it.

    Classes defined in a script or notebook (registered by no plugin) are found too, so
    `Graph.model_validate` works with them.
    """
    found = _catalog.node_types().get(type_name)
    if found is not None:
        return found[0]
    cls = defined_node_classes().get(type_name)
    if cls is not None:
        return cls
    where = f"node {node_id!r}: " if node_id is not None else ""
    raise UnknownNodeTypeError(f"{where}unknown node type {type_name!r}", node_id=node_id, field="type")


def invocation_classes() -> dict[str, type[BaseInvocation]]:
    """Every node type known to this process, plugin-provided first."""
    classes = {name: cls for name, (cls, _plugin) in _catalog.node_types().items()}
    for name, cls in defined_node_classes().items():
        classes.setdefault(name, cls)
    return classes


def plugin_of(type_name: str) -> str | None:
    found = _catalog.node_types().get(type_name)
    return found[1] if found else None


def node_schema(cls: type[BaseInvocation]) -> dict[str, Any]:
    """Everything a UI needs to show one node type: metadata, input and output JSON schemas."""
    return {
        **cls.metadata(),
        "plugin": plugin_of(cls.invocation_type() or ""),
        "inputs": cls.model_json_schema(),
        "outputs": cls.Outputs.model_json_schema(),
    }
