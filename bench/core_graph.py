"""Build, validate and run chain and wide graphs of trivial `add` nodes; print a table.

    python bench/core_graph.py [--sizes 1000,10000,100000] [--cache] [--repeat 3]

Chain: each node's `a` links from the previous node's `value`. Wide: independent nodes.
Runs in memory (core services only), with the invocation cache off unless --cache is given,
so the numbers are the engine's own cost per node. Each size runs `--repeat` times and the
fastest build and run are kept: shared machines are noisy, and the minimum is the least noisy.
"""

from __future__ import annotations

import argparse
import gc
import os
import time

os.environ.setdefault("INVOKE_DISABLE_PLUGIN_AUTOLOAD", "1")

from invoke_core import Graph, InvocationServices, InvokeConfig, Invoker  # noqa: E402


def chain_json(size: int) -> dict:
    nodes = {f"n{i}": {"type": "add", "a": 0, "b": 1} for i in range(size)}
    edges = [
        {"source": {"node_id": f"n{i - 1}", "field": "value"}, "destination": {"node_id": f"n{i}", "field": "a"}}
        for i in range(1, size)
    ]
    return {"nodes": nodes, "edges": edges}


def wide_json(size: int) -> dict:
    return {"nodes": {f"n{i}": {"type": "add", "a": i, "b": 1} for i in range(size)}, "edges": []}


def measure(shape: str, size: int, cache: bool) -> dict:
    data = chain_json(size) if shape == "chain" else wide_json(size)
    gc.collect()
    started = time.perf_counter()
    graph = Graph.model_validate(data)
    built = time.perf_counter()
    config = InvokeConfig(node_cache_size=512 if cache else 0)
    session = Invoker(InvocationServices(config)).run(graph)
    ran = time.perf_counter()
    assert session.status == "completed", session.errors
    if shape == "chain":
        assert session.results[f"n{size - 1}"].value == size
    return {"build": built - started, "run": ran - built}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--cache", action="store_true", help="keep the invocation cache on (hashes every node)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the fastest counts")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    measure("chain", 100, args.cache)  # warm up: plugin loading and first-call costs are not per node
    print(f"invocation cache: {'on' if args.cache else 'off'}")
    print(f"{'shape':<6} {'nodes':>8} {'build+validate s':>17} {'execute s':>10} {'us/node total':>14} {'growth':>7}")
    for shape in ("chain", "wide"):
        previous = None
        for size in sizes:
            runs = [measure(shape, size, args.cache) for _ in range(args.repeat)]
            timing = {phase: min(run[phase] for run in runs) for phase in ("build", "run")}
            total = timing["build"] + timing["run"]
            growth = f"{total / previous[1]:.1f}x" if previous else "-"
            print(
                f"{shape:<6} {size:>8} {timing['build']:>17.3f} {timing['run']:>10.3f} {total / size * 1e6:>14.1f} {growth:>7}"
            )
            previous = (size, total)


if __name__ == "__main__":
    main()
