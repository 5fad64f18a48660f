"""The core's documentation pages (docs/*.md) run: every ```python block, in order, per page.

Pages run in this process one after another, which is why each page uses its own node type
names. Packages' pages live in docs/<package>/ and run in their own tox envs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_runner import DOCS, python_blocks, run_page

PAGES = sorted(path.stem for path in DOCS.glob("*.md"))
PAGES_WITH_EXAMPLES = ("writing-nodes", "graphs", "plugins")


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_page(DOCS / f"{page}.md", tmp_path, monkeypatch)


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES)
def test_page_has_python_examples(page: str) -> None:
    path = DOCS / f"{page}.md"
    assert path.is_file(), f"docs/{page}.md is missing"
    assert python_blocks(path.read_text(encoding="utf-8")), f"docs/{page}.md has no ```python example"


def test_block_parser() -> None:
    text = "a\n```python\nx = 1\n```\n```bash\n```python\n```\n```python\ny = 2\n```\n"
    assert python_blocks(text) == [(2, "x = 1\n"), (8, "y = 2\n")]
