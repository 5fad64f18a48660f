"""A third-party plugin's node and command appear in the installed CLI, and startup stays light."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pip_target import pip_install_into

EXAMPLE_PLUGIN = Path(__file__).parent / "example_plugin"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """pip-install the example plugin into a folder, as a user's pip would."""
    return pip_install_into(tmp_path_factory.mktemp("site"), EXAMPLE_PLUGIN)


def invokeai(site: Path | None, root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("INVOKE_")}
    if site is not None:
        environ["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])
    environ.update({"INVOKE_ROOT": str(root), **env})
    return subprocess.run([sys.executable, "-m", "invoke_cli", *args], capture_output=True, text=True, env=environ)


def test_plugin_node_is_listed_shown_and_runs(site, tmp_path):
    listed = invokeai(site, tmp_path, "nodes")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "cli_example:" in lines
    assert lines[lines.index("cli_example:") + 1].split() == [
        "repeat_text",
        "Repeats",
        "a",
        "text",
        "a",
        "number",
        "of",
        "times.",
    ]
    shown = invokeai(site, tmp_path, "nodes", "show", "repeat_text")
    assert shown.stdout.splitlines()[0] == "repeat_text: Repeat Text (plugin cli_example)"
    ran = invokeai(
        site,
        tmp_path,
        "run",
        "--json",
        "string --value ho | repeat_text --times 3 --separator comma | string_join --string_left say:",
    )
    assert ran.returncode == 0, ran.stderr
    nodes = {node["id"]: node for node in json.loads(ran.stdout)["nodes"]}
    assert nodes["1"]["outputs"]["value"] == "ho,ho,ho"  # `value` auto-linked from string
    bad = invokeai(site, tmp_path, "run", "repeat_text --separator tab")
    assert bad.returncode == 2
    assert (
        bad.stderr
        == "error: command 1 (repeat_text), node '0': --separator: Input should be 'space', 'comma' or 'none' (got 'tab')\n"
    )


def test_plugin_command_is_added(site, tmp_path):
    helped = invokeai(site, tmp_path, "--help")
    assert "hello" in helped.stdout and "Greets NAME" in helped.stdout
    said = invokeai(site, tmp_path, "hello", "world")
    assert (said.returncode, said.stdout) == (0, "hello world from a plugin\n")


def test_without_the_plugin_its_node_is_unknown(site, tmp_path):
    result = invokeai(site, tmp_path, "run", "repeat_text", INVOKE_DISABLE_PLUGIN_AUTOLOAD="1")
    assert result.returncode == 2
    assert result.stderr.startswith("error: command 1: unknown node type 'repeat_text'")


REPORT_MODULES = "import atexit, sys, json; atexit.register(lambda: print(json.dumps(sorted(m for m in ('rich', 'readline', 'prompt_toolkit', 'PIL', 'torch', 'invoke_core.nodes.images', 'invoke_core.graph') if m in sys.modules)), file=sys.stderr))"


@pytest.mark.parametrize(
    ("args", "loaded"),
    [
        (["--help"], []),
        (["nodes"], ["invoke_core.nodes.images"]),
        (["run", "-q", "add --a 1"], ["invoke_core.graph", "invoke_core.nodes.images"]),
    ],
)
def test_startup_imports_only_what_the_command_needs(site, tmp_path, args, loaded):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("INVOKE_")}
    environ["PYTHONPATH"] = str(site)
    environ["INVOKE_ROOT"] = str(tmp_path)
    code = f"{REPORT_MODULES}\nfrom invoke_cli.main import main\nmain({args!r})"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == loaded
