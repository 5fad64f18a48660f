"""The hooks a plugin may implement. Entry-point group: `invoke`.

A plugin is a module (or object) with functions marked `@hookimpl`, named after these specs.
Register it with one line in its pyproject:

    [project.entry-points.invoke]
    my_nodes = "my_nodes.plugin"

Keep plugin modules light: import heavy libraries (torch, diffusers, boto3) inside node
`invoke` methods or service factories, never at module top, so listing nodes stays fast.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("invoke")
hookimpl = pluggy.HookimplMarker("invoke")


@hookspec
def register_invocations() -> list[type]:
    """Return the node classes (BaseInvocation subclasses) this plugin provides."""


@hookspec
def register_services() -> dict[str, dict[str, str]]:
    """Return {service: {implementation name: "module:factory"}}; a factory takes the config."""


@hookspec
def default_services() -> dict[str, str]:
    """Return {service: implementation name} to use when the config does not choose one."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add subcommands to the `invokeai` command group (a click.Group) passed in."""


@hookspec
def register_routes(app: Any) -> None:
    """Add HTTP routers to the web application (a FastAPI app) passed in."""
