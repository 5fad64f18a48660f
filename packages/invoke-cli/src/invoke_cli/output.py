"""How a finished run is shown: one line per node, saved images, a timing summary, or JSON."""

from __future__ import annotations

import json
from typing import Any

import click

from invoke_cli.app import App
from invoke_cli.running import RunReport


def _short(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        (only,) = value.values()
        return str(only)  # a reference such as {"image_name": ...}
    if isinstance(value, str):
        return value if value and " " not in value else json.dumps(value)
    return json.dumps(value)


def executions(session: Any) -> list[str]:
    return [execution for execution in session.history if execution in session.results]


def saved_images(app: App, session: Any) -> list[dict[str, Any]]:
    """Every image the session stored, oldest first, with where it lies."""
    records: list[Any] = []
    page = 0
    while True:
        found = app.services.images.list(page=page, per_page=100, session_id=session.id)
        records.extend(found.items)
        if (page + 1) * found.per_page >= found.total or not found.items:
            break
        page += 1
    return [
        {"image_name": record.image_name, "node_id": record.node_id, "location": app.image_location(record.image_name)}
        for record in reversed(records)
    ]


def node_type_of(session: Any, execution: str) -> str:
    return session.graph.nodes[session.source_node(execution)].type


def print_outputs(app: App, report: RunReport, images: list[dict[str, Any]] | None = None) -> None:
    """`images`: the saved images when they are not in the app's storage (a run on a server)."""
    session = report.session
    for execution in executions(session):
        outputs = session.results[execution].model_dump(mode="json")
        fields = " ".join(f"{name}={_short(value)}" for name, value in outputs.items())
        click.echo(f"{execution} {node_type_of(session, execution)}: {fields}")
    for image in saved_images(app, session) if images is None else images:
        if image["node_id"] is not None and image["location"]:
            click.echo(f"image {image['node_id']}: {image['location']}")


def report_json(app: App, report: RunReport, images: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    session = report.session
    nodes = []
    for execution in session.history:
        run = report.runs.get(execution)
        entry: dict[str, Any] = {
            "id": execution,
            "type": node_type_of(session, execution),
            "seconds": round(run.seconds, 6) if run and run.seconds is not None else None,
            "cached": bool(run and run.cached),
        }
        if execution in session.results:
            entry["outputs"] = session.results[execution].model_dump(mode="json")
        if execution in session.errors:
            error = session.errors[execution]
            entry["error"] = {"type": error.error_type, "message": error.message}
        nodes.append(entry)
    return {
        "session_id": session.id,
        "status": session.status,
        "seconds": round(report.seconds, 6),
        "nodes": nodes,
        "images": saved_images(app, session) if images is None else images,
    }


def print_summary(report: RunReport) -> None:
    """Per-node timings on stderr, slowest first."""
    runs = [run for run in report.runs.values() if run.seconds is not None]
    if not runs:
        return
    width = max(len(f"{run.execution} {run.node_type}") for run in runs)
    click.echo("timings:", err=True)
    for run in sorted(runs, key=lambda run: run.seconds or 0.0, reverse=True):
        note = " (cached)" if run.cached else " (failed)" if run.failed else ""
        click.echo(f"  {f'{run.execution} {run.node_type}':<{width}}  {run.seconds * 1000:9.1f} ms{note}", err=True)
    click.echo(f"  {'total':<{width}}  {report.seconds * 1000:9.1f} ms", err=True)


def failure_tracebacks(session: Any) -> str:
    """The tracebacks the failed nodes left, each under a line naming the node."""
    return "\n".join(
        f"node {error.node_id!r} ({error.node_type}):\n{error.traceback.rstrip()}"
        for error in session.errors.values()
        if error.traceback
    )


def failure_message(session: Any) -> str | None:
    """One line per failed node, naming its id and type; None when nothing failed."""
    if not session.errors:
        return None
    return "; ".join(
        f"node {error.node_id!r} ({error.node_type}) failed: {error.error_type}: {error.message}"
        for error in session.errors.values()
    )
