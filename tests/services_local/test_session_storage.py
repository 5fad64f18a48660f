"""SQLite session storage: the SessionStorage contract, persistence, and corrupt rows."""

from __future__ import annotations

import json
import sqlite3

import pytest
from invoke_core import Session
from invoke_core.errors import CorruptDataError, SessionNotFoundError
from invoke_services_local.database import DATABASE_FILE

from tests.core.helpers import edge

CHAIN = {
    "nodes": {"a": {"type": "add", "a": 1, "b": 2}, "b": {"type": "add", "b": 10}},
    "edges": [edge("a", "value", "b", "a")],
}


def test_set_get_replace_delete(services):
    storage = services.sessions
    session = Session(CHAIN)
    storage.set(session)
    assert storage.get(session.id).graph_json() == session.graph_json()
    session.complete(session.next().id, session.prepared_node("a").invoke(None))
    storage.set(session)  # replaces
    assert storage.get(session.id).results["a"].value == 3
    assert storage.list().total == 1
    storage.delete(session.id)
    with pytest.raises(SessionNotFoundError, match=session.id):
        storage.get(session.id)
    with pytest.raises(SessionNotFoundError):
        storage.delete(session.id)


def test_listing_is_newest_first_and_paged(services):
    sessions = []
    for index in range(5):
        session = Session({"nodes": {"n": {"type": "integer", "value": index}}})
        session.created_at = 1000.0 + index
        services.sessions.set(session)
        sessions.append(session)
    first = services.sessions.list(page=0, per_page=2)
    assert [s.id for s in first.items] == [sessions[4].id, sessions[3].id]
    assert (first.total, first.pages) == (5, 3)
    last = services.sessions.list(page=2, per_page=2)
    assert [s.id for s in last.items] == [sessions[0].id]
    with pytest.raises(ValueError):
        services.sessions.list(per_page=0)


def test_a_session_survives_a_reopen_mid_run(services, open_services):
    session = Session(CHAIN)
    assert session.next().id == "a"  # started, not completed: stored in between
    services.sessions.set(session)
    services.close()
    reopened = open_services().sessions.get(session.id)
    while (node := reopened.next()) is not None:
        reopened.complete(node.id, node.invoke(None))
    assert reopened.results["b"].value == 13 and reopened.history == ["a", "b"]


def test_a_corrupt_row_is_an_error_about_that_session_only(services, root):
    good, bad = Session(CHAIN), Session(CHAIN)
    services.sessions.set(good)
    services.sessions.set(bad)
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("UPDATE sessions SET data = '{not json' WHERE id = ?", (bad.id,))
    with pytest.raises(CorruptDataError, match=bad.id):
        services.sessions.get(bad.id)
    assert services.sessions.get(good.id).id == good.id
    listed = services.sessions.list()
    assert [s.id for s in listed.items] == [good.id]  # left out, with a warning, not a failure
    services.sessions.delete(bad.id)  # and it can still be removed
    assert services.sessions.list().total == 1


def test_a_finished_session_survives_a_reopen_with_its_results_and_history(services, open_services):
    session = Session(CHAIN)
    while (node := session.next()) is not None:
        session.complete(node.id, node.invoke(None))
    services.sessions.set(session)
    services.close()
    reopened = open_services().sessions.get(session.id)
    assert reopened.is_complete() and reopened.history == ["a", "b"]
    assert (reopened.results["a"].value, reopened.results["b"].value) == (3, 13)


@pytest.mark.parametrize("damage", [{"history": 5}, {"errors": [1]}, {"iteration_counts": [["a", 3, 1]]}])
def test_a_row_of_the_wrong_shape_is_corrupt_data_about_that_session_only(services, root, damage):
    good, bad = Session(CHAIN), Session(CHAIN)
    services.sessions.set(good)
    services.sessions.set(bad)
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("UPDATE sessions SET data = ? WHERE id = ?", (json.dumps({**bad.model_dump(), **damage}), bad.id))
    with pytest.raises(CorruptDataError, match=bad.id):
        services.sessions.get(bad.id)
    assert [s.id for s in services.sessions.list().items] == [good.id]
