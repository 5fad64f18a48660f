"""The built-in node pack, run through the real engine: computed values, pixels, sizes, errors."""

from __future__ import annotations

import random
import subprocess
import sys
from typing import Any

import pytest
from invoke_core import Graph, Invoker
from invoke_core.errors import NodeValidationError
from invoke_core.invocation import BaseInvocation
from invoke_core.nodes import images, math, primitives, strings
from PIL import Image

from tests.core.helpers import edge as link

NODE_MODULES = (primitives, math, strings, images)


def run(invoker: Invoker, nodes: dict[str, Any], edges: list[dict[str, Any]] = ()):  # type: ignore[assignment]
    return invoker.run(Graph.model_validate({"nodes": nodes, "edges": list(edges)}))


def run_ok(invoker: Invoker, nodes: dict[str, Any], edges: list[dict[str, Any]] = ()):  # type: ignore[assignment]
    session = run(invoker, nodes, edges)
    assert not session.errors, {key: error.message for key, error in session.errors.items()}
    return session


def value_of(invoker: Invoker, node: dict[str, Any]) -> Any:
    return run_ok(invoker, {"n": node}).results["n"].value


def stored(invoker: Invoker, image: Image.Image) -> dict[str, str]:
    """Put an image into storage; returns the ImageField JSON for it."""
    return {"image_name": invoker.services.images.save(image).image_name}


def image_of(invoker: Invoker, session, node_id: str) -> Image.Image:
    output = session.results[node_id]
    image = invoker.services.images.get(output.image.image_name)
    assert (output.width, output.height) == image.size
    return image


def the_error(session, node_id: str):
    errors = [error for error in session.errors.values() if error.node_id == node_id]
    assert len(errors) == 1, session.errors
    return errors[0]


def node_classes() -> list[type[BaseInvocation]]:
    return [
        value
        for module in NODE_MODULES
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseInvocation)
        and value.__module__ == module.__name__
        and value.invocation_type()
    ]


# ---- the pack as a whole -------------------------------------------------------------------


def test_node_types_and_metadata():
    types = {cls.invocation_type() for cls in node_classes()}
    assert types == {
        "integer", "float", "string", "boolean",
        "add", "sub", "mul", "div", "rand_int",
        "string_join", "string_replace", "prompt_template",
        "load_image", "save_image", "img_resize", "img_crop", "img_paste", "img_blur",
        "img_invert", "img_grayscale", "blank_image", "img_noise",
    }  # fmt: skip
    for cls in node_classes():
        meta = cls.metadata()
        assert meta["description"] and meta["category"] and meta["tags"], cls
        for name, info in {**cls.input_fields(), **cls.output_fields()}.items():
            if name != "type":
                assert info.description, f"{cls.__name__}.{name} has no description"


def test_json_schema_lists_required_images_and_constraints():
    schema = images.ResizeImageInvocation.model_json_schema()
    assert schema["required"] == ["image"]
    assert schema["category"] == "image" and "resize" in schema["tags"]
    width = schema["properties"]["width"]
    assert (width["exclusiveMinimum"], width["maximum"]) == (0, 16384)
    modes = ["nearest", "box", "bilinear", "hamming", "bicubic", "lanczos"]
    assert schema["properties"]["resample_mode"]["enum"] == modes
    paste = images.PasteImageInvocation.model_json_schema()
    assert paste["required"] == ["base_image", "image"]
    assert math.AddInvocation.model_json_schema()["properties"]["a"]["default"] == 0


def test_importing_image_nodes_does_not_import_pillow():
    code = "import sys, invoke_core.nodes.images; assert 'PIL' not in sys.modules, 'PIL imported'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ---- primitives ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "node, expected",
    [
        ({"type": "integer", "value": -42}, -42),
        ({"type": "float", "value": 2.5}, 2.5),
        ({"type": "string", "value": "héllo"}, "héllo"),
        ({"type": "boolean", "value": True}, True),
        ({"type": "integer"}, 0),
        ({"type": "string"}, ""),
    ],
)
def test_primitives_pass_their_value_on(invoker, node, expected):
    assert value_of(invoker, node) == expected


def test_integer_primitive_feeds_math(invoker):
    session = run_ok(
        invoker,
        {"seven": {"type": "integer", "value": 7}, "add": {"type": "add", "b": 5}, "mul": {"type": "mul", "a": 3}},
        [link("seven", "value", "add", "a"), link("add", "value", "mul", "b")],
    )
    assert session.results["mul"].value == 36


