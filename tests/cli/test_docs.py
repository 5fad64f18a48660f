"""The CLI's documentation pages (docs/cli/*.md) run: every ```python block, in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_runner import DOCS, python_blocks, run_page

PAGES = sorted(path.stem for path in (DOCS / "cli").glob("*.md"))


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_page(DOCS / "cli" / f"{page}.md", tmp_path, monkeypatch)


def test_pages_have_examples() -> None:
    assert PAGES == ["index"]
    assert len(python_blocks((DOCS / "cli" / "index.md").read_text(encoding="utf-8"))) >= 3
