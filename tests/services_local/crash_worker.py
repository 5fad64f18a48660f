"""A process for the crash test to kill: it keeps enqueueing image sessions and running them.

Run as `python crash_worker.py ROOT`; prints "ready" once its processor runs. Each session
makes a noise image and saves a blurred copy, so a kill can land while a PNG is being written,
a record committed, a session stored or a queue item claimed or finished.
"""

from __future__ import annotations

import itertools
import sys
import time

from invoke_core import Batch, InvocationServices, Invoker, load_config, register_plugin
from invoke_services_local import plugin as local_plugin

GRAPH = {
    "nodes": {
        "noise": {"type": "img_noise", "width": 96, "height": 96, "seed": 0},
        "blur": {"type": "img_blur", "radius": 1.5},
        "save": {"type": "save_image"},
    },
    "edges": [
        {"source": {"node_id": "noise", "field": "image"}, "destination": {"node_id": "blur", "field": "image"}},
        {"source": {"node_id": "blur", "field": "image"}, "destination": {"node_id": "save", "field": "image"}},
    ],
}


def main(root: str) -> None:
    register_plugin(local_plugin, name="local")
    invoker = Invoker(InvocationServices.from_config(load_config(root, environ={})))
    invoker.start()
    print("ready", flush=True)
    for start in itertools.count(0, 5):
        invoker.enqueue_batch(
            Batch.model_validate(
                {
                    "graph": GRAPH,
                    "data": [[{"node_path": "noise", "field_name": "seed", "items": list(range(start, start + 5))}]],
                }
            )
        )
        while invoker.services.queue.counts()["pending"] > 10:
            time.sleep(0.005)


if __name__ == "__main__":
    main(sys.argv[1])
