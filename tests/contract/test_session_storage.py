"""The SessionStorage contract: sessions by id, replaced whole, listed newest first."""

from __future__ import annotations

import pytest
from invoke_core import Session
from invoke_core.errors import SessionNotFoundError

from tests.core.helpers import edge

SERVICE = "session_storage"
CHAIN = {
    "nodes": {"a": {"type": "add", "a": 1, "b": 2}, "b": {"type": "add", "b": 10}},
    "edges": [edge("a", "value", "b", "a")],
}


def stamped(created_at: float) -> Session:
    session = Session(CHAIN)
    session.created_at = created_at
    return session


def run_to_the_end(session: Session) -> None:
    while (node := session.next()) is not None:
        session.complete(node.id, node.invoke(None))


def test_set_get_replace_delete(service):
    session = Session(CHAIN)
    service.set(session)
    assert service.get(session.id).graph_json() == session.graph_json()

    run_to_the_end(session)
    service.set(session)  # replaces the stored one
    stored = service.get(session.id)
    assert stored.is_complete() and stored.results["b"].value == 13 and stored.history == ["a", "b"]
    assert service.list().total == 1

    other = Session(CHAIN)
    service.set(other)
    service.delete(session.id)
    with pytest.raises(SessionNotFoundError, match=session.id):
        service.get(session.id)
    with pytest.raises(SessionNotFoundError):
        service.delete(session.id)
    assert service.get(other.id).id == other.id


def test_a_missing_id_is_not_found_and_a_lookup_error(service):
    service.set(Session(CHAIN))
    with pytest.raises(SessionNotFoundError, match="nope"):
        service.get("nope")
    with pytest.raises(LookupError):
        service.delete("nope")


def test_listing_an_empty_storage(service):
    page = service.list()
    assert (page.items, page.page, page.per_page, page.total) == ([], 0, 20, 0)


def test_listing_is_newest_first_by_creation_and_paged(service):
    stamps = [30.0, 10.0, 50.0, 20.0, 40.0]  # stored out of creation order: the stamp decides
    sessions = {stamp: stamped(stamp) for stamp in stamps}
    for session in sessions.values():
        service.set(session)
    newest_first = [sessions[stamp].id for stamp in sorted(stamps, reverse=True)]

    everything = service.list()
    assert [s.id for s in everything.items] == newest_first
    assert (everything.page, everything.per_page, everything.total) == (0, 20, 5)
    pages = [service.list(page=n, per_page=2) for n in range(4)]
    assert [[s.id for s in p.items] for p in pages] == [newest_first[0:2], newest_first[2:4], newest_first[4:], []]
    assert all(p.total == 5 and p.per_page == 2 for p in pages) and [p.page for p in pages] == [0, 1, 2, 3]
    assert pages[0].pages == 3

    service.delete(newest_first[0])
    assert [s.id for s in service.list().items] == newest_first[1:]


def test_listed_sessions_are_whole(service):
    session = Session(CHAIN)
    run_to_the_end(session)
    service.set(session)
    (listed,) = service.list().items
    assert listed.results["a"].value == 3 and listed.history == ["a", "b"]


@pytest.mark.parametrize(("page", "per_page"), [(-1, 20), (0, 0), (0, -5), (0, 10_001)])
def test_bad_paging_is_a_value_error(service, page, per_page):
    with pytest.raises(ValueError):
        service.list(page=page, per_page=per_page)


@pytest.mark.needs("persistent")
def test_a_session_stored_mid_run_goes_on_after_a_reopen(service, open_service):
    session = Session(CHAIN)
    assert session.next().id == "a"  # started, not completed: stored in between
    service.set(session)
    open_service.close(service)
    reopened = open_service().get(session.id)
    run_to_the_end(reopened)
    assert reopened.results["b"].value == 13 and reopened.history == ["a", "b"]


@pytest.mark.needs("persistent")
def test_a_finished_session_survives_a_reopen_whole(service, open_service):
    session = Session(CHAIN)
    run_to_the_end(session)
    service.set(session)
    open_service.close(service)
    reopened = open_service()
    stored = reopened.get(session.id)
    assert stored.is_complete() and stored.history == ["a", "b"]
    assert (stored.results["a"].value, stored.results["b"].value) == (3, 13)
    assert stored.created_at == session.created_at
    assert [s.id for s in reopened.list().items] == [session.id]


def test_summaries_list_every_session_newest_first_without_its_graph(service):
    sessions = [stamped(1000.0 + number) for number in range(3)]
    run_to_the_end(sessions[1])
    for session in sessions:
        service.set(session)
    found = service.summaries(page=0, per_page=2)
    assert found.total == 3 and (found.page, found.per_page) == (0, 2)
    assert [s.id for s in found.items] == [sessions[2].id, sessions[1].id]
    newest, completed = found.items
    assert (completed.status, completed.created_at) == ("completed", 1001.0)
    assert (newest.status, newest.updated_at) == ("pending", sessions[2].updated_at)
    assert set(newest.model_dump()) == {"id", "status", "created_at", "updated_at"}
    assert [s.id for s in service.summaries(page=1, per_page=2).items] == [sessions[0].id]
