"""Choosing and building service implementations from the config and what plugins offer."""

from __future__ import annotations

import importlib
from typing import Any

from invoke_core.catalog import catalog
from invoke_core.config import InvokeConfig
from invoke_core.errors import PluginLoadError, ServiceNotFoundError


def chosen_implementation(kind: str, config: InvokeConfig) -> str:
    """The config's choice, else a plugin's default, else the only one installed."""
    available = catalog().service_implementations().get(kind) or {}
    name = config.service_choice(kind) or catalog().default_services().get(kind)
    if name is None and len(available) == 1:
        name = next(iter(available))
    if name is None or name not in available:
        if not available:
            raise ServiceNotFoundError(
                f"no installed plugin provides a {kind!r} service; install the package that provides it"
            )
        offered = ", ".join(sorted(available))
        raise ServiceNotFoundError(
            f"{kind} implementation {name!r} is not installed (installed: {offered}); "
            "install the package that provides it or change the config"
        )
    return name


def build_service(kind: str, config: InvokeConfig) -> Any:
    """A new service of this kind, made by the chosen implementation's factory."""
    name = chosen_implementation(kind, config)
    target, _plugin = catalog().service_implementations()[kind][name]
    return import_factory(target)(config)


def import_factory(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise PluginLoadError(f"cannot import service factory {target!r}: {exc}") from exc
