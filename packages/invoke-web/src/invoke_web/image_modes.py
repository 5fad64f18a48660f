"""Uploads in pixel modes PNG cannot store become modes it can, or a 415 saying why not.

Images are stored as PNG, which holds bilevel, grey, palette, RGB (each with or without
alpha) and 16-bit grey. Colour in other spaces (CMYK, YCbCr, CIE Lab) is converted to RGB,
which looks the same. Numbers (32-bit integer or float pixels, from TIFF or SPIDER) are kept
when they fit 8 or 16 bits as they are, floats in [0, 1] are scaled to 8 bits; anything else
would have to be rescaled by a guess, so it is refused.
"""

from __future__ import annotations

from typing import Any

from invoke_web.errors import ApiError

PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16"})


def _lab_to_rgb(image: Any) -> Any:
    from PIL import ImageCms

    transform = ImageCms.buildTransformFromOpenProfiles(
        ImageCms.createProfile("LAB"), ImageCms.createProfile("sRGB"), "LAB", "RGB"
    )
    return ImageCms.applyTransform(image, transform)


def _numbers_to_grey(image: Any, where: str) -> Any:
    low, high = image.getextrema()
    if image.mode == "F" and low >= 0 and high <= 1:
        return image.point(lambda value: value * 255).convert("L")  # the usual float range: 0 black, 1 white
    if low >= 0 and high <= 255:
        return image.convert("L")
    if image.mode == "I" and low >= 0 and high <= 65535:
        return image.convert("I;16")
    raise ApiError(
        415,
        f"{where} has {image.mode!r} pixels from {low:g} to {high:g}; only values that fit 8 or 16 bits "
        "(or floats from 0 to 1) can be stored",
        error="UnsupportedImageModeError",
        field="file",
    )


def storable(image: Any, where: str) -> Any:
    """`image` in a mode PNG stores, looking the same; a 415 for pixels that have no such mode."""
    if image.mode in PNG_MODES:
        return image
    if image.mode == "LAB":
        return _lab_to_rgb(image)
    if image.mode in ("I", "F"):
        return _numbers_to_grey(image, where)
    if image.mode.startswith("I;16"):  # other 16-bit byte orders
        return image.convert("I;16")
    target = "RGBA" if "A" in image.mode or "a" in image.mode else "RGB"
    try:
        return image.convert(target)
    except ValueError:
        raise ApiError(
            415,
            f"{where} has {image.mode!r} pixels, which cannot be converted to {target}",
            error="UnsupportedImageModeError",
            field="file",
        ) from None
