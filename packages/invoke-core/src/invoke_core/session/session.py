"""A session: a graph plus the record of running it, one node at a time, in dependency order.

Nodes after an `iterate` run once per item. Each run of a node is an *execution* with an id:
the node id itself when the node is not under an iterate, else the node id followed by one
`[index]` per enclosing iteration (`noise[2]`, `denoise[1][0]`). `results` and `errors` are
keyed by execution id. A session round-trips through JSON at any point and continues where
it stopped.
"""

from __future__ import annotations

import time
import traceback as traceback_module
import uuid
from typing import Any

from invoke_core.errors import GraphValidationError, NodeAlreadyExecutedError, RunInterruptedError
from invoke_core.graph import Edge, Graph, split_graph_json
from invoke_core.invocation import BaseInvocation, BaseInvocationOutput
from invoke_core.pydantic_compat import ValidatedByItself
from invoke_core.session.json import SESSION_JSON_SCHEMA, SessionJson
from invoke_core.session.node_error import NodeError
from invoke_core.session.scheduler import Scheduler


class Session(SessionJson, ValidatedByItself):
    """The execution record of one graph: results, errors, history, and what runs next."""

    JSON_SCHEMA = SESSION_JSON_SCHEMA

    def __init__(self, graph: Graph | dict[str, Any] | None = None, id: str | None = None):
        self.id = id or uuid.uuid4().hex
        self.results: dict[str, BaseInvocationOutput] = {}
        self.errors: dict[str, NodeError] = {}
        self.history: list[str] = []
        self.canceled = False
        self.created_at = self.updated_at = time.time()
        graph = Graph.model_validate(graph) if graph is not None else Graph()
        self._schedule = Scheduler(graph, self.results, self.history)
        self._graph_json: tuple[int, dict[str, Any]] | None = None
        self._last_added: str | None = None
        self._schedule.rebuild()

    @property
    def graph(self) -> Graph:
        return self._schedule.graph

    @property
    def claimed(self) -> str | None:
        """The execution most recently handed out by `next()`."""
        return self._schedule.claimed

    # ---- building ----------------------------------------------------------------------

    def add_node(self, node: BaseInvocation | dict[str, Any], *, autolink: bool = False) -> str:
        """Add a node; with `autolink`, link it to the node added before it by matching names and types."""
        schedule = self._schedule
        schedule.sync()
        node_id = self.graph.add_node(node)
        schedule.node_added(node_id)
        previous, self._last_added = self._last_added, node_id
        if autolink and previous is not None and previous in self.graph.nodes:
            for edge in self.graph.autolink(node_id, previous):
                schedule.edge_added(edge, was_linked=False)
        self.updated_at = time.time()
        return node_id

    def add_edge(self, edge: Edge | dict[str, Any]) -> Edge:
        """Add an edge; a node that has started running takes no new inputs."""
        self._schedule.sync()
        edge = Graph.parse_edge(edge)
        self._refuse_if_started(edge)
        was_linked = self.graph.is_linked(edge.source.node_id, edge.destination.node_id)
        self.graph.add_edge(edge)
        self._schedule.edge_added(edge, was_linked)
        self.updated_at = time.time()
        return edge

    def add_graph(self, graph: Graph | dict[str, Any]) -> None:
        """Add a whole graph; all of it is validated before any of it is added."""
        self._schedule.sync()
        edges = graph.edges if isinstance(graph, Graph) else split_graph_json(graph)[1]
        for raw in edges:
            self._refuse_if_started(Graph.parse_edge(raw))
        self.graph.add_graph(graph)
        self._schedule.rebuild()
        self.updated_at = time.time()

    def _refuse_if_started(self, edge: Edge) -> None:
        destination = edge.destination.node_id
        if self._schedule.has_started(destination):
            raise NodeAlreadyExecutedError(
                f"node {destination!r} has already run, so input {edge.destination.field!r} cannot be linked",
                node_id=destination,
                field=edge.destination.field,
            )

    # ---- running -------------------------------------------------------------------------

    def next(self) -> BaseInvocation | None:
        """The next execution ready to run, with its linked inputs filled in; None when none is.

        Raises a GraphValidationError when the inputs cannot be filled (see `claimed` for which).
        """
        if self.errors or self.canceled:
            return None
        return self._schedule.next()

    def complete(self, execution: str, outputs: BaseInvocationOutput) -> None:
        """Record the outputs of an execution handed out by `next()`."""
        if self.canceled:
            return  # canceled while it ran: nothing more is recorded
        self._schedule.finish(execution, outputs)
        self.history.append(execution)  # after the results: see SessionJson.model_dump
        self.updated_at = time.time()

    def fail(self, execution: str, error: BaseException, traceback: str | None = None) -> NodeError:
        """Record that an execution failed; the session stops running."""
        self._schedule.in_flight.pop(execution, None)
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
        self._schedule.in_flight.clear()
        self.updated_at = time.time()

    def interrupt(self, reason: str) -> NodeError | None:
        """Record that the process running this session went away before it finished: the
        execution that was running (the next one due) fails with `reason`."""
        if self.is_complete():
            return None
        try:
            node = self.next()
            execution = node.id if node is not None else self.claimed or ""
        except GraphValidationError:
            execution = self.claimed or ""
        return self.fail(execution, RunInterruptedError(reason), traceback="")

    def is_complete(self) -> bool:
        """True when nothing more will run: every node done, or a failure, or a cancel."""
        if self.errors or self.canceled:
            return True
        self._schedule.sync()
        return self._schedule.all_complete()

    @property
    def status(self) -> str:
        if self.errors:
            return "failed"
        if self.canceled:
            return "canceled"
        if self.is_complete():
            return "completed"
        return "in_progress" if self.history else "pending"

    # ---- reading -------------------------------------------------------------------------

    def source_node(self, execution: str) -> str:
        """The graph node id an execution belongs to."""
        return self._schedule.locate(execution)[0]

    def prepared_node(self, execution: str) -> BaseInvocation | None:
        """The node as it runs (links applied), while it runs."""
        return self._schedule.in_flight.get(execution)

    def executions(self, node_id: str) -> list[str]:
        """Execution ids of a node in iteration order (for an iterate: one per item)."""
        return self._schedule.executions(node_id)

    def results_for(self, node_id: str) -> list[BaseInvocationOutput]:
        """Every result of a node, in iteration order."""
        return [self.results[e] for e in self.executions(node_id) if e in self.results]

    def graph_json(self) -> dict[str, Any]:
        """The graph as JSON, cached until the graph changes (images embed it)."""
        if self._graph_json is None or self._graph_json[0] != self.graph.version:
            self._graph_json = (self.graph.version, self.graph.model_dump())
        return self._graph_json[1]

    def __repr__(self) -> str:
        return f"Session({self.id!r}, {len(self.graph.nodes)} nodes, {self.status})"
