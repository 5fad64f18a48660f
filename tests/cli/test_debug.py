"""`--debug` on a node failure shows where the node failed, not where the CLI reported it."""

from __future__ import annotations

from invoke_cli.shell_session import Shell


def test_debug_run_prints_the_node_traceback(invoke):
    result = invoke("--debug", "run", "-q", "add --a 1 | div --b 0")
    assert result.exit_code == 1
    assert result.stdout.startswith("0 add: value=1")
    err = result.stderr
    assert err.startswith("node '1' (div):\nTraceback (most recent call last):")
    assert "invoke_core/nodes/math.py" in err and "in invoke" in err
    assert "ZeroDivisionError: cannot divide 0 by zero" in err
    assert "invoke_cli" not in err and "RunFailed" not in err  # nothing of the CLI's own stack
    assert err.endswith("\nerror: node '1' (div) failed: ZeroDivisionError: cannot divide 0 by zero (input 'b' is 0)\n")


def test_without_debug_a_node_failure_is_one_line(invoke):
    result = invoke("run", "-q", "div --a 1 --b 0")
    assert result.exit_code == 1
    assert (
        result.stderr == "error: node '0' (div) failed: ZeroDivisionError: cannot divide 1 by zero (input 'b' is 0)\n"
    )


def test_debug_shell_prints_the_node_traceback(app, capsys):
    app.debug = True
    shell = Shell(app, quiet=True)
    shell.handle("div --a 1 --b 0")
    err = capsys.readouterr().err
    assert err.startswith("node '0' (div):\nTraceback (most recent call last):")
    assert "invoke_core/nodes/math.py" in err and "invoke_cli" not in err
    assert "error: node '0' (div) failed: ZeroDivisionError" in err
