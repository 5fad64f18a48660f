"""`python -m invoke_cli`: the same as the `invokeai` command."""

from invoke_cli.main import main

if __name__ == "__main__":
    main(prog_name="invokeai")
