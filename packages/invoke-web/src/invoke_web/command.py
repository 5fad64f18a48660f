"""`invokeai web`: serve the API with uvicorn."""

from __future__ import annotations

from pathlib import Path

import click

from invoke_web.settings import DEFAULT_HOST, DEFAULT_PORT


@click.command("web")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to bind; localhost keeps it private")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535), help="Port to bind")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The root folder (config, local storage). Default: INVOKE_ROOT or ~/invokeai.",
)
@click.option("--access-log/--no-access-log", default=False, show_default=True, help="Log every request")
def web(host: str, port: int, root: Path | None, access_log: bool) -> None:
    """Serve the HTTP API and Socket.IO events."""
    import uvicorn

    from invoke_web.app import create_app

    app = create_app(root=root)
    if app.state.settings.api_token is None and host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: serving on {host} without an API token (set INVOKE_API_TOKEN)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=access_log, log_config=_log_config())


def _log_config() -> dict:
    """uvicorn's logging, with the engine's own log (a failed node's traceback, say) in the same format."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["invoke"] = {"handlers": ["default"], "propagate": False}  # its level comes from log_level
    return config
