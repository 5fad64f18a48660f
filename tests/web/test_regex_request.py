"""The request that froze the server: a string_replace regex that backtracks. The server keeps
answering while it runs, and the queue item finishes (or fails with why) in bounded time."""

from __future__ import annotations

import threading
import time

import pytest
from invoke_core.nodes.strings import REGEX_TIMEOUT_S

from tests.web.helpers import wait_for

ISSUE = ("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaa!")  # the request from the issue
RUNAWAY = ("(a|aa)+$", "a" * 60 + "!")  # backtracks for ages in any backtracking engine


def batch(pattern: str, text: str) -> dict:
    node = {"type": "string_replace", "use_regex": True, "search_string": pattern, "string": text}
    return {"graph": {"nodes": {"r": node}}}


@pytest.mark.parametrize(("request_", "outcome"), [(ISSUE, "completed"), (RUNAWAY, "failed")], ids=["issue", "runaway"])
def test_the_server_answers_while_a_user_regex_runs(server, client, request_, outcome):
    latencies: list[float] = []
    done = threading.Event()

    def ask_health() -> None:
        with server.client() as own:
            while not done.is_set():
                started = time.monotonic()
                assert own.get("/api/v1/health").status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.01)

    asker = threading.Thread(target=ask_health)
    asker.start()
    try:
        started = time.monotonic()
        assert client.post("/api/v1/queue/batches", json=batch(*request_)).status_code == 201

        def finished():
            items = client.get("/api/v1/queue/items").json()["items"]
            return items[0] if items and items[0]["status"] in ("completed", "failed") else None

        item = wait_for(finished, timeout=REGEX_TIMEOUT_S + 15)
        elapsed = time.monotonic() - started
    finally:
        done.set()
        asker.join()
    assert item["status"] == outcome, item["error"]
    if outcome == "failed":
        assert item["error"].startswith("r (string_replace): TimeoutError: the pattern '(a|aa)+$' took too long")
        assert elapsed > REGEX_TIMEOUT_S / 2  # it ran a while, and health was asked all through it
    assert elapsed < REGEX_TIMEOUT_S + 10
    assert latencies and max(latencies) < 1.0, f"health took up to {max(latencies):.2f} s while the regex ran"
