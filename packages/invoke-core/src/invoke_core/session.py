"""A session: a graph plus the state of running it, one node at a time, in dependency order.

Nodes after an `iterate` run once per item. Each run of a node is an *execution* with an id:
the node id itself when the node is not under an iterate, else the node id followed by one
`[index]` per enclosing iteration (`noise[2]`, `denoise[1][0]`). `results` and `errors` are
keyed by execution id.

Scheduling is incremental: every node keeps a count of parents not yet complete; when a count
reaches zero the node becomes ready and is expanded into its executions. Nothing is rescanned,
so a run costs time linear in nodes and edges. A session round-trips through JSON at any point
and continues where it stopped.
"""

from __future__ import annotations

import time
import traceback as traceback_module
import uuid
from collections import deque
from typing import Any

from pydantic import BaseModel, ValidationError

from invoke_core.errors import GraphValidationError, MissingInputError, NodeAlreadyExecutedError
from invoke_core.graph import GRAPH_JSON_SCHEMA, Edge, Graph, node_validation_error, split_graph_json
from invoke_core.invocation import BaseInvocation, BaseInvocationOutput
from invoke_core.nodes.collections import CollectInvocation, IterateInvocation
from invoke_core.pydantic_compat import ValidatedByItself


class NodeError(BaseModel):
    """Why one execution of a node failed."""

    node_id: str
    source_node_id: str
    node_type: str
    error_type: str
    message: str
    traceback: str = ""
    field: str | None = None


def execution_id(node_id: str, key: tuple[int, ...]) -> str:
    if not key:
        return node_id
    return node_id + "".join(f"[{index}]" for index in key)


def source_of(execution: str) -> str:
    """The graph node an execution id belongs to."""
    return execution.split("[", 1)[0]


_new_object = object.__new__
_set_attribute = object.__setattr__
# pydantic keeps these in slots; setting them through their descriptors skips BaseModel.__setattr__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _clone(node: BaseInvocation) -> BaseInvocation:
    """A shallow copy of a node, as `model_copy()` makes, at a third of its cost."""
    cls = type(node)
    if cls.__private_attributes__:  # rare: rebuild, so private state starts fresh per run
        return cls.model_validate({name: node.__dict__[name] for name in node.__pydantic_fields_set__})
    clone = _new_object(cls)
    _set_attribute(clone, "__dict__", node.__dict__.copy())
    _set_fields_set(clone, set(node.__pydantic_fields_set__))
    _set_extra(clone, None)
    _set_private(clone, None)
    return clone


