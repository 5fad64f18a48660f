"""Image files a user brings: `invokeai images add FILE...` and `--image photo.png` in a run.

The value of an image input is a stored image's name or a path to an image file. A stored
name wins, so a graph that names images of earlier runs means the same whatever files lie in
the current directory; a value that is no stored name but an existing file is read, stored,
and replaced by its new name. Every file is read before any is stored: a bad one stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from invoke_cli.errors import CliError

# Modes PNG keeps as they are; others (CMYK, YCbCr, ...) are converted first.
_PNG_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}


class ImageStore(Protocol):
    """Where images go: the local image storage, or a server (see remote.py)."""

    def has(self, image_name: str) -> bool: ...

    def add(self, path: Path, image: Any) -> str:
        """Store the image read from `path`; its new name."""
        ...


class LocalImageStore:
    def __init__(self, images: Any):  # an ImageStorage
        self.images = images

    def has(self, image_name: str) -> bool:
        from invoke_core import ImageNotFoundError

        try:
            self.images.get_record(image_name)
        except ImageNotFoundError:
            return False
        return True

    def add(self, path: Path, image: Any) -> str:
        return self.images.save(image, metadata={"imported_from": path.name}).image_name


def read_image_file(path: Path) -> Any:
    """The file as a loaded PIL image; CliError naming the file when it is none."""
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise CliError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    try:
        with Image.open(path) as opened:
            opened.load()
            image = (
                opened.copy() if opened.mode in _PNG_MODES else opened.convert("RGBA" if "A" in opened.mode else "RGB")
            )
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise CliError(f"{path}: not an image Pillow can read") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CliError(f"{path}: not an image Pillow can read: {exc}") from None
    return image


def add_image_files(store: ImageStore, paths: Sequence[Path]) -> list[str]:
    """Store every file, in order; their new names. Nothing is stored if any file is bad."""
    images = [read_image_file(path) for path in paths]
    return [store.add(path, image) for path, image in zip(paths, images, strict=True)]


def _given_images(graph: Any) -> Iterator[tuple[str, str, Any]]:
    """(node id, field, value) for every image a node was given as a value, on an input no link
    fills (a link wins at run time, so a value there, a shell default say, is never read)."""
    from invoke_core import ImageField

    for node_id, node in graph.nodes.items():
        for field in node.model_fields_set:
            if graph.input_edges(node_id, field):
                continue
            value = getattr(node, field, None)
            if isinstance(value, ImageField) or (
                isinstance(value, list) and value and all(isinstance(item, ImageField) for item in value)
            ):
                yield node_id, field, value


def import_image_paths(graph: Any, store: ImageStore) -> None:
    """Replace image values that are paths to files with the names the files get once stored.

    A value that is neither a stored image nor a file is an input error naming node and field.
    """
    from invoke_core import ImageField

    found: dict[str, tuple[Path, Any]] = {}  # value -> (path, image); one file given twice is stored once
    replace: list[tuple[str, str, Any]] = []
    for node_id, field, value in _given_images(graph):
        names = [item.image_name for item in value] if isinstance(value, list) else [value.image_name]
        for name in names:
            if name in found or store.has(name):
                continue
            path = Path(name).expanduser()
            if not path.exists():
                node = graph.nodes[node_id]
                raise CliError(
                    f"node {node_id!r} ({node.type}): input {field!r}: no stored image and no file named {name!r}"
                )
            try:
                found[name] = (path, read_image_file(path))
            except CliError as exc:
                node = graph.nodes[node_id]
                raise CliError(f"node {node_id!r} ({node.type}): input {field!r}: {exc}") from None
        replace.append((node_id, field, value))
    if not found:
        return
    stored = {name: store.add(path, image) for name, (path, image) in found.items()}

    def renamed(item: Any) -> Any:
        return ImageField(image_name=stored[item.image_name]) if item.image_name in stored else item

    for node_id, field, value in replace:
        new_value = [renamed(item) for item in value] if isinstance(value, list) else renamed(value)
        if new_value != value:
            # nodes are shared between graph copies and never change once added: swap in a new one
            graph.nodes[node_id] = graph.nodes[node_id].model_copy(update={field: new_value})
