"""Collection nodes: `range` makes a list, `iterate` fans it out, `collect` gathers it back.

`iterate` and `collect` are understood by the graph engine (their `__flow__` marks them): the nodes after an iterate run
once per item, and a collect under them gathers one list per enclosing iteration, in order.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from invoke_core.config import InvokeConfig
from invoke_core.context import InvocationContext
from invoke_core.errors import LimitExceededError
from invoke_core.invocation import BaseInvocation, BaseInvocationOutput


class RangeInvocation(BaseInvocation, category="collections", tags=("collection", "integer")):
    """Makes a list of integers from start to stop by step, as Python's range() does."""

    type: Literal["range"] = "range"
    start: int = Field(default=0, description="The first value")
    stop: int = Field(default=10, description="The end of the range (not included)")
    step: int = Field(default=1, description="The difference between values; may be negative, not zero")

    @field_validator("step")
    @classmethod
    def _step_not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("step must not be zero")
        return value

    class Outputs(BaseInvocationOutput):
        collection: list[int] = Field(description="The integers in the range")

    def invoke(self, context: InvocationContext) -> RangeInvocation.Outputs:
        start, stop, step = self.start, self.stop, self.step
        config = getattr(context, "config", None)  # a node called by hand (no context) gets the default
        limit = config.max_collection_items if config is not None else InvokeConfig().max_collection_items
        # counted before the list exists, so a huge range costs no memory (len() stops at sys.maxsize)
        count = max(0, (stop - start + step - (1 if step > 0 else -1)) // step)
        if count > limit:
            raise LimitExceededError(
                f"range({start}, {stop}, {step}) makes {count} items; "
                f"at most {limit} are allowed (max_collection_items)",
                node_id=self.id,
                field="stop",
            )
        return self.Outputs(collection=list(range(start, stop, step)))


class IterateInvocation(BaseInvocation, category="collections", tags=("collection", "iterate")):
    """Runs the nodes linked to its outputs once for each item of a collection."""

    __flow__ = "iterate"  # the graph engine fans out (iterate) or gathers (collect) around it

    type: Literal["iterate"] = "iterate"
    collection: list[Any] = Field(default_factory=list, description="The list to iterate over")

    class Outputs(BaseInvocationOutput):
        item: Any = Field(default=None, description="The current item")
        index: int = Field(default=0, description="The position of the current item, from 0")
        total: int = Field(default=0, description="How many items the collection has")

    def invoke(self, context: InvocationContext) -> IterateInvocation.Outputs:
        # The session turns this into one result per item; see Session.complete.
        return self.Outputs(item=None, index=0, total=len(self.collection))


class CollectInvocation(BaseInvocation, category="collections", tags=("collection", "collect")):
    """Gathers every `item` linked to it (and whole lists linked to `collection`) into one list."""

    __flow__ = "collect"  # the graph engine fans out (iterate) or gathers (collect) around it

    type: Literal["collect"] = "collect"
    item: Any = Field(default=None, description="An item to gather; link any number of outputs here")
    collection: list[Any] = Field(
        default_factory=list, description="Lists to put first, in link order; link any number here"
    )

    class Outputs(BaseInvocationOutput):
        collection: list[Any] = Field(description="The gathered items, in iteration order")

    def invoke(self, context: InvocationContext) -> CollectInvocation.Outputs:
        return self.Outputs(collection=list(self.collection))