# ---- math ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "node_type, a, b, expected",
    [("add", 2, 3, 5), ("add", -2, 3, 1), ("sub", 2, 3, -1), ("mul", -4, 3, -12), ("mul", 0, 99, 0)],
)
def test_arithmetic(invoker, node_type, a, b, expected):
    assert value_of(invoker, {"type": node_type, "a": a, "b": b}) == expected


@pytest.mark.parametrize(
    "a, b, expected",
    [(7, 2, 3), (-7, 2, -3), (7, -2, -3), (-7, -2, 3), (6, 3, 2), (0, 5, 0), (1, 2, 0), (-1, 2, 0)],
)
def test_div_truncates_toward_zero(invoker, a, b, expected):
    assert value_of(invoker, {"type": "div", "a": a, "b": b}) == expected == int(a / b)


def test_div_is_exact_for_big_integers(invoker):
    # int(a / b) would go through a float and be off by many units here.
    a = 10**30 + 7
    assert value_of(invoker, {"type": "div", "a": a, "b": 1}) == a
    assert value_of(invoker, {"type": "div", "a": -a, "b": 10}) == -(10**29)


def test_div_by_zero_fails_the_node_and_nothing_after_it_runs(invoker):
    session = run(
        invoker,
        {"div": {"type": "div", "a": 7, "b": 0}, "after": {"type": "add", "b": 1}},
        [link("div", "value", "after", "a")],
    )
    error = the_error(session, "div")
    assert (error.node_type, error.error_type) == ("div", "ZeroDivisionError")
    assert "by zero" in error.message and "7" in error.message
    assert "div" not in session.results and "after" not in session.results


def test_div_by_linked_zero_fails_at_run_time(invoker):
    session = run(
        invoker,
        {"zero": {"type": "integer", "value": 0}, "div": {"type": "div", "a": 1}},
        [link("zero", "value", "div", "b")],
    )
    assert the_error(session, "div").error_type == "ZeroDivisionError"


def test_rand_int_is_deterministic_per_seed_and_in_range(invoker):
    def draw(**fields: int) -> int:
        return value_of(invoker, {"type": "rand_int", "use_cache": False, **fields})

    assert draw(seed=5) == draw(seed=5) == random.Random(5).randrange(0, 2**31 - 1)
    assert len({draw(seed=seed) for seed in range(10)}) > 1
    values = {draw(low=-3, high=3, seed=seed) for seed in range(200)}
    assert values == {-3, -2, -1, 0, 1, 2}  # high is excluded
    assert draw(low=9, high=10, seed=123) == 9


@pytest.mark.parametrize("low, high", [(5, 5), (6, 5)])
def test_rand_int_rejects_low_not_below_high(low, high):
    with pytest.raises(NodeValidationError, match=rf"low \({low}\) must be less than high \({high}\)") as caught:
        Graph.model_validate({"nodes": {"r": {"type": "rand_int", "low": low, "high": high}}, "edges": []})
    assert caught.value.node_id == "r"


def test_rand_int_with_linked_bounds(invoker):
    session = run_ok(
        invoker,
        {
            "low": {"type": "integer", "value": 100},
            "high": {"type": "integer", "value": 103},
            "r": {"type": "rand_int", "seed": 1},
        },
        [link("low", "value", "r", "low"), link("high", "value", "r", "high")],
    )
    assert session.results["r"].value == random.Random(1).randrange(100, 103)


def test_rand_int_linked_bounds_are_checked_together(invoker):
    # The values set in the node (50, 100) and the linked ones (0, 10) are each a valid range,
    # but mixing them (low 50, high 10) is not: the check must see both linked values at once.
    session = run_ok(
        invoker,
        {
            "low": {"type": "integer", "value": 0},
            "high": {"type": "integer", "value": 10},
            "r": {"type": "rand_int", "low": 50, "high": 100, "seed": 2},
        },
        [link("high", "value", "r", "high"), link("low", "value", "r", "low")],
    )
    assert session.results["r"].value == random.Random(2).randrange(0, 10)


def test_rand_int_linked_bounds_out_of_order_fail(invoker):
    session = run(
        invoker,
        {"low": {"type": "integer", "value": 10}, "high": {"type": "integer", "value": 3}, "r": {"type": "rand_int"}},
        [link("low", "value", "r", "low"), link("high", "value", "r", "high")],
    )
    assert "low (10) must be less than high (3)" in the_error(session, "r").message


