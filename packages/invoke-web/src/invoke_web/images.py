"""Image bytes for HTTP: PNG encoding, thumbnails (kept in a small cache) and upload checks.

The core's ImageStorage hands out PIL images; this module turns them into bytes and back.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from typing import Any

from invoke_web.errors import ApiError
from invoke_web.image_modes import PNG_MODES, storable


def png_bytes(image: Any) -> bytes:
    if image.mode not in PNG_MODES:
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # fast: size matters less than latency here
    return buffer.getvalue()


def thumbnail_bytes(image: Any, max_side: int) -> bytes:
    """A WebP no larger than max_side on either side."""
    small = image.convert("RGBA" if "A" in image.mode or image.mode == "P" else "RGB")
    small.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    small.save(buffer, format="WEBP", quality=80)
    return buffer.getvalue()


class ThumbnailCache:
    """The most recently used thumbnails, by image name; images never change under a name."""

    def __init__(self, capacity: int = 512):
        self.capacity = capacity
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, image_name: str) -> bytes | None:
        with self._lock:
            found = self._entries.get(image_name)
            if found is not None:
                self._entries.move_to_end(image_name)
            return found

    def put(self, image_name: str, data: bytes) -> None:
        with self._lock:
            self._entries[image_name] = data
            self._entries.move_to_end(image_name)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def discard(self, image_name: str) -> None:
        with self._lock:
            self._entries.pop(image_name, None)


def decode_upload(data: bytes, *, max_pixels: int, filename: str | None) -> Any:
    """The uploaded bytes as a loaded PIL image in a mode PNG stores; 413 when too big, 415 when not an image."""
    from PIL import Image, UnidentifiedImageError

    where = f"upload {filename!r}" if filename else "the upload"
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError:  # Pillow's own ceiling, far above ours: too large, not "not an image"
        raise ApiError(
            413, f"{where} has more than {max_pixels} pixels", error="ImageTooLargeError", field="file"
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ApiError(415, f"{where} is not an image Pillow can read", error="NotAnImageError", field="file") from None
    pixels = image.width * image.height
    if pixels > max_pixels or pixels <= 0:
        raise ApiError(
            413,
            f"{where} is {image.width}x{image.height} pixels; at most {max_pixels} pixels are accepted",
            error="ImageTooLargeError",
            field="file",
        )
    try:
        image.load()
    except Exception as exc:  # truncated or corrupt data surfaces only when decoding
        raise ApiError(415, f"{where} could not be decoded: {exc}", error="NotAnImageError", field="file") from None
    return storable(image, where)
