"""`invokeai run` and `invokeai graph`: pipelines, auto-linking, explicit links, values, errors."""

from __future__ import annotations

import json

import pytest


def outputs_by_node(result) -> dict[str, dict]:
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    return {node["id"]: node for node in report["nodes"]}


def test_image_pipeline_auto_links_image_and_size_across_node_types(invoke, app):
    result = invoke(
        "run",
        "--json",
        "img_noise --width 64 --height 32 --seed 3 | img_blur --radius 2 | img_resize --width 16 | save_image",
    )
    nodes = outputs_by_node(result)
    assert [nodes[i]["type"] for i in "0123"] == ["img_noise", "img_blur", "img_resize", "save_image"]
    # the blur got the noise image; the resize kept the linked height and took the given width
    assert (nodes["1"]["outputs"]["width"], nodes["1"]["outputs"]["height"]) == (64, 32)
    assert (nodes["2"]["outputs"]["width"], nodes["2"]["outputs"]["height"]) == (16, 32)
    saved = nodes["3"]["outputs"]["image"]["image_name"]
    assert app.services.images.get(saved).size == (16, 32)
    session = app.services.sessions.get(json.loads(result.stdout)["session_id"])
    links = {
        (e.source.node_id, e.source.field, e.destination.node_id, e.destination.field) for e in session.graph.edges
    }
    assert ("0", "image", "1", "image") in links and ("1", "height", "2", "height") in links
    assert ("1", "width", "2", "width") not in links  # --width was given, so it is not linked
    images = json.loads(result.stdout)["images"]
    assert {image["image_name"] for image in images} >= {saved}


def test_plain_output_prints_each_node_and_image(invoke):
    result = invoke("run", "-q", "blank_image --width 8 --height 4 --color red | img_invert")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("0 blank_image: image=") and lines[0].endswith("width=8 height=4")
    assert lines[1].startswith("1 img_invert: image=")
    # blank_image's image only feeds img_invert: intermediate, so only the final image is shown
    assert [line.split(":")[0] for line in lines if line.startswith("image ")] == ["image 1"]
    assert "timings" not in result.stderr  # --quiet


def test_the_readme_pipeline_leaves_one_gallery_image(invoke, app):
    result = invoke("run", "-q", "img_noise --width 16 --height 16 --seed 1 | img_blur --radius 1 | save_image")
    assert result.exit_code == 0, result.output
    gallery = app.services.images.list()
    everything = app.services.images.list(include_intermediates=True)
    assert [record.node_id for record in gallery.items] == ["2"]
    assert sorted(record.node_id for record in everything.items) == ["0", "1", "2"]
    assert all(record.is_intermediate for record in everything.items if record.node_id != "2")


def test_timing_summary_on_stderr(invoke):
    result = invoke("run", "add --a 1 --b 2 | integer")
    assert result.exit_code == 0
    assert "timings:" in result.stderr and "0 add" in result.stderr and "total" in result.stderr


def test_explicit_links_with_relative_indexes_and_ids(invoke):
    result = invoke(
        "run",
        "--json",
        "add --a 2 --b 3 | mul --a 4 --link b -1 value | sub -l a -1 value -l b -2 value | add --id last -l a 0 value -l b 2 value",
    )
    nodes = outputs_by_node(result)
    assert nodes["0"]["outputs"]["value"] == 5
    assert nodes["1"]["outputs"]["value"] == 20
    assert nodes["2"]["outputs"]["value"] == 15
    assert nodes["last"]["outputs"]["value"] == 20


def test_pipeline_as_separate_words(invoke):
    result = invoke("run", "--json", "string", "--value", "a cat", "|", "string_replace", "--search_string", "cat")
    nodes = outputs_by_node(result)
    # `string` outputs `value`, string_replace has no `value` input: nothing is auto-linked
    assert nodes["1"]["outputs"]["value"] == ""


def test_iterate_and_collect_in_a_pipeline(invoke):
    result = invoke("run", "--json", "range --stop 3 | iterate | mul --b 10 -l a -1 item | collect -l item -1 value")
    nodes = outputs_by_node(result)
    assert nodes["3"]["outputs"]["collection"] == [0, 10, 20]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("--use_regex --search_string . --replace_string x", "xxx"),
        ("--use_regex false --search_string . --replace_string x", "axb"),
        ("--use-regex yes --search-string [.] --replace-string x", "axb"),
    ],
)
def test_boolean_options_and_dashed_aliases(invoke, options, expected):
    nodes = outputs_by_node(invoke("run", "--json", f"string_replace --string a.b {options}"))
    assert nodes["0"]["outputs"]["value"] == expected


