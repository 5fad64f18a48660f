"""`invokeai queue` lists newest first, as `sessions list` and `images list` do, whichever order
the queue service lists its items in."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from invoke_cli.app import App
from invoke_cli.main import cli
from invoke_core import Graph, InvocationServices, InvokeConfig, Session
from invoke_core.services.page import Page
from invoke_core.services.session_queue import MemorySessionQueue


class OldestFirstQueue(MemorySessionQueue):
    """The in-memory queue listing in id order, as the queue interface used to say (and a queue
    service written against that still may)."""

    def list(self, *, status=None, page=0, per_page=20):
        everything = super().list(status=status, page=0, per_page=10_000)
        items = sorted(everything.items, key=lambda item: item.item_id)
        return Page(
            items=items[page * per_page : (page + 1) * per_page], page=page, per_page=per_page, total=everything.total
        )


@pytest.fixture(params=["the service's own order", "oldest first"])
def queued(request, tmp_path):
    """An App whose queue holds seven pending items (ids 1..7), and the CLI on it."""
    config = InvokeConfig(root=tmp_path)
    queue = OldestFirstQueue(config) if request.param == "oldest first" else None
    app = App(tmp_path, services=InvocationServices(config, queue=queue))
    for value in range(7):
        session = Session(Graph.model_validate({"nodes": {"a": {"type": "integer", "value": value}}}))
        app.services.sessions.set(session)
        app.services.queue.enqueue(session)  # pending: nothing runs it in this test
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), obj=app, catch_exceptions=False)


def listed_ids(result) -> list[int]:
    assert result.exit_code == 0, result.output
    return [item["item_id"] for item in json.loads(result.stdout)["items"]]


def test_queue_json_lists_newest_first_page_by_page(queued):
    everything = listed_ids(queued("queue", "--json"))
    assert len(everything) == 7 and everything == sorted(everything, reverse=True)
    assert listed_ids(queued("queue", "--json", "-n", "3")) == everything[:3]
    assert listed_ids(queued("queue", "--json", "-n", "3", "--page", "1")) == everything[3:6]
    assert listed_ids(queued("queue", "--json", "-n", "3", "--page", "2")) == everything[6:]
    assert listed_ids(queued("queue", "--json", "-n", "3", "--page", "3")) == []
    assert listed_ids(queued("queue", "--json", "--status", "pending", "-n", "2")) == everything[:2]
    assert json.loads(queued("queue", "--json", "-n", "3").stdout)["total"] == 7


def test_queue_plain_lists_newest_first(queued):
    result = queued("queue", "-n", "4")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("pending: 7")
    shown = [int(line.split()[0]) for line in lines[1:]]
    assert shown == sorted(listed_ids(queued("queue", "--json")), reverse=True)[:4]
