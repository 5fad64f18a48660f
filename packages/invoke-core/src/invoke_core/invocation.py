"""The node API: `BaseInvocation`, `BaseInvocationOutput` and their metadata.

A node is a pydantic model with a `type: Literal["name"]` field, typed input fields, a nested
`Outputs` class and an `invoke(context)` method. Inputs that are required but have no default
may stay empty while the node sits in a graph (a link will fill them); executing the node with
such an input still empty is an error naming the node and the field.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field
from pydantic._internal._model_construction import ModelMetaclass
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from invoke_core.errors import InvalidNodeClassError

if TYPE_CHECKING:
    from invoke_core.context import InvocationContext

# Fields every node has that are not inputs a user links or a UI shows.
RESERVED_FIELDS = frozenset({"id", "type", "use_cache"})

# Every concrete node class defined in this process, by type; the plugin catalog falls back to
# it for classes no plugin registers (scripts, notebooks).
_defined: dict[str, type[BaseInvocation]] = {}


def defined_node_classes() -> dict[str, type[BaseInvocation]]:
    return _defined


_METADATA_KEYS = ("title", "tags", "category", "version", "cacheable")


class BaseInvocationOutput(BaseModel):
    """Base class for the `Outputs` of a node: typed fields a link can read."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


def _is_classvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    return annotation is ClassVar or get_origin(annotation) is ClassVar


def _optional_default(info: FieldInfo) -> FieldInfo:
    """A copy of `info` whose default is None, so pydantic accepts the field left empty."""
    relaxed = copy.copy(info)
    relaxed.default = None
    relaxed._attributes_set = {**info._attributes_set, "default": None}
    return relaxed


def _check_metadata(class_name: str, metadata: dict[str, Any], other: dict[str, Any]) -> None:
    unknown = set(other) - set(ConfigDict.__annotations__)
    if unknown:
        raise InvalidNodeClassError(
            f"node class {class_name}: unknown class keyword(s) {', '.join(sorted(unknown))}; "
            f"nodes take {', '.join(_METADATA_KEYS)}"
        )
    for key in ("title", "category", "version"):
        if key in metadata and not isinstance(metadata[key], str):
            raise InvalidNodeClassError(f"node class {class_name}: {key} must be a string, got {metadata[key]!r}")
    tags = metadata.get("tags", ())
    if isinstance(tags, str) or not all(isinstance(tag, str) for tag in tags):
        raise InvalidNodeClassError(f"node class {class_name}: tags must be a list of strings, got {tags!r}")
    if not isinstance(metadata.get("cacheable", True), bool):
        raise InvalidNodeClassError(f"node class {class_name}: cacheable must be True or False")


class InvocationMeta(ModelMetaclass):
    """Takes node metadata as class keywords and lets required inputs start empty."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any):
        metadata = {key: kwargs.pop(key) for key in _METADATA_KEYS if key in kwargs}
        _check_metadata(name, metadata, kwargs)
        required: set[str] = set()
        for base in bases:
            required |= getattr(base, "__required_inputs__", set())
        for field_name, annotation in namespace.get("__annotations__", {}).items():
            if field_name.startswith("_") or field_name in RESERVED_FIELDS or _is_classvar(annotation):
                continue
            value = namespace.get(field_name, PydanticUndefined)
            if value is PydanticUndefined:
                namespace[field_name] = Field(default=None)
            elif isinstance(value, FieldInfo) and value.default is PydanticUndefined and value.default_factory is None:
                namespace[field_name] = _optional_default(value)
            else:
                required.discard(field_name)
                continue
            required.add(field_name)
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        cls.__required_inputs__ = frozenset(required)
        cls.__node_metadata__ = metadata
        return cls


def _node_json_schema(schema: dict[str, Any], cls: type[BaseInvocation]) -> None:
    """Put the required-but-linkable inputs back into the schema's `required` list."""
    properties = schema.get("properties", {})
    required = [name for name in properties if name in cls.__required_inputs__]
    for name in required:
        properties[name].pop("default", None)
    if required:
        schema["required"] = sorted(set(schema.get("required", [])) | set(required))
    schema.update({k: v for k, v in cls.metadata().items() if k in ("tags", "category", "version")})


