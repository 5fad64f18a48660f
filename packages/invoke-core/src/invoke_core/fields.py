"""Reference fields: big data (images, tensors) travels between nodes by name, never inline."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from invoke_core.invocation import BaseInvocationOutput


class ImageField(BaseModel):
    """An image in image storage, referred to by its name."""

    model_config = ConfigDict(frozen=True)

    image_name: str = Field(description="The name of the image in image storage")


class ImageOutput(BaseInvocationOutput):
    """The usual outputs of a node that makes one image."""

    image: ImageField = Field(description="The image")
    width: int = Field(description="The width of the image in pixels")
    height: int = Field(description="The height of the image in pixels")
