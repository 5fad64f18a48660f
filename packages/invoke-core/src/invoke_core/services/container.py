"""`InvocationServices`: the set of services a deployment runs with, built from the config."""

from __future__ import annotations

import threading
from typing import Any

from invoke_core.config import SERVICE_KINDS, InvokeConfig, load_config
from invoke_core.errors import ServiceNotFoundError
from invoke_core.services.events import EventService, MemoryEventService
from invoke_core.services.image_storage import ImageStorage, MemoryImageStorage
from invoke_core.services.invocation_cache import InvocationCache, MemoryInvocationCache
from invoke_core.services.loading import build_service
from invoke_core.services.object_storage import MemoryObjectStorage, ObjectStorage
from invoke_core.services.session_queue import MemorySessionQueue, SessionQueue
from invoke_core.services.session_storage import MemorySessionStorage, SessionStorage


class InvocationServices:
    """Everything the invoker and the runner use. Nodes never see it: they get a narrow context."""

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
        built = {kind: build_service(kind, config) for kind in SERVICE_KINDS}
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
                self._extra[kind] = build_service(kind, self.config)
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
