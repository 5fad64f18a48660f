"""Runs a session on the invoker while listening to its events: timings, progress, images.

The session runs in a worker thread so that Ctrl-C in the main thread can cancel it cleanly.
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

    def work() -> None:
        try:
            invoker.run(session)
        except BaseException as exc:  # handed to the main thread
            failure.append(exc)

    start = time.perf_counter()
    worker = threading.Thread(target=work, name="invokeai-run", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        report.interrupted = True
        invoker.cancel(session.id)
        worker.join()
    finally:
        unsubscribe()
        listener.close()
    report.seconds = time.perf_counter() - start
    if failure:
        raise failure[0]
    return report
