"""A failed node's traceback stays in the server log unless the settings expose it."""

from __future__ import annotations

import logging

from tests.web.helpers import SocketListener, live_server, wait_for

FAILING = {"nodes": {"boom": {"type": "web_test_fail", "reason": "on purpose"}}}


def run_failing(server, client) -> tuple[dict, dict, list[dict]]:
    """(the session from GET /sessions/{id}, its summary in the listing, the invocation_error events)."""
    session_id = client.post("/api/v1/sessions", json=FAILING).json()["id"]
    with SocketListener(server) as listener:
        listener.subscribe_session(session_id)
        client.put(f"/api/v1/sessions/{session_id}/invoke")
        wait_for(lambda: "session_complete" in listener.names())
        events = listener.of("invocation_error")
    listed = next(s for s in client.get("/api/v1/sessions").json()["items"] if s["id"] == session_id)
    return client.get(f"/api/v1/sessions/{session_id}").json(), listed, events


def test_the_api_gives_the_node_and_message_and_the_log_the_traceback(server, client, caplog):
    with caplog.at_level(logging.WARNING, logger="invoke.web.failures"):
        session, listed, events = run_failing(server, client)
        wait_for(lambda: "nodes_for_tests.py" in caplog.text)
    assert listed["status"] == "failed" and "errors" not in listed  # a listing gives summaries
    for error in (session["errors"]["boom"], events[0]):
        assert (error["node_id"], error["error_type"], error["message"]) == ("boom", "RuntimeError", "on purpose")
        assert error["traceback"] == ""
    assert "nodes_for_tests.py" not in str(session) + str(listed) + str(events)
    assert "node 'boom' (web_test_fail) failed: RuntimeError: on purpose" in caplog.text
    assert "Traceback (most recent call last)" in caplog.text
    # the stored session keeps it: the CLI's local --debug reads it there
    assert "nodes_for_tests.py" in server.invoker.get_session(session["id"]).errors["boom"].traceback


def test_expose_tracebacks_puts_them_in_answers_and_events(tmp_path):
    with live_server(tmp_path, expose_tracebacks=True) as server, server.client() as client:
        session, listed, events = run_failing(server, client)
    for error in (session["errors"]["boom"], events[0]):
        assert "nodes_for_tests.py" in error["traceback"]
        assert error["traceback"].rstrip().endswith("RuntimeError: on purpose")


def test_invokeai_web_logs_the_traceback_in_its_own_format(tmp_path):
    import os
    import subprocess
    import sys
    import time

    import httpx

    from tests.web.test_command import SERVE, free_port

    port = free_port()
    env = {**os.environ, "INVOKE_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("INVOKE_API_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "web", "--port", str(port), "--root", str(tmp_path / "root")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/api/v1/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        batch = {"graph": {"nodes": {"d": {"type": "div", "a": 1, "b": 0}}}}
        batch_id = httpx.post(f"{url}/api/v1/queue/batches", json=batch).json()["batch_id"]
        wait_for(lambda: httpx.get(f"{url}/api/v1/queue/status", params={"batch_id": batch_id}).json()["failed"])
    finally:
        process.terminate()
        log = process.communicate(timeout=15)[0]
    assert "WARNING:  queue item 1, session " in log
    assert "node 'd' (div) failed: ZeroDivisionError: cannot divide 1 by zero" in log
    assert "Traceback (most recent call last)" in log


def test_a_crash_outside_any_node_shows_only_its_last_line():
    # The processor records a traceback as the item's error when something outside any node fails.
    import traceback

    from invoke_core import QueueItemStatusChangedEvent
    from invoke_core.services.session_queue import QueueItem
    from invoke_web.tracebacks import public_event, public_item

    try:
        raise OSError("disk full")
    except OSError:
        crash = traceback.format_exc()
    item = QueueItem(item_id=1, session_id="s", status="failed", error=crash)
    assert public_item(item, expose=False).error == "OSError: disk full"
    assert public_item(item, expose=True).error == crash
    event = QueueItemStatusChangedEvent(session_id="s", queue_item_id=1, status="failed", error=crash)
    assert public_event(event, expose_tracebacks=False).error == "OSError: disk full"
    plain = QueueItem(item_id=2, session_id="s", status="failed", error="n (add): ValueError: bad")
    assert public_item(plain, expose=False) is plain
