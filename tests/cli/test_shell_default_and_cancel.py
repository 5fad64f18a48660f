"""The shell refuses a default no node could take, and Ctrl-C during a line cancels that run
and leaves the shell ready: the next line runs in a new session."""

from __future__ import annotations

import time

import pytest
from invoke_cli.shell_session import Shell

from tests.cli.shell_driver import PROMPT, leave, send, spawn_shell


def test_a_bad_default_is_refused_at_once_and_the_shell_goes_on(tmp_path):
    child = spawn_shell(tmp_path, slow_nodes=True)
    out = send(child, "default radius notanumber")
    assert out.splitlines()[1:] == [
        "error: default radius: Input should be a valid number, unable to parse string as a number (got 'notanumber')"
    ]
    out = send(child, "default radius -1")
    assert "error: default radius: Input should be greater than or equal to 0 (got '-1')" in out
    assert send(child, "defaults").splitlines()[1:] == []  # nothing was kept
    out = send(child, "img_noise --width 8 --height 8 | img_blur")
    assert "1 img_blur: image=" in out and "error" not in out
    assert "default radius = 2" in send(child, "default radius 2")
    assert "3 img_blur: image=" in send(child, "img_noise --width 8 --height 8 | img_blur")
    leave(child)


def test_ctrl_c_cancels_the_line_and_the_next_runs_in_a_new_session(tmp_path):
    child = spawn_shell(tmp_path, slow_nodes=True)
    assert "0 add: value=1" in send(child, "add --a 1")
    child.sendline("range --stop 200 | iterate | pause --seconds 0.1 -l item -1 item")  # 20 s unless canceled
    time.sleep(1.5)  # the run is under way (--quiet shows nothing until it ends)
    started = time.monotonic()
    child.sendintr()
    child.expect_exact(PROMPT)
    assert time.monotonic() - started < 5
    assert "canceled; a new session is started" in child.before
    out = send(child, "add --a 2 --b 3")
    assert "0 add: value=5" in out  # node 0 of a new session, and it ran
    assert "1 add: value=7" in send(child, "add --a 2 -l b -1 value")
    leave(child)


# The same logic without a terminal.


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("default radius notanumber", "default radius: Input should be a valid number"),
        ("default blur_type median", "default blur_type: Input should be 'gaussian' or 'box' (got 'median')"),
        ("default width 0", "default width: Input should be greater than 0 (got '0')"),
        ("default image {oops", "default image: bad JSON '{oops'"),
        ("default nosuchfield 1", "default: no node type has a field 'nosuchfield'"),
    ],
)
def test_default_checks_the_value_against_every_node_type_with_that_field(app, capsys, line, message):
    shell = Shell(app, quiet=True)
    shell.handle(line)
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}") and err.count("\n") == 1
    assert shell.defaults == {}


def test_a_default_one_node_type_takes_is_kept(app, capsys):
    shell = Shell(app, quiet=True)
    shell.handle("default value 2.5")  # `float` takes it, `integer` could not
    assert shell.defaults == {"value": "2.5"}
    shell.handle("float")
    assert "0 float: value=2.5" in capsys.readouterr().out
