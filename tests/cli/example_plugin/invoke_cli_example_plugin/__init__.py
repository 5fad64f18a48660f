"""An example plugin: a `repeat_text` node and an `invokeai hello` command."""

from typing import Literal

from invoke_core import BaseInvocation, BaseInvocationOutput, Field, InvocationContext, hookimpl


class RepeatTextInvocation(BaseInvocation, category="text", tags=("text", "example")):
    """Repeats a text a number of times."""

    type: Literal["repeat_text"] = "repeat_text"
    value: str = Field(default="", description="The text to repeat")
    times: int = Field(default=2, ge=0, le=100, description="How many times")
    separator: Literal["space", "comma", "none"] = Field(default="space", description="What goes between")

    class Outputs(BaseInvocationOutput):
        value: str = Field(description="The repeated text")

    def invoke(self, context: InvocationContext) -> "RepeatTextInvocation.Outputs":
        joiner = {"space": " ", "comma": ",", "none": ""}[self.separator]
        return self.Outputs(value=joiner.join([self.value] * self.times))


@hookimpl
def register_invocations():
    return [RepeatTextInvocation]


@hookimpl
def register_commands(cli):
    import click  # only when the CLI asks

    @cli.command()
    @click.argument("name")
    def hello(name):
        """Greets NAME (added by the cli_example plugin)."""
        click.echo(f"hello {name} from a plugin")
