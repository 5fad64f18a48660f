"""docs/nodes_sd/*.md run: every ```python block, in order, per page."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_runner import DOCS, python_blocks, run_page

PAGES = sorted(path.stem for path in (DOCS / "nodes_sd").glob("*.md"))


def test_there_is_a_page_with_examples() -> None:
    assert "index" in PAGES
    assert python_blocks((DOCS / "nodes_sd" / "index.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_page(DOCS / "nodes_sd" / f"{page}.md", tmp_path, monkeypatch)
