"""Runs the documentation's examples: every ```python block of a page, in order.

All blocks of one page share one fresh namespace (a module registered under `docs_<page>`, so
service factories written as "module:factory" strings can be imported). Each package's tests
run its own pages (the core's are docs/*.md, a package's are docs/<package>/*.md) in the tox
env that installs what the page needs.
"""

from __future__ import annotations

import sys
import traceback
import types
from pathlib import Path

import pytest
from invoke_core import get_plugin_manager, unregister_plugin

DOCS = Path(__file__).parents[1] / "docs"


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


def run_page(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every python block of the page at `path`; fail naming the page, block and line."""
    blocks = python_blocks(path.read_text(encoding="utf-8"))
    # examples must not read or write the user's real root folder or working directory
    monkeypatch.setenv("INVOKE_ROOT", str(tmp_path / "root"))
    monkeypatch.chdir(tmp_path)
    plugins_before = plugin_names()
    name = path.relative_to(DOCS).with_suffix("").as_posix()
    module_name = "docs_" + name.replace("-", "_").replace("/", "_")
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
                    f"docs/{name}.md: python block {index} (starting at line {line}) failed: {failure}",
                    pytrace=False,
                )
    finally:
        sys.modules.pop(module_name, None)
        # an example that failed half-way may leave its plugins behind: never let them
        # reach other tests
        leaked = plugin_names() - plugins_before
        for plugin in leaked:
            unregister_plugin(plugin)
    assert not leaked, f"docs/{name}.md left plugins registered: {sorted(leaked)}"
