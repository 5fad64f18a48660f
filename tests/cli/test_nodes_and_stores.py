"""`invokeai nodes`, `nodes show`, and the stored sessions, queue and images."""

from __future__ import annotations

import json


def test_nodes_lists_every_type_grouped_by_plugin(invoke):
    result = invoke("nodes")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "builtin:"
    listed = {line.split()[0]: " ".join(line.split()[1:]) for line in lines[1:]}
    assert listed["add"] == "Adds two integers."
    assert listed["img_resize"] == "Resizes an image to a given width and height."
    assert len(listed) >= 25


def test_nodes_json(invoke):
    listing = json.loads(invoke("nodes", "--json").stdout)
    types = {node["type"] for node in listing["builtin"]}
    assert {"add", "iterate", "save_image"} <= types


def test_nodes_show(invoke):
    result = invoke("nodes", "show", "img_blur")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "img_blur: Blur Image (plugin builtin)"
    assert any(line.split()[:2] == ["radius", "FLOAT"] and line.endswith("(default 8.0; >= 0)") for line in lines)
    assert any(line.split()[:2] == ["blur_type", "[gaussian|box]"] for line in lines)
    assert any(line.split()[:2] == ["image", "IMAGE_NAME"] and "required unless linked" in line for line in lines)
    assert lines[lines.index("outputs:") + 1].split()[:2] == ["image", "IMAGE_NAME"]


def test_nodes_show_unknown_type(invoke):
    result = invoke("nodes", "show", "img_blr")
    assert result.exit_code == 2
    assert result.stderr == "error: unknown node type 'img_blr'; did you mean img_blur or img_crop?\n"


def test_sessions_list_and_show_after_runs(invoke):
    ran = json.loads(invoke("run", "--json", "add --a 1 --b 2 | integer").stdout)
    failed = invoke("run", "div --b 0")
    assert failed.exit_code == 1
    listing = json.loads(invoke("sessions", "list", "--json").stdout)
    assert listing["total"] == 2
    statuses = {row["id"]: row["status"] for row in listing["sessions"]}
    assert statuses[ran["session_id"]] == "completed"
    assert sorted(statuses.values()) == ["completed", "failed"]
    shown = invoke("sessions", "show", ran["session_id"])
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[:3] == [
        f"session {ran['session_id']}: completed, 2 nodes",
        "  0 add",
        '    0: {"value": 3}',
    ]
    plain = invoke("sessions", "list")
    assert ran["session_id"] in plain.stdout and "2 of 2 sessions" in plain.stderr
    assert invoke("sessions", "show", "nope").exit_code == 2


def test_queue_shows_counts_and_items(invoke, app):
    from invoke_core import Graph, Session

    session = Session(Graph.model_validate({"nodes": {"a": {"type": "add", "a": 1}}}))
    app.services.sessions.set(session)
    app.services.queue.enqueue(session)  # queued, not started: nothing runs it in this test
    shown = json.loads(invoke("queue", "--json").stdout)
    assert shown["counts"]["pending"] == 1
    assert shown["items"][0]["session_id"] == session.id
    plain = invoke("queue").stdout.splitlines()
    assert plain[0].startswith("pending: 1")
    assert session.id in plain[1]
    assert json.loads(invoke("queue", "--json", "--status", "completed").stdout)["items"] == []


def test_images_list(invoke):
    ran = json.loads(invoke("run", "--json", "blank_image --width 5 --height 7").stdout)
    listing = json.loads(invoke("images", "list", "--json").stdout)
    assert listing["total"] == 1
    image = listing["images"][0]
    assert (image["width"], image["height"], image["session_id"]) == (5, 7, ran["session_id"])
    assert image["location"] == image["image_name"]  # memory storage: no file, so the name
    assert json.loads(invoke("images", "list", "--json", "--session", "other").stdout)["total"] == 0


def test_images_list_all_shows_intermediates_and_prune_deletes_those_of_finished_sessions(invoke, app):
    from invoke_core import Invoker
    from PIL import Image

    ran = json.loads(invoke("run", "--json", "blank_image --width 5 --height 7").stdout)
    two_steps = {
        "nodes": {"a": {"type": "integer", "value": 1}, "b": {"type": "add", "b": 2}},
        "edges": [{"source": {"node_id": "a", "field": "value"}, "destination": {"node_id": "b", "field": "a"}}],
    }
    stepped = Invoker(app.services).run(two_steps, invoke_all=False)  # "b" has yet to run
    pixel = Image.new("RGB", (2, 2))
    finished = app.services.images.save(pixel, session_id=ran["session_id"], node_id="n", is_intermediate=True)
    needed = app.services.images.save(pixel, session_id=stepped.id, node_id="a", is_intermediate=True)

    assert json.loads(invoke("images", "list", "--json").stdout)["total"] == 1
    listing = json.loads(invoke("images", "list", "--json", "--all").stdout)
    assert listing["total"] == 3
    assert [(image["image_name"], image["is_intermediate"]) for image in listing["images"][:2]] == [
        (needed.image_name, True),
        (finished.image_name, True),
    ]
    plain = invoke("images", "list", "--all").stdout.splitlines()
    assert plain[0].startswith(needed.image_name) and plain[0].endswith("  intermediate")
    assert not plain[2].endswith("intermediate")

    pruned = invoke("images", "prune")
    assert (pruned.exit_code, pruned.stdout, pruned.stderr) == (0, "1\n", "deleted 1 intermediate images\n")
    left = json.loads(invoke("images", "list", "--json", "--all").stdout)["images"]
    assert [image["image_name"] for image in left][0] == needed.image_name and len(left) == 2
    assert invoke("images", "prune").stdout == "0\n"