class BaseInvocation(BaseModel, metaclass=InvocationMeta):
    """Base class of every node. Subclasses set `type`, inputs, `Outputs` and `invoke`."""

    model_config = ConfigDict(
        extra="forbid",
        arbitrary_types_allowed=True,
        allow_inf_nan=False,  # JSON cannot store NaN or infinities: refused like any bad value, naming the field
        json_schema_extra=_node_json_schema,  # type: ignore[arg-type]
    )

    id: str = Field(default="", description="The id of this node, unique within its graph")
    use_cache: bool = Field(default=True, description="Reuse the outputs of an identical earlier run")

    __required_inputs__: ClassVar[frozenset[str]] = frozenset()
    __node_metadata__: ClassVar[dict[str, Any]] = {}
    __input_types__: ClassVar[dict[str, Any]] = {}
    __output_types__: ClassVar[dict[str, Any]] = {}
    __checks_across_fields__: ClassVar[bool] = False
    # How the graph engine treats the node: None for a plain node; "iterate" runs the nodes
    # after it once per item of its `collection` (outputs item/index/total); "collect" gathers
    # any number of links into its `item` and `collection` inputs into one list.
    __flow__: ClassVar[Literal["iterate", "collect"] | None] = None
    Outputs: ClassVar[type[BaseInvocationOutput]]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # resolved once here: graph validation looks these up for every edge
        cls.__input_types__ = {n: f.annotation for n, f in cls.model_fields.items() if n not in RESERVED_FIELDS}
        cls.__checks_across_fields__ = bool(cls.__pydantic_decorators__.model_validators)
        outputs_class = getattr(cls, "Outputs", None)
        if isinstance(outputs_class, type) and issubclass(outputs_class, BaseInvocationOutput):
            cls.__output_types__ = {n: f.annotation for n, f in outputs_class.model_fields.items()}
        type_name = cls.invocation_type()
        if type_name is None:
            return  # an abstract base for other nodes
        outputs = cls.__dict__.get("Outputs") or getattr(cls, "Outputs", None)
        if not (isinstance(outputs, type) and issubclass(outputs, BaseInvocationOutput)):
            raise InvalidNodeClassError(
                f"node class {cls.__qualname__} (type {type_name!r}) needs a nested "
                "`class Outputs(BaseInvocationOutput)`"
            )
        _defined[type_name] = cls  # a later definition of the same type replaces it

    @classmethod
    def invocation_type(cls) -> str | None:
        """The node's `type` name, or None for an abstract base class."""
        field = cls.model_fields.get("type")
        if field is None or get_origin(field.annotation) is not Literal:
            return None
        return get_args(field.annotation)[0]

    @classmethod
    def metadata(cls) -> dict[str, Any]:
        """Title, description, tags, category, version and cacheability, for UIs."""
        meta = cls.__node_metadata__
        doc = (cls.__doc__ or "").strip().splitlines()
        return {
            "type": cls.invocation_type(),
            "title": meta.get("title") or _title_from_class_name(cls.__name__),
            "description": doc[0] if doc else "",
            "tags": list(meta.get("tags", ())),
            "category": meta.get("category", ""),
            "version": meta.get("version", "1.0.0"),
            "cacheable": meta.get("cacheable", True),
        }

    @classmethod
    def input_fields(cls) -> dict[str, FieldInfo]:
        """The fields a user sets or links, in declaration order."""
        return {name: info for name, info in cls.model_fields.items() if name not in RESERVED_FIELDS}

    @classmethod
    def output_fields(cls) -> dict[str, FieldInfo]:
        return dict(cls.Outputs.model_fields)

    def missing_inputs(self) -> list[str]:
        """Required inputs that were neither given nor linked."""
        given = self.__pydantic_fields_set__
        return [name for name in self.__required_inputs__ if name not in given]

    def graph_dict(self) -> dict[str, Any]:
        """This node as it appears in graph JSON (empty required inputs left out)."""
        empty = self.missing_inputs()
        return self.model_dump(mode="json", exclude=set(empty) if empty else None)

    def invoke(self, context: InvocationContext) -> BaseInvocationOutput:
        raise NotImplementedError(f"node type {self.invocation_type()!r} does not implement invoke()")


def _title_from_class_name(name: str) -> str:
    if name.endswith("Invocation") and name != "Invocation":
        name = name[: -len("Invocation")]
    words: list[str] = []
    for char in name:
        if char.isupper() and words and not words[-1][-1:].isupper():
            words.append(char)
        elif words:
            words[-1] += char
        else:
            words.append(char)
    return " ".join(words)


__all__ = [
    "BaseInvocation",
    "BaseInvocationOutput",
    "RESERVED_FIELDS",
    "defined_node_classes",
]
