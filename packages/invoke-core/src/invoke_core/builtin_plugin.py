"""The built-in plugin: core's own nodes and in-memory services, registered like any other."""

from __future__ import annotations

from invoke_core.config import SERVICE_KINDS
from invoke_core.hookspecs import hookimpl


@hookimpl
def register_invocations() -> list[type]:
    from invoke_core.nodes import collections, images, math, primitives, strings

    classes: list[type] = []
    for module in (primitives, math, strings, collections, images):
        classes.extend(
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and value.__module__ == module.__name__
            and getattr(value, "invocation_type", None)
            and value.invocation_type()
        )
    return classes


@hookimpl
def register_services() -> dict[str, dict[str, str]]:
    return {
        "session_storage": {"memory": "invoke_core.services.session_storage:MemorySessionStorage"},
        "session_queue": {"memory": "invoke_core.services.session_queue:MemorySessionQueue"},
        "image_storage": {"memory": "invoke_core.services.image_storage:MemoryImageStorage"},
        "object_storage": {"memory": "invoke_core.services.object_storage:MemoryObjectStorage"},
        "invocation_cache": {"memory": "invoke_core.services.invocation_cache:MemoryInvocationCache"},
        "events": {"memory": "invoke_core.services.events:MemoryEventService"},
    }


@hookimpl(trylast=True)
def default_services() -> dict[str, str]:
    return dict.fromkeys(SERVICE_KINDS, "memory")
