"""Errors the model manager raises; each names the model and the file involved."""

from __future__ import annotations

from invoke_core.errors import InvokeError


class ModelError(InvokeError):
    """Base class of model manager errors."""


class UnknownModelError(ModelError, LookupError):
    """No installed model has this name."""


class ModelFileError(ModelError, ValueError):
    """A model's files are missing, unreadable, corrupt or of a kind this package cannot load."""


class ModelExistsError(ModelError):
    """A model with this name is already installed."""
