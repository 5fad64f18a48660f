"""SQLite session storage, what only it does: corrupt rows are errors about that session only.
The SessionStorage contract (persistence included) is in tests/contract/."""

from __future__ import annotations

import json
import math
import sqlite3

import pytest
from invoke_core import Session
from invoke_core.errors import CorruptDataError
from invoke_services_local.database import DATABASE_FILE

from tests.core.helpers import edge

CHAIN = {
    "nodes": {"a": {"type": "add", "a": 1, "b": 2}, "b": {"type": "add", "b": 10}},
    "edges": [edge("a", "value", "b", "a")],
}


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


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999"])
def test_a_row_holding_a_number_json_cannot_store_is_corrupt_and_left_out(services, root, value):
    """The rows older servers stored for a float node given NaN (issue 11): they no longer break
    reading or listing."""
    good, bad = Session(CHAIN), Session({"nodes": {"f": {"type": "float", "value": 1.5}}})
    services.sessions.set(good)
    services.sessions.set(bad)
    text = json.dumps(bad.model_dump()).replace('"value": 1.5', f'"value": {value}')
    assert value in text
    with sqlite3.connect(root / DATABASE_FILE) as raw:
        raw.execute("UPDATE sessions SET data = ? WHERE id = ?", (text, bad.id))
    with pytest.raises(CorruptDataError, match="finite number"):
        services.sessions.get(bad.id)
    assert [s.id for s in services.sessions.list().items] == [good.id]


def test_a_session_json_cannot_store_is_refused_and_the_stored_one_kept(services):
    from invoke_core.nodes.primitives import FloatInvocation, StringInvocation

    session = Session(CHAIN)
    services.sessions.set(session)
    for unstorable in (FloatInvocation.Outputs(value=math.nan), StringInvocation.Outputs(value="x\ud800")):
        session.results["a"] = unstorable
        with pytest.raises((ValueError, UnicodeEncodeError)):
            services.sessions.set(session)
        stored = services.sessions.get(session.id)
        assert stored.results == {} and stored.id == session.id
