"""Live feedback: the events of a run reach the progress display, and timings are kept."""

from __future__ import annotations

from typing import Literal

from invoke_cli.pipeline import build_graph, split_words
from invoke_cli.running import ProgressListener, run_session
from invoke_core import BaseInvocation, BaseInvocationOutput, Field, InvocationContext, Session


class StepsInvocation(BaseInvocation):
    """Counts to a number, reporting each step."""

    type: Literal["test_cli_steps"] = "test_cli_steps"
    steps: int = Field(default=3, description="How many steps")

    class Outputs(BaseInvocationOutput):
        value: int = Field(description="The steps taken")

    def invoke(self, context: InvocationContext) -> StepsInvocation.Outputs:
        for step in range(1, self.steps + 1):
            context.progress(step, self.steps, f"step {step}")
        return self.Outputs(value=self.steps)


class Recorder(ProgressListener):
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def started(self, execution, node_type):
        self.calls.append(("started", execution, node_type))

    def progress(self, execution, step, total, message):
        self.calls.append(("progress", execution, step, total))

    def finished(self, execution, ok, cached):
        self.calls.append(("finished", execution, ok))

    def close(self):
        self.calls.append(("close",))


def test_progress_events_and_timings(app):
    recorder = Recorder()
    session = Session(build_graph(split_words("test_cli_steps --steps 2 | div --b 0 -l a -1 value")))
    report = run_session(app, session, recorder)
    assert recorder.calls == [
        ("started", "0", "test_cli_steps"),
        ("progress", "0", 1, 2),
        ("progress", "0", 2, 2),
        ("finished", "0", True),
        ("started", "1", "div"),
        ("finished", "1", False),
        ("close",),
    ]
    assert report.runs["0"].seconds is not None and not report.runs["0"].failed
    assert report.runs["1"].failed
    assert session.status == "failed"


def test_rich_progress_draws_without_a_terminal():
    from invoke_cli.progress import RichProgress

    bars = RichProgress()
    bars.started("0", "add")
    bars.progress("0", 1, 2, None)
    bars.finished("0", True, False)
    bars.started("1", "div")
    bars.finished("1", False, False)
    bars.close()
    assert [task.description for task in bars._progress.tasks] == ["0 add", "[red]1 div failed[/red]"]
    assert all(task.finished for task in bars._progress.tasks)
