"""`invokeai sessions list|show`, `invokeai queue`, `invokeai images list`: what the configured
services have stored. With the in-memory services a new process starts empty; with local or
cloud services these show what earlier runs left."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from invoke_cli.app import App
from invoke_cli.errors import CliError

per_page_option = click.option(
    "--limit", "-n", type=click.IntRange(1, 10_000), default=20, show_default=True, help="How many to show."
)
page_option = click.option("--page", type=click.IntRange(0), default=0, show_default=True, help="Which page, from 0.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _when(seconds: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds)) if seconds else "-"


@click.group()
def sessions() -> None:
    """Stored sessions."""


@sessions.command("list")
@per_page_option
@page_option
@json_option
@click.pass_obj
def list_sessions(app: App, limit: int, page: int, as_json: bool) -> None:
    """List sessions, newest first."""
    found = app.services.sessions.list(page=page, per_page=limit)
    rows = [
        {
            "id": session.id,
            "status": session.status,
            "nodes": len(session.graph.nodes),
            "updated_at": session.updated_at,
        }
        for session in found.items
    ]
    if as_json:
        click.echo(json.dumps({"total": found.total, "page": page, "sessions": rows}, indent=2))
        return
    for row in rows:
        click.echo(f"{row['id']}  {row['status']:<11}  {row['nodes']:>4} nodes  {_when(row['updated_at'])}")
    click.echo(f"{len(rows)} of {found.total} sessions", err=True)


@sessions.command("show")
@click.argument("session_id")
@json_option
@click.pass_obj
def show_session(app: App, session_id: str, as_json: bool) -> None:
    """Show one session: its nodes, their outputs and errors."""
    from invoke_core import SessionNotFoundError

    try:
        session = app.services.sessions.get(session_id)
    except SessionNotFoundError:
        raise CliError(f"no session {session_id!r}; `invokeai sessions list` shows them") from None
    if as_json:
        click.echo(json.dumps(session.model_dump(), indent=2))
        return
    click.echo(f"session {session.id}: {session.status}, {len(session.graph.nodes)} nodes")
    for node_id in session.graph.topological_order():
        node = session.graph.nodes[node_id]
        click.echo(f"  {node_id} {node.type}")
        for execution in session.executions(node_id):
            if execution in session.results:
                outputs = session.results[execution].model_dump(mode="json")
                click.echo(f"    {execution}: {json.dumps(outputs)}")
            elif execution in session.errors:
                error = session.errors[execution]
                click.echo(f"    {execution}: failed: {error.error_type}: {error.message}")


@click.command()
@click.option("--status", type=click.Choice(["pending", "in_progress", "completed", "failed", "canceled"]))
@per_page_option
@page_option
@json_option
@click.pass_obj
def queue(app: App, status: str | None, limit: int, page: int, as_json: bool) -> None:
    """Show the queue: counts per status and its items, newest first."""
    from invoke_cli.queue_listing import queue_page_newest_first

    session_queue = app.services.queue
    counts = session_queue.counts()
    found, total = queue_page_newest_first(session_queue, status=status, page=page, per_page=limit)
    items: list[dict[str, Any]] = [item.model_dump(mode="json") for item in found]
    if as_json:
        click.echo(json.dumps({"counts": counts, "total": total, "items": items}, indent=2))
        return
    click.echo("  ".join(f"{name}: {count}" for name, count in counts.items()))
    for item in items:
        error = f"  {item['error']}" if item.get("error") else ""
        click.echo(
            f"{item['item_id']:>6}  {item['status']:<11}  {item['session_id']}  {_when(item['created_at'])}{error}"
        )


@click.group()
def images() -> None:
    """Stored images: list them, add files, prune intermediates."""


@images.command("list")
@click.option("--session", "session_id", help="Only images of this session.")
@click.option(
    "--all", "show_all", is_flag=True, help="Also intermediate images (those nodes passed on to other nodes)."
)
@per_page_option
@page_option
@json_option
@click.pass_obj
def list_images(app: App, session_id: str | None, show_all: bool, limit: int, page: int, as_json: bool) -> None:
    """List images, newest first, with where each lies; intermediates only with --all."""
    found = app.services.images.list(page=page, per_page=limit, session_id=session_id, include_intermediates=show_all)
    rows = [
        {
            "image_name": record.image_name,
            "location": app.image_location(record.image_name),
            "width": record.width,
            "height": record.height,
            "session_id": record.session_id,
            "node_id": record.node_id,
            "is_intermediate": record.is_intermediate,
            "created_at": record.created_at,
        }
        for record in found.items
    ]
    if as_json:
        click.echo(json.dumps({"total": found.total, "images": rows}, indent=2))
        return
    for row in rows:
        size = f"{row['width']}x{row['height']}"
        mark = "  intermediate" if row["is_intermediate"] else ""
        click.echo(f"{row['location']}  {size:>11}  session {row['session_id']}  node {row['node_id']}{mark}")
    click.echo(f"{len(rows)} of {found.total} images", err=True)


@images.command("prune")
@click.pass_obj
def prune_images(app: App) -> None:
    """Delete the intermediate images of finished sessions; prints how many went.

    Sessions still queued or running (here or in a server on the same root) keep theirs.
    """
    from invoke_core.services.image_storage import delete_finished_intermediates

    count = delete_finished_intermediates(app.services)
    click.echo(count)
    click.echo(f"deleted {count} intermediate images", err=True)


@images.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=Path))
@click.pass_obj
def add_images(app: App, files: tuple[Path, ...]) -> None:
    """Copy image FILES into image storage; prints each one's stored name, in order.

    Every file is read first: if one is not an image, nothing is stored.
    """
    from invoke_cli.image_files import LocalImageStore, add_image_files

    for name in add_image_files(LocalImageStore(app.services.images), list(files)):
        click.echo(name)
