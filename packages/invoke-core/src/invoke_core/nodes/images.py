"""Pillow image nodes. Pillow is imported inside `invoke` only, so listing nodes stays fast."""

from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import Field

from invoke_core.context import InvocationContext
from invoke_core.fields import ImageField, ImageOutput
from invoke_core.invocation import BaseInvocation

MAX_SIZE = 16384  # pixels per side; larger images are almost surely a mistake and exhaust memory


def _save(context: InvocationContext, image: Any) -> ImageOutput:
    record = context.images.save(image)
    return ImageOutput(image=ImageField(image_name=record.image_name), width=record.width, height=record.height)


# Load and save are never cached: load must see whether the image still exists, and save is
# run for its effect (a new stored copy carrying this graph).


class LoadImageInvocation(BaseInvocation, category="image", tags=("image", "load"), cacheable=False):
    """Passes on a stored image, after checking that it exists."""

    type: Literal["load_image"] = "load_image"
    image: ImageField = Field(description="The image to load")

    Outputs = ImageOutput

    def invoke(self, context: InvocationContext) -> ImageOutput:
        # No copy is saved: the stored image is passed on under its own name.
        image = context.images.load(self.image.image_name)
        return ImageOutput(image=self.image, width=image.width, height=image.height)


class SaveImageInvocation(BaseInvocation, category="image", tags=("image", "save"), cacheable=False):
    """Saves a copy of an image, with this graph attached as its metadata."""

    type: Literal["save_image"] = "save_image"
    image: ImageField = Field(description="The image to save")

    Outputs = ImageOutput

    def invoke(self, context: InvocationContext) -> ImageOutput:
        return _save(context, context.images.load(self.image.image_name))


class ResizeImageInvocation(BaseInvocation, category="image", tags=("image", "resize")):
    """Resizes an image to a given width and height."""

    type: Literal["img_resize"] = "img_resize"
    image: ImageField = Field(description="The image to resize")
    width: int = Field(default=512, gt=0, le=MAX_SIZE, description="The width of the result in pixels")
    height: int = Field(default=512, gt=0, le=MAX_SIZE, description="The height of the result in pixels")
    resample_mode: Literal["nearest", "box", "bilinear", "hamming", "bicubic", "lanczos"] = Field(
        default="bicubic", description="The resampling filter"
    )

    Outputs = ImageOutput

    def invoke(self, context: InvocationContext) -> ImageOutput:
        from PIL import Image

        image = context.images.load(self.image.image_name)
        resample = Image.Resampling[self.resample_mode.upper()]
        return _save(context, image.resize((self.width, self.height), resample=resample))


class CropImageInvocation(BaseInvocation, category="image", tags=("image", "crop")):
    """Cuts a rectangle out of an image; parts outside the image come out as zero (black, transparent)."""

    type: Literal["img_crop"] = "img_crop"
    image: ImageField = Field(description="The image to crop")
    x: int = Field(default=0, description="The left edge of the rectangle; may be negative")
    y: int = Field(default=0, description="The top edge of the rectangle; may be negative")
    width: int = Field(default=512, gt=0, le=MAX_SIZE, description="The width of the rectangle in pixels")
    height: int = Field(default=512, gt=0, le=MAX_SIZE, description="The height of the rectangle in pixels")

    Outputs = ImageOutput

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = context.images.load(self.image.image_name)
        return _save(context, image.crop((self.x, self.y, self.x + self.width, self.y + self.height)))


class PasteImageInvocation(BaseInvocation, category="image", tags=("image", "paste")):
    """Pastes an image onto a base image at a position, optionally through a mask."""

    type: Literal["img_paste"] = "img_paste"
    base_image: ImageField = Field(description="The image to paste onto; the result has its size and mode")
    image: ImageField = Field(description="The image to paste")
    x: int = Field(default=0, description="Where the left edge of the pasted image goes; may be negative")
    y: int = Field(default=0, description="Where the top edge of the pasted image goes; may be negative")
    mask: ImageField | None = Field(
        default=None,
        description="Optional mask the size of the pasted image, read as grayscale: white pastes, black keeps the base",
    )

    Outputs = ImageOutput

    def invoke(self, context: InvocationContext) -> ImageOutput:
        base = context.images.load(self.base_image.image_name)
        image = context.images.load(self.image.image_name)
        mask = None
        if self.mask is not None:
            mask = context.images.load(self.mask.image_name).convert("L")
            if mask.size != image.size:
                raise ValueError(
                    f"the mask is {mask.width}x{mask.height} but the pasted image is {image.width}x{image.height}"
                )
        base.paste(image, (self.x, self.y), mask)
        return _save(context, base)


