"""Shared CLI test setup: the CLI driven in this process on in-memory services."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from invoke_cli.app import App
from invoke_cli.main import cli
from invoke_core import InvocationServices, InvokeConfig


@pytest.fixture
def app(tmp_path) -> App:
    """Services shared by every command a test runs, so a later command sees earlier runs."""
    return App(tmp_path, services=InvocationServices(InvokeConfig(root=tmp_path)))


@pytest.fixture
def invoke(app):
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, list(args), obj=app, catch_exceptions=False)

    return run
