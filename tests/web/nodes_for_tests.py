"""Nodes the web tests run: a slow one that reports progress and honours cancel, a failing one."""

from __future__ import annotations

import time
from typing import Literal

from invoke_core import BaseInvocation, BaseInvocationOutput, Field, InvocationContext, hookimpl


class SlowCountInvocation(BaseInvocation, category="test", cacheable=False):
    """Counts up, one step every `delay` seconds, reporting progress with a preview."""

    type: Literal["web_test_slow_count"] = "web_test_slow_count"
    steps: int = Field(default=3, ge=1, le=10_000)
    delay: float = Field(default=0.01, ge=0, le=5)

    class Outputs(BaseInvocationOutput):
        value: int

    def invoke(self, context: InvocationContext) -> Outputs:
        from PIL import Image

        preview = Image.new("RGB", (8, 8), "red")
        for step in range(1, self.steps + 1):
            context.raise_if_canceled()
            time.sleep(self.delay)
            context.progress(step, self.steps, message=f"step {step}", preview=preview)
        return self.Outputs(value=self.steps)


class FailInvocation(BaseInvocation, category="test", cacheable=False):
    """Always fails, naming its input."""

    type: Literal["web_test_fail"] = "web_test_fail"
    reason: str = Field(default="on purpose")

    class Outputs(BaseInvocationOutput):
        value: int

    def invoke(self, context: InvocationContext) -> Outputs:
        raise RuntimeError(self.reason)


@hookimpl
def register_invocations() -> list[type]:
    return [SlowCountInvocation, FailInvocation]
