"""Images as PNG files under `<root>/images/`, records in SQLite, thumbnails beside them.

The session's graph and the node's parameters travel inside each PNG (text chunks
`invokeai_graph` and `invokeai_metadata`), so an image alone is enough to redo it. A file is
written atomically before its record is committed, so every record names a whole file; a
crash can at worst leave a file without a record, which nothing lists.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from invoke_core import InvokeConfig
from invoke_core.errors import CorruptDataError, ImageNotFoundError
from invoke_core.services.image_storage import THUMBNAIL_SIZE, ImageRecord, ImageStorage, new_image_name
from invoke_core.services.page import Page, check_paging

from invoke_services_local.database import UsesDatabase
from invoke_services_local.files import remove_stale_temp_files, write_atomically

logger = logging.getLogger("invoke.services_local")

IMAGES_FOLDER = "images"
THUMBNAILS_FOLDER = "thumbnails"
GRAPH_CHUNK = "invokeai_graph"
METADATA_CHUNK = "invokeai_metadata"
# names are generated here, never taken from outside: anything else is simply not found
_IMAGE_NAME = re.compile(r"[0-9a-f]{32}\.png")
_COLUMNS = "image_name, width, height, session_id, node_id, is_intermediate, created_at, metadata"
_IN_CHUNK = 500  # session ids per `IN (...)`: well under SQLite's limit on parameters


def _record(row: tuple) -> ImageRecord:
    try:
        metadata = json.loads(row[7])
    except ValueError as exc:
        raise CorruptDataError(f"image {row[0]!r}: its stored metadata cannot be read: {exc}") from None
    return ImageRecord.model_construct(
        image_name=row[0],
        width=row[1],
        height=row[2],
        session_id=row[3],
        node_id=row[4],
        is_intermediate=bool(row[5]),
        created_at=row[6],
        metadata=metadata,
    )


def png_text_chunks(metadata: dict[str, Any]) -> dict[str, str]:
    """The PNG text chunks for an image's metadata: the graph on its own, the rest together."""
    chunks = {}
    if metadata.get("graph") is not None:
        chunks[GRAPH_CHUNK] = json.dumps(metadata["graph"], separators=(",", ":"))
    rest = {key: value for key, value in metadata.items() if key != "graph"}
    if rest:
        chunks[METADATA_CHUNK] = json.dumps(rest, separators=(",", ":"))
    return chunks


