"""The entry point: offers the local services and makes them the default when installed."""

from __future__ import annotations

from invoke_core import hookimpl

_PACKAGE = "invoke_services_local"


@hookimpl
def register_services() -> dict[str, dict[str, str]]:
    return {
        "session_storage": {"sqlite": f"{_PACKAGE}.session_storage:SqliteSessionStorage"},
        "session_queue": {"sqlite": f"{_PACKAGE}.session_queue:SqliteSessionQueue"},
        "image_storage": {"disk": f"{_PACKAGE}.image_storage:DiskImageStorage"},
        "object_storage": {"disk": f"{_PACKAGE}.object_storage:DiskObjectStorage"},
        "invocation_cache": {"sqlite": f"{_PACKAGE}.invocation_cache:SqliteInvocationCache"},
    }


@hookimpl
def default_services() -> dict[str, str]:
    # The invocation cache stays in memory by default: a persisted one is opt-in
    # (`invocation_cache = "sqlite"`), since its entries outlive the objects they name.
    return {
        "session_storage": "sqlite",
        "session_queue": "sqlite",
        "image_storage": "disk",
        "object_storage": "disk",
    }
