"""`InvocationServices`: the set of services a deployment runs with, built from the config."""

from __future__ import annotations

import importlib
import threading
from typing import Any

from invoke_core.config import InvokeConfig, load_config
from invoke_core.errors import PluginLoadError, ServiceNotFoundError
from invoke_core.plugins import call_per_plugin
from invoke_core.services import SERVICE_KINDS
from invoke_core.services.events import EventService, MemoryEventService
from invoke_core.services.image_storage import ImageStorage, MemoryImageStorage
from invoke_core.services.invocation_cache import InvocationCache, MemoryInvocationCache
from invoke_core.services.object_storage import MemoryObjectStorage, ObjectStorage
from invoke_core.services.session_queue import MemorySessionQueue, SessionQueue
from invoke_core.services.session_storage import MemorySessionStorage, SessionStorage


def registered_services() -> dict[str, dict[str, tuple[str, str]]]:
    """{service: {implementation name: ("module:factory", plugin name)}} from every plugin.

    Besides the core's kinds (SERVICE_KINDS), a plugin may define a kind of its own (say
    `model_manager`); such a service is built on first use through `InvocationServices.get`.
    """
    found: dict[str, dict[str, tuple[str, str]]] = {kind: {} for kind in SERVICE_KINDS}
    for plugin_name, answer in call_per_plugin("register_services"):
        for kind, implementations in (answer or {}).items():
            if not kind.isidentifier() or kind.startswith("_"):
                raise PluginLoadError(f"plugin {plugin_name!r} registers a service with a bad name {kind!r}")
            for name, target in implementations.items():
                found.setdefault(kind, {}).setdefault(name, (target, plugin_name))
    return found


def default_service_names() -> dict[str, str]:
    """The implementation each service uses when the config does not say; first plugin to answer wins."""
    defaults: dict[str, str] = {}
    for _plugin_name, answer in call_per_plugin("default_services"):
        for kind, name in (answer or {}).items():
            defaults.setdefault(kind, name)
    return defaults


def _chosen_implementation(
    kind: str, config: InvokeConfig, available: dict[str, tuple[str, str]], defaults: dict[str, str]
) -> str:
    """The config's choice, else a plugin's default, else the only one installed."""
    name = config.service_choice(kind) or defaults.get(kind)
    if name is None and len(available) == 1:
        name = next(iter(available))
    if name is None or name not in available:
        offered = ", ".join(sorted(available)) or "none"
        raise ServiceNotFoundError(
            f"{kind} implementation {name!r} is not installed (installed: {offered}); "
            "install the package that provides it or change the config"
        )
    return name


def import_factory(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise PluginLoadError(f"cannot import service factory {target!r}: {exc}") from exc


class InvocationServices:
    """Everything nodes and the invoker use; nodes reach it as `context.services`."""

    def __init__(
        self,
        config: InvokeConfig | None = None,
        *,
        sessions: SessionStorage | None = None,
        queue: SessionQueue | None = None,
        images: ImageStorage | None = None,
        objects: ObjectStorage | None = None,
        cache: InvocationCache | None = None,
        events: EventService | None = None,
        extra: dict[str, Any] | None = None,
    ):
        self.config = config or InvokeConfig()
        self.sessions = sessions if sessions is not None else MemorySessionStorage(self.config)
        self.queue = queue if queue is not None else MemorySessionQueue(self.config)
        self.images = images if images is not None else MemoryImageStorage(self.config)
        self.objects = objects if objects is not None else MemoryObjectStorage(self.config)
        self.cache = cache if cache is not None else MemoryInvocationCache(self.config)
        self.events = events if events is not None else MemoryEventService(self.config)
        # services of kinds plugins define, built on first `get`
        self._extra: dict[str, Any] = dict(extra or {})
        self._extra_lock = threading.Lock()

    @classmethod
    def from_config(cls, config: InvokeConfig | None = None) -> InvocationServices:
        """Build each service with the implementation the config (or a plugin's default) names."""
        config = config or load_config()
        available = registered_services()
        defaults = default_service_names()
        built: dict[str, Any] = {}
        for kind in SERVICE_KINDS:
            name = _chosen_implementation(kind, config, available[kind], {kind: "memory"} | defaults)
            target, _plugin = available[kind][name]
            built[kind] = import_factory(target)(config)
        return cls(
            config,
            sessions=built["session_storage"],
            queue=built["session_queue"],
            images=built["image_storage"],
            objects=built["object_storage"],
            cache=built["invocation_cache"],
            events=built["events"],
        )

    def get(self, kind: str) -> Any:
        """The service of a kind a plugin defines (e.g. "model_manager"), built on first use.

        The implementation is the config's choice (`model_manager = "name"` in invoke.toml or
        INVOKE_MODEL_MANAGER), else a plugin's default, else the only one installed.
        """
        service = self._extra.get(kind)
        if service is not None:
            return service
        if kind in SERVICE_KINDS:
            raise ServiceNotFoundError(f"{kind} is a core service: use its attribute on InvocationServices")
        with self._extra_lock:
            if kind not in self._extra:
                available = registered_services().get(kind)
                if not available:
                    raise ServiceNotFoundError(
                        f"no installed plugin provides a {kind!r} service; install the package that provides it"
                    )
                name = _chosen_implementation(kind, self.config, available, default_service_names())
                self._extra[kind] = import_factory(available[name][0])(self.config)
            return self._extra[kind]

    def close(self) -> None:
        """Release what the services hold (connections, files)."""
        for service in (
            self.sessions,
            self.queue,
            self.images,
            self.objects,
            self.cache,
            self.events,
            *self._extra.values(),
        ):
            close = getattr(service, "close", None)
            if callable(close):
                close()
