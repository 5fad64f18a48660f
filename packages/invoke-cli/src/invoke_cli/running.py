"""Runs a session on the invoker while listening to its events: timings, progress, images.

The session runs (through the queue, as every run does) in a worker thread, so that Ctrl-C in
the main thread can cancel it cleanly: the node stops at its next check, the session and its
queue item end `canceled`, and the command exits 130.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from invoke_cli.app import App


@dataclass
class NodeRun:
    execution: str
    node_type: str
    started: float
    seconds: float | None = None
    cached: bool = False
    failed: bool = False


@dataclass
class RunReport:
    session: Any
    runs: dict[str, NodeRun] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False


class ProgressListener:
    """What a progress display implements; the default shows nothing."""

    def started(self, execution: str, node_type: str) -> None: ...

    def progress(self, execution: str, step: int, total: int, message: str | None) -> None: ...

    def finished(self, execution: str, ok: bool, cached: bool) -> None: ...

    def close(self) -> None: ...


def _wait_for(done: threading.Event) -> None:
    # An Event, not Thread.join: on Python 3.11 a Ctrl-C landing inside join() can leave the
    # thread marked finished while it still runs, and the process then exits under a node in
    # native code ("terminate called without an active exception") with its session pending.
    while not done.wait(0.1):
        pass


def _cancel_and_wait(invoker: Any, session_id: str, done: threading.Event) -> None:
    """First Ctrl-C: cancel, and let the node stop at its next check (the session ends canceled).
    A second Ctrl-C: record the cancel and leave at once, without unwinding the interpreter
    under a node still inside native code (that aborts the process and loses the session)."""
    import click

    try:
        click.echo("canceling: the running node stops at its next step (Ctrl-C again to quit now)", err=True)
        invoker.cancel(session_id)
        _wait_for(done)
    except KeyboardInterrupt:
        _quit_now(invoker, session_id)


def _quit_now(invoker: Any, session_id: str) -> None:
    import os
    import sys

    try:
        # the first press canceled the queue item; this stores the session canceled too
        invoker.cancel(session_id)
        invoker.services.close()
    finally:
        sys.stderr.write(f"error: interrupted: session {session_id} was canceled\n")
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(130)


def run_session(app: App, session: Any, listener: ProgressListener | None = None) -> RunReport:
    from invoke_core import (
        InvocationCompleteEvent,
        InvocationErrorEvent,
        InvocationProgressEvent,
        InvocationStartedEvent,
    )

    listener = listener or ProgressListener()
    report = RunReport(session)
    invoker = app.invoker

    def on_event(event: Any) -> None:
        if getattr(event, "session_id", None) != session.id:
            return
        now = time.perf_counter()
        if isinstance(event, InvocationStartedEvent):
            report.runs[event.node_id] = NodeRun(event.node_id, event.node_type, now)
            listener.started(event.node_id, event.node_type)
        elif isinstance(event, InvocationProgressEvent):
            listener.progress(event.node_id, event.step, event.total, event.message)
        elif isinstance(event, InvocationCompleteEvent | InvocationErrorEvent):
            run = report.runs.setdefault(event.node_id, NodeRun(event.node_id, event.node_type, now))
            run.seconds = now - run.started
            run.failed = isinstance(event, InvocationErrorEvent)
            run.cached = bool(getattr(event, "cached", False))
            listener.finished(event.node_id, not run.failed, run.cached)

    unsubscribe = invoker.services.events.subscribe(on_event)
    failure: list[BaseException] = []
    done = threading.Event()

    def work() -> None:
        try:
            invoker.run(session)
        except BaseException as exc:  # handed to the main thread
            failure.append(exc)
        finally:
            done.set()

    start = time.perf_counter()
    worker = threading.Thread(target=work, name="invokeai-run", daemon=True)
    worker.start()
    try:
        try:
            _wait_for(done)
        except KeyboardInterrupt:
            report.interrupted = True
            _cancel_and_wait(invoker, session.id, done)
    finally:
        unsubscribe()
        listener.close()
    report.seconds = time.perf_counter() - start
    if failure:
        raise failure[0]
    return report
