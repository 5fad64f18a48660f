"""The documentation's examples run: every ```python block of docs/*.md, in order, per page.

All blocks of one page share one fresh namespace (a module registered under `docs_<page>`, so
service factories written as "module:factory" strings can be imported). Pages run in this
process one after another, which is why each page uses its own node type names.
"""

from __future__ import annotations

import sys
import traceback
import types
from pathlib import Path

import pytest
from invoke_core import get_plugin_manager, unregister_plugin

DOCS = Path(__file__).parents[2] / "docs"
PAGES = sorted(path.stem for path in DOCS.glob("*.md"))
PAGES_WITH_EXAMPLES = ("writing-nodes", "graphs", "plugins")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number of the opening fence, code) for each ```python block, in order.

    Only fences at the start of a line count; a block in another language is skipped whole,
    so a ```python inside it (say, in a markdown example) is not mistaken for code.
    """
    blocks: list[tuple[int, str]] = []
    language: str | None = None
    start = 0
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.rstrip()
        if language is None:
            if stripped.startswith("```"):
                language = stripped[3:].strip().lower()
                start, lines = number, []
        elif stripped == "```":
            if language == "python":
                blocks.append((start, "\n".join(lines) + "\n"))
            language = None
        else:
            lines.append(line)
    assert language is None, f"a ``` block opened at line {start} is never closed"
    return blocks


def plugin_names() -> set[str]:
    return {name for name, _plugin in get_plugin_manager().list_name_plugin()}


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = DOCS / f"{page}.md"
    blocks = python_blocks(path.read_text(encoding="utf-8"))
    # examples must not read or write the user's real root folder or working directory
    monkeypatch.setenv("INVOKE_ROOT", str(tmp_path / "root"))
    monkeypatch.chdir(tmp_path)
    plugins_before = plugin_names()
    module_name = "docs_" + page.replace("-", "_")
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    sys.modules[module_name] = module
    try:
        for index, (line, code) in enumerate(blocks, start=1):
            # padded so that line numbers in tracebacks are the page's own line numbers
            source = "\n" * line + code
            failure = None
            try:
                exec(compile(source, str(path), "exec"), module.__dict__)
            except Exception as exc:  # any failure is reported with its page and block
                failure = f"{type(exc).__name__}: {exc}\n\n" + "".join(traceback.format_exception(exc))
            if failure is not None:
                pytest.fail(
                    f"docs/{page}.md: python block {index} (starting at line {line}) failed: {failure}",
                    pytrace=False,
                )
    finally:
        sys.modules.pop(module_name, None)
        # an example that failed half-way may leave its plugins behind: never let them
        # reach other tests
        leaked = plugin_names() - plugins_before
        for name in leaked:
            unregister_plugin(name)
    assert not leaked, f"docs/{page}.md left plugins registered: {sorted(leaked)}"


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES)
def test_page_has_python_examples(page: str) -> None:
    path = DOCS / f"{page}.md"
    assert path.is_file(), f"docs/{page}.md is missing"
    assert python_blocks(path.read_text(encoding="utf-8")), f"docs/{page}.md has no ```python example"


def test_block_parser() -> None:
    text = "a\n```python\nx = 1\n```\n```bash\n```python\n```\n```python\ny = 2\n```\n"
    assert python_blocks(text) == [(2, "x = 1\n"), (8, "y = 2\n")]
