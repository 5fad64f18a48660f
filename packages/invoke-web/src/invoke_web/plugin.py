"""The plugin the `invoke` entry point names: the `web` command. Light: click and uvicorn load inside."""

from __future__ import annotations

from typing import Any

from invoke_core import hookimpl


@hookimpl
def register_commands(cli: Any) -> None:
    from invoke_web.command import web

    cli.add_command(web)