# ---- strings ---------------------------------------------------------------------------------


def test_string_join(invoker):
    session = run_ok(
        invoker,
        {"left": {"type": "string", "value": "foo"}, "join": {"type": "string_join", "string_right": "bar"}},
        [link("left", "value", "join", "string_left")],
    )
    assert session.results["join"].value == "foobar"
    assert value_of(invoker, {"type": "string_join"}) == ""


def test_string_replace_plain_text_is_literal(invoker):
    node = {"type": "string_replace", "string": "a.b.c (x)", "search_string": ".", "replace_string": "+"}
    assert value_of(invoker, node) == "a+b+c (x)"
    node = {"type": "string_replace", "string": "a(b)", "search_string": "(b)"}
    assert value_of(invoker, node) == "a"


def test_string_replace_regex_with_groups(invoker):
    node = {
        "type": "string_replace",
        "string": "width=512 height=768",
        "search_string": r"(\w+)=(\d+)",
        "replace_string": r"\2:\1",
        "use_regex": True,
    }
    assert value_of(invoker, node) == "512:width 768:height"


def test_string_replace_rejects_a_bad_regex_when_the_graph_is_built():
    node = {"type": "string_replace", "string": "x", "search_string": "a(b", "use_regex": True}
    with pytest.raises(NodeValidationError, match=r"bad regular expression 'a\(b'") as caught:
        Graph.model_validate({"nodes": {"r": node}, "edges": []})
    assert caught.value.node_id == "r"


def test_string_replace_rejects_a_bad_linked_regex_when_it_runs(invoker):
    session = run(
        invoker,
        {
            "pattern": {"type": "string", "value": "[unclosed"},
            "r": {"type": "string_replace", "string": "x", "use_regex": True},
        },
        [link("pattern", "value", "r", "search_string")],
    )
    assert "[unclosed" in the_error(session, "r").message


def test_string_replace_needs_a_search_string(invoker):
    with pytest.raises(NodeValidationError) as caught:
        Graph.model_validate({"nodes": {"r": {"type": "string_replace", "search_string": ""}}, "edges": []})
    assert (caught.value.node_id, caught.value.field) == ("r", "search_string")
    session = run(invoker, {"r": {"type": "string_replace", "string": "abc"}})
    assert "search_string" in the_error(session, "r").message


def test_prompt_template_replaces_every_placeholder_and_keeps_other_braces(invoker):
    node = {"type": "prompt_template", "template": '{prompt}, ({prompt}:1.2), {"style": {0}} {x}', "prompt": "a cat"}
    assert value_of(invoker, node) == 'a cat, (a cat:1.2), {"style": {0}} {x}'
    assert value_of(invoker, {"type": "prompt_template", "prompt": "dog"}) == "dog"
    no_placeholder = {"type": "prompt_template", "template": "no placeholder", "prompt": "dog"}
    assert value_of(invoker, no_placeholder) == "no placeholder"


# ---- images: making them ---------------------------------------------------------------------


def test_blank_image_rgb(invoker):
    session = run_ok(invoker, {"b": {"type": "blank_image", "width": 7, "height": 3, "color": "#ff8000"}})
    image = image_of(invoker, session, "b")
    assert (image.mode, image.size) == ("RGB", (7, 3))
    assert image.getcolors() == [(21, (255, 128, 0))]


def test_blank_image_rgba_and_named_colors(invoker):
    session = run_ok(
        invoker,
        {
            "rgba": {"type": "blank_image", "width": 2, "height": 2, "mode": "RGBA", "color": "#0000ff80"},
            "named": {"type": "blank_image", "width": 1, "height": 1, "color": "red"},
            "default": {"type": "blank_image"},
        },
    )
    rgba = image_of(invoker, session, "rgba")
    assert rgba.mode == "RGBA" and rgba.getpixel((1, 1)) == (0, 0, 255, 128)
    assert image_of(invoker, session, "named").getpixel((0, 0)) == (255, 0, 0)
    default = image_of(invoker, session, "default")
    assert default.size == (512, 512) and default.getextrema() == ((0, 0), (0, 0), (0, 0))


def test_blank_image_bad_color_names_the_color(invoker):
    session = run(invoker, {"b": {"type": "blank_image", "color": "not-a-color"}})
    error = the_error(session, "b")
    assert error.error_type == "ValueError" and "'not-a-color'" in error.message


