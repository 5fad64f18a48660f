"""Invoke's HTTP API and Socket.IO events.

    from invoke_web import create_app
    uvicorn.run(create_app(root="~/invokeai"), host="127.0.0.1", port=9090)

Importing this package is light; FastAPI loads when `create_app` is first used.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "create_app": "invoke_web.app",
    "WebSettings": "invoke_web.settings",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'invoke_web' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from invoke_web.app import create_app
    from invoke_web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
