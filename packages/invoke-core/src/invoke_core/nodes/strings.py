"""String nodes: join, search-and-replace, and prompt templates.

Each works out how long its result will be before making it: a short request can ask for
terabytes (replace each of 100,000 letters with 100,000 others), and a string longer than a
session may store (max_session_mb) could never be kept anyway, so such a node fails at once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import Field, model_validator

from invoke_core.config import InvokeConfig
from invoke_core.context import InvocationContext
from invoke_core.errors import LimitExceededError
from invoke_core.invocation import BaseInvocation, BaseInvocationOutput

PROMPT_PLACEHOLDER = "{prompt}"

# A user's pattern can backtrack for hours on a short string; matching stops after this long.
REGEX_TIMEOUT_S = 2.0


def _max_chars(context: Any) -> int:
    """The longest string a session may store (as the session storage counts max_session_mb)."""
    config = getattr(context, "config", None)  # a node called by hand (no context) gets the default
    megabytes = config.max_session_mb if config is not None else InvokeConfig().max_session_mb
    return int(megabytes * 1024 * 1024)


def _check_length(node: BaseInvocation, length: int, limit: int, field: str) -> None:
    if length > limit:
        raise LimitExceededError(
            f"node {node.id!r} ({node.type}) would make a string of at least {length} characters; "  # type: ignore[attr-defined]
            f"a session may hold at most {limit} (max_session_mb)",
            node_id=node.id,
            field=field,
        )


class StringJoinInvocation(BaseInvocation, category="string", tags=("string", "join")):
    """Joins two strings into one, left then right."""

    type: Literal["string_join"] = "string_join"
    string_left: str = Field(default="", description="The string to put first")
    string_right: str = Field(default="", description="The string to put after it")

    class Outputs(BaseInvocationOutput):
        value: str = Field(description="The joined string")

    def invoke(self, context: InvocationContext) -> StringJoinInvocation.Outputs:
        # a chain of joins doubling a string reaches any size in a few dozen nodes
        _check_length(self, len(self.string_left) + len(self.string_right), _max_chars(context), "string_right")
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
        text, search, replacement, limit = self.string, self.search_string, self.replace_string, _max_chars(context)
        if not self.use_regex:
            grown = text.count(search) * (len(replacement) - len(search))
            _check_length(self, len(text) + grown, limit, "replace_string")
            return self.Outputs(value=text.replace(search, replacement))
        import regex

        pattern = _compile(search)
        try:
            _check_length(self, _longest_substitution(pattern, text, replacement, limit), limit, "replace_string")
            # `concurrent` lets other threads (the server's event loop) run while it matches
            replaced = pattern.sub(replacement, text, timeout=REGEX_TIMEOUT_S, concurrent=True)
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


def _longest_substitution(pattern: Any, text: str, replacement: str, limit: int) -> int:
    """An upper bound of the substituted string's length. Each match expands to at most the
    replacement's own length plus the groups it names: first bounded with every match as long as
    the whole string (a short string: done), else summed over the actual matches."""
    import regex

    groups: Counter[int | str] = Counter()  # each group the replacement names, and how often
    for escape in regex.finditer(r"\\(?:g<([^>]*)>|([0-9]{1,2})|.)", replacement, flags=regex.DOTALL):
        name, number = escape.group(1), escape.group(2)
        if name is not None:
            groups[int(name) if name.isdigit() else name] += 1
        elif number is not None:
            groups[int(number)] += 1
    most = len(text) + (len(text) + 1) * (len(replacement) + groups.total() * len(text))
    if most <= limit:
        return most
    length = len(text)
    for match in pattern.finditer(text, timeout=REGEX_TIMEOUT_S, concurrent=True):
        start, end = match.span()
        length += len(replacement) - (end - start)
        for group, times in groups.items():
            try:
                group_start, group_end = match.span(group)
            except IndexError:  # no such group: sub itself says so
                return length
            length += (group_end - group_start) * times
        if length > limit:
            return length
    return length


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
        grown = self.template.count(PROMPT_PLACEHOLDER) * (len(self.prompt) - len(PROMPT_PLACEHOLDER))
        _check_length(self, len(self.template) + grown, _max_chars(context), "prompt")
        # Plain replace, not str.format: templates often hold other braces (weights, JSON).
        return self.Outputs(value=self.template.replace(PROMPT_PLACEHOLDER, self.prompt))