def test_noise_image_is_deterministic_per_seed(invoker):
    nodes = {
        "a": {"type": "img_noise", "width": 16, "height": 8, "seed": 3},
        "b": {"type": "img_noise", "width": 16, "height": 8, "seed": 3, "use_cache": False},
        "c": {"type": "img_noise", "width": 16, "height": 8, "seed": 4},
    }
    session = run_ok(invoker, nodes)
    a, b, c = (image_of(invoker, session, key) for key in "abc")
    assert (a.mode, a.size) == ("RGB", (16, 8))
    assert a.tobytes() == b.tobytes() == random.Random(3).randbytes(16 * 8 * 3)
    assert a.tobytes() != c.tobytes()
    assert len(set(a.tobytes())) > 100  # really noise, not a flat color


@pytest.mark.parametrize(
    "node, field",
    [
        ({"type": "img_resize", "width": 0}, "width"),
        ({"type": "img_resize", "height": 16385}, "height"),
        ({"type": "img_resize", "resample_mode": "cubic"}, "resample_mode"),
        ({"type": "img_crop", "width": -1}, "width"),
        ({"type": "img_blur", "radius": -0.5}, "radius"),
        ({"type": "img_blur", "blur_type": "motion"}, "blur_type"),
        ({"type": "blank_image", "height": 0}, "height"),
        ({"type": "blank_image", "mode": "CMYK"}, "mode"),
        ({"type": "img_noise", "width": 20000}, "width"),
    ],
)
def test_bad_field_values_are_rejected_when_the_graph_is_built(node, field):
    with pytest.raises(NodeValidationError) as caught:
        Graph.model_validate({"nodes": {"n": node}, "edges": []})
    assert (caught.value.node_id, caught.value.field) == ("n", field)


# ---- images: loading and saving ------------------------------------------------------------


def test_load_image_passes_the_stored_image_on_without_copying(invoker):
    field = stored(invoker, Image.new("RGB", (5, 4), (1, 2, 3)))
    before = invoker.services.images.list(per_page=100).total
    session = run_ok(invoker, {"load": {"type": "load_image", "image": field}})
    output = session.results["load"]
    assert output.image.image_name == field["image_name"]
    assert (output.width, output.height) == (5, 4)
    assert invoker.services.images.list(per_page=100).total == before


def test_load_image_of_a_missing_image_fails(invoker):
    session = run(invoker, {"load": {"type": "load_image", "image": {"image_name": "missing.png"}}})
    assert "missing.png" in the_error(session, "load").message


def test_load_image_without_an_image_fails_naming_the_field(invoker):
    session = run(invoker, {"load": {"type": "load_image"}})
    assert "image" in the_error(session, "load").message


def test_save_image_stores_a_copy_with_the_graph(invoker):
    field = stored(invoker, Image.new("RGB", (3, 3), (9, 8, 7)))
    session = run_ok(invoker, {"save": {"type": "save_image", "image": field}})
    name = session.results["save"].image.image_name
    assert name != field["image_name"]
    assert invoker.services.images.get(name).getpixel((2, 2)) == (9, 8, 7)
    record = invoker.services.images.get_record(name)
    assert record.node_id == "save" and record.session_id == session.id
    assert "save" in record.metadata["graph"]["nodes"]
    again = run_ok(invoker, {"save": {"type": "save_image", "image": field}})
    assert again.results["save"].image.image_name not in (name, field["image_name"])  # never served from the cache


# ---- images: transforming them -------------------------------------------------------------


def checkerboard() -> Image.Image:
    """2x2: red, green / blue, white."""
    image = Image.new("RGB", (2, 2))
    image.putpixel((0, 0), (255, 0, 0))
    image.putpixel((1, 0), (0, 255, 0))
    image.putpixel((0, 1), (0, 0, 255))
    image.putpixel((1, 1), (255, 255, 255))
    return image


def test_resize_nearest_scales_pixels_up(invoker):
    field = stored(invoker, checkerboard())
    session = run_ok(
        invoker, {"r": {"type": "img_resize", "image": field, "width": 4, "height": 6, "resample_mode": "nearest"}}
    )
    image = image_of(invoker, session, "r")
    assert image.size == (4, 6)
    assert [image.getpixel(xy) for xy in [(0, 0), (1, 2), (3, 0), (2, 2), (0, 3), (1, 5), (3, 3), (2, 5)]] == [
        (255, 0, 0), (255, 0, 0), (0, 255, 0), (0, 255, 0), (0, 0, 255), (0, 0, 255), (255, 255, 255), (255, 255, 255),
    ]  # fmt: skip


