"""`invokeai nodes show TYPE --json` prints the node's schema (invoke_core.node_schema, the one
GET /api/v1/nodes/TYPE gives): defaults as JSON values, every constraint validation enforces.
tests/integration/test_node_schema_same_in_cli_and_web.py compares the two."""

from __future__ import annotations

import json
from typing import Literal

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    Field,
    InvocationContext,
    hookimpl,
    register_plugin,
    unregister_plugin,
)


class TileInvocation(BaseInvocation):
    """A node with the constraints the built-in ones do not use."""

    type: Literal["schema_test_tile"] = "schema_test_tile"
    size: int = Field(default=64, gt=0, multiple_of=8, description="Tile size")
    mode: Literal["wrap", "clamp"] = Field(default="wrap", description="Edges")

    class Outputs(BaseInvocationOutput):
        size: int = Field(description="The size")

    def invoke(self, context: InvocationContext) -> TileInvocation.Outputs:
        return self.Outputs(size=self.size)


class TilePlugin:
    @hookimpl
    def register_invocations(self):
        return [TileInvocation]


@pytest.fixture
def tile_plugin():
    name = register_plugin(TilePlugin(), name="schema_test")
    yield
    unregister_plugin(name)


def shown(invoke, node_type: str) -> dict:
    result = invoke("nodes", "show", node_type, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_defaults_are_json_values(invoke):
    properties = shown(invoke, "img_blur")["inputs"]["properties"]
    assert properties["blur_type"]["default"] == "gaussian"
    assert properties["radius"]["default"] == 8.0
    assert shown(invoke, "add")["inputs"]["properties"]["a"]["default"] == 0


def test_constraints_validation_enforces_appear(invoke, tile_plugin):
    width = shown(invoke, "img_noise")["inputs"]["properties"]["width"]
    assert (width["exclusiveMinimum"], width["maximum"]) == (0, 16384)
    size = shown(invoke, "schema_test_tile")["inputs"]["properties"]["size"]
    assert (size["exclusiveMinimum"], size["multipleOf"], size["default"]) == (0, 8, 64)
    assert invoke("run", "schema_test_tile --size 12").exit_code == 2  # the constraint shown is the one enforced


def test_shape_is_the_node_schema(invoke):
    described = shown(invoke, "img_resize")
    assert set(described) == {
        "type", "title", "description", "tags", "category", "version", "cacheable", "plugin", "inputs", "outputs"
    }  # fmt: skip
    assert (described["type"], described["plugin"]) == ("img_resize", "builtin")
    assert described["inputs"]["required"] == ["image"]
    assert set(described["outputs"]["properties"]) == {"image", "width", "height"}


def test_text_and_node_help_show_the_limits_too(invoke, tile_plugin):
    lines = invoke("nodes", "show", "schema_test_tile").stdout.splitlines()
    assert any(line.split()[0] == "size" and line.endswith("(default 64; > 0, multiple of 8)") for line in lines)
    flowing = " ".join(invoke("run", "img_noise --help").stdout.split())
    assert "--width INTEGER The width of the image in pixels [default: 512; > 0, <= 16384]" in flowing
