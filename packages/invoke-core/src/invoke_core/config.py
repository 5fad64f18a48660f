"""One settings object, read from `<root>/invoke.toml` and then INVOKE_* environment variables.

The root folder (INVOKE_ROOT, default ~/invokeai) holds everything local. Each service is
chosen by name (`session_storage = "sqlite"`); unset means the default an installed plugin
offers (the in-memory one when only core is installed). Keys this class does not know are
kept, so plugins read their own settings (`config.extra("postgres_url")`).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from invoke_core.errors import ConfigError

CONFIG_FILE_NAME = "invoke.toml"
ENV_PREFIX = "INVOKE_"
# INVOKE_* variables that steer plugin loading, not settings
_NOT_SETTINGS = {"INVOKE_PLUGINS", "INVOKE_DISABLE_PLUGIN_AUTOLOAD", "INVOKE_ROOT"}


# The services every deployment has; plugins may define more kinds (say `model_manager`).
SERVICE_KINDS = (
    "session_storage",
    "session_queue",
    "image_storage",
    "object_storage",
    "invocation_cache",
    "events",
)


def default_root() -> Path:
    return Path.home() / "invokeai"


class InvokeConfig(BaseModel):
    model_config = ConfigDict(extra="allow", validate_assignment=True)

    root: Path = Field(default_factory=default_root, description="The folder everything local lives in")
    session_storage: str | None = Field(default=None, description="Session storage implementation")
    session_queue: str | None = Field(default=None, description="Session queue implementation")
    image_storage: str | None = Field(default=None, description="Image storage implementation")
    object_storage: str | None = Field(default=None, description="Object storage implementation")
    invocation_cache: str | None = Field(default=None, description="Invocation cache implementation")
    events: str | None = Field(default=None, description="Event service implementation")
    node_cache_size: int = Field(default=512, ge=0, description="Entries kept by the invocation cache; 0 turns it off")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="How much the engine logs"
    )
    # Limits on what one request can make the engine hold; far above any real graph.
    max_graph_nodes: int = Field(default=100_000, ge=1, description="Nodes one graph may hold")
    max_collection_items: int = Field(
        default=100_000, ge=1, description="Items one list may hold: a range's output, a list given to an input"
    )
    max_session_mb: float = Field(
        default=64, gt=0, description="Megabytes one stored session may take (as JSON); a run past it fails"
    )

    def service_choice(self, kind: str) -> str | None:
        return getattr(self, kind, None)

    def extra(self, key: str, default: Any = None) -> Any:
        """A setting a plugin defines (not a field of this class)."""
        return (self.model_extra or {}).get(key, default)

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE_NAME


def _read_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {path}: {exc}") from None


def _from_environment(environ: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    return {
        name[len(ENV_PREFIX) :].lower(): value
        for name, value in environ.items()
        if name.startswith(ENV_PREFIX) and name not in _NOT_SETTINGS
    }


def load_config(
    root: str | Path | None = None, environ: dict[str, str] | None = None, **overrides: Any
) -> InvokeConfig:
    """Defaults, then the root's invoke.toml, then INVOKE_* variables, then `overrides`."""
    env = os.environ if environ is None else environ
    root_path = Path(root or env.get("INVOKE_ROOT") or default_root()).expanduser()
    values: dict[str, Any] = {**_read_file(root_path / CONFIG_FILE_NAME), **_from_environment(env), **overrides}
    values["root"] = root_path
    try:
        return InvokeConfig.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first.get("loc", ()))
        raise ConfigError(f"config setting {key!r}: {first.get('msg')} (got {first.get('input')!r})") from None
