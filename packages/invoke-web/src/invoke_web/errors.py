"""Every error leaves the API as one JSON shape naming the node and field where there is one."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from invoke_core import (
    CorruptDataError,
    GraphValidationError,
    ImageNotFoundError,
    NodeAlreadyExecutedError,
    QueueItemNotFoundError,
    SessionBusyError,
    SessionNotFoundError,
)
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException


class ErrorResponse(BaseModel):
    error: str = Field(description="The kind of error, e.g. NodeValidationError or SessionNotFoundError")
    message: str = Field(description="What went wrong, naming the node and field where there is one")
    node_id: str | None = Field(default=None, description="The node the error is about")
    field: str | None = Field(default=None, description="The field the error is about")


class ApiError(Exception):
    """Raised by routes for a 4xx that no core error describes."""

    def __init__(self, status_code: int, message: str, *, error: str | None = None, field: str | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.error = error or type(self).__name__
        self.field = field


def _documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Malformed request (JSON that does not parse), or a Host name the server does not answer to",
        401: "Missing or wrong API token",
        403: "A state-changing request from a browser page of another origin (Origin or Referer)",
        404: "No such session, node type, queue item or image",
        409: "The session is queued or running, or has already run",
        410: "The stored item exists but cannot be read back (corrupt); listings leave it out",
        413: "The upload is too large",
        415: "The upload is not an image",
        422: "The request or graph is invalid; names the node and field",
    }
    return {code: {"model": ErrorResponse, "description": descriptions[code]} for code in codes}


# Every route documents these, so clients and schema checkers know each 4xx's shape.
COMMON_ERRORS = _documented(400, 401, 403, 404, 410, 422)
CONFLICT = _documented(409)
UPLOAD_ERRORS = _documented(413, 415)


def error_response(status_code: int, error: str, message: str, node_id: str | None = None, field: str | None = None):
    body = {"error": error, "message": message, "node_id": node_id, "field": field}
    return JSONResponse(body, status_code=status_code)


def _request_validation_error(exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(part) for part in first.get("loc", ())]
    if first.get("type") == "json_invalid":
        return error_response(400, "MalformedJSON", f"the request body is not valid JSON: {first.get('msg', '')}")
    where = ".".join(location) or "request"
    field = location[-1] if len(location) > 1 else None
    return error_response(422, "RequestValidationError", f"{where}: {first.get('msg', 'invalid')}", field=field)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def request_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _request_validation_error(exc)

    @app.exception_handler(GraphValidationError)
    async def graph_invalid(_request: Request, exc: GraphValidationError) -> JSONResponse:
        status = 409 if isinstance(exc, NodeAlreadyExecutedError) else 422
        return error_response(status, type(exc).__name__, str(exc), exc.node_id, exc.field)

    async def not_found(_request: Request, exc: Exception) -> JSONResponse:
        return error_response(404, type(exc).__name__, str(exc))

    for error_class in (SessionNotFoundError, QueueItemNotFoundError, ImageNotFoundError):
        app.add_exception_handler(error_class, not_found)

    @app.exception_handler(CorruptDataError)
    async def corrupt(_request: Request, exc: CorruptDataError) -> JSONResponse:
        return error_response(410, type(exc).__name__, str(exc))

    @app.exception_handler(SessionBusyError)
    async def busy(_request: Request, exc: SessionBusyError) -> JSONResponse:
        return error_response(409, type(exc).__name__, str(exc))

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status_code, exc.error, str(exc), field=exc.field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "NotFound", 405: "MethodNotAllowed"}
        response = error_response(exc.status_code, names.get(exc.status_code, "HTTPError"), str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response
