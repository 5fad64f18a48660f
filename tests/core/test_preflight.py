"""check_ready: empty required inputs and nodes' own preflight checks, found before anything runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import pytest
from invoke_core import (
    BaseInvocation,
    BaseInvocationOutput,
    Field,
    Graph,
    GraphValidationError,
    InvocationContext,
    InvocationServices,
    InvokeConfig,
    MissingInputError,
    hookimpl,
    register_plugin,
    unregister_plugin,
)
from invoke_core.preflight import PreflightError, check_ready

from tests.core.helpers import edge


class Palette:
    """A service a plugin defines: the colour names a node may use."""

    def __init__(self, config: Any):
        self.names = {"red", "green", "blue"}


def make_palette(config: Any) -> Palette:
    return Palette(config)


class PaletteServicePlugin:
    @hookimpl
    def register_services(self) -> dict[str, dict[str, str]]:
        return {"preflight_test_palette": {"builtin": f"{__name__}:make_palette"}}


class PreflightTestPaintInvocation(BaseInvocation):
    """Checks its colour against the palette service before running."""

    type: Literal["preflight_test_paint"] = "preflight_test_paint"
    color: str = Field(description="a colour name the palette knows")
    times: int = Field(description="required, usually linked")

    class Outputs(BaseInvocationOutput):
        value: str

    def preflight(self, get_service: Any) -> None:
        if "color" not in self.model_fields_set:  # linked: its value is only known when running
            return
        if self.color not in get_service("preflight_test_palette").names:
            raise PreflightError(f"node {self.id!r}: unknown colour {self.color!r}", node_id=self.id, field="color")

    def invoke(self, context: InvocationContext) -> PreflightTestPaintInvocation.Outputs:
        return self.Outputs(value=self.color * self.times)


@pytest.fixture
def services(tmp_path) -> Iterator[InvocationServices]:
    name = register_plugin(PaletteServicePlugin(), name="preflight_test_palette")
    services = InvocationServices(InvokeConfig(root=tmp_path))
    yield services
    services.close()
    unregister_plugin(name)


def graph(nodes: dict, edges: list | None = None) -> Graph:
    return Graph.model_validate({"nodes": nodes, "edges": edges or []})


def test_a_required_input_with_neither_value_nor_link_is_named(services):
    with pytest.raises(MissingInputError) as caught:
        check_ready(graph({"blur": {"type": "img_blur", "radius": 2}}), services.get)
    assert str(caught.value) == "node 'blur' (img_blur): required input 'image' has no value and no link"
    assert (caught.value.node_id, caught.value.field) == ("blur", "image")
    assert isinstance(caught.value, GraphValidationError)


def test_linked_and_given_inputs_are_ready(services):
    ready = graph(
        {
            "noise": {"type": "img_noise", "width": 8, "height": 8},
            "blur": {"type": "img_blur"},
            "three": {"type": "integer", "value": 3},
            "paint": {"type": "preflight_test_paint", "color": "red"},
        },
        [edge("noise", "image", "blur", "image"), edge("three", "value", "paint", "times")],
    )
    check_ready(ready, services.get)


def test_iterate_and_collect_are_ready_when_linked(services):
    ready = graph(
        {
            "numbers": {"type": "range", "start": 0, "stop": 3},
            "each": {"type": "iterate"},
            "double": {"type": "mul", "b": 2},
            "all": {"type": "collect"},
        },
        [
            edge("numbers", "collection", "each", "collection"),
            edge("each", "item", "double", "a"),
            edge("double", "value", "all", "item"),
        ],
    )
    check_ready(ready, services.get)


def test_a_nodes_preflight_uses_the_service_and_names_node_and_field(services):
    bad = graph({"paint": {"type": "preflight_test_paint", "color": "mauve", "times": 1}})
    with pytest.raises(PreflightError) as caught:
        check_ready(bad, services.get)
    assert str(caught.value) == "node 'paint': unknown colour 'mauve'"
    assert (caught.value.node_id, caught.value.field) == ("paint", "color")


def test_a_linked_value_is_left_to_run_time(services):
    linked = graph(
        {"name": {"type": "string", "value": "mauve"}, "paint": {"type": "preflight_test_paint", "times": 1}},
        [edge("name", "value", "paint", "color")],
    )
    check_ready(linked, services.get)


def test_the_first_problem_in_graph_order_is_reported(services):
    bad = graph(
        {
            "late": {"type": "preflight_test_paint", "color": "mauve", "times": 1},
            "early": {"type": "img_blur"},
        },
        [],
    )
    bad.link("early", "width", "late", "times")
    with pytest.raises(MissingInputError, match="'early'"):
        check_ready(bad, services.get)


def test_only_the_given_nodes_are_checked(services):
    half = graph({"old": {"type": "img_blur"}, "new": {"type": "add", "a": 1}})
    check_ready(half, services.get, node_ids=["new"])
    with pytest.raises(MissingInputError):
        check_ready(half, services.get, node_ids=["old", "new"])


def test_without_services_only_required_inputs_are_checked(services):
    bad_colour = graph({"paint": {"type": "preflight_test_paint", "color": "mauve", "times": 1}})
    check_ready(bad_colour, None)
    with pytest.raises(MissingInputError):
        check_ready(graph({"paint": {"type": "preflight_test_paint", "color": "mauve"}}), None)
