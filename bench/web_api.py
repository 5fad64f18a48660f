"""Web API benchmark: enqueue throughput over HTTP, enqueue-to-complete latency, and what Socket.IO
subscribers cost a 1,000-node run. The server is `invokeai web` in its own process.

    python bench/web_api.py [--services local|memory|both]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import socketio

SERVE = """
import sys, click
from invoke_web.plugin import register_commands
group = click.Group("invokeai")
register_commands(group)
group(sys.argv[1:])
"""
MEMORY = {
    f"INVOKE_{kind.upper()}": "memory"
    for kind in ("session_storage", "session_queue", "image_storage", "object_storage", "invocation_cache", "events")
}
ONE_NODE = {"nodes": {"n": {"type": "add", "a": 1, "b": 2, "use_cache": False}}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, services: str):
        self.root = tempfile.mkdtemp(prefix="invoke-web-bench-")
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("INVOKE_")}
        if services == "memory":
            env.update(MEMORY)
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE, "web", "--port", str(port), "--root", self.root],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(self.url + "/api/v1/health", timeout=2)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.1)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def wait_idle(client: httpx.Client) -> None:
    while True:
        status = client.get("/api/v1/queue/status").json()
        if status["pending"] == 0 and status["in_progress"] == 0:
            return
        time.sleep(0.05)


def enqueue_throughput(url: str, requests: int = 1500, threads: int = 8) -> float:
    clients = [httpx.Client(base_url=url, timeout=30) for _ in range(threads)]
    body = {"graph": ONE_NODE}
    for client in clients:  # warm up connections
        client.post("/api/v1/queue/batches", json=body).raise_for_status()

    def worker(index: int) -> None:
        client = clients[index]
        for _ in range(requests // threads):
            client.post("/api/v1/queue/batches", json=body).raise_for_status()

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, range(threads)))
    elapsed = time.perf_counter() - start
    wait_idle(clients[0])
    for client in clients:
        client.close()
    return (requests // threads) * threads / elapsed


def enqueue_to_complete(url: str, runs: int = 200) -> tuple[float, float]:
    done: dict[str, float] = {}
    arrived = threading.Condition()
    sio = socketio.Client(reconnection=False)

    def on_events(batch):
        now = time.perf_counter()
        with arrived:
            for event in batch:
                data = event["data"]
                if event["event"] == "queue_item_status_changed" and data["status"] == "completed":
                    done[data["batch_id"]] = now
            arrived.notify_all()

    sio.on("events", on_events)
    sio.connect(url, transports=["websocket"])
    sio.call("subscribe_queue", {})
    latencies = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(runs):
            start = time.perf_counter()
            batch_id = client.post("/api/v1/queue/batches", json={"graph": ONE_NODE}).json()["batch_id"]
            with arrived:
                arrived.wait_for(lambda batch_id=batch_id: batch_id in done, timeout=30)
            latencies.append(done[batch_id] - start)
    sio.disconnect()
    latencies.sort()
    return statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]


def chain(length: int) -> dict:
    nodes = {"n0": {"type": "integer", "value": 0, "use_cache": False}}
    edges = []
    for index in range(1, length):
        nodes[f"n{index}"] = {"type": "add", "b": 1, "use_cache": False}
        edges.append(
            {
                "source": {"node_id": f"n{index - 1}", "field": "value"},
                "destination": {"node_id": f"n{index}", "field": "a"},
            }
        )
    return {"nodes": nodes, "edges": edges}


def run_with_subscribers(url: str, subscribers: int, graph: dict) -> tuple[float, int]:
    """Seconds the 1,000-node session ran (the queue item's own start and end), events received."""
    with httpx.Client(base_url=url, timeout=60) as client:
        session_id = client.post("/api/v1/sessions", json=graph).json()["id"]
        listeners = []
        counts = [0] * subscribers
        finished = threading.Barrier(subscribers + 1) if subscribers else None
        for number in range(subscribers):
            sio = socketio.Client(reconnection=False)

            def on_events(batch, number=number):
                counts[number] += len(batch)
                if any(event["event"] == "session_complete" for event in batch):
                    finished.wait()

            sio.on("events", on_events)
            sio.connect(url, transports=["websocket"])
            sio.call("subscribe_session", {"session_id": session_id})
            listeners.append(sio)
        item = client.put(f"/api/v1/sessions/{session_id}/invoke").json()
        while True:
            current = client.get(f"/api/v1/queue/items/{item['item_id']}").json()
            if current["status"] not in ("pending", "in_progress"):
                break
            time.sleep(0.05)
        assert current["status"] == "completed", current
        if finished is not None:
            finished.wait(timeout=60)
        for sio in listeners:
            sio.disconnect()
        time.sleep(0.2)  # let the server see the disconnects
        return current["completed_at"] - current["started_at"], min(counts) if counts else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", choices=["local", "memory", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    kinds = ["local", "memory"] if args.services == "both" else [args.services]
    rows = []
    for kind in kinds:
        server = Server(kind)
        try:
            throughput = max(enqueue_throughput(server.url) for _ in range(2))
            p50, p99 = enqueue_to_complete(server.url)
            graph = chain(1000)
            times: dict[int, list[float]] = {0: [], 1: [], 10: []}
            received = 0
            for _ in range(args.repeats):  # interleaved, so drift in machine load hits all alike
                for subscribers in times:
                    seconds, events = run_with_subscribers(server.url, subscribers, graph)
                    times[subscribers].append(seconds)
                    received = max(received, events)
            medians = {n: statistics.median(values) for n, values in times.items()}
            rows.append((kind, throughput, p50, p99, medians, received))
        finally:
            server.close()

    print(
        f"{'services':<9} {'enqueue req/s':>13} {'latency p50':>12} {'p99':>9} "
        f"{'1k run, 0 subs':>15} {'1 sub':>9} {'10 subs':>9} {'10/0':>6} {'events/sub':>11}"
    )
    for kind, throughput, p50, p99, medians, received in rows:
        print(
            f"{kind:<9} {throughput:>13.0f} {p50 * 1000:>10.1f}ms {p99 * 1000:>7.1f}ms "
            f"{medians[0] * 1000:>13.0f}ms {medians[1] * 1000:>7.0f}ms {medians[10] * 1000:>7.0f}ms "
            f"{medians[10] / medians[0]:>6.2f} {received:>11}"
        )


if __name__ == "__main__":
    main()
