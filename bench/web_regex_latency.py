"""How the server answers while a user's regular expression runs: the latency of
`GET /api/v1/health` during a string_replace with a backtracking pattern (issue 11, item 1).

    python bench/web_regex_latency.py [--services local|memory|both] [--seconds 1.8]

The server is `invokeai web` in its own process (see web_api.py). Health is asked over raw
sockets, one connection each: an HTTP client library adds its own delays on some machines.
"""

from __future__ import annotations

import argparse
import socket
import time

import httpx
from web_api import Server

REQUESTS = {
    "the issue's": ("(a+)+$", "a" * 26 + "!"),
    "runaway": ("(a|aa)+$", "a" * 60 + "!"),  # stopped by the node's timeout
}


def health_latency(port: int) -> float:
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        while sock.recv(65536):
            pass
    return time.perf_counter() - started


def measure(server: Server, pattern: str, text: str, seconds: float) -> list[float]:
    port = int(server.url.rsplit(":", 1)[1])
    node = {"type": "string_replace", "use_regex": True, "search_string": pattern, "string": text}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.post("/api/v1/queue/batches", json={"graph": {"nodes": {"r": node}}}).raise_for_status()
    latencies = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        latencies.append(health_latency(port))
    return sorted(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", choices=["local", "memory", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=1.8, help="how long to ask (the node's timeout is 2 s)")
    args = parser.parse_args()
    kinds = ["memory", "local"] if args.services == "both" else [args.services]
    print(f"{'services':<8} {'request':<12} {'asks':>5} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for kind in kinds:
        for name, (pattern, text) in REQUESTS.items():
            server = Server(kind)
            try:
                found = measure(server, pattern, text, args.seconds)
            finally:
                server.close()
            p50, p99 = found[len(found) // 2], found[min(len(found) - 1, int(len(found) * 0.99))]
            print(
                f"{kind:<8} {name:<12} {len(found):>5} {p50 * 1000:>7.1f} {p99 * 1000:>7.1f} {found[-1] * 1000:>7.1f}"
            )


if __name__ == "__main__":
    main()
