"""String nodes: join, search-and-replace, and prompt templates."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from invoke_core.context import InvocationContext
from invoke_core.invocation import BaseInvocation, BaseInvocationOutput

PROMPT_PLACEHOLDER = "{prompt}"

# A user's pattern can backtrack for hours on a short string; matching stops after this long.
REGEX_TIMEOUT_S = 2.0


class StringJoinInvocation(BaseInvocation, category="string", tags=("string", "join")):
    """Joins two strings into one, left then right."""

    type: Literal["string_join"] = "string_join"
    string_left: str = Field(default="", description="The string to put first")
    string_right: str = Field(default="", description="The string to put after it")

    class Outputs(BaseInvocationOutput):
        value: str = Field(description="The joined string")

    def invoke(self, context: InvocationContext) -> StringJoinInvocation.Outputs:
        return self.Outputs(value=self.string_left + self.string_right)


class StringReplaceInvocation(BaseInvocation, category="string", tags=("string", "replace", "regex")):
    """Replaces every occurrence of a search string (or regular expression) in a string."""

    type: Literal["string_replace"] = "string_replace"
    string: str = Field(default="", description="The string to search in")
    search_string: str = Field(min_length=1, description="The text (or regular expression) to find")
    replace_string: str = Field(
        default="", description="The replacement; with use_regex it may refer to groups as \\1 or \\g<name>"
    )
    use_regex: bool = Field(
        default=False,
        description="Treat search_string as a regular expression (Python's syntax); a match that runs past "
        f"{REGEX_TIMEOUT_S:g} s fails the node",
    )

    @model_validator(mode="after")
    def _regex_compiles(self) -> StringReplaceInvocation:
        # Catch a bad pattern when the graph is built; a linked pattern is checked when it runs.
        if self.use_regex and self.search_string:
            _compile(self.search_string)
        return self

    class Outputs(BaseInvocationOutput):
        value: str = Field(description="The string with every match replaced")

    def invoke(self, context: InvocationContext) -> StringReplaceInvocation.Outputs:
        if not self.use_regex:
            return self.Outputs(value=self.string.replace(self.search_string, self.replace_string))
        import regex

        pattern = _compile(self.search_string)
        try:
            # `concurrent` lets other threads (the server's event loop) run while it matches
            replaced = pattern.sub(self.replace_string, self.string, timeout=REGEX_TIMEOUT_S, concurrent=True)
        except regex.error as exc:
            raise ValueError(
                f"bad replacement {self.replace_string!r} for pattern {self.search_string!r}: {exc}"
            ) from None
        except TimeoutError:
            raise TimeoutError(
                f"the pattern {self.search_string!r} took too long (stopped after {REGEX_TIMEOUT_S:g} s): it "
                "backtracks too much on this string; avoid nested repeats such as (a+)+"
            ) from None
        return self.Outputs(value=replaced)


def _compile(pattern: str) -> Any:
    # `regex` (Python's re syntax, plus a timeout) is imported here, on first use: importing
    # invoke_core or loading the nodes stays light.
    import regex

    try:
        return regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None


class PromptTemplateInvocation(BaseInvocation, category="string", tags=("string", "prompt", "template")):
    """Puts a prompt into a template wherever the template says {prompt}."""

    type: Literal["prompt_template"] = "prompt_template"
    template: str = Field(
        default=PROMPT_PLACEHOLDER,
        description="The template; every {prompt} is replaced by the prompt, other braces are kept as they are",
    )
    prompt: str = Field(default="", description="The prompt to put into the template")

    class Outputs(BaseInvocationOutput):
        value: str = Field(description="The template with the prompt filled in")

    def invoke(self, context: InvocationContext) -> PromptTemplateInvocation.Outputs:
        # Plain replace, not str.format: templates often hold other braces (weights, JSON).
        return self.Outputs(value=self.template.replace(PROMPT_PLACEHOLDER, self.prompt))
