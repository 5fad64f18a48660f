"""The app factory: a FastAPI app (the API under /api/v1, Socket.IO at /socket.io) for any ASGI server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import socketio
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from invoke_core import InvocationServices, Invoker, get_plugin_manager, load_config
from pydantic import BaseModel

import invoke_web
from invoke_web.errors import install_error_handlers
from invoke_web.host_check import HostCheck
from invoke_web.images import ThumbnailCache
from invoke_web.log_redaction import redact_tokens_in_server_logs
from invoke_web.middleware import BodyLimit, SocketIOMount, SocketTokenRequired, TokenRequired
from invoke_web.openapi import install_openapi
from invoke_web.origin_check import OriginCheck
from invoke_web.routers import images, nodes, queue, sessions
from invoke_web.settings import WebSettings
from invoke_web.socket import create_socket_server
from invoke_web.tracebacks import log_node_failures

API_PREFIX = "/api/v1"
DOCS_ASSETS_URL = "/docs-assets"
DESCRIPTION = """The Invoke API: node types, sessions built node by node, the batch queue and images.

Events arrive over Socket.IO at `/socket.io`: join a room with `subscribe_session`
(`{"session_id": ...}`) or `subscribe_queue`, then receive `events` messages, each a list of
`{"event": name, "data": {...}}` in order. Every loaded node type's schema is in
`components.schemas` and indexed by `x-invoke-nodes`.
"""


class Health(BaseModel):
    status: str
    version: str


def create_app(
    invoker: Invoker | None = None,
    *,
    root: str | Path | None = None,
    settings: WebSettings | None = None,
    **setting_overrides: Any,
) -> FastAPI:
    """The web app over `invoker`, or over services built from the config of `root`.

    Settings come from the config (invoke.toml keys, INVOKE_API_TOKEN, INVOKE_CORS_ORIGINS),
    then `setting_overrides` (say `api_token="..."`). An invoker made here is closed at shutdown.
    """
    owned = invoker is None
    if invoker is None:
        invoker = Invoker(InvocationServices.from_config(load_config(root)))
    settings = settings or WebSettings.from_config(invoker.services.config, **setting_overrides)
    sio, forwarder = create_socket_server(
        invoker.services.events,
        token=settings.api_token,
        cors_origins=settings.cors_origins,
        expose_tracebacks=settings.expose_tracebacks,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        redact_tokens_in_server_logs()  # here: the server has configured its logging by now
        forwarder.start()
        stop_logging_failures = log_node_failures(invoker)
        invoker.start()
        try:
            yield
        finally:
            await forwarder.stop()
            stop_logging_failures()
            if owned:
                invoker.close()
            else:
                invoker.stop()

    # /docs and /redoc load Swagger UI and ReDoc from files served here, not from a CDN: they work offline.
    app = FastAPIOffline(
        title="Invoke",
        version=invoke_web.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url=DOCS_ASSETS_URL,
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from the online validator
    )
    app.state.invoker = invoker
    app.state.settings = settings
    app.state.sio = sio
    app.state.forwarder = forwarder
    app.state.thumbnails = ThumbnailCache()

    api = APIRouter(prefix=API_PREFIX)
    for module in (nodes, sessions, queue, images):
        api.include_router(module.router)

    @api.get("/health", response_model=Health, tags=["health"], summary="Whether the server is up")
    async def health() -> Health:
        return Health(status="ok", version=invoke_web.__version__)

    app.include_router(api)
    install_error_handlers(app)
    get_plugin_manager().hook.register_routes(app=app)
    install_openapi(app)

    # Added innermost first: the host check wraps everything, then the origin check, the socket's token check,
    # the socket mount, CORS, the API's token check.
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes + 1024 * 1024)
    if settings.api_token:
        app.add_middleware(TokenRequired, token=settings.api_token)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(SocketIOMount, socket_app=socketio.ASGIApp(sio, socketio_path="socket.io"))
    if settings.api_token:
        app.add_middleware(SocketTokenRequired, token=settings.api_token)
    app.add_middleware(OriginCheck, cors_origins=settings.cors_origins)
    app.add_middleware(HostCheck, allowed_hosts=settings.allowed_hosts)
    return app
