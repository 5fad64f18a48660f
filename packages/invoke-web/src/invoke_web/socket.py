"""Socket.IO: clients join a session's or the queue's room and receive the engine's events.

One forwarder subscribes to the event service for the whole server, and only while a client
is connected, so with nobody listening the engine does not even build events. The engine's
thread only appends each event to a buffer; the event loop drains the buffer, serialises
each event once and sends every room one `events` message holding the batch, in order. So a
room's cost per event does not grow with its subscribers, and a burst of events costs a few
messages, not one per event per client. Progress events of one node that pile up while a
client is slow are coalesced to the latest; other events are never dropped. A client that stops
reading altogether is disconnected once MAX_CLIENT_BACKLOG messages (or bytes) wait for it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
import time
from collections import deque
from typing import Any
from urllib.parse import parse_qs

import socketio
from invoke_core import Event, InvocationProgressEvent, QueueItemStatusChangedEvent

from invoke_web.tracebacks import public_event

logger = logging.getLogger("invoke.web.socket")

QUEUE_ROOM = "queue"
MAX_BUFFERED_PROGRESS = 1000  # past this many buffered events, new progress events are dropped
# A client with this many messages (or bytes) waiting has stopped reading: it is disconnected and
# what waits for it freed.
MAX_CLIENT_BACKLOG = 100
MAX_CLIENT_BACKLOG_BYTES = 16 * 1024 * 1024
# After a send, events gather this long before the next one: a burst becomes a few messages
# while a lone event still leaves at once.
FLUSH_INTERVAL = 0.003


class PreEncodedJSON(str):
    """JSON text encoded already; EventPacket writes it into the packet as is."""


class _PreEncodedAwareJSON:
    @staticmethod
    def dumps(data: Any, **kwargs: Any) -> str:
        if type(data) is list and len(data) == 2 and isinstance(data[1], PreEncodedJSON):
            return "[" + json.dumps(data[0]) + "," + data[1] + "]"
        return json.dumps(data, **kwargs)

    loads = staticmethod(json.loads)


class EventPacket(socketio.packet.Packet):
    """A Socket.IO packet that takes pre-encoded event batches, so each event is encoded once."""

    json = _PreEncodedAwareJSON


def session_room(session_id: str) -> str:
    return f"session:{session_id}"


def token_from_environ(environ: dict[str, Any], auth: Any) -> str | None:
    """The token a client sent: Socket.IO auth {"token": ...}, a Bearer header, or ?token=."""
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return auth["token"]
    header = environ.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    values = parse_qs(environ.get("QUERY_STRING", "")).get("token")
    return values[0] if values else None


def coalesce_progress(events: list[Event]) -> list[Event]:
    """Keep only the latest progress event of each node execution, in its place."""
    seen: set[tuple[str | None, str]] = set()
    kept: list[Event] = []
    for event in reversed(events):
        if isinstance(event, InvocationProgressEvent):
            key = (event.session_id, event.node_id)
            if key in seen:
                continue
            seen.add(key)
        kept.append(event)
    kept.reverse()
    return kept


class EventForwarder:
    def __init__(self, sio: socketio.AsyncServer, events: Any, *, expose_tracebacks: bool = False):
        self.sio = sio
        self.events = events
        self.expose_tracebacks = expose_tracebacks
        self.max_backlog = MAX_CLIENT_BACKLOG
        self.max_backlog_bytes = MAX_CLIENT_BACKLOG_BYTES
        self.dropped_clients = 0  # for tests and the log: clients disconnected for falling behind
        self._buffer: deque[Event] = deque()
        self._lock = threading.Lock()
        self._wake_scheduled = False
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Any = None
        self._clients = 0
        self.sent_messages = 0  # for tests and benchmarks: messages emitted to rooms

    # ---- lifetime (event loop) -------------------------------------------------------------

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="invoke-event-forwarder")

    async def stop(self) -> None:
        self._stop_listening()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def client_connected(self) -> None:
        self._clients += 1
        if self._unsubscribe is None:
            self._unsubscribe = self.events.subscribe(self._on_event)

    def client_disconnected(self) -> None:
        self._clients = max(0, self._clients - 1)
        if self._clients == 0:
            self._stop_listening()

    def _stop_listening(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    # ---- the engine's side: cheap, never blocks on clients ----------------------------------

    def _on_event(self, event: Event) -> None:
        loop = self._loop
        if loop is None:
            return
        with self._lock:
            if isinstance(event, InvocationProgressEvent) and len(self._buffer) >= MAX_BUFFERED_PROGRESS:
                return  # clients are behind: a later progress event will say more
            self._buffer.append(event)
            if self._wake_scheduled:
                return
            self._wake_scheduled = True
        try:
            loop.call_soon_threadsafe(self._wake.set)  # type: ignore[union-attr]
        except RuntimeError:  # the loop has closed: the server is shutting down
            pass

    # ---- the event loop's side ------------------------------------------------------------

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            await asyncio.sleep(0)  # let a burst's events land before taking them
            self._wake.clear()
            with self._lock:
                batch = list(self._buffer)
                self._buffer.clear()
                self._wake_scheduled = False
            sent_at = time.monotonic()
            try:
                await self.deliver(batch)
            except Exception:  # a delivery problem must not stop later deliveries
                logger.exception("could not forward %d events", len(batch))
            await asyncio.sleep(max(0.0, sent_at + FLUSH_INTERVAL - time.monotonic()))

    def _has_members(self, room: str) -> bool:
        return next(iter(self.sio.manager.get_participants("/", room)), None) is not None

    async def _drop_slow_clients(self) -> None:
        """Disconnect clients whose unsent messages pile up, so one stalled reader cannot grow the server."""
        sockets = self.sio.eio.sockets
        for eio_sid, client in list(sockets.items()):
            waiting = list(getattr(client.queue, "_queue", ()))  # the packets its writer has not taken yet
            size = sum(len(packet.data) for packet in waiting if isinstance(packet.data, str | bytes))
            if len(waiting) <= self.max_backlog and size <= self.max_backlog_bytes:
                continue
            logger.warning(
                "disconnecting socket client %s: %d messages (%d bytes) wait for it; it has stopped reading",
                eio_sid,
                len(waiting),
                size,
            )
            while not client.queue.empty():  # it will never read them: free them now
                client.queue.get_nowait()
                client.queue.task_done()
            sockets.pop(eio_sid, None)
            await client.close(wait=False, abort=True)  # not waiting: its writer is stuck on the full connection
            self.dropped_clients += 1

    async def deliver(self, events: list[Event]) -> None:
        rooms: dict[str, list[str]] = {}
        listening: dict[str, bool] = {}
        queue_listened = self._has_members(QUEUE_ROOM)
        for event in coalesce_progress(events):
            envelope = None
            targets = []
            if event.session_id is not None:
                room = session_room(event.session_id)
                if room not in listening:
                    listening[room] = self._has_members(room)
                if listening[room]:
                    targets.append(room)
            if queue_listened and (event.queue_item_id is not None or isinstance(event, QueueItemStatusChangedEvent)):
                targets.append(QUEUE_ROOM)
            for room in targets:
                if envelope is None:  # encoded once, whatever the number of rooms and clients
                    data = public_event(event, self.expose_tracebacks).model_dump_json()
                    envelope = f'{{"event":"{event.name}","data":{data}}}'
                rooms.setdefault(room, []).append(envelope)
        for room, envelopes in rooms.items():
            # one packet, encoded once, sent to every member of the room
            await self.sio.emit("events", PreEncodedJSON("[" + ",".join(envelopes) + "]"), to=room)
            self.sent_messages += 1
        if rooms:
            await self._drop_slow_clients()


def create_socket_server(
    forwarder_events: Any, *, token: str | None, cors_origins: list[str], expose_tracebacks: bool = False
) -> tuple[Any, Any]:
    """(the AsyncServer, its forwarder). Handlers: subscribe/unsubscribe to a session or the queue."""
    sio = socketio.AsyncServer(
        async_mode="asgi", serializer=EventPacket, cors_allowed_origins=cors_origins or None
    )  # None: same origin only
    forwarder = EventForwarder(sio, forwarder_events, expose_tracebacks=expose_tracebacks)
    connected: set[str] = set()

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        if token is not None:
            given = token_from_environ(environ, auth)
            if given is None or not hmac.compare_digest(given.encode(), token.encode()):
                raise socketio.exceptions.ConnectionRefusedError("unauthorized: a valid API token is required")
        connected.add(sid)
        forwarder.client_connected()

    @sio.event
    async def disconnect(sid: str, *args: Any) -> None:
        if sid in connected:
            connected.discard(sid)
            forwarder.client_disconnected()

    def _session_id(data: Any) -> str | None:
        value = data.get("session_id") if isinstance(data, dict) else data
        return value if isinstance(value, str) and 0 < len(value) <= 200 else None

    @sio.on("subscribe_session")
    async def subscribe_session(sid: str, data: Any = None) -> dict[str, Any]:
        session_id = _session_id(data)
        if session_id is None:
            return {"ok": False, "error": "send {'session_id': '<id>'}"}
        await sio.enter_room(sid, session_room(session_id))
        return {"ok": True, "room": session_room(session_id)}

    @sio.on("unsubscribe_session")
    async def unsubscribe_session(sid: str, data: Any = None) -> dict[str, Any]:
        session_id = _session_id(data)
        if session_id is None:
            return {"ok": False, "error": "send {'session_id': '<id>'}"}
        await sio.leave_room(sid, session_room(session_id))
        return {"ok": True}

    @sio.on("subscribe_queue")
    async def subscribe_queue(sid: str, data: Any = None) -> dict[str, Any]:
        await sio.enter_room(sid, QUEUE_ROOM)
        return {"ok": True, "room": QUEUE_ROOM}

    @sio.on("unsubscribe_queue")
    async def unsubscribe_queue(sid: str, data: Any = None) -> dict[str, Any]:
        await sio.leave_room(sid, QUEUE_ROOM)
        return {"ok": True}

    return sio, forwarder
