"""The CLI's documentation pages (docs/cli/*.md) run: every ```python block, in order."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from docs_runner import DOCS, python_blocks, run_page

PAGES = sorted(path.stem for path in (DOCS / "cli").glob("*.md"))


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_page(DOCS / "cli" / f"{page}.md", tmp_path, monkeypatch)


def test_pages_have_examples() -> None:
    assert PAGES == ["index"]
    assert len(python_blocks((DOCS / "cli" / "index.md").read_text(encoding="utf-8"))) >= 3


# `web` and `models` come from the invoke-web and invoke-nodes-sd plugins, not installed here
PLUGIN_COMMANDS = {"web", "models"}


def test_every_command_the_page_names_exists() -> None:
    from invoke_cli.main import cli

    text = (DOCS / "cli" / "index.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`invokeai ([a-z_]+)", text)) | set(re.findall(r"invokeai ([a-z_]+) ", text))
    arriving = re.search(r"\(the (.*?) commands arrive this way\)", text)
    assert arriving is not None
    from_plugins = set(re.findall(r"[a-z_]+", arriving.group(1))) - {"and"}
    assert from_plugins == PLUGIN_COMMANDS
    with click.Context(cli) as ctx:
        existing = set(cli.list_commands(ctx))
    assert named and named <= existing | PLUGIN_COMMANDS, named - existing - PLUGIN_COMMANDS
