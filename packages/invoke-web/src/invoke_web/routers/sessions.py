"""Sessions, built incrementally: create, add nodes and edges, invoke, cancel."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from invoke_core import Invoker, Session
from invoke_core.preflight import check_ready
from invoke_core.services.page import Page
from invoke_core.services.session_queue import QueueItem
from invoke_core.services.session_storage import SessionSummary
from pydantic import BaseModel

from invoke_web.errors import COMMON_ERRORS, CONFLICT, ApiError
from invoke_web.schemas import EdgeJson, GraphJson, NodeAdded, NodeJson, get_invoker
from invoke_web.tracebacks import session_json

router = APIRouter(prefix="/sessions", tags=["sessions"], responses=COMMON_ERRORS)
InvokerDep = Annotated[Invoker, Depends(get_invoker)]

# Checking that a session is not queued and queueing it are one step, so two requests cannot
# both queue it. Edits of a running session are refused by the invoker (SessionBusyError).
_session_lock = threading.Lock()


class CanceledItems(BaseModel):
    canceled: list[QueueItem]


def _json(session: Session, status_code: int = 200, *, request: Request | None = None) -> JSONResponse:
    """The session as JSON; failed nodes' tracebacks only where the settings expose them."""
    expose = request is None or request.app.state.settings.expose_tracebacks  # None: nothing has run yet
    return JSONResponse(session_json(session, expose), status_code=status_code)


def _refuse_if_queued(invoker: Invoker, session_id: str) -> None:
    if invoker.services.queue.items_for_session(session_id):
        raise ApiError(409, f"session {session_id!r} is already queued or running", error="SessionBusyError")


@router.post("", status_code=201, response_model=Session, summary="Create a session, optionally from a graph")
def create_session(invoker: InvokerDep, graph: Annotated[GraphJson | None, Body()] = None) -> JSONResponse:
    session = invoker.create_session(graph)  # checked within the configured limits
    return _json(session, 201)


@router.get("", response_model=Page[SessionSummary], summary="Sessions, newest first, as summaries")
def list_sessions(
    invoker: InvokerDep,
    page: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[SessionSummary]:
    """Id, status and times of each session; GET /sessions/{id} gives the whole session. Summaries
    keep a listing small however large one session is."""
    return invoker.services.sessions.summaries(page=page, per_page=per_page)


@router.get("/{session_id}", response_model=Session, summary="One session: its graph, results and errors")
def get_session(request: Request, invoker: InvokerDep, session_id: str) -> JSONResponse:
    return _json(invoker.get_session(session_id), request=request)


@router.post(
    "/{session_id}/nodes",
    status_code=201,
    response_model=NodeAdded,
    responses=CONFLICT,
    summary="Add a node to a session",
)
def add_node(invoker: InvokerDep, session_id: str, node: Annotated[NodeJson, Body()]) -> NodeAdded:
    with _session_lock:
        return NodeAdded(node_id=invoker.add_node(session_id, node))


@router.post(
    "/{session_id}/edges",
    status_code=201,
    response_model=dict[str, dict[str, str]],
    responses=CONFLICT,
    summary="Link an output to an input; a node that has run takes no new links",
)
def add_edge(invoker: InvokerDep, session_id: str, edge: Annotated[EdgeJson, Body()]) -> dict[str, Any]:
    with _session_lock:
        return invoker.add_edge(session_id, edge).model_dump()


@router.put(
    "/{session_id}/invoke",
    status_code=202,
    response_model=QueueItem,
    responses=CONFLICT,
    summary="Queue the session: its next node, or all of them",
)
def invoke_session(
    invoker: InvokerDep,
    session_id: str,
    invoke_all: Annotated[bool, Query(alias="all", description="Run every node, not only the next one")] = True,
) -> QueueItem:
    with _session_lock:
        session = invoker.get_session(session_id)
        if session.is_complete():
            raise ApiError(
                409, f"session {session_id!r} is {session.status}; nothing is left to run", error="SessionCompleteError"
            )
        _refuse_if_queued(invoker, session_id)
        if invoke_all:  # every node will run: bad input is a 422 now, not a failed session later
            ran = {execution.split("[", 1)[0] for execution in session.history}
            check_ready(session.graph, invoker.services.get, node_ids=set(session.graph.nodes) - ran)
        return invoker.invoke(session, invoke_all=invoke_all)


@router.delete("/{session_id}/invoke", status_code=202, response_model=CanceledItems, summary="Cancel the session")
def cancel_session(invoker: InvokerDep, session_id: str) -> CanceledItems:
    invoker.get_session(session_id)
    return CanceledItems(canceled=invoker.cancel(session_id))
