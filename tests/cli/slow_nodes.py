"""A node that takes its time, so a test can press Ctrl-C while a line runs. Loaded into a shell
started with `python -c` (see test_shell_cancel.py), as a plugin."""

from typing import Literal

from invoke_core import BaseInvocation, BaseInvocationOutput, Field, InvocationContext, hookimpl


class PauseInvocation(BaseInvocation):
    """Waits, then passes its item on."""

    type: Literal["pause"] = "pause"
    seconds: float = Field(default=0.1, ge=0, description="How long to wait")
    item: int = Field(default=0, description="Passed on as it is")

    class Outputs(BaseInvocationOutput):
        item: int = Field(description="The item")

    def invoke(self, context: InvocationContext) -> "PauseInvocation.Outputs":
        import time

        time.sleep(self.seconds)
        return self.Outputs(item=self.item)


@hookimpl
def register_invocations():
    return [PauseInvocation]