class BlurImageInvocation(BaseInvocation, category="image", tags=("image", "blur")):
    """Blurs an image."""

    type: Literal["img_blur"] = "img_blur"
    image: ImageField = Field(description="The image to blur")
    radius: float = Field(default=8.0, ge=0, description="The blur radius in pixels; 0 leaves the image as it is")
    blur_type: Literal["gaussian", "box"] = Field(default="gaussian", description="The kind of blur")

    Outputs = ImageOutput

    def invoke(self, context: InvocationContext) -> ImageOutput:
        from PIL import ImageFilter

        image = context.images.load(self.image.image_name)
        blur = ImageFilter.GaussianBlur if self.blur_type == "gaussian" else ImageFilter.BoxBlur
        return _save(context, image.filter(blur(self.radius)))


class InvertImageInvocation(BaseInvocation, category="image", tags=("image", "invert")):
    """Inverts the colors of an image, keeping its transparency."""

    type: Literal["img_invert"] = "img_invert"
    image: ImageField = Field(description="The image to invert")

    Outputs = ImageOutput

    def invoke(self, context: InvocationContext) -> ImageOutput:
        from PIL import ImageOps

        image = _to_basic_mode(context.images.load(self.image.image_name))
        if image.mode in ("L", "RGB"):
            return _save(context, ImageOps.invert(image))
        # ImageOps.invert takes no alpha band: invert the color bands, then put alpha back.
        inverted = ImageOps.invert(image.convert(image.mode[:-1]))
        inverted.putalpha(image.getchannel("A"))
        return _save(context, inverted)


class GrayscaleImageInvocation(BaseInvocation, category="image", tags=("image", "grayscale")):
    """Converts an image to grayscale (mode L, or LA when it has transparency)."""

    type: Literal["img_grayscale"] = "img_grayscale"
    image: ImageField = Field(description="The image to convert")

    Outputs = ImageOutput

    def invoke(self, context: InvocationContext) -> ImageOutput:
        image = _to_basic_mode(context.images.load(self.image.image_name))
        return _save(context, image.convert("LA" if image.mode in ("LA", "RGBA") else "L"))


def _to_basic_mode(image: Any) -> Any:
    """The image in L, LA, RGB or RGBA mode, keeping transparency (palette, 1-bit, CMYK... otherwise)."""
    if image.mode in ("L", "LA", "RGB", "RGBA"):
        return image
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


class BlankImageInvocation(BaseInvocation, category="image", tags=("image", "blank", "new")):
    """Makes an image filled with one color."""

    type: Literal["blank_image"] = "blank_image"
    width: int = Field(default=512, gt=0, le=MAX_SIZE, description="The width of the image in pixels")
    height: int = Field(default=512, gt=0, le=MAX_SIZE, description="The height of the image in pixels")
    mode: Literal["RGB", "RGBA"] = Field(default="RGB", description="RGB, or RGBA for an image with transparency")
    color: str = Field(
        default="#000000", description="The fill color as Pillow reads it: '#rrggbb', '#rrggbbaa', 'red', 'rgb(1,2,3)'"
    )

    Outputs = ImageOutput

    def invoke(self, context: InvocationContext) -> ImageOutput:
        from PIL import Image, ImageColor

        try:
            color = ImageColor.getcolor(self.color, self.mode)
        except ValueError:
            raise ValueError(f"unknown color {self.color!r}; use e.g. '#ff8800', '#ff880080' or 'red'") from None
        return _save(context, Image.new(self.mode, (self.width, self.height), color))


class NoiseImageInvocation(BaseInvocation, category="image", tags=("image", "noise", "random")):
    """Makes an RGB image of uniform random noise, the same every time for a given seed."""

    type: Literal["img_noise"] = "img_noise"
    width: int = Field(default=512, gt=0, le=MAX_SIZE, description="The width of the image in pixels")
    height: int = Field(default=512, gt=0, le=MAX_SIZE, description="The height of the image in pixels")
    seed: int = Field(default=0, description="The random seed; the same seed gives the same image")

    Outputs = ImageOutput

    def invoke(self, context: InvocationContext) -> ImageOutput:
        from PIL import Image

        pixels = random.Random(self.seed).randbytes(self.width * self.height * 3)
        return _save(context, Image.frombytes("RGB", (self.width, self.height), pixels))
