"""The click command class of `run` and `graph`: their own options go before or after the pipeline.

A pipeline is one quoted argument (`"add --a 1 | mul -l a -1 value"`) or several shell words
(`add --a 1 "|" mul -l a -1 value`). Its words carry node options, so click alone cannot tell
them from the command's own options; this class reorders the arguments before click reads them:

- options before the pipeline are the command's own, as in any command;
- after a quoted pipeline only the command's own options may follow (`run "add --a 1" --json`);
- after a pipeline of several words, the longest tail made only of the command's own options
  is theirs (`run add --a 1 --json`); a node option of the same name there loses, so quote the
  pipeline or put `--` before it to keep every word in the pipeline.
"""

from __future__ import annotations

import click

from invoke_cli.errors import CliError

END_OF_OPTIONS = "--"


def is_quoted_pipeline(word: str) -> bool:
    """A node type never holds a space or a pipe: a word that does is a whole pipeline."""
    return "|" in word or any(character.isspace() for character in word)


def option_arity(command: click.Command, ctx: click.Context, *, with_help: bool) -> dict[str, int]:
    """Each option name of the command -> how many values follow it."""
    help_names = set(ctx.help_option_names)
    arity: dict[str, int] = {}
    for param in command.get_params(ctx):
        if not isinstance(param, click.Option):
            continue
        names = [*param.opts, *param.secondary_opts]
        if not with_help and help_names.intersection(names):
            continue
        for name in names:
            arity[name] = 0 if param.is_flag or param.count else param.nargs
    return arity


def options_problem(words: list[str], arity: dict[str, int]) -> str | None:
    """None when `words` are only options named in `arity`, each with its values; else what is wrong."""
    index = 0
    while index < len(words):
        word = words[index]
        name, equals, _value = word.partition("=")
        if equals and name.startswith("--") and arity.get(name, 0) > 0:
            index += 1
            continue
        if word not in arity:
            return f"unexpected {word!r}"
        if index + arity[word] >= len(words) and arity[word] > 0:
            return f"option {word!r} requires a value"
        index += 1 + arity[word]
    return None


def first_pipeline_word(args: list[str], arity: dict[str, int]) -> int:
    """Where the pipeline starts: after the leading options and their values."""
    index = 0
    while index < len(args):
        word = args[index]
        name, equals, _value = word.partition("=")
        if equals and name.startswith("--") and name in arity:
            index += 1
        elif word in arity:
            index += 1 + arity[word]
        else:
            break
    return index


class PipelineCommand(click.Command):
    """A command whose last argument is a pipeline (nargs=-1, click.UNPROCESSED)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self.options_first(ctx, list(args)))

    def options_first(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The arguments with the command's own options first, then `--` and the pipeline's words."""
        start = first_pipeline_word(args, option_arity(self, ctx, with_help=True))
        if start >= len(args) or args[start] == END_OF_OPTIONS:
            return args
        leading, words = args[:start], args[start:]
        if is_quoted_pipeline(words[0]):
            problem = options_problem(words[1:], option_arity(self, ctx, with_help=True))
            if problem is not None:
                raise CliError(
                    f"after the pipeline: {problem} (only options of `{ctx.command_path}` may follow a quoted pipeline)"
                )
            return [*leading, *words[1:], END_OF_OPTIONS, words[0]]
        # several words: `TYPE --help` after them asks for the node's help, not the command's
        own = option_arity(self, ctx, with_help=False)
        for cut in range(1, len(words)):
            if words[cut] in own or words[cut].partition("=")[0] in own:
                if options_problem(words[cut:], own) is None:
                    return [*leading, *words[cut:], END_OF_OPTIONS, *words[:cut]]
        return args
