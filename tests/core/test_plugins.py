"""Plugins: entry-point loading, limits, duplicates, and loading staying light."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Literal

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    DuplicateNodeTypeError,
    InvocationContext,
    PluginLoadError,
    get_invocation_class,
    hookimpl,
    invocation_classes,
    plugin_of,
    register_plugin,
    unregister_plugin,
)
from pip_target import pip_install_into

EXAMPLE_PLUGIN = Path(__file__).parent / "example_plugin"


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory) -> Path:
    """pip-install the example plugin package into a folder, as a user's pip would."""
    return pip_install_into(tmp_path_factory.mktemp("site"), EXAMPLE_PLUGIN)


def run_python(site: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("INVOKE_")}
    environ["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])
    environ.update(env)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=environ)


LIST_NODES = """
    import json, sys
    from invoke_core import invocation_classes, plugin_of
    types = sorted(invocation_classes())
    print(json.dumps({"types": types, "example": plugin_of("example_shout"), "heavy": sorted(m for m in ("PIL", "torch") if m in sys.modules)}))
"""


def test_installed_plugin_node_is_found_and_runs(installed_plugin):
    result = run_python(
        installed_plugin,
        """
        from invoke_core import Graph, Invoker, plugin_of
        graph = Graph.model_validate({"nodes": {
            "s": {"type": "example_shout", "text": "hello", "marks": 3}}})
        session = Invoker().run(graph)
        print(session.results["s"].value, plugin_of("example_shout"))
        """,
        INVOKE_ROOT=str(installed_plugin / "root"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["HELLO!!!", "example"]
    # the broken entry point next to it is reported and skipped, not fatal
    assert "broken" in result.stderr and "failed to load" in result.stderr


def test_listing_nodes_with_plugins_imports_nothing_heavy(installed_plugin):
    result = run_python(installed_plugin, LIST_NODES)
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert "example_shout" in listed["types"] and "img_resize" in listed["types"]
    assert listed["heavy"] == []


@pytest.mark.parametrize(
    ("env", "loaded"),
    [
        ({}, True),
        ({"INVOKE_PLUGINS": "example"}, True),
        ({"INVOKE_PLUGINS": ""}, False),
        ({"INVOKE_PLUGINS": "something_else"}, False),
        ({"INVOKE_DISABLE_PLUGIN_AUTOLOAD": "1"}, False),
    ],
)
def test_environment_limits_which_plugins_load(installed_plugin, env, loaded):
    result = run_python(installed_plugin, LIST_NODES, **env)
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert ("example_shout" in listed["types"]) is loaded
    assert "add" in listed["types"]  # built-in nodes always load


class DupOneInvocation(BaseInvocation):
    """First of two nodes claiming one type name."""

    type: Literal["plugin_test_dup"] = "plugin_test_dup"

    class Outputs(BaseInvocationOutput):
        value: int = 1

    def invoke(self, context: InvocationContext) -> DupOneInvocation.Outputs:
        return self.Outputs()


FirstDup = DupOneInvocation


class DupTwoInvocation(BaseInvocation):
    """Second of two nodes claiming one type name."""

    type: Literal["plugin_test_dup"] = "plugin_test_dup"

    class Outputs(BaseInvocationOutput):
        value: int = 2

    def invoke(self, context: InvocationContext) -> DupTwoInvocation.Outputs:
        return self.Outputs()


class _Pack:
    def __init__(self, *classes: type):
        self.classes = list(classes)

    @hookimpl
    def register_invocations(self) -> list[type]:
        return self.classes


def test_duplicate_type_names_both_plugins_and_is_refused_at_registration():
    register_plugin(_Pack(FirstDup), name="pack_one")
    try:
        with pytest.raises(DuplicateNodeTypeError) as caught:
            register_plugin(_Pack(DupTwoInvocation), name="pack_two")
        message = str(caught.value)
        assert "'plugin_test_dup'" in message and "'pack_one'" in message and "'pack_two'" in message
        # the clashing plugin is not left half-registered: the first one keeps working
        assert get_invocation_class("plugin_test_dup") is FirstDup
        with pytest.raises(PluginLoadError):
            unregister_plugin("pack_two")
    finally:
        unregister_plugin("pack_one")
    assert "add" in invocation_classes()


def test_registering_a_taken_name_is_a_plugin_error():
    register_plugin(_Pack(), name="pack_taken")
    try:
        with pytest.raises(PluginLoadError) as caught:
            register_plugin(_Pack(), name="pack_taken")
        assert "pack_taken" in str(caught.value)
    finally:
        unregister_plugin("pack_taken")


def test_hand_registered_plugin_provides_its_node():
    register_plugin(_Pack(FirstDup), name="pack_solo")
    try:
        assert get_invocation_class("plugin_test_dup") is FirstDup
        assert plugin_of("plugin_test_dup") == "pack_solo"
    finally:
        unregister_plugin("pack_solo")


def test_builtin_nodes_come_from_the_builtin_plugin():
    assert plugin_of("add") == "builtin"
    assert plugin_of("iterate") == "builtin"
    assert get_invocation_class("img_resize").__module__ == "invoke_core.nodes.images"


def test_every_hook_is_documented():
    from invoke_core import hookspecs

    hooks = [value for name, value in vars(hookspecs).items() if callable(value) and hasattr(value, "invoke_spec")]
    assert {hook.__name__ for hook in hooks} == {
        "register_invocations",
        "register_services",
        "default_services",
        "register_commands",
        "register_routes",
    }
    assert all(hook.__doc__ and hook.__doc__.strip() for hook in hooks)


def test_importing_core_pulls_no_heavy_dependency():
    code = """
        import sys, invoke_core
        from invoke_core import Graph, Invoker
        Invoker().run(Graph.model_validate({"nodes": {"a": {"type": "add", "a": 1}}}))
        print(",".join(sorted(m for m in ("torch", "fastapi", "click", "boto3", "PIL", "diffusers") if m in sys.modules)))
    """
    # only the core: other installed packages (in a dev venv) have their own import tests
    result = run_python(Path("."), code, INVOKE_ROOT=os.devnull, INVOKE_DISABLE_PLUGIN_AUTOLOAD="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
