"""Input errors found before running: exit 2, one line naming node and field, nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from invoke_cli.shell_session import Shell
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    Field,
    InvocationContext,
    hookimpl,
    register_plugin,
    unregister_plugin,
)
from invoke_core.preflight import PreflightError


class Shelf:
    """A service a plugin defines; the node below checks its values against it."""

    def __init__(self, config: Any):
        self.books = ["dune", "emma", "ulysses"]


def make_shelf(config: Any) -> Shelf:
    return Shelf(config)


class ShelfPlugin:
    @hookimpl
    def register_services(self) -> dict[str, dict[str, str]]:
        return {"cli_test_shelf": {"builtin": f"{__name__}:make_shelf"}}


class CliTestBorrowInvocation(BaseInvocation):
    """Borrows a book the shelf holds."""

    type: Literal["cli_test_borrow"] = "cli_test_borrow"
    book: str = Field(description="a title on the shelf")

    class Outputs(BaseInvocationOutput):
        book: str

    def preflight(self, get_service: Any) -> None:
        if self.book not in get_service("cli_test_shelf").books:
            raise PreflightError(f"node {self.id!r} ({self.type}): input 'book': not on the shelf: {self.book!r}")

    def invoke(self, context: InvocationContext) -> CliTestBorrowInvocation.Outputs:
        return self.Outputs(book=self.book)


@pytest.fixture(autouse=True)
def shelf_service() -> Iterator[None]:
    name = register_plugin(ShelfPlugin(), name="cli_test_shelf")
    yield
    unregister_plugin(name)


def assert_nothing_stored(app) -> None:
    assert app.services.sessions.list().total == 0
    assert app.services.images.list().total == 0
    assert app.services.queue.counts().get("completed", 0) == 0


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [
        ("img_blur --radius 2", "error: node '0' (img_blur): required input 'image' has no value and no link\n"),
        # the noise would run first and store its image: nothing runs instead
        (
            "img_noise --width 8 --height 8 | img_paste",
            "error: node '1' (img_paste): required input 'base_image' has no value and no link\n",
        ),
        ("cli_test_borrow --book dnue", "error: node '0' (cli_test_borrow): input 'book': not on the shelf: 'dnue'\n"),
    ],
)
def test_input_errors_exit_2_before_anything_runs(invoke, app, pipeline, message):
    result = invoke("run", pipeline)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message
    assert_nothing_stored(app)


def test_graph_files_are_checked_too(invoke, app, tmp_path):
    graph = tmp_path / "graph.json"
    graph.write_text(json.dumps({"nodes": {"blur": {"type": "img_blur"}}}))
    result = invoke("run", "--graph", str(graph))
    assert result.exit_code == 2
    assert result.stderr == "error: node 'blur' (img_blur): required input 'image' has no value and no link\n"
    assert_nothing_stored(app)


def test_a_ready_pipeline_with_a_preflight_runs(invoke):
    result = invoke("run", "-q", "cli_test_borrow --book emma")
    assert result.exit_code == 0, result.output
    assert result.stdout == "0 cli_test_borrow: book=emma\n"


def test_the_shell_checks_each_line_before_running_it(app, capsys):
    shell = Shell(app, quiet=True)
    shell.handle("img_noise --width 8 --height 8")
    shell.handle("img_invert -l image -1 image | img_paste")
    shell.handle("cli_test_borrow --book dnue")
    shell.handle("img_blur -l image -1 image")
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "error: node '2' (img_paste): required input 'base_image' has no value and no link",
        "error: node '1' (cli_test_borrow): input 'book': not on the shelf: 'dnue'",
    ]
    assert out.splitlines()[0].startswith("0 img_noise: ") and out.splitlines()[1].startswith("1 img_blur: ")
    assert list(shell.session.graph.nodes) == ["0", "1"]  # the lines with mistakes added nothing
