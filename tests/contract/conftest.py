"""The contract suites: each service interface has one suite that every implementation passes.

`test_<service>.py` tests what the interface in `invoke_core.services.<service>` promises,
through that interface only, once for each implementation in IMPLEMENTATIONS that provides the
service. An implementation joins by adding one `Implementation` entry below (the cloud package
adds its own): the import path of each service's factory (called with an `InvokeConfig`, as
`InvocationServices.from_config` does), the module it needs (its tests skip when that is not
installed), and capability flags where behaviour legitimately differs:

- `persistent`: what it stores is still there when a new instance opens on the same place
  (the reopen tests).
- `shared_between_processes`: instances in several processes on the same place share one
  queue, so claims across processes and crash recovery (`recover()` after a claimer is
  SIGKILLed) are tested with spawned processes.

A test that needs a flag says so with `@pytest.mark.needs("flag")`; implementations without
it are not collected for that test. Each test gets its own place: a fresh folder as the root
(`settings` may add more per place, such as a database or bucket name for a server backend).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from invoke_core import InvokeConfig


@dataclass(frozen=True)
class Implementation:
    name: str
    services: dict[str, str]  # service kind (as in SERVICE_KINDS) -> "module:factory"
    requires: str | None = None  # a module that must be importable, else this implementation skips
    persistent: bool = False
    shared_between_processes: bool = False
    settings: Callable[[Path], dict[str, Any]] = field(default=lambda place: {})

    def installed(self) -> bool:
        return self.requires is None or importlib.util.find_spec(self.requires) is not None

    def open(self, kind: str, place: Path, **settings: Any) -> Any:
        """A new instance of the `kind` service on `place`, as a new process would open it."""
        module_name, _, attribute = self.services[kind].partition(":")
        factory = getattr(importlib.import_module(module_name), attribute)
        return factory(InvokeConfig(root=place, **{**self.settings(place), **settings}))


_CORE = "invoke_core.services"
_LOCAL = "invoke_services_local"

IMPLEMENTATIONS = [
    Implementation(
        name="memory",
        services={
            "session_storage": f"{_CORE}.session_storage:MemorySessionStorage",
            "session_queue": f"{_CORE}.session_queue:MemorySessionQueue",
            "image_storage": f"{_CORE}.image_storage:MemoryImageStorage",
            "object_storage": f"{_CORE}.object_storage:MemoryObjectStorage",
            "invocation_cache": f"{_CORE}.invocation_cache:MemoryInvocationCache",
            "events": f"{_CORE}.events:MemoryEventService",
        },
    ),
    Implementation(
        name="local",
        requires=_LOCAL,
        services={
            "session_storage": f"{_LOCAL}.session_storage:SqliteSessionStorage",
            "session_queue": f"{_LOCAL}.session_queue:SqliteSessionQueue",
            "image_storage": f"{_LOCAL}.image_storage:DiskImageStorage",
            "object_storage": f"{_LOCAL}.object_storage:DiskObjectStorage",
            "invocation_cache": f"{_LOCAL}.invocation_cache:SqliteInvocationCache",
        },
        persistent=True,
        shared_between_processes=True,
    ),
]

FLAGS = ("persistent", "shared_between_processes")


def implementation_named(name: str) -> Implementation:
    return next(implementation for implementation in IMPLEMENTATIONS if implementation.name == name)


def open_in_this_process(name: str, kind: str, place: str) -> Any:
    """For spawned processes: the `kind` service of the implementation `name` on `place`."""
    return implementation_named(name).open(kind, Path(place))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs(*flags): run only on implementations with these capability flags")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "implementation" not in metafunc.fixturenames:
        return
    kind = metafunc.module.SERVICE
    needed = [flag for marker in metafunc.definition.iter_markers("needs") for flag in marker.args]
    unknown = set(needed) - set(FLAGS)
    if unknown:
        raise ValueError(f"{metafunc.definition.name}: unknown capability flag(s) {sorted(unknown)}; known: {FLAGS}")
    chosen = [
        implementation
        for implementation in IMPLEMENTATIONS
        if kind in implementation.services and all(getattr(implementation, flag) for flag in needed)
    ]
    metafunc.parametrize("implementation", chosen, ids=[implementation.name for implementation in chosen])


class Opener:
    """Opens instances of one service on one test's place, and closes them all afterwards."""

    def __init__(self, implementation: Implementation, kind: str, place: Path):
        self.implementation, self.kind, self.place = implementation, kind, place
        self._opened: list[Any] = []

    def __call__(self, **settings: Any) -> Any:
        service = self.implementation.open(self.kind, self.place, **settings)
        self._opened.append(service)
        return service

    def close(self, service: Any) -> None:
        """Close one instance now (as its process would on exit); closing twice is harmless."""
        close = getattr(service, "close", None)
        if callable(close):
            close()

    def close_all(self) -> None:
        for service in reversed(self._opened):
            self.close(service)


@pytest.fixture
def place(tmp_path: Path) -> Path:
    return tmp_path / "root"


@pytest.fixture
def open_service(implementation: Implementation, request: pytest.FixtureRequest, place: Path) -> Iterator[Opener]:
    if not implementation.installed():
        pytest.skip(f"{implementation.requires} is not installed")
    opener = Opener(implementation, request.module.SERVICE, place)
    yield opener
    opener.close_all()


@pytest.fixture
def service(open_service: Opener) -> Any:
    return open_service()
