"""The web layer's settings: read from the same config as the engine (invoke.toml, INVOKE_*)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9090


class WebSettings(BaseModel):
    api_token: str | None = Field(
        default=None, description="When set, every route and the socket connection require it (INVOKE_API_TOKEN)"
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Browser origins allowed to call the API; empty keeps CORS closed"
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description=(
            "Host names the server answers to besides localhost, 127.0.0.1 and [::1] (a proxy's public name); "
            "'*' for any (INVOKE_ALLOWED_HOSTS)"
        ),
    )
    max_upload_bytes: int = Field(default=32 * 1024 * 1024, gt=0, description="Largest image upload accepted")
    max_upload_pixels: int = Field(default=64 * 1024 * 1024, gt=0, description="Most pixels an uploaded image may have")
    expose_tracebacks: bool = Field(
        default=False,
        description="Put failed nodes' tracebacks (with the server's file paths) in answers and events; "
        "they are always in the server log",
    )
    thumbnail_size: int = Field(default=256, gt=0, le=2048, description="Longest side of a thumbnail, in pixels")

    @field_validator("cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):  # from an environment variable: "https://a.example,https://b.example"
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("api_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return value or None

    @classmethod
    def from_config(cls, config: Any, **overrides: Any) -> WebSettings:
        """The web keys of an InvokeConfig (its extras), then explicit overrides."""
        values = {name: config.extra(name) for name in cls.model_fields if config.extra(name) is not None}
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls.model_validate(values)