def test_resize_bicubic_by_default_blends_colors(invoker):
    field = stored(invoker, checkerboard())
    session = run_ok(invoker, {"r": {"type": "img_resize", "image": field, "width": 8, "height": 8}})
    image = image_of(invoker, session, "r")
    assert image.size == (8, 8)
    assert len(image.getcolors(64)) > 4  # interpolated in-between colors


def test_resize_a_linked_image(invoker):
    session = run_ok(
        invoker,
        {
            "blank": {"type": "blank_image", "width": 10, "height": 10, "color": "#123456"},
            "r": {"type": "img_resize", "width": 3, "height": 20, "resample_mode": "lanczos"},
        },
        [link("blank", "image", "r", "image")],
    )
    image = image_of(invoker, session, "r")
    assert image.size == (3, 20) and image.getpixel((1, 10)) == (0x12, 0x34, 0x56)


def test_crop_inside(invoker):
    field = stored(invoker, checkerboard())
    session = run_ok(invoker, {"c": {"type": "img_crop", "image": field, "x": 1, "y": 0, "width": 1, "height": 2}})
    image = image_of(invoker, session, "c")
    assert image.size == (1, 2)
    assert [image.getpixel((0, 0)), image.getpixel((0, 1))] == [(0, 255, 0), (255, 255, 255)]


def test_crop_beyond_the_edges_pads_with_zero(invoker):
    field = stored(invoker, Image.new("RGBA", (2, 2), (10, 20, 30, 255)))
    session = run_ok(invoker, {"c": {"type": "img_crop", "image": field, "x": -1, "y": -1, "width": 4, "height": 3}})
    image = image_of(invoker, session, "c")
    assert image.size == (4, 3)
    assert image.getpixel((0, 0)) == (0, 0, 0, 0)  # outside: transparent black
    assert image.getpixel((1, 1)) == (10, 20, 30, 255)
    assert image.getpixel((3, 2)) == (0, 0, 0, 0)


def test_paste_at_a_position(invoker):
    base = stored(invoker, Image.new("RGB", (4, 4), (0, 0, 0)))
    patch = stored(invoker, Image.new("RGB", (2, 2), (200, 100, 50)))
    session = run_ok(invoker, {"p": {"type": "img_paste", "base_image": base, "image": patch, "x": 3, "y": 1}})
    image = image_of(invoker, session, "p")
    assert image.size == (4, 4)
    assert image.getpixel((3, 1)) == image.getpixel((3, 2)) == (200, 100, 50)
    assert image.getpixel((2, 1)) == image.getpixel((3, 0)) == image.getpixel((3, 3)) == (0, 0, 0)
    assert invoker.services.images.get(base["image_name"]).getpixel((3, 1)) == (0, 0, 0)  # base left as it was


def test_paste_through_a_mask(invoker):
    base = stored(invoker, Image.new("RGB", (2, 1), (0, 0, 0)))
    patch = stored(invoker, Image.new("RGB", (2, 1), (200, 200, 200)))
    mask_image = Image.new("RGB", (2, 1), (255, 255, 255))
    mask_image.putpixel((1, 0), (128, 128, 128))  # an RGB mask: converted to grayscale
    mask = stored(invoker, mask_image)
    session = run_ok(invoker, {"p": {"type": "img_paste", "base_image": base, "image": patch, "mask": mask}})
    image = image_of(invoker, session, "p")
    assert image.getpixel((0, 0)) == (200, 200, 200)
    assert image.getpixel((1, 0)) == (100, 100, 100)  # half of the patch over black


def test_paste_mask_of_the_wrong_size_fails(invoker):
    base = stored(invoker, Image.new("RGB", (4, 4)))
    patch = stored(invoker, Image.new("RGB", (2, 2)))
    mask = stored(invoker, Image.new("L", (3, 3)))
    session = run(invoker, {"p": {"type": "img_paste", "base_image": base, "image": patch, "mask": mask}})
    assert "3x3" in the_error(session, "p").message


def half_black_half_white() -> Image.Image:
    image = Image.new("L", (20, 1), 0)
    image.paste(255, (10, 0, 20, 1))
    return image.convert("RGB")


