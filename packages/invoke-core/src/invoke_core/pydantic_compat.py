"""Lets pydantic models hold our plain (fast, hand-validated) classes as fields."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pydantic_core import core_schema

from invoke_core.errors import MalformedGraphError


class ValidatedByItself:
    """A class pydantic validates with its `model_validate` and serialises with its `model_dump`.

    Graph and Session are plain classes for speed, yet appear in API models and OpenAPI.
    """

    JSON_SCHEMA: ClassVar[dict[str, Any]] = {"type": "object"}

    @classmethod
    def model_validate(cls, obj: Any) -> Any:
        raise NotImplementedError

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        raise NotImplementedError

    def model_dump_json(self) -> str:
        return json.dumps(self.model_dump())

    @classmethod
    def model_validate_json(cls, text: str | bytes) -> Any:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise MalformedGraphError(f"{cls.__name__} JSON does not parse: {exc}") from None
        return cls.model_validate(data)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.model_validate,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda value: value.model_dump()),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return cls.JSON_SCHEMA
