"""The package's documentation pages (docs/services_local/*.md) run."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_runner import DOCS, run_page

PAGES = sorted((DOCS / "services_local").glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_python_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_plugin_registered):
    # the page registers the plugin itself, as a reader would
    from invoke_core import unregister_plugin

    unregister_plugin("local")
    run_page(page, tmp_path, monkeypatch)
