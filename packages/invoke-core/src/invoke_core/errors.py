"""Typed errors. Each names the nodes and fields involved, so a user can fix the graph."""

from __future__ import annotations


class InvokeError(Exception):
    """Base class of every error this package raises on purpose."""


class InvalidNodeClassError(InvokeError, TypeError):
    """A node class is written wrongly (no Outputs class, bad metadata)."""


class DuplicateNodeTypeError(InvokeError):
    """Two plugins register the same node `type`."""


class PluginLoadError(InvokeError):
    """A plugin could not be loaded or returned something unusable."""


class ServiceNotFoundError(InvokeError, LookupError):
    """The config names a service implementation no installed plugin provides."""


class ConfigError(InvokeError, ValueError):
    """The config file or an INVOKE_* variable holds a bad value."""


class GraphValidationError(InvokeError, ValueError):
    """Base class of every reason a graph, node or edge is rejected."""

    def __init__(self, message: str, *, node_id: str | None = None, field: str | None = None):
        super().__init__(_encodable(message))
        self.node_id = _encodable(node_id)
        self.field = _encodable(field)

    def to_dict(self) -> dict[str, str | None]:
        return {"error": type(self).__name__, "message": str(self), "node_id": self.node_id, "field": self.field}


def _encodable(text: str | None) -> str | None:
    """The text with lone surrogates escaped, so an error about bad input can itself be sent as JSON."""
    if text is None or text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class MalformedGraphError(GraphValidationError):
    """The graph JSON does not have the expected shape."""


class UnknownNodeTypeError(GraphValidationError):
    """A node's `type` is not provided by any loaded plugin."""


class NodeValidationError(GraphValidationError):
    """A node's field holds a value its type or constraints reject."""


class DuplicateNodeIdError(GraphValidationError):
    """A node id is already used in the graph."""


class NodeNotFoundError(GraphValidationError, LookupError):
    """An edge or request names a node that is not in the graph."""


class FieldNotFoundError(GraphValidationError):
    """An edge names an input or output field the node does not have."""


class EdgeTypeError(GraphValidationError):
    """An output's type cannot be assigned to the input it is linked to."""


class DuplicateLinkError(GraphValidationError):
    """An input already has a link (only collect's inputs take several)."""


class CycleError(GraphValidationError):
    """An edge would make the graph loop."""


class LimitExceededError(GraphValidationError):
    """A graph, a list or a session is larger than the configured limit (InvokeConfig.max_*)."""


class NodeAlreadyExecutedError(GraphValidationError):
    """A node that has run (or started running) cannot gain inputs or change."""


class MissingInputError(GraphValidationError):
    """A required input was neither given a value nor linked when the node ran."""


class SessionNotFoundError(InvokeError, LookupError):
    """No stored session has this id."""


class SessionBusyError(InvokeError):
    """The session is running now; it can be changed again once its run ends."""


class QueueItemNotFoundError(InvokeError, LookupError):
    """No queue item has this id."""


class ImageNotFoundError(InvokeError, LookupError):
    """No stored image has this name."""


class ObjectNotFoundError(InvokeError, LookupError):
    """No stored object has this name."""


class CorruptDataError(InvokeError, ValueError):
    """A stored item (a session, an image file, an object) exists but cannot be read back."""


class RunInterruptedError(InvokeError):
    """The process running a session went away (killed, crashed) before the session finished."""


class CanceledError(InvokeError):
    """Raised inside a node to stop work because its session was canceled."""


class UnstorableOutputError(InvokeError, ValueError):
    """A node returned an output that JSON cannot hold (a huge integer, NaN, a lone surrogate),
    so its session could be neither stored nor sent; the node fails instead."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
