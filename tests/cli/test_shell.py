"""`invokeai shell`, driven as a user would: through a pseudo-terminal, with readline."""

from __future__ import annotations

import pytest
from invoke_cli.completion import candidates
from invoke_cli.shell_session import SHELL_COMMANDS, Shell

from tests.cli.shell_driver import PROMPT, leave, send, spawn_shell


def test_shell_pipes_links_across_lines_history_and_defaults(tmp_path):
    child = spawn_shell(tmp_path)
    assert "0 add: value=5" in send(child, "add --a 2 --b 3")
    out = send(child, "mul --b 4 -l a -1 value | sub --b 1 -l a -1 value")
    assert "1 mul: value=20" in out and "2 sub: value=19" in out
    out = send(child, "add -l a -3 value -l b 2 value")  # node 0 (5) plus node 2 (19)
    assert "3 add: value=24" in out
    history = send(child, "history 2").strip().splitlines()[1:]
    assert [line.split()[:3] for line in history] == [["-2", "2", "sub"], ["-1", "3", "add"]]
    assert "default b = 100" in send(child, "default b 100")
    assert "4 add: value=101" in send(child, "add --a 1")
    assert "5 sub: value=1" in send(child, "sub --a 2 --b 1")  # given values beat defaults
    send(child, "reset_default b")
    assert "6 add: value=1" in send(child, "add --a 1")
    leave(child)


def test_shell_errors_print_one_line_and_the_session_goes_on(tmp_path):
    child = spawn_shell(tmp_path)
    out = send(child, "bogus --a 1")
    assert "error: command 1: unknown node type 'bogus'" in out and "Traceback" not in out
    out = send(child, "add --a 1 | mul --nope 2")
    assert "No such option '--nope'" in out
    assert "0 add: value=7" in send(child, "add --a 7")  # the failed line added nothing
    out = send(child, "div -l a -1 value --b 0")
    assert "error: node '1' (div) failed: ZeroDivisionError" in out and "new one is started" in out
    assert "0 integer: value=3" in send(child, "integer --value 3")
    assert "error: history: expected a number" in send(child, "history x")
    leave(child)


def test_tab_completes_node_types_and_options(tmp_path):
    child = spawn_shell(tmp_path)
    child.send("img_bl\t")
    child.expect_exact("img_blur ")
    child.send("--rad\t")
    child.expect_exact("--radius ")
    child.send("3 --blur_type b\t")
    child.expect_exact("box ")
    child.sendcontrol("u")
    out = send(child, "")
    assert "error" not in out
    leave(child)


def test_history_is_kept_across_runs(tmp_path):
    child = spawn_shell(tmp_path)
    send(child, "add --a 40 --b 2")
    leave(child)
    assert "add --a 40 --b 2" in (tmp_path / "cli_history").read_text()
    child = spawn_shell(tmp_path)
    child.send("\x1b[A")  # up arrow: the line from the last run
    child.expect_exact("add --a 40 --b 2")
    child.send("\r")
    child.expect_exact(PROMPT)
    assert "0 add: value=42" in child.before
    leave(child)


# The same logic without a terminal.


@pytest.fixture
def shell(app) -> Shell:
    return Shell(app, quiet=True)


def test_a_bad_line_adds_nothing(shell, capsys):
    shell.handle("add --a 1 | mul -l a -1 nothing")
    assert "cannot link 0.nothing to a" in capsys.readouterr().err
    assert shell.session.graph.nodes == {} and shell.history == []


def test_defaults_apply_only_to_nodes_with_that_field_and_yield_to_links(shell, capsys):
    shell.handle("default b 5")
    shell.handle("add --a 1 | integer | mul -l a 0 value")
    out = capsys.readouterr().out
    # integer has no `b`; its `value` is auto-linked from add; mul takes the default b
    assert "0 add: value=6" in out and "1 integer: value=6" in out and "2 mul: value=30" in out
    shell.handle("default value 9")
    shell.handle("integer | integer --value 1 | integer")
    out = capsys.readouterr().out
    # the default fills an unlinked input; a given value beats it; a link beats it too
    assert "3 integer: value=9" in out and "4 integer: value=1" in out and "5 integer: value=1" in out
    shell.handle("default nosuchfield 1")
    assert "no node type has a field 'nosuchfield'" in capsys.readouterr().err


def test_completion_candidates():
    assert candidates("img_bl", "img_bl") == ["img_blur"]
    assert "history" in candidates("hi", "hi", SHELL_COMMANDS)
    assert candidates("add | hi", "hi", SHELL_COMMANDS) == []  # shell commands only start a line
    assert candidates("add | mu", "mu") == ["mul"]
    assert candidates("img_resize --w", "--w") == ["--width"]
    assert candidates("img_resize --resample_mode la", "la") == ["lanczos"]
    assert candidates("help img_c", "img_c", SHELL_COMMANDS) == ["img_crop"]
