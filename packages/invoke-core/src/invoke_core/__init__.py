"""Invoke core: write nodes, build graphs, run them.

    from invoke_core import BaseInvocation, BaseInvocationOutput, Field, InvocationContext
    from invoke_core import Graph, Invoker

Importing this package loads pydantic and pluggy only: no plugin, no Pillow, no torch.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pydantic import Field

from invoke_core.context import InvocationContext
from invoke_core.errors import (
    CanceledError,
    ConfigError,
    CorruptDataError,
    CycleError,
    DuplicateLinkError,
    DuplicateNodeIdError,
    DuplicateNodeTypeError,
    EdgeTypeError,
    FieldNotFoundError,
    GraphValidationError,
    ImageNotFoundError,
    InvalidNodeClassError,
    InvokeError,
    LimitExceededError,
    MalformedGraphError,
    MissingInputError,
    NodeAlreadyExecutedError,
    NodeNotFoundError,
    NodeValidationError,
    ObjectNotFoundError,
    PluginLoadError,
    QueueItemNotFoundError,
    RunInterruptedError,
    ServiceNotFoundError,
    SessionBusyError,
    SessionNotFoundError,
    UnknownNodeTypeError,
)
from invoke_core.fields import ImageField, ImageOutput
from invoke_core.hookspecs import hookimpl
from invoke_core.invocation import BaseInvocation, BaseInvocationOutput

__version__ = "0.1.0"

# The engine loads on first use, so a plugin that only defines nodes imports just the node API.
_LAZY = {
    "Batch": "invoke_core.batch",
    "BatchDatum": "invoke_core.batch",
    "InvokeConfig": "invoke_core.config",
    "load_config": "invoke_core.config",
    "Event": "invoke_core.events",
    "InvocationCompleteEvent": "invoke_core.events",
    "InvocationErrorEvent": "invoke_core.events",
    "InvocationProgressEvent": "invoke_core.events",
    "InvocationStartedEvent": "invoke_core.events",
    "QueueItemStatusChangedEvent": "invoke_core.events",
    "SessionCanceledEvent": "invoke_core.events",
    "SessionCompleteEvent": "invoke_core.events",
    "Edge": "invoke_core.graph",
    "EdgeConnection": "invoke_core.graph",
    "Graph": "invoke_core.graph",
    "Invoker": "invoke_core.execution.invoker",
    "get_plugin_manager": "invoke_core.catalog",
    "register_plugin": "invoke_core.catalog",
    "unregister_plugin": "invoke_core.catalog",
    "get_invocation_class": "invoke_core.catalog",
    "invocation_classes": "invoke_core.catalog",
    "node_schema": "invoke_core.catalog",
    "plugin_of": "invoke_core.catalog",
    "InvocationServices": "invoke_core.services.container",
    "NodeError": "invoke_core.session",
    "Session": "invoke_core.session",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'invoke_core' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from invoke_core.batch import Batch, BatchDatum
    from invoke_core.catalog import (
        get_invocation_class,
        get_plugin_manager,
        invocation_classes,
        node_schema,
        plugin_of,
        register_plugin,
        unregister_plugin,
    )
    from invoke_core.config import InvokeConfig, load_config
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
    from invoke_core.execution.invoker import Invoker
    from invoke_core.graph import Edge, EdgeConnection, Graph
    from invoke_core.services.container import InvocationServices
    from invoke_core.session import NodeError, Session

__all__ = [
    "BaseInvocation",
    "BaseInvocationOutput",
    "Batch",
    "BatchDatum",
    "CanceledError",
    "ConfigError",
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
    "CorruptDataError",
    "ImageNotFoundError",
    "ImageOutput",
    "InvalidNodeClassError",
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
    "LimitExceededError",
    "NodeAlreadyExecutedError",
    "NodeError",
    "NodeNotFoundError",
    "NodeValidationError",
    "ObjectNotFoundError",
    "PluginLoadError",
    "QueueItemNotFoundError",
    "RunInterruptedError",
    "SessionBusyError",
    "QueueItemStatusChangedEvent",
    "ServiceNotFoundError",
    "Session",
    "SessionCanceledEvent",
    "SessionCompleteEvent",
    "SessionNotFoundError",
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
