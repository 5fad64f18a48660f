"""Tab completion for the shell: node types at the start of a command, then their options and
the choices of Literal fields. Pure functions, so tests need no terminal."""

from __future__ import annotations

from invoke_cli.node_commands import node_command
from invoke_cli.pipeline import node_classes
from invoke_cli.values import literal_choices


def _option_names(node_type: str) -> list[str]:
    cls = node_classes().get(node_type)
    if cls is None:
        return []
    names: list[str] = []
    for param in node_command(cls).params:
        names.extend(name for name in getattr(param, "opts", ()) if name.startswith("--"))
    return names


def _choices(node_type: str, option: str) -> list[str]:
    cls = node_classes().get(node_type)
    if cls is None:
        return []
    fields = cls.input_fields()
    name = option.lstrip("-")
    info = fields.get(name) or fields.get(name.replace("-", "_"))
    choices = literal_choices(info.annotation) if info is not None else None
    return [str(choice) for choice in choices or ()]


def candidates(before_cursor: str, text: str, shell_commands: tuple[str, ...] = ()) -> list[str]:
    """What may replace `text`, the word being typed, given the line up to the cursor."""
    line_start = "|" not in before_cursor
    segment = before_cursor.rsplit("|", 1)[-1]
    words = segment.split()
    if text and words and words[-1] == text:
        words = words[:-1]
    if not words:
        pool = sorted(node_classes()) + (sorted(shell_commands) if line_start else [])
    elif words[0] == "help" and line_start and len(words) == 1:
        pool = sorted(node_classes())
    elif text.startswith("-"):
        pool = _option_names(words[0])
    elif words[-1].startswith("--"):
        pool = _choices(words[0], words[-1])
    else:
        pool = []
    return [candidate for candidate in pool if candidate.startswith(text)]


class ReadlineCompleter:
    """The `completer(text, state)` readline calls."""

    def __init__(self, readline_module: object, shell_commands: tuple[str, ...]):
        self.readline = readline_module
        self.shell_commands = shell_commands
        self._matches: list[str] = []

    def __call__(self, text: str, state: int) -> str | None:
        if state == 0:
            line = self.readline.get_line_buffer()  # type: ignore[attr-defined]
            begin = self.readline.get_begidx()  # type: ignore[attr-defined]
            self._matches = [m + " " for m in candidates(line[:begin] + text, text, self.shell_commands)]
        return self._matches[state] if state < len(self._matches) else None
