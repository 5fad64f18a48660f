"""What every command shares: the root folder, --debug, and services built once, on demand."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from invoke_core import InvocationServices, InvokeConfig, Invoker


class App:
    """Built by the top-level group. Tests may hand one in with services already made."""

    def __init__(self, root: Path | None = None, *, services: InvocationServices | None = None, debug: bool = False):
        self.root = root
        self.debug = debug
        self.server: str | None = None  # `--server URL`: runs go to that `invokeai web` server
        self._services = services
        self._owns_services = services is None
        self._invoker: Invoker | None = None

    def config(self) -> InvokeConfig:
        from invoke_core import load_config

        return load_config(self.root)

    @property
    def services(self) -> InvocationServices:
        if self._services is None:
            from invoke_core import InvocationServices

            self._services = InvocationServices.from_config(self.config())
        return self._services

    @property
    def invoker(self) -> Invoker:
        if self._invoker is None:
            from invoke_core import Invoker

            self._invoker = Invoker(self.services)
        return self._invoker

    def image_location(self, image_name: str) -> str:
        """The image's file when the storage keeps one here (local disk), else the image's name."""
        locate: Any = getattr(self.services.images, "path", None)
        if callable(locate):
            try:
                found = locate(image_name)
            except Exception:  # a storage whose lookup fails still has a name to show
                found = None
            if found is not None:
                return str(found)
        return image_name

    def close(self) -> None:
        if self._invoker is not None:
            self._invoker.stop()
        if self._owns_services and self._services is not None:
            self._services.close()
            self._services = None