def test_images_by_name_and_choices(invoke, app):
    first = outputs_by_node(invoke("run", "--json", "blank_image --width 6 --height 6 --mode RGBA"))
    name = first["0"]["outputs"]["image"]["image_name"]
    nodes = outputs_by_node(
        invoke("run", "--json", f"load_image --image {name} | img_resize --width 3 --resample_mode nearest")
    )
    assert nodes["0"]["outputs"]["image"]["image_name"] == name
    assert (nodes["1"]["outputs"]["width"], nodes["1"]["outputs"]["height"]) == (3, 6)
    assert app.services.images.get(nodes["1"]["outputs"]["image"]["image_name"]).mode == "RGBA"


def test_graph_command_prints_what_run_graph_runs(invoke, tmp_path):
    printed = invoke("graph", "add --a 20 --b 1 | mul --b 2 -l a -1 value")
    assert printed.exit_code == 0, printed.output
    graph = json.loads(printed.stdout)
    assert graph["nodes"]["0"]["a"] == 20 and graph["nodes"]["1"]["type"] == "mul"
    assert graph["edges"] == [
        {"source": {"node_id": "0", "field": "value"}, "destination": {"node_id": "1", "field": "a"}}
    ]
    path = tmp_path / "graph.json"
    path.write_text(printed.stdout)
    nodes = outputs_by_node(invoke("run", "--json", "--graph", str(path)))
    assert nodes["1"]["outputs"]["value"] == 42


def test_graph_output_file(invoke, tmp_path):
    path = tmp_path / "out.json"
    assert invoke("graph", "-o", str(path), "integer --value 3").exit_code == 0
    assert json.loads(path.read_text())["nodes"]["0"]["value"] == 3


def test_node_help_lists_generated_options(invoke):
    result = invoke("run", "img_resize --help")
    assert result.exit_code == 0
    flowing = " ".join(result.stdout.split())  # help text is wrapped to the terminal's width
    for text in (
        "--width INTEGER The width of the result in pixels [default: 512; > 0, <= 16384]",
        "--resample_mode, --resample-mode [nearest|box|bilinear|hamming|bicubic|lanczos]",
        "--image IMAGE_NAME The image to resize [required unless linked]",
        "-l, --link DEST_FIELD SOURCE_NODE SOURCE_FIELD",
        "Outputs: image: IMAGE_NAME, width: INTEGER, height: INTEGER.",
    ):
        assert text in flowing


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [
        ("ad --a 1", "command 1: unknown node type 'ad'; did you mean add?"),
        ("add | mul --c 1", "command 2 (mul): No such option '--c'"),
        ("add --a x", "command 1 (add), node '0': --a: Input should be a valid integer"),
        ("img_noise --width 0", "command 1 (img_noise), node '0': --width: Input should be greater than 0 (got '0')"),
        ("img_blur --blur_type median", "--blur_type: Input should be 'gaussian' or 'box' (got 'median')"),
        ("string --value hi | mul -l a -1 value", "command 2 (mul): cannot link 0.value to a:"),
        ("add | mul -l a -3 value", "command 2 (mul): --link source -3: there is no command 3 back"),
        ("add -l a nowhere value", "command 1 (add): --link source node 'nowhere' does not exist"),
        ("add | mul -l a -1 nothing", "command 2 (mul): cannot link 0.nothing to a:"),
        ("add --a", "command 1 (add): Option '--a' requires an argument"),
        ("add | | mul", "command 2 of the pipeline is empty"),
        ("add --id x | mul --id x", "command 2 (mul): node id 'x' is already used"),
        ("range --stop '[1'", "--stop: Input should be a valid integer"),
        ("string 'unclosed", "cannot read the command line"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(invoke, pipeline, message):
    result = invoke("run", pipeline)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_graph_files(invoke, tmp_path):
    missing = invoke("run", "--graph", str(tmp_path / "missing.json"))
    assert missing.exit_code == 2 and "cannot read graph file" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = invoke("run", "--graph", str(broken))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"nodes": {"n": {"type": "nope"}}, "edges": []}))
    result = invoke("run", "--graph", str(unknown))
    assert result.exit_code == 2 and "node 'n': unknown node type 'nope'" in result.stderr


def test_run_needs_something_to_run(invoke, tmp_path):
    assert invoke("run").exit_code == 2
    both = invoke("run", "--graph", str(tmp_path / "g.json"), "add")
    assert both.exit_code == 2 and "not both" in both.stderr


def test_failing_node_names_itself_and_exits_1(invoke):
    result = invoke("run", "add --a 1 | div --a 1 --b 0")
    assert result.exit_code == 1
    assert "0 add: value=1" in result.stdout
    assert "error: node '1' (div) failed: ZeroDivisionError: cannot divide 1 by zero" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(invoke):
    result = invoke("--debug", "run", "add --a x")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr and result.stderr.rstrip().endswith(
        "Input should be a valid integer, unable to parse string as an integer (got 'x')"
    )
