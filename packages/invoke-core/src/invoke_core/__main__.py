"""`python -m invoke_core run GRAPH.json`: run a graph file on the configured services.

Prints one JSON line per execution (its outputs). Bad input exits with code 2 and one line.
The full command line interface lives in the invoke-cli package.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m invoke_core", description="Run an Invoke graph file.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a graph JSON file and print every node's outputs")
    run.add_argument("graph", type=Path, help="a graph JSON file")
    run.add_argument("--root", type=Path, help="the root folder (default: INVOKE_ROOT or ~/invokeai)")
    args = parser.parse_args(argv)

    from invoke_core import Graph, InvokeError, Invoker, load_config

    try:
        graph = Graph.model_validate_json(args.graph.read_bytes())
        invoker = Invoker(config=load_config(args.root))
    except OSError as exc:
        print(f"error: cannot read {args.graph}: {exc.strerror}", file=sys.stderr)
        return 2
    except InvokeError as exc:
        print(f"error: {args.graph}: {exc}", file=sys.stderr)
        return 2
    with invoker:
        session = invoker.run(graph)
    for execution in session.history:
        if execution in session.errors:
            error = session.errors[execution]
            print(
                json.dumps(
                    {"node": execution, "type": error.node_type, "error": f"{error.error_type}: {error.message}"}
                )
            )
        elif execution in session.results:  # an iterate's results are its items, listed under item ids
            print(json.dumps({"node": execution, "outputs": session.results[execution].model_dump(mode="json")}))
    return 1 if session.errors else 0


if __name__ == "__main__":
    sys.exit(main())
