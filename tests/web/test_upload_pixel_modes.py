"""Uploads in pixel modes PNG cannot store are converted, keeping what they show, or refused with a 415."""

from __future__ import annotations

import io

import pytest
from PIL import Image


def encoded(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def stored_pixel(client, data: bytes, name: str):
    answer = client.post("/api/v1/images/upload", files={"file": (name, data, "application/octet-stream")})
    assert answer.status_code == 201, answer.text
    image_name = answer.json()["image_name"]
    assert client.get(f"/api/v1/images/{image_name}/thumbnail").status_code == 200
    full = Image.open(io.BytesIO(client.get(f"/api/v1/images/{image_name}/full").content))
    return full.mode, full.getpixel((2, 2))


def close_to(pixel, expected, tolerance: int) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


RED = (255, 0, 0)


@pytest.mark.parametrize(
    "image, image_format, tolerance",
    [
        (Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG", 4),
        (Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "TIFF", 0),
        (Image.new("YCbCr", (8, 8), (76, 85, 255)), "TIFF", 2),
        (Image.new("LAB", (8, 8), (136, 208, 195)), "TIFF", 12),  # L 53, a 80, b 67: red
    ],
    ids=["cmyk-jpeg", "cmyk-tiff", "ycbcr-tiff", "lab-tiff"],
)
def test_colour_in_other_spaces_becomes_the_same_rgb(client, image, image_format, tolerance):
    mode, pixel = stored_pixel(client, encoded(image, image_format), f"red.{image_format.lower()}")
    assert mode == "RGB"
    assert close_to(pixel, RED, tolerance), pixel


@pytest.mark.parametrize(
    "image, image_format, expected",
    [
        (Image.new("F", (8, 8), 0.5), "TIFF", ("L", 127)),  # floats from 0 to 1: 0 black, 1 white
        (Image.new("F", (8, 8), 0.25), "SPIDER", ("L", 63)),
        (Image.new("F", (8, 8), 200.0), "TIFF", ("L", 200)),
        (Image.new("I", (8, 8), 100), "TIFF", ("L", 100)),
        (Image.new("I", (8, 8), 1000), "TIFF", ("I;16", 1000)),  # kept: 16-bit grey is stored as is
    ],
    ids=["float-tiff", "spider", "float-tiff-8bit", "int-tiff-8bit", "int-tiff-16bit"],
)
def test_numeric_pixels_that_fit_are_kept(client, image, image_format, expected):
    mode, pixel = stored_pixel(client, encoded(image, image_format), f"grey.{image_format.lower()}")
    assert (mode, pixel) in (expected, (expected[0], expected[1] + 1))  # rounding either way


@pytest.mark.parametrize(
    "image, image_format, pixel_range",
    [
        (Image.new("I", (8, 8), 70000), "TIFF", "from 70000 to 70000"),
        (Image.new("F", (8, 8), -3.5), "SPIDER", "from -3.5 to -3.5"),
    ],
    ids=["int-over-16-bits", "negative-floats"],
)
def test_numbers_that_do_not_fit_are_refused(client, image, image_format, pixel_range):
    answer = client.post(
        "/api/v1/images/upload", files={"file": ("data.bin", encoded(image, image_format), "application/octet-stream")}
    )
    assert answer.status_code == 415
    body = answer.json()
    assert (body["error"], body["field"]) == ("UnsupportedImageModeError", "file")
    assert body["message"] == (
        f"upload 'data.bin' has {image.mode!r} pixels {pixel_range}; only values that fit 8 or 16 bits "
        "(or floats from 0 to 1) can be stored"
    )
    assert client.get("/api/v1/images").json()["total"] == 0