class DiskImageStorage(UsesDatabase, ImageStorage):
    def __init__(self, config: InvokeConfig):
        self.folder = Path(config.root) / IMAGES_FOLDER
        self.thumbnails = self.folder / THUMBNAILS_FOLDER
        self.thumbnails.mkdir(parents=True, exist_ok=True)
        self.compress_level = int(config.extra("png_compress_level", 1))  # 1: fast, a little larger
        remove_stale_temp_files(self.folder)
        remove_stale_temp_files(self.thumbnails)
        self._use_database(config.root)

    # ---- names and paths -----------------------------------------------------------------

    def _file(self, image_name: str) -> Path:
        if not isinstance(image_name, str) or not _IMAGE_NAME.fullmatch(image_name):
            raise ImageNotFoundError(f"no image named {image_name!r}")
        return self.folder / image_name

    def _thumbnail_file(self, image_name: str) -> Path:
        return self.thumbnails / f"{image_name[: -len('.png')]}.webp"

    # ---- writing -------------------------------------------------------------------------

    def save(self, image, *, session_id=None, node_id=None, is_intermediate=False, metadata=None) -> ImageRecord:
        from PIL.PngImagePlugin import PngInfo

        metadata = metadata or {}
        info = PngInfo()
        for key, text in png_text_chunks(metadata).items():
            info.add_text(key, text, zip=True)
        name = new_image_name()
        record = ImageRecord.model_construct(
            image_name=name,
            width=image.width,
            height=image.height,
            session_id=session_id,
            node_id=node_id,
            is_intermediate=is_intermediate,
            created_at=time.time(),
            metadata=metadata,
        )
        write_atomically(
            self._file(name),
            lambda handle: image.save(handle, format="PNG", pnginfo=info, compress_level=self.compress_level),
        )
        with self.db.write() as db:
            db.execute(
                f"INSERT INTO images ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    record.width,
                    record.height,
                    session_id,
                    node_id,
                    int(is_intermediate),
                    record.created_at,
                    json.dumps(metadata, separators=(",", ":")),
                ),
            )
        return record

    def delete(self, image_name: str) -> None:
        self._file(image_name)  # a name this storage never makes is simply not found
        with self.db.write() as db:
            if db.execute("DELETE FROM images WHERE image_name = ?", (image_name,)).rowcount == 0:
                raise ImageNotFoundError(f"no image named {image_name!r}")
        # the record goes first: a crash here leaves an unlisted file, never a record without one
        self._remove_files(image_name)

    def _remove_files(self, image_name: str) -> None:
        self._file(image_name).unlink(missing_ok=True)
        self._thumbnail_file(image_name).unlink(missing_ok=True)

    def delete_intermediates(self, in_use: Callable[[str], bool]) -> int:
        owners = [row[0] for row in self.db.read("SELECT DISTINCT session_id FROM images WHERE is_intermediate = 1")]
        done = [session_id for session_id in owners if session_id is not None and not in_use(session_id)]
        names: list[str] = []
        with self.db.write() as db:
            if None in owners:
                names += self._take_intermediates(db, "session_id IS NULL", ())
            for start in range(0, len(done), _IN_CHUNK):
                chunk = done[start : start + _IN_CHUNK]
                names += self._take_intermediates(db, f"session_id IN ({', '.join('?' * len(chunk))})", chunk)
        # the records go first, as in delete(): a crash here leaves unlisted files, never a record without one
        for name in names:
            try:
                self._remove_files(name)
            except ImageNotFoundError:  # a stored name this storage never makes: no file can match it
                logger.warning("intermediate %r had a malformed name; its record is gone", name)
        return len(names)

    @staticmethod
    def _take_intermediates(db, where: str, parameters) -> list[str]:
        """Delete the intermediate records matching `where`; returns their names."""
        condition = f"is_intermediate = 1 AND {where}"
        names = [row[0] for row in db.execute(f"SELECT image_name FROM images WHERE {condition}", parameters)]
        db.execute(f"DELETE FROM images WHERE {condition}", parameters)
        return names

    # ---- reading -------------------------------------------------------------------------

    def get_record(self, image_name: str) -> ImageRecord:
        self._file(image_name)
        row = self.db.read_one(f"SELECT {_COLUMNS} FROM images WHERE image_name = ?", (image_name,))
        if row is None:
            raise ImageNotFoundError(f"no image named {image_name!r}")
        return _record(row)

    def path(self, image_name: str) -> Path:
        self.get_record(image_name)
        path = self._file(image_name)
        if not path.is_file():
            raise ImageNotFoundError(f"image {image_name!r} has a record but its file {path.name} is missing")
        return path

    def get(self, image_name: str) -> Any:
        return self._open(self.path(image_name), image_name)

    @staticmethod
    def _open(path: Path, image_name: str) -> Any:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as image:
                image.load()
                return image
        except FileNotFoundError:
            raise ImageNotFoundError(f"image {image_name!r}: its file is missing") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise CorruptDataError(f"image {image_name!r}: its file cannot be read: {exc}") from None

    def thumbnail_path(self, image_name: str) -> Path:
        """The WebP thumbnail's file (longest side 256), made on first request and kept."""
        source = self.path(image_name)
        target = self._thumbnail_file(image_name)
        if not target.is_file():
            image = self._open(source, image_name)
            image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            write_atomically(target, lambda handle: image.save(handle, format="WEBP", quality=80))
        return target

    def thumbnail(self, image_name: str, max_size: int = THUMBNAIL_SIZE) -> Any:
        if max_size != THUMBNAIL_SIZE:
            return super().thumbnail(image_name, max_size)
        return self._open(self.thumbnail_path(image_name), image_name)

    def list(self, *, page=0, per_page=20, session_id=None, include_intermediates=False) -> Page[ImageRecord]:
        check_paging(page, per_page)
        conditions, parameters = [], ()
        if session_id is not None:
            conditions, parameters = ["session_id = ?"], (session_id,)
        if not include_intermediates:
            conditions.append("is_intermediate = 0")  # as written in the images_gallery index, so it is used
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        total = self.db.read_one(f"SELECT COUNT(*) FROM images {where}", parameters)[0]
        rows = self.db.read(
            f"SELECT {_COLUMNS} FROM images {where} ORDER BY created_at DESC, image_name LIMIT ? OFFSET ?",
            (*parameters, per_page, page * per_page),
        )
        records = []
        for row in rows:
            try:
                records.append(_record(row))
            except CorruptDataError as exc:  # one bad row must not hide the others
                logger.warning("%s (left out of the listing)", exc)
        return Page[ImageRecord].model_construct(items=records, page=page, per_page=per_page, total=total)
