"""Bringing your own images: `invokeai images add FILE...` and image inputs given a file path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from invoke_cli.shell_session import Shell
from PIL import Image


@pytest.fixture
def photos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder, made the current directory, with two pictures and a file that is no image."""
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(folder / "red.png")
    Image.new("CMYK", (16, 8), (0, 255, 0, 0)).save(folder / "magenta.jpg")
    (folder / "notes.png").write_text("not an image")
    monkeypatch.chdir(folder)
    return folder


def stored_names(app) -> list[str]:
    return [record.image_name for record in app.services.images.list(per_page=100).items]


def test_images_add_stores_each_file_and_prints_its_name_in_order(invoke, app, photos):
    result = invoke("images", "add", "red.png", str(photos / "magenta.jpg"))
    assert result.exit_code == 0, result.output
    red, magenta = result.stdout.splitlines()
    assert sorted(stored_names(app)) == sorted([red, magenta])
    assert app.services.images.get(red).getpixel((0, 0)) == (200, 10, 10)
    assert app.services.images.get(magenta).size == (16, 8)  # CMYK is converted so PNG can keep it
    assert app.services.images.get_record(red).metadata == {"imported_from": "red.png"}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (["red.png", "notes.png"], "error: notes.png: not an image Pillow can read\n"),
        (["red.png", "missing.png"], "error: missing.png: no such file\n"),
        (["red.png", "."], "error: .: not a file\n"),
    ],
)
def test_images_add_with_a_bad_file_stores_nothing(invoke, app, photos, files, message):
    result = invoke("images", "add", *files)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message
    assert stored_names(app) == []


def test_a_path_given_to_an_image_input_is_stored_and_used(invoke, app, photos):
    result = invoke("run", "--json", "load_image --image red.png | img_invert")
    assert result.exit_code == 0, result.output
    nodes = {node["id"]: node for node in json.loads(result.stdout)["nodes"]}
    name = nodes["0"]["outputs"]["image"]["image_name"]
    assert name != "red.png" and name in stored_names(app)
    assert app.services.images.get(name).getpixel((0, 0)) == (200, 10, 10)
    inverted = app.services.images.get(nodes["1"]["outputs"]["image"]["image_name"])
    assert inverted.getpixel((0, 0)) == (55, 245, 245)
    session = app.services.sessions.get(json.loads(result.stdout)["session_id"])
    assert session.graph.nodes["0"].image.image_name == name  # the session records the stored name


def test_one_file_given_twice_is_stored_once(invoke, app, photos):
    result = invoke("run", "--json", "load_image --image red.png | img_paste --base_image red.png")
    assert result.exit_code == 0, result.output
    assert len(stored_names(app)) == 2  # the file, and the paste's result


def test_a_stored_name_wins_over_a_file_of_the_same_name(invoke, app, photos):
    (name,) = invoke("images", "add", "red.png").stdout.split()
    Image.new("RGB", (5, 5), (0, 0, 255)).save(photos / name)  # a file that happens to share the name
    result = invoke("run", "--json", f"load_image --image {name}")
    assert result.exit_code == 0, result.output
    (node,) = json.loads(result.stdout)["nodes"]
    assert node["outputs"] == {"image": {"image_name": name}, "width": 40, "height": 30}
    assert stored_names(app) == [name]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "nowhere.png",
            "error: node '1' (img_paste): input 'base_image': no stored image and no file named 'nowhere.png'\n",
        ),
        ("notes.png", "error: node '1' (img_paste): input 'base_image': notes.png: not an image Pillow can read\n"),
    ],
)
def test_an_image_value_that_is_neither_stored_nor_a_file_is_an_input_error(invoke, app, photos, value, message):
    result = invoke("run", f"load_image --image red.png | img_paste --base_image {value}")
    assert result.exit_code == 2, result.output
    assert result.stderr == message
    assert stored_names(app) == []  # red.png was read but not stored: the line has a mistake
    assert app.services.sessions.list().total == 0


def test_graph_files_may_name_image_files(invoke, app, photos, tmp_path):
    graph = tmp_path / "graph.json"
    graph.write_text(json.dumps({"nodes": {"photo": {"type": "load_image", "image": {"image_name": "red.png"}}}}))
    result = invoke("run", "--json", "--graph", str(graph))
    assert result.exit_code == 0, result.output
    (node,) = json.loads(result.stdout)["nodes"]
    assert node["outputs"]["width"] == 40 and node["outputs"]["image"]["image_name"] in stored_names(app)


def test_the_shell_takes_image_paths_too(app, photos, capsys):
    shell = Shell(app, quiet=True)
    shell.handle("load_image --image red.png")
    shell.handle("load_image --image nowhere.png")
    out, err = capsys.readouterr()
    assert out.startswith("0 load_image: image=") and out.rstrip().endswith("width=40 height=30")
    assert err == "error: node '1' (load_image): input 'image': no stored image and no file named 'nowhere.png'\n"
    assert list(shell.session.graph.nodes) == ["0"]  # the line with a mistake added nothing


def test_a_linked_image_input_ignores_an_image_default(app, photos, capsys):
    # The link fills `image` at run time, so the shell default there is never read or checked.
    shell = Shell(app, quiet=True)
    shell.handle("default image nowhere.png")
    shell.handle("img_noise --width 8 --height 8 | img_blur --radius 1")
    out, err = capsys.readouterr()
    assert err == ""
    assert "1 img_blur: image=" in out
    shell.handle("load_image")  # not linked: the default is read, and it names no image
    assert capsys.readouterr().err.startswith("error: node '2' (load_image): input 'image': no stored image")
