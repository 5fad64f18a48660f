"""The web docs run: every ```python block of docs/web/*.md, and the curl walkthrough against a live server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docs_runner import DOCS, python_blocks, run_page

from tests.web.helpers import live_server

PAGES = sorted(path.stem for path in (DOCS / "web").glob("*.md"))


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_page(DOCS / "web" / f"{page}.md", tmp_path, monkeypatch)


def test_index_has_python_examples() -> None:
    assert python_blocks((DOCS / "web" / "index.md").read_text(encoding="utf-8"))


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```$", text, flags=re.S | re.M)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_curl_walkthrough_runs(tmp_path: Path) -> None:
    blocks = bash_blocks((DOCS / "web" / "index.md").read_text(encoding="utf-8"))
    assert blocks, "the page has no bash walkthrough"
    with live_server(tmp_path) as server:
        for block in blocks:
            result = subprocess.run(
                ["bash", "-c", block],
                env={**os.environ, "API": server.url},
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 0, result.stderr
            assert '{"value":7}' in result.stdout
            assert '"error":"NodeAlreadyExecutedError"' in result.stdout and '"field":"b"' in result.stdout
            assert '"error":"NodeValidationError"' in result.stdout and '"node_id":"n1","field":"a"' in result.stdout
