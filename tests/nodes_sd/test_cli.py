"""`models add|list|remove|install`, driven through click as the invokeai command would."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from invoke_nodes_sd import plugin


@pytest.fixture
def cli() -> click.Group:
    group = click.Group("invokeai")
    plugin.register_commands(cli=group)
    return group


def run(cli: click.Group, root: Path, *args: str):
    return CliRunner().invoke(cli, ["models", "--root", str(root), *args])


def test_add_list_remove(cli: click.Group, tiny_models, tmp_path: Path) -> None:
    root = tmp_path / "root"
    result = run(cli, root, "add", str(tiny_models.sd1), "--name", "tiny")
    assert result.exit_code == 0, result.output
    assert "added tiny (sd-1, diffusers)" in result.output
    result = run(cli, root, "add", str(tiny_models.sd1_file), "--config", str(tiny_models.sd1))
    assert result.exit_code == 0, result.output
    assert "added tiny-sd1-file (sd-1, checkpoint)" in result.output
    result = run(cli, root, "list", "--json")
    listed = [json.loads(line) for line in result.output.splitlines()]
    assert [(entry["name"], entry["format"]) for entry in listed] == [
        ("tiny", "diffusers"),
        ("tiny-sd1-file", "checkpoint"),
    ]
    assert run(cli, root, "remove", "tiny").exit_code == 0
    assert run(cli, root, "list").output.split("\t")[0] == "tiny-sd1-file"


def test_errors_are_one_line_and_exit_2(cli: click.Group, tiny_models, tmp_path: Path) -> None:
    root = tmp_path / "root"
    for args, message in [
        (("add", str(tmp_path / "nothing.safetensors")), "no such file"),
        (("add", str(tiny_models.sd1_file)), "needs --config"),
        (("remove", "ghost"), "no model named 'ghost'"),
        (("install", "not a repo id"), "not a hub repository id"),
    ]:
        result = run(cli, root, *args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_install_offline_fails_cleanly(cli: click.Group, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = run(cli, tmp_path / "root", "install", "someone/some-model")
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot download 'someone/some-model'")
    assert run(cli, tmp_path / "root", "list").output == ""


def test_root_on_the_group_or_the_subcommand_means_the_same(
    cli: click.Group, tiny_models, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INVOKE_ROOT", str(tmp_path / "from-environment"))
    root, other = tmp_path / "root", tmp_path / "other"
    runner = CliRunner()
    added = runner.invoke(cli, ["models", "add", str(tiny_models.sd1), "--name", "tiny", "--root", str(root)])
    assert added.exit_code == 0, added.output
    for args in (
        ["models", "--root", str(root), "list"],
        ["models", "list", "--root", str(root)],
        ["models", "--root", str(other), "list", "--root", str(root)],  # the later one wins
    ):
        assert runner.invoke(cli, args).output.split("\t")[0] == "tiny", args
    assert runner.invoke(cli, ["models", "list"]).output == ""  # INVOKE_ROOT holds none
    assert runner.invoke(cli, ["models", "list", "--root", str(other)]).output == ""
    assert not (tmp_path / "from-environment").exists()