class Session(ValidatedByItself):
    """The execution state of one graph."""

    def __init__(self, graph: Graph | dict[str, Any] | None = None, id: str | None = None):
        self.id = id or uuid.uuid4().hex
        self.graph = Graph.model_validate(graph) if graph is not None else Graph()
        self.results: dict[str, BaseInvocationOutput] = {}
        self.errors: dict[str, NodeError] = {}
        self.history: list[str] = []
        self.canceled = False
        self.created_at = self.updated_at = time.time()
        self._contexts: dict[str, tuple[str, ...]] = {}  # expanded node -> iterates it runs under
        self._out_contexts: dict[str, tuple[str, ...]] = {}  # ... and the iterates its outputs vary by
        self._expanded: list[str] = []
        self._instances: dict[str, tuple[str, tuple[int, ...]]] = {}  # only executions under an iterate
        self._remaining: dict[str, int] = {}
        self._complete: set[str] = set()
        self._waiting: dict[str, int] = {}
        self._ready: deque[str] = deque()
        self._pending: deque[str] = deque()
        self._in_flight: dict[str, BaseInvocation | None] = {}
        self._counts: dict[tuple[str, tuple[int, ...]], int] = {}
        self._graph_json: tuple[int, dict[str, Any]] | None = None
        self._last_added: str | None = None
        self.claimed: str | None = None  # the execution most recently handed out by next()
        self._rebuild_schedule()

    # ---- building ----------------------------------------------------------------------

    def add_node(self, node: BaseInvocation | dict[str, Any], *, autolink: bool = False) -> str:
        """Add a node; with `autolink`, link it to the node added before it by matching names and types."""
        self._sync()
        node_id = self.graph.add_node(node)
        self._waiting[node_id] = 0
        self._ready.append(node_id)
        self._synced_version = self.graph.version
        previous, self._last_added = self._last_added, node_id
        if autolink and previous is not None and previous in self.graph.nodes:
            for edge in self.graph.autolink(node_id, previous):
                self._count_new_edge(edge, was_linked=False)
            self._synced_version = self.graph.version
        return node_id

    def add_edge(self, edge: Edge | dict[str, Any]) -> Edge:
        """Add an edge; a node that has started running takes no new inputs."""
        self._sync()
        edge = self.graph._parse_edge(edge)
        self._refuse_if_started(edge)
        was_linked = edge.source.node_id in self.graph._parents.get(edge.destination.node_id, {})
        self.graph.add_edge(edge)
        self._count_new_edge(edge, was_linked)
        self._synced_version = self.graph.version
        return edge

    def add_graph(self, graph: Graph | dict[str, Any]) -> None:
        """Add a whole graph; all of it is validated before any of it is added."""
        self._sync()
        edges = graph.edges if isinstance(graph, Graph) else split_graph_json(graph)[1]
        for raw in edges:
            self._refuse_if_started(self.graph._parse_edge(raw))
        self.graph.add_graph(graph)
        self._rebuild_schedule()

    def _refuse_if_started(self, edge: Edge) -> None:
        destination = edge.destination.node_id
        if destination in self._contexts:
            raise NodeAlreadyExecutedError(
                f"node {destination!r} has already run, so input {edge.destination.field!r} cannot be linked",
                node_id=destination,
                field=edge.destination.field,
            )

    def _count_new_edge(self, edge: Edge, was_linked: bool) -> None:
        source, destination = edge.source.node_id, edge.destination.node_id
        if not was_linked and source not in self._complete:
            self._waiting[destination] = self._waiting.get(destination, 0) + 1

    def _sync(self) -> None:
        """If someone changed `graph` directly, recompute what is ready."""
        if self._synced_version != self.graph.version:
            self._rebuild_schedule()

    # ---- running -------------------------------------------------------------------------

    def next(self) -> BaseInvocation | None:
        """The next execution ready to run, with its linked inputs filled in; None when none is.

        Raises a GraphValidationError when the inputs cannot be filled (see `claimed` for which).
        """
        if self.errors or self.canceled:
            return None
        self._sync()
        while not self._pending:
            if not self._ready:
                return None
            node_id = self._ready.popleft()
            if node_id in self._contexts or self._waiting.get(node_id, 0) or node_id not in self.graph.nodes:
                continue  # stale entry: expanded already, or gained a parent since
            self._expand(node_id)
        execution = self._pending.popleft()
        self.claimed = execution
        self._in_flight[execution] = None
        node_id, key = self._instances.get(execution) or (execution, ())
        prepared = self._prepare(execution, node_id, key)
        self._in_flight[execution] = prepared
        return prepared

    def complete(self, execution: str, outputs: BaseInvocationOutput) -> None:
        """Record the outputs of an execution handed out by `next()`."""
        if self.canceled:
            return  # canceled while it ran: nothing more is recorded
        prepared = self._in_flight.pop(execution)
        node_id, key = self._instances.get(execution) or (execution, ())
        if type(self.graph.nodes[node_id]) is IterateInvocation:
            items = prepared.collection if prepared is not None else []
            total = len(items)
            self._counts[(node_id, key)] = total
            for index, item in enumerate(items):
                self.results[execution_id(node_id, key + (index,))] = IterateInvocation.Outputs(
                    item=item, index=index, total=total
                )
        else:
            self.results[execution] = outputs
        self.history.append(execution)
        self._finish_one(node_id)

    def fail(self, execution: str, error: BaseException, traceback: str | None = None) -> NodeError:
        """Record that an execution failed; the session stops running."""
        self._in_flight.pop(execution, None)
        node_id = self.source_node(execution)
        node = self.graph.nodes.get(node_id)
        record = NodeError(
            node_id=execution,
            source_node_id=node_id,
            node_type=node.type if node is not None else "",  # type: ignore[attr-defined]
            error_type=type(error).__name__,
            message=str(error),
            traceback=traceback if traceback is not None else "".join(traceback_module.format_exception(error)),
            field=getattr(error, "field", None),
        )
        self.errors[execution] = record
        self.history.append(execution)
        self.updated_at = time.time()
        return record

    def cancel(self) -> None:
        """Stop the session; whatever was running is abandoned."""
        self.canceled = True
        self._in_flight.clear()
        self.updated_at = time.time()

    def is_complete(self) -> bool:
        """True when nothing more will run: every node done, or a failure, or a cancel."""
        if self.errors or self.canceled:
            return True
        self._sync()
        return not self._in_flight and len(self._complete) == len(self.graph.nodes)

    @property
    def status(self) -> str:
        if self.errors:
            return "failed"
        if self.canceled:
            return "canceled"
        if self.is_complete():
            return "completed"
        return "in_progress" if self.history else "pending"

    def source_node(self, execution: str) -> str:
        """The graph node id an execution belongs to."""
        found = self._instances.get(execution)
        if found is not None:
            return found[0]
        return execution if "[" not in execution else source_of(execution)

    def prepared_node(self, execution: str) -> BaseInvocation | None:
        """The node as it runs (links applied), while it runs."""
        return self._in_flight.get(execution)

    def executions(self, node_id: str) -> list[str]:
        """Execution ids of a node in iteration order (for an iterate: one per item)."""
        if node_id not in self._contexts:
            return []
        keys = self._enumerate(self._contexts[node_id])
        if type(self.graph.nodes[node_id]) is IterateInvocation:
            keys = [key + (i,) for key in keys for i in range(self._counts.get((node_id, key), 0))]
        return [execution_id(node_id, key) for key in keys]

    def results_for(self, node_id: str) -> list[BaseInvocationOutput]:
        """Every result of a node, in iteration order."""
        return [self.results[e] for e in self.executions(node_id) if e in self.results]

    def graph_json(self) -> dict[str, Any]:
        """The graph as JSON, cached until the graph changes (images embed it)."""
        if self._graph_json is None or self._graph_json[0] != self.graph.version:
            self._graph_json = (self.graph.version, self.graph.model_dump())
        return self._graph_json[1]

    # ---- scheduling internals ------------------------------------------------------------

    def _finish_one(self, node_id: str) -> None:
        remaining = self._remaining[node_id] - 1
        self._remaining[node_id] = remaining
        self.updated_at = time.time()
        if remaining == 0:
            self._mark_complete(node_id)

    def _mark_complete(self, node_id: str) -> None:
        self._complete.add(node_id)
        waiting = self._waiting
        for child in self.graph._children.get(node_id, ()):
            left = waiting.get(child, 0) - 1
            waiting[child] = left
            if left == 0:
                self._ready.append(child)

    def _context_of(self, node_id: str) -> tuple[str, ...]:
        inputs = self.graph._inputs.get(node_id)
        if not inputs:
            return ()
        out_contexts = self._out_contexts
        collects = type(self.graph.nodes[node_id]) is CollectInvocation
        merged: list[str] | None = None
        for field, edges in inputs.items():
            for edge in edges:
                context = out_contexts[edge.source.node_id]
                if not context:
                    continue
                if collects and field == "item":
                    context = context[:-1]  # a collect gathers over its item's innermost iteration
                if merged is None:
                    merged = []
                for iterator in context:
                    if iterator not in merged:
                        merged.append(iterator)
        return tuple(merged) if merged else ()

    def _expand(self, node_id: str) -> None:
        context = self._context_of(node_id)
        self._contexts[node_id] = context
        is_iterate = type(self.graph.nodes[node_id]) is IterateInvocation
        self._out_contexts[node_id] = context + (node_id,) if is_iterate else context
        self._expanded.append(node_id)
        if not context:  # not under any iterate: one execution, named like the node
            self._remaining[node_id] = 1
            self._pending.append(node_id)
            return
        keys = self._enumerate(context)
        self._remaining[node_id] = len(keys)
        if not keys:
            self._mark_complete(node_id)  # an empty iteration: nothing to run here
            return
        for key in keys:
            execution = execution_id(node_id, key)
            self._instances[execution] = (node_id, key)
            self._pending.append(execution)

    def _enumerate(self, context: tuple[str, ...]) -> list[tuple[int, ...]]:
        """Every combination of iteration indexes, outer iterations first."""
        if not context:
            return [()]
        partials: list[dict[str, int]] = [{}]
        for iterator in context:
            outer = self._contexts[iterator]
            grown = []
            for partial in partials:
                count = self._counts.get((iterator, tuple(partial[it] for it in outer)), 0)
                for index in range(count):
                    grown.append({**partial, iterator: index})
            partials = grown
        return [tuple(partial[it] for it in context) for partial in partials]

    def _source_execution(self, source: str, keymap: dict[str, int] | None) -> str:
        context = self._out_contexts[source]
        if not context:
            return source
        return execution_id(source, tuple(keymap[it] for it in context))  # type: ignore[index]

    def _prepare(self, execution: str, node_id: str, key: tuple[int, ...]) -> BaseInvocation:
        node = self.graph.nodes[node_id]
        inputs = self.graph._inputs.get(node_id)
        prepared = _clone(node)
        if execution != node_id:
            prepared.id = execution
        if inputs:
            keymap = dict(zip(self._contexts[node_id], key, strict=True)) if key else None
            cls = type(node)
            if cls is CollectInvocation:
                values = {"collection": self._gather(node, inputs, keymap or {})}
            else:
                results = self.results
                values = {
                    field: getattr(
                        results[self._source_execution(edges[0].source.node_id, keymap)], edges[0].source.field
                    )
                    for field, edges in inputs.items()
                }
            if cls.__checks_across_fields__ and len(values) > 1:
                # checks across fields must see all linked values at once
                given = {name: node.__dict__[name] for name in node.__pydantic_fields_set__}
                try:
                    prepared = cls.model_validate({**given, **values, "id": execution})
                except ValidationError as exc:
                    raise node_validation_error(node_id, node.type, exc, "linked input") from None
            else:
                assign = cls.__pydantic_validator__.validate_assignment
                for field, value in values.items():
                    try:
                        assign(prepared, field, value)
                    except ValidationError as exc:
                        raise node_validation_error(node_id, node.type, exc, "linked input") from None
        for field in prepared.missing_inputs() if node.__required_inputs__ else ():
            raise MissingInputError(
                f"node {node_id!r} ({node.type}): required input {field!r} has no value and no link",
                node_id=node_id,
                field=field,
            )
        return prepared

    def _gather(self, node: BaseInvocation, inputs: dict[str, list[Edge]], keymap: dict[str, int]) -> list[Any]:
        gathered = list(node.collection)  # type: ignore[attr-defined]
        results = self.results
        for edge in inputs.get("collection", ()):
            gathered.extend(getattr(results[self._source_execution(edge.source.node_id, keymap)], edge.source.field))
        for edge in inputs.get("item", ()):
            source, field = edge.source.node_id, edge.source.field
            context = self._out_contexts[source]
            if not context or context[-1] in keymap:
                gathered.append(getattr(results[self._source_execution(source, keymap)], field))
                continue
            iterator = context[-1]
            count = self._counts.get((iterator, tuple(keymap[it] for it in self._contexts[iterator])), 0)
            for index in range(count):
                inner = {**keymap, iterator: index}
                gathered.append(getattr(results[self._source_execution(source, inner)], field))
        return gathered

    def _rebuild_schedule(self) -> None:
        """Recompute readiness from the graph and what has run (after a load or a direct edit)."""
        graph = self.graph
        executed = set(self.history)
        expanded = [node_id for node_id in self._expanded if node_id in graph.nodes]
        self._contexts, self._out_contexts, self._instances = {}, {}, {}
        self._remaining, self._complete, self._pending = {}, set(), deque()
        self._expanded = []
        for node_id in expanded:
            self._expand(node_id)
        unfinished = deque()
        for execution in self._pending:
            if execution in executed:
                self._finish_one(self.source_node(execution))
            else:
                unfinished.append(execution)
        self._pending = unfinished
        self._in_flight = {}
        self._waiting, self._ready = {}, deque()
        for node_id in graph.topological_order():
            if node_id in self._contexts:
                continue
            waiting = sum(1 for parent in graph._parents.get(node_id, ()) if parent not in self._complete)
            self._waiting[node_id] = waiting
            if waiting == 0:
                self._ready.append(node_id)
        self._synced_version = graph.version

    # ---- JSON ----------------------------------------------------------------------------

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        """The session as JSON. Safe to call while another thread runs it: each container is
        copied in one step under the GIL, history first; an execution is recorded in results
        before history, so every execution the copied history names has its result copied too."""
        history = list(self.history)
        expanded = list(self._expanded)
        results, errors, counts = dict(self.results), dict(self.errors), dict(self._counts)
        return {
            "id": self.id,
            "graph": self.graph_json(),
            "results": {execution: outputs.model_dump(mode="json") for execution, outputs in results.items()},
            "errors": {execution: error.model_dump() for execution, error in errors.items()},
            "history": history,
            "expanded": expanded,
            "iteration_counts": [[node_id, list(key), count] for (node_id, key), count in counts.items()],
            "canceled": self.canceled,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    @classmethod
    def model_validate(cls, data: Any) -> Session:
        if isinstance(data, Session):
            return data
        if not isinstance(data, dict) or "graph" not in data:
            raise GraphValidationError("a session must be an object with at least 'graph'")
        session = cls(data["graph"], id=data.get("id"))
        nodes = session.graph.nodes
        try:
            for execution, outputs in data.get("results", {}).items():
                session.results[execution] = nodes[source_of(execution)].Outputs.model_validate(outputs)
        except (KeyError, ValidationError) as exc:
            raise GraphValidationError(f"session {session.id}: stored results do not match the graph: {exc}") from None
        session.errors = {
            execution: NodeError.model_validate(error) for execution, error in data.get("errors", {}).items()
        }
        session.history = list(data.get("history", []))
        session.canceled = bool(data.get("canceled", False))
        session.created_at = data.get("created_at", session.created_at)
        session.updated_at = data.get("updated_at", session.updated_at)
        session._counts = {(node_id, tuple(key)): count for node_id, key, count in data.get("iteration_counts", [])}
        session._expanded = list(data.get("expanded", []))
        session._rebuild_schedule()
        return session

    def __repr__(self) -> str:
        return f"Session({self.id!r}, {len(self.graph.nodes)} nodes, {self.status})"


SESSION_JSON_SCHEMA: dict[str, Any] = {
    "title": "Session",
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "graph": GRAPH_JSON_SCHEMA,
        "results": {
            "type": "object",
            "description": "Outputs by execution id",
            "additionalProperties": {"type": "object"},
        },
        "errors": {"type": "object", "additionalProperties": NodeError.model_json_schema()},
        "history": {"type": "array", "items": {"type": "string"}},
        "expanded": {"type": "array", "items": {"type": "string"}},
        "iteration_counts": {"type": "array", "items": {"type": "array"}},
        "canceled": {"type": "boolean"},
        "status": {"type": "string", "enum": ["pending", "in_progress", "completed", "failed", "canceled"]},
        "created_at": {"type": "number"},
        "updated_at": {"type": "number"},
    },
    "required": ["id", "graph"],
}

Session.JSON_SCHEMA = SESSION_JSON_SCHEMA

__all__ = ["NodeError", "Session", "execution_id", "source_of"]
