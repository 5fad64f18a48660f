"""The session queue: enqueue batches, watch counts, list, cancel, clear and prune items."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from invoke_core import Batch, BatchDatum, Graph, Invoker, NodeValidationError
from invoke_core.services.page import Page
from invoke_core.services.session_queue import EnqueueBatchResult, QueueItem, QueueStatus
from pydantic import BaseModel, Field, ValidationError

from invoke_web.errors import COMMON_ERRORS, ApiError
from invoke_web.schemas import Count, GraphJson, get_invoker
from invoke_web.tracebacks import expose_tracebacks, public_item

router = APIRouter(prefix="/queue", tags=["queue"], responses=COMMON_ERRORS)
InvokerDep = Annotated[Invoker, Depends(get_invoker)]
ExposeTracebacks = Annotated[bool, Depends(expose_tracebacks)]
ItemId = Annotated[int, Path(ge=0, le=2**62)]
BatchId = Annotated[str, Path(max_length=200)]

MAX_BATCH_SESSIONS = 10_000


class EnqueueBatchRequest(BaseModel):
    graph: GraphJson
    data: list[list[BatchDatum]] = Field(
        default_factory=list,
        description="Groups of (node, field, values): values in a group are zipped, groups are combined",
    )
    runs: int = Field(default=1, ge=1, le=MAX_BATCH_SESSIONS, description="How many times the whole set repeats")
    priority: int = Field(default=0, ge=-1000, le=1000, description="Higher runs first")
    front: bool = Field(default=False, description="Put the batch before items of the same priority")


class QueueCounts(BaseModel):
    pending: int
    in_progress: int
    completed: int
    failed: int
    canceled: int
    total: int


class CanceledItems(BaseModel):
    canceled: list[QueueItem]


def _batch(request: EnqueueBatchRequest, invoker: Invoker) -> Batch:
    graph = Graph.model_validate(request.graph, limits=invoker.limits)
    try:
        batch = Batch(graph=graph, data=request.data, runs=request.runs)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise ApiError(422, f"{where}: {first.get('msg')}", error="BatchValidationError") from None
    if batch.session_count() > MAX_BATCH_SESSIONS:
        raise ApiError(
            422,
            f"the batch makes {batch.session_count()} sessions; at most {MAX_BATCH_SESSIONS} are allowed at once",
            error="BatchValidationError",
        )
    for group in batch.data:
        for datum in group:
            if datum.node_path not in graph.nodes:
                raise NodeValidationError(
                    f"batch data names node {datum.node_path!r}, which is not in the graph",
                    node_id=datum.node_path,
                    field=datum.field_name,
                )
    return batch


@router.post("/batches", status_code=201, response_model=EnqueueBatchResult, summary="Enqueue a batch")
def enqueue_batch(invoker: InvokerDep, request: EnqueueBatchRequest) -> EnqueueBatchResult:
    return invoker.enqueue_batch(_batch(request, invoker), priority=request.priority, front=request.front)


@router.get("/status", response_model=QueueCounts, summary="How many items are in each status")
def queue_status(invoker: InvokerDep, batch_id: Annotated[str | None, Query(max_length=200)] = None) -> QueueCounts:
    counts = invoker.services.queue.counts(batch_id)
    return QueueCounts(**counts, total=sum(counts.values()))


@router.get("/items", response_model=Page[QueueItem], summary="Queue items, newest first")
def list_items(
    invoker: InvokerDep,
    expose: ExposeTracebacks,
    status: QueueStatus | None = None,
    page: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> Page[QueueItem]:
    found = invoker.services.queue.list(status=status, page=page, per_page=per_page)
    return found.model_copy(update={"items": [public_item(item, expose) for item in found.items]})


@router.get("/items/{item_id}", response_model=QueueItem, summary="One queue item")
def get_item(invoker: InvokerDep, expose: ExposeTracebacks, item_id: ItemId) -> QueueItem:
    return public_item(invoker.services.queue.get(item_id), expose)


@router.put("/items/{item_id}/cancel", response_model=QueueItem, summary="Cancel one item")
def cancel_item(invoker: InvokerDep, expose: ExposeTracebacks, item_id: ItemId) -> QueueItem:
    return public_item(invoker.cancel_queue_item(item_id), expose)


@router.put("/batches/{batch_id}/cancel", response_model=CanceledItems, summary="Cancel a batch's unfinished items")
def cancel_batch(invoker: InvokerDep, batch_id: BatchId) -> CanceledItems:
    return CanceledItems(canceled=invoker.cancel_batch(batch_id))


@router.put("/cancel", response_model=CanceledItems, summary="Cancel every unfinished item")
def cancel_all(invoker: InvokerDep) -> CanceledItems:
    return CanceledItems(canceled=invoker.cancel_all())


@router.put("/clear", response_model=Count, summary="Cancel what runs and remove every item")
def clear(invoker: InvokerDep) -> Count:
    invoker.cancel_all()
    return Count(count=invoker.services.queue.clear())


@router.put("/prune", response_model=Count, summary="Remove finished items")
def prune(invoker: InvokerDep) -> Count:
    return Count(count=invoker.services.queue.prune())
