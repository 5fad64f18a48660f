"""Integer math nodes, and a seeded random integer."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import Field, model_validator

from invoke_core.context import InvocationContext
from invoke_core.invocation import BaseInvocation, BaseInvocationOutput

INT32_MAX = 2**31 - 1


class AddInvocation(BaseInvocation, category="math", tags=("math", "integer", "add")):
    """Adds two integers."""

    type: Literal["add"] = "add"
    a: int = Field(default=0, description="The first number")
    b: int = Field(default=0, description="The second number")

    class Outputs(BaseInvocationOutput):
        value: int = Field(description="The sum a + b")

    def invoke(self, context: InvocationContext) -> AddInvocation.Outputs:
        return self.Outputs(value=self.a + self.b)


class SubtractInvocation(BaseInvocation, category="math", tags=("math", "integer", "subtract")):
    """Subtracts the second integer from the first."""

    type: Literal["sub"] = "sub"
    a: int = Field(default=0, description="The number to subtract from")
    b: int = Field(default=0, description="The number to subtract")

    class Outputs(BaseInvocationOutput):
        value: int = Field(description="The difference a - b")

    def invoke(self, context: InvocationContext) -> SubtractInvocation.Outputs:
        return self.Outputs(value=self.a - self.b)


class MultiplyInvocation(BaseInvocation, category="math", tags=("math", "integer", "multiply")):
    """Multiplies two integers."""

    type: Literal["mul"] = "mul"
    a: int = Field(default=0, description="The first number")
    b: int = Field(default=0, description="The second number")

    class Outputs(BaseInvocationOutput):
        value: int = Field(description="The product a * b")

    def invoke(self, context: InvocationContext) -> MultiplyInvocation.Outputs:
        return self.Outputs(value=self.a * self.b)


class DivideInvocation(BaseInvocation, category="math", tags=("math", "integer", "divide")):
    """Divides the first integer by the second, truncating toward zero."""

    type: Literal["div"] = "div"
    a: int = Field(default=0, description="The dividend")
    b: int = Field(default=1, description="The divisor; must not be zero when the node runs")

    class Outputs(BaseInvocationOutput):
        value: int = Field(description="The quotient a / b, truncated toward zero")

    def invoke(self, context: InvocationContext) -> DivideInvocation.Outputs:
        if self.b == 0:
            raise ZeroDivisionError(f"cannot divide {self.a} by zero (input 'b' is 0)")
        # Integer arithmetic rather than int(a / b): a float quotient loses precision past 2**53.
        quotient = abs(self.a) // abs(self.b)
        return self.Outputs(value=quotient if (self.a < 0) == (self.b < 0) else -quotient)


class RandomIntInvocation(BaseInvocation, category="math", tags=("math", "integer", "random")):
    """Picks a random integer in [low, high), the same one every time for a given seed."""

    type: Literal["rand_int"] = "rand_int"
    low: int = Field(default=0, description="The lowest value that may be picked (inclusive)")
    high: int = Field(default=INT32_MAX, description="The upper bound (exclusive); must be greater than low")
    seed: int = Field(default=0, description="The random seed; the same seed gives the same value")

    @model_validator(mode="after")
    def _low_below_high(self) -> RandomIntInvocation:
        _check_range(self.low, self.high)
        return self

    class Outputs(BaseInvocationOutput):
        value: int = Field(description="The random integer")

    def invoke(self, context: InvocationContext) -> RandomIntInvocation.Outputs:
        # Linked inputs may arrive after validation ran, so check again before drawing.
        _check_range(self.low, self.high)
        return self.Outputs(value=random.Random(self.seed).randrange(self.low, self.high))


def _check_range(low: int, high: int) -> None:
    if low >= high:
        raise ValueError(f"low ({low}) must be less than high ({high})")
