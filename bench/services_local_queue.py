"""Throughput of the embedded default (SQLite + disk) next to the in-memory services; a table.

    python bench/services_local_queue.py [--items 1000] [--batch 10000] [--repeat 3]

sessions/s: one-node sessions through the full path: `Invoker.invoke` (store the session,
enqueue it, emit its status) -> the processor thread claims and runs it -> events -> the
completed record is written. Timed from the first enqueue to the last completion event.
batch enqueue: one `enqueue_batch` of N sessions (one graph, N seeds). Each case runs
`--repeat` times on a fresh root and the best is kept (the machine is noisy).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time

os.environ.setdefault("INVOKE_DISABLE_PLUGIN_AUTOLOAD", "1")

from invoke_core import Batch, InvocationServices, Invoker, load_config, register_plugin  # noqa: E402
from invoke_core.events import QueueItemStatusChangedEvent  # noqa: E402
from invoke_services_local import plugin as local_plugin  # noqa: E402

LOCAL = {}  # the plugin's defaults apply
MEMORY = {kind: "memory" for kind in ("session_storage", "session_queue", "image_storage", "object_storage")}


def sessions_per_second(settings: dict, items: int) -> float:
    with tempfile.TemporaryDirectory() as root:
        invoker = Invoker(InvocationServices.from_config(load_config(root, environ={}, **settings)))
        done = threading.Event()
        finished = 0

        def count(event) -> None:
            nonlocal finished
            if isinstance(event, QueueItemStatusChangedEvent) and event.status == "completed":
                finished += 1
                if finished == items:
                    done.set()

        invoker.services.events.subscribe(count)
        invoker.start()
        started = time.perf_counter()
        for value in range(items):
            invoker.invoke(invoker.create_session({"nodes": {"n": {"type": "integer", "value": value}}}))
        assert done.wait(120), f"only {finished} of {items} finished"
        elapsed = time.perf_counter() - started
        assert invoker.services.queue.counts()["completed"] == items
        invoker.close()
    return items / elapsed


def batch_enqueue_seconds(settings: dict, size: int) -> float:
    with tempfile.TemporaryDirectory() as root:
        services = InvocationServices.from_config(load_config(root, environ={}, **settings))
        batch = Batch.model_validate(
            {
                "graph": {"nodes": {"noise": {"type": "img_noise", "width": 64, "height": 64}}},
                "data": [[{"node_path": "noise", "field_name": "seed", "items": list(range(size))}]],
            }
        )
        started = time.perf_counter()
        result = services.queue.enqueue_batch(batch)
        elapsed = time.perf_counter() - started
        assert result.enqueued == size and services.queue.counts()["pending"] == size
        services.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    register_plugin(local_plugin, name="local")

    rows = []
    for label, settings in (("local (sqlite+disk)", LOCAL), ("memory", MEMORY)):
        rate = max(sessions_per_second(settings, args.items) for _ in range(args.repeat))
        seconds = min(batch_enqueue_seconds(settings, args.batch) for _ in range(args.repeat))
        rows.append((label, rate, seconds))

    print(f"{'services':<22}{f'{args.items} one-node sessions/s':>28}{f'enqueue_batch({args.batch}) s':>26}")
    for label, rate, seconds in rows:
        print(f"{label:<22}{rate:>28.0f}{seconds:>26.3f}")
    local, memory = rows[0], rows[1]
    print(f"{'local / memory':<22}{local[1] / memory[1]:>28.2f}{local[2] / memory[2]:>26.2f}")


if __name__ == "__main__":
    main()
