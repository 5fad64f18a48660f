"""The OpenAPI document, annotated with every loaded node type, the graph and the events.

components.schemas gains one schema per node type (`AddInvocation`) and per outputs class,
`AnyInvocation` (all nodes, discriminated by `type`), `Graph`, `Session` and one schema per
event. The top-level `x-invoke-nodes` maps each node type to its schemas and plugin.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from invoke_core import invocation_classes, plugin_of
from invoke_core.catalog import plugins_generation
from invoke_core.events import EVENT_TYPES
from invoke_core.graph import GRAPH_JSON_SCHEMA
from invoke_core.session import SESSION_JSON_SCHEMA

REF = "#/components/schemas/{model}"


def _add(components: dict[str, Any], name: str, schema: dict[str, Any]) -> str:
    """Add a model's schema (and its $defs) under a name not yet taken; returns the name used."""
    for key, definition in schema.pop("$defs", {}).items():
        components.setdefault(key, definition)
    chosen, number = name, 2
    while chosen in components and components[chosen] != schema:
        chosen, number = f"{name}{number}", number + 1
    components[chosen] = schema
    return chosen


def node_components(components: dict[str, Any]) -> dict[str, Any]:
    """Add node and outputs schemas; returns the x-invoke-nodes index."""
    index: dict[str, Any] = {}
    mapping: dict[str, str] = {}
    for type_name, cls in sorted(invocation_classes().items()):
        node_name = _add(components, cls.__name__, cls.model_json_schema(ref_template=REF))
        outputs = cls.Outputs
        outputs_base = outputs.__name__ if outputs.__name__ != "Outputs" else f"{cls.__name__}Outputs"
        outputs_name = _add(components, outputs_base, outputs.model_json_schema(ref_template=REF))
        mapping[type_name] = REF.format(model=node_name)
        index[type_name] = {
            "inputs": {"$ref": REF.format(model=node_name)},
            "outputs": {"$ref": REF.format(model=outputs_name)},
            "plugin": plugin_of(type_name),
            **{key: value for key, value in cls.metadata().items() if key != "type"},
        }
    components["AnyInvocation"] = {
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    }
    return index


def event_components(components: dict[str, Any]) -> None:
    for event_class in EVENT_TYPES:
        schema = event_class.model_json_schema(ref_template=REF)
        schema["x-event-name"] = event_class.name
        _add(components, event_class.__name__, schema)


def install_openapi(app: FastAPI) -> None:
    built: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        generation = plugins_generation()
        if built.get("generation") != generation:  # plugins changed: node types may have too
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            schema["x-invoke-nodes"] = node_components(components)
            event_components(components)
            components.setdefault("Graph", GRAPH_JSON_SCHEMA)
            components.setdefault("Session", SESSION_JSON_SCHEMA)
            built.update(generation=generation, schema=schema)
        return built["schema"]

    app.openapi = openapi  # type: ignore[method-assign]
