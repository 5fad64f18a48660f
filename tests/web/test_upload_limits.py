"""The documented 413s: an image with too many pixels, and a body over the limit however it is sent."""

from __future__ import annotations

import struct
import zlib

from tests.web.helpers import live_server


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def black_png(width: int, height: int) -> bytes:
    """A real, complete 1-bit PNG (small on disk however many pixels it has)."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the packed pixels
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def test_a_20000_by_20000_png_is_413(server, client):
    huge = black_png(20000, 20000)
    assert len(huge) < 1024 * 1024  # well under the byte limit: only its pixels are too many
    answer = client.post("/api/v1/images/upload", files={"file": ("huge.png", huge, "image/png")})
    assert answer.status_code == 413
    assert answer.json() == {
        "error": "ImageTooLargeError",
        "message": "upload 'huge.png' has more than 67108864 pixels",
        "node_id": None,
        "field": "file",
    }
    assert client.get("/api/v1/images").json()["total"] == 0


def chunks(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def multipart_file(total: int):
    """A well-formed multipart upload of `total` bytes, streamed in chunks."""
    yield b'--xyz\r\ncontent-disposition: form-data; name="file"; filename="big.png"\r\ncontent-type: image/png\r\n\r\n'
    yield from chunks(total)
    yield b"\r\n--xyz--\r\n"


def test_a_chunked_body_over_the_limit_is_413(tmp_path):
    with live_server(tmp_path, max_upload_bytes=20_000) as server, server.client() as client:
        limit = 20_000 + 1024 * 1024
        for path, body, content_type in [
            ("/api/v1/images/upload", multipart_file(2 * limit), "multipart/form-data; boundary=xyz"),
            ("/api/v1/sessions", chunks(2 * limit), "application/json"),
        ]:
            answer = client.post(path, content=body, headers={"content-type": content_type})
            assert answer.request.headers["transfer-encoding"] == "chunked"
            assert answer.status_code == 413, (path, answer.text)
            assert answer.json()["error"] == "RequestTooLargeError"
            assert answer.json()["message"] == f"the request body is over {limit} bytes"
        assert client.get("/api/v1/images").json()["total"] == 0
        assert client.get("/api/v1/sessions").json()["total"] == 0
