"""Invoke core: write nodes, build graphs, run them.

    from invoke_core import BaseInvocation, BaseInvocationOutput, Field, InvocationContext
    from invoke_core import Graph, Invoker

Importing this package loads pydantic and pluggy only: no plugin, no Pillow, no torch.
"""

from pydantic import Field

from invoke_core.batch import Batch, BatchDatum
from invoke_core.config import InvokeConfig, load_config
from invoke_core.context import InvocationContext
from invoke_core.errors import (
    CanceledError,
    CycleError,
    DuplicateLinkError,
    DuplicateNodeIdError,
    DuplicateNodeTypeError,
    EdgeTypeError,
    FieldNotFoundError,
    GraphValidationError,
    InvokeError,
    MalformedGraphError,
    MissingInputError,
    NodeAlreadyExecutedError,
    NodeNotFoundError,
    NodeValidationError,
    UnknownNodeTypeError,
)
from invoke_core.events import (
    Event,
    InvocationCompleteEvent,
    InvocationErrorEvent,
    InvocationProgressEvent,
    InvocationStartedEvent,
    QueueItemStatusChangedEvent,
    SessionCanceledEvent,
    SessionCompleteEvent,
)
from invoke_core.fields import ImageField, ImageOutput
from invoke_core.graph import Edge, EdgeConnection, Graph
from invoke_core.hookspecs import hookimpl
from invoke_core.invocation import BaseInvocation, BaseInvocationOutput
from invoke_core.invoker import Invoker
from invoke_core.plugins import get_plugin_manager, register_plugin, unregister_plugin
from invoke_core.registry import get_invocation_class, invocation_classes, node_schema, plugin_of
from invoke_core.services.services import InvocationServices
from invoke_core.session import NodeError, Session

__version__ = "0.1.0"

__all__ = [
    "BaseInvocation",
    "BaseInvocationOutput",
    "Batch",
    "BatchDatum",
    "CanceledError",
    "CycleError",
    "DuplicateLinkError",
    "DuplicateNodeIdError",
    "DuplicateNodeTypeError",
    "Edge",
    "EdgeConnection",
    "EdgeTypeError",
    "Event",
    "Field",
    "FieldNotFoundError",
    "Graph",
    "GraphValidationError",
    "ImageField",
    "ImageOutput",
    "InvocationCompleteEvent",
    "InvocationContext",
    "InvocationErrorEvent",
    "InvocationProgressEvent",
    "InvocationServices",
    "InvocationStartedEvent",
    "InvokeConfig",
    "InvokeError",
    "Invoker",
    "MalformedGraphError",
    "MissingInputError",
    "NodeAlreadyExecutedError",
    "NodeError",
    "NodeNotFoundError",
    "NodeValidationError",
    "QueueItemStatusChangedEvent",
    "Session",
    "SessionCanceledEvent",
    "SessionCompleteEvent",
    "UnknownNodeTypeError",
    "get_invocation_class",
    "get_plugin_manager",
    "hookimpl",
    "invocation_classes",
    "load_config",
    "node_schema",
    "plugin_of",
    "register_plugin",
    "unregister_plugin",
]
