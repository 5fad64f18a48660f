"""The event service: emit typed events; subscribe from threads or consume from asyncio."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from typing import Any

from invoke_core.events import Event

logger = logging.getLogger("invoke.events")

EventHandler = Callable[[Event], None]


class EventService(ABC):
    @abstractmethod
    def emit(self, event: Event) -> None:
        """Deliver an event to every subscriber."""

    @abstractmethod
    def subscribe(self, handler: EventHandler) -> Callable[[], None]:
        """Call `handler(event)` for each event from now on; returns a function that stops it."""

    @property
    def has_listeners(self) -> bool:
        """False only when an event emitted now would reach nobody, so building it can be skipped."""
        return True

    async def stream(self, maxsize: int = 0) -> AsyncIterator[Event]:
        """Events as an async iterator, for asyncio code (the web server). Thread-safe."""
        import asyncio

        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)

        def forward(event: Event) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, event)

        unsubscribe = self.subscribe(forward)
        try:
            while True:
                yield await queue.get()
        finally:
            unsubscribe()


class MemoryEventService(EventService):
    """Calls subscribers in the emitting thread. A failing subscriber is logged, never fatal."""

    def __init__(self, config: Any = None):
        self._handlers: tuple[EventHandler, ...] = ()
        self._lock = threading.Lock()

    @property
    def has_listeners(self) -> bool:
        return bool(self._handlers)

    def emit(self, event: Event) -> None:
        for handler in self._handlers:  # a snapshot: subscribe/unsubscribe swap the tuple
            try:
                handler(event)
            except Exception:
                logger.exception("event handler %r failed on %s", handler, event.name)

    def subscribe(self, handler: EventHandler) -> Callable[[], None]:
        with self._lock:
            self._handlers = (*self._handlers, handler)

        def unsubscribe() -> None:
            with self._lock:
                self._handlers = tuple(h for h in self._handlers if h is not handler)

        return unsubscribe
