"""Primitive nodes: each passes one constant value on, so a graph can share it between nodes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from invoke_core.context import InvocationContext
from invoke_core.invocation import BaseInvocation, BaseInvocationOutput


class IntegerInvocation(BaseInvocation, category="primitives", tags=("primitives", "integer")):
    """An integer value."""

    type: Literal["integer"] = "integer"
    value: int = Field(default=0, description="The integer value")

    class Outputs(BaseInvocationOutput):
        value: int = Field(description="The integer value")

    def invoke(self, context: InvocationContext) -> IntegerInvocation.Outputs:
        return self.Outputs(value=self.value)


class FloatInvocation(BaseInvocation, category="primitives", tags=("primitives", "float")):
    """A floating-point value."""

    type: Literal["float"] = "float"
    value: float = Field(default=0.0, description="The floating-point value")

    class Outputs(BaseInvocationOutput):
        value: float = Field(description="The floating-point value")

    def invoke(self, context: InvocationContext) -> FloatInvocation.Outputs:
        return self.Outputs(value=self.value)


class StringInvocation(BaseInvocation, category="primitives", tags=("primitives", "string")):
    """A string value."""

    type: Literal["string"] = "string"
    value: str = Field(default="", description="The string value")

    class Outputs(BaseInvocationOutput):
        value: str = Field(description="The string value")

    def invoke(self, context: InvocationContext) -> StringInvocation.Outputs:
        return self.Outputs(value=self.value)


class BooleanInvocation(BaseInvocation, category="primitives", tags=("primitives", "boolean")):
    """A boolean value."""

    type: Literal["boolean"] = "boolean"
    value: bool = Field(default=False, description="The boolean value")

    class Outputs(BaseInvocationOutput):
        value: bool = Field(description="The boolean value")

    def invoke(self, context: InvocationContext) -> BooleanInvocation.Outputs:
        return self.Outputs(value=self.value)
