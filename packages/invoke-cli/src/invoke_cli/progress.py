"""A live progress bar per running node, drawn by rich on stderr (loaded only when shown)."""

from __future__ import annotations

from typing import Any

from invoke_cli.running import ProgressListener


class RichProgress(ProgressListener):
    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._tasks: dict[str, Any] = {}
        self._progress.start()

    def started(self, execution: str, node_type: str) -> None:
        self._tasks[execution] = self._progress.add_task(f"{execution} {node_type}", total=None)

    def progress(self, execution: str, step: int, total: int, message: str | None) -> None:
        task = self._tasks.get(execution)
        if task is not None:
            self._progress.update(task, completed=step, total=max(total, 1))

    def finished(self, execution: str, ok: bool, cached: bool) -> None:
        task = self._tasks.get(execution)
        if task is None:
            return
        description = self._progress.tasks[task].description
        if not ok:
            description = f"[red]{description} failed[/red]"
        elif cached:
            description += " (cached)"
        self._progress.update(task, total=1, completed=1, description=description)

    def close(self) -> None:
        self._progress.stop()
