"""What the hardening (issue 11) costs and bounds: enqueue throughput and latency for 20 concurrent
clients while 3 Socket.IO clients subscribe to the queue, and the server's peak RSS under the
largest request it accepts (a graph of max_graph_nodes nodes, created, read back and run).

    python bench/web_hardening.py [--services local|memory|both] [--seconds 10]

The server is `invokeai web` in its own process (see web_api.py); its peak RSS is the kernel's
high-water mark (VmHWM), read before and after each request on a fresh server.
"""

from __future__ import annotations

import argparse
import threading
import time

import httpx
import socketio
from web_api import ONE_NODE, Server, wait_idle

CLIENTS = 20
SUBSCRIBERS = 3
MAX_GRAPH_NODES = 100_000  # the default limit (docs/configuration.md)


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def subscribers(url: str, count: int) -> tuple[list[socketio.Client], list[int]]:
    received = [0] * count
    clients = []
    for number in range(count):
        sio = socketio.Client(reconnection=False)

        def on_events(batch, number=number):
            received[number] += len(batch)

        sio.on("events", on_events)
        sio.connect(url, transports=["websocket"])
        sio.call("subscribe_queue", {})
        clients.append(sio)
    return clients, received


def concurrent_enqueues(url: str, seconds: float) -> tuple[float, float, float, int]:
    """Requests per second, p50 and p99 seconds, and the fewest events a subscriber received."""
    listeners, received = subscribers(url, SUBSCRIBERS)
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    start_together = threading.Barrier(CLIENTS)
    body = {"graph": ONE_NODE}

    def client(number: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            http.post("/api/v1/queue/batches", json=body).raise_for_status()  # opens the connection
            start_together.wait()
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                started = time.perf_counter()
                http.post("/api/v1/queue/batches", json=body).raise_for_status()
                latencies[number].append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(CLIENTS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    with httpx.Client(base_url=url, timeout=60) as http:
        wait_idle(http)
    for sio in listeners:
        sio.disconnect()
    every = sorted(latency for own in latencies for latency in own)
    return len(every) / elapsed, percentile(every, 0.5), percentile(every, 0.99), min(received)


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def largest_graph(nodes: int) -> dict:
    """`nodes` nodes in chains of 100 (a long chain would only test recursion), each feeding the next."""
    graph: dict = {"nodes": {}, "edges": []}
    for index in range(nodes):
        graph["nodes"][f"n{index}"] = {"type": "add", "a": index % 7, "b": 1, "use_cache": False}
        if index % 100:
            graph["edges"].append(
                {
                    "source": {"node_id": f"n{index - 1}", "field": "value"},
                    "destination": {"node_id": f"n{index}", "field": "a"},
                }
            )
    return graph


def largest_request(kind: str) -> list[tuple[str, float, float, int]]:
    """(step, seconds, peak RSS MB after it, status) for the largest graph, on one fresh server."""
    graph = largest_graph(MAX_GRAPH_NODES)
    rows = []
    server = Server(kind)
    try:
        with httpx.Client(base_url=server.url, timeout=600) as http:
            rows.append(("idle", 0.0, peak_rss_mb(server.process.pid), 200))
            started = time.perf_counter()
            created = http.post("/api/v1/sessions", json=graph)
            rows.append(("create", time.perf_counter() - started, peak_rss_mb(server.process.pid), created.status_code))
            started = time.perf_counter()
            read = http.get(f"/api/v1/sessions/{created.json()['id']}")
            rows.append(("read back", time.perf_counter() - started, peak_rss_mb(server.process.pid), read.status_code))
            started = time.perf_counter()
            listed = http.get("/api/v1/sessions")
            rows.append(("list", time.perf_counter() - started, peak_rss_mb(server.process.pid), listed.status_code))
            started = time.perf_counter()
            invoked = http.put(f"/api/v1/sessions/{created.json()['id']}/invoke")
            wait_idle(http)
            item = http.get(f"/api/v1/queue/items/{invoked.json()['item_id']}").json()
            status = 200 if item["status"] == "completed" else 500
            rows.append(("run", time.perf_counter() - started, peak_rss_mb(server.process.pid), status))
            over = largest_graph(MAX_GRAPH_NODES + 1)
            refused = http.post("/api/v1/sessions", json=over)
            rows.append(("one node over", 0.0, peak_rss_mb(server.process.pid), refused.status_code))
    finally:
        server.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", choices=["local", "memory", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the 20 clients enqueue")
    args = parser.parse_args()
    kinds = ["local", "memory"] if args.services == "both" else [args.services]

    print(f"{CLIENTS} clients enqueueing, {SUBSCRIBERS} socket subscribers to the queue")
    print(f"{'services':<9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'events/sub':>11}")
    for kind in kinds:
        server = Server(kind)
        try:
            rate, p50, p99, events = concurrent_enqueues(server.url, args.seconds)
        finally:
            server.close()
        print(f"{kind:<9} {rate:>7.0f} {p50 * 1000:>7.1f} {p99 * 1000:>7.1f} {events:>11}", flush=True)

    print(f"\nthe largest accepted graph: {MAX_GRAPH_NODES} nodes; the server's peak RSS after each step")
    print(f"{'services':<9} {'step':<14} {'status':>6} {'seconds':>8} {'peak RSS MB':>12}")
    for kind in kinds:
        for step, seconds, rss, status in largest_request(kind):
            print(f"{kind:<9} {step:<14} {status:>6} {seconds:>8.2f} {rss:>12.0f}", flush=True)


if __name__ == "__main__":
    main()