@pytest.mark.parametrize("blur_type", ["gaussian", "box"])
def test_blur_softens_an_edge(invoker, blur_type):
    field = stored(invoker, half_black_half_white())
    session = run_ok(invoker, {"b": {"type": "img_blur", "image": field, "radius": 2, "blur_type": blur_type}})
    row = [image_of(invoker, session, "b").getpixel((x, 0))[0] for x in range(20)]
    assert row[0] == 0 and row[19] == 255  # far from the edge nothing changes
    assert 0 < row[9] < 128 < row[10] < 255  # next to it, grays
    assert row == sorted(row)


def test_blur_radius_zero_changes_nothing(invoker):
    original = checkerboard()
    session = run_ok(invoker, {"b": {"type": "img_blur", "image": stored(invoker, original), "radius": 0}})
    assert image_of(invoker, session, "b").tobytes() == original.tobytes()


def test_invert_rgb(invoker):
    session = run_ok(invoker, {"i": {"type": "img_invert", "image": stored(invoker, checkerboard())}})
    image = image_of(invoker, session, "i")
    assert image.mode == "RGB"
    assert [image.getpixel(xy) for xy in [(0, 0), (1, 0), (0, 1), (1, 1)]] == [
        (0, 255, 255), (255, 0, 255), (255, 255, 0), (0, 0, 0),
    ]  # fmt: skip


def test_invert_keeps_alpha(invoker):
    field = stored(invoker, Image.new("RGBA", (1, 1), (10, 20, 30, 40)))
    session = run_ok(invoker, {"i": {"type": "img_invert", "image": field}})
    image = image_of(invoker, session, "i")
    assert image.mode == "RGBA" and image.getpixel((0, 0)) == (245, 235, 225, 40)


def test_invert_palette_image(invoker):
    field = stored(invoker, Image.new("RGB", (1, 1), (0, 102, 255)).convert("P"))  # a web-palette color
    session = run_ok(invoker, {"i": {"type": "img_invert", "image": field}})
    assert image_of(invoker, session, "i").getpixel((0, 0)) == (255, 153, 0)


def test_grayscale(invoker):
    session = run_ok(invoker, {"g": {"type": "img_grayscale", "image": stored(invoker, checkerboard())}})
    image = image_of(invoker, session, "g")
    assert image.mode == "L"
    # ITU-R 601 luma: 0.299 R + 0.587 G + 0.114 B
    assert [image.getpixel(xy) for xy in [(0, 0), (1, 0), (0, 1), (1, 1)]] == [76, 150, 29, 255]


def test_grayscale_keeps_alpha(invoker):
    field = stored(invoker, Image.new("RGBA", (1, 1), (255, 0, 0, 99)))
    session = run_ok(invoker, {"g": {"type": "img_grayscale", "image": field}})
    image = image_of(invoker, session, "g")
    assert image.mode == "LA" and image.getpixel((0, 0)) == (76, 99)


def test_image_chain(invoker):
    """noise -> resize -> crop -> invert -> paste onto a blank image -> save."""
    session = run_ok(
        invoker,
        {
            "noise": {"type": "img_noise", "width": 8, "height": 8, "seed": 9},
            "big": {"type": "img_resize", "width": 16, "height": 16, "resample_mode": "nearest"},
            "crop": {"type": "img_crop", "x": 4, "y": 4, "width": 4, "height": 4},
            "invert": {"type": "img_invert"},
            "canvas": {"type": "blank_image", "width": 6, "height": 6, "color": "white"},
            "paste": {"type": "img_paste", "x": 1, "y": 1},
            "save": {"type": "save_image"},
        },
        [
            link("noise", "image", "big", "image"),
            link("big", "image", "crop", "image"),
            link("crop", "image", "invert", "image"),
            link("canvas", "image", "paste", "base_image"),
            link("invert", "image", "paste", "image"),
            link("paste", "image", "save", "image"),
        ],
    )
    noise = image_of(invoker, session, "noise")
    result = image_of(invoker, session, "save")
    assert result.size == (6, 6)
    assert result.getpixel((0, 0)) == result.getpixel((5, 5)) == (255, 255, 255)
    # result (1 + i, 1 + j) = inverted big (4 + i, 4 + j) = inverted noise ((4 + i) // 2, (4 + j) // 2)
    for i in range(4):
        for j in range(4):
            r, g, b = noise.getpixel(((4 + i) // 2, (4 + j) // 2))
            assert result.getpixel((1 + i, 1 + j)) == (255 - r, 255 - g, 255 - b)
