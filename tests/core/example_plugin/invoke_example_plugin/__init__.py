"""An example node pack: one node, registered through the `invoke` entry point."""

from typing import Literal

from invoke_core import BaseInvocation, BaseInvocationOutput, Field, InvocationContext, hookimpl


class ShoutInvocation(BaseInvocation, category="text", tags=("text", "example")):
    """Upper-cases a text and adds exclamation marks."""

    type: Literal["example_shout"] = "example_shout"
    text: str = Field(default="", description="The text to shout")
    marks: int = Field(default=1, ge=0, le=10, description="How many exclamation marks to add")

    class Outputs(BaseInvocationOutput):
        value: str = Field(description="The shouted text")

    def invoke(self, context: InvocationContext) -> "ShoutInvocation.Outputs":
        return self.Outputs(value=self.text.upper() + "!" * self.marks)


@hookimpl
def register_invocations():
    return [ShoutInvocation]
