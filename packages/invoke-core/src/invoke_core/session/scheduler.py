"""Scheduling: which executions are ready, in dependency order, with iterate fan-out.

Every node keeps a count of parents not yet complete; when it reaches zero the node is ready
and is *expanded* into its executions. Nothing is rescanned, so a run costs time linear in
nodes and edges.

Iteration: each node has a *context*, the tuple of iterate nodes it runs under, merged from
its parents' contexts (an iterate adds itself for its children; a collect removes the
innermost iterate of each `item` link). Expanding a node enumerates every combination of
indexes over its context, outer iterations first, using the item counts iterates recorded.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from invoke_core.graph import Edge, Graph
from invoke_core.invocation import BaseInvocation, BaseInvocationOutput
from invoke_core.session.inputs import prepared_node
from invoke_core.session.node_error import execution_id, source_of


class Scheduler:
    """The run state of one graph: what is ready, pending, in flight and complete."""

    def __init__(self, graph: Graph, results: dict[str, BaseInvocationOutput], history: list[str]):
        self.graph = graph
        self.results = results  # the session's own containers, shared
        self.history = history
        self.counts: dict[tuple[str, tuple[int, ...]], int] = {}  # (iterate, key) -> items
        self.expanded: list[str] = []
        self.in_flight: dict[str, BaseInvocation | None] = {}
        self.claimed: str | None = None  # the execution most recently handed out
        self._contexts: dict[str, tuple[str, ...]] = {}  # expanded node -> iterates it runs under
        self._out_contexts: dict[str, tuple[str, ...]] = {}  # ... and the iterates its outputs vary by
        self._instances: dict[str, tuple[str, tuple[int, ...]]] = {}  # only executions under an iterate
        self._remaining: dict[str, int] = {}
        self._complete: set[str] = set()
        self._waiting: dict[str, int] = {}
        self._ready: deque[str] = deque()
        self._pending: deque[str] = deque()
        self._synced_version = -1

    # ---- reading -------------------------------------------------------------------------

    def has_started(self, node_id: str) -> bool:
        return node_id in self._contexts

    def is_complete(self, node_id: str) -> bool:
        return node_id in self._complete

    def all_complete(self) -> bool:
        return not self.in_flight and len(self._complete) == len(self.graph.nodes)

    def locate(self, execution: str) -> tuple[str, tuple[int, ...]]:
        """(graph node id, iteration key) of an execution."""
        found = self._instances.get(execution)
        if found is not None:
            return found
        return (execution, ()) if "[" not in execution else (source_of(execution), ())

    def executions(self, node_id: str) -> list[str]:
        """Execution ids of a node in iteration order (for an iterate: one per item)."""
        if node_id not in self._contexts:
            return []
        keys = self._enumerate(self._contexts[node_id])
        if self.graph.nodes[node_id].__flow__ == "iterate":
            keys = [key + (i,) for key in keys for i in range(self.counts.get((node_id, key), 0))]
        return [execution_id(node_id, key) for key in keys]

    # ---- changes from the session --------------------------------------------------------

    def sync(self) -> None:
        """If someone changed the graph directly, recompute what is ready."""
        if self._synced_version != self.graph.version:
            self.rebuild()

    def node_added(self, node_id: str) -> None:
        self._waiting[node_id] = 0
        self._ready.append(node_id)
        self._synced_version = self.graph.version

    def edge_added(self, edge: Edge, was_linked: bool) -> None:
        source, destination = edge.source.node_id, edge.destination.node_id
        if not was_linked and source not in self._complete:
            self._waiting[destination] = self._waiting.get(destination, 0) + 1
        self._synced_version = self.graph.version

    # ---- running -------------------------------------------------------------------------

    def next(self) -> BaseInvocation | None:
        """The next execution ready to run, prepared; None when none is.

        Raises a GraphValidationError when its inputs cannot be filled (`claimed` says which).
        """
        graph = self.graph
        if self._synced_version != graph.version:  # sync(), inlined: this runs once per execution
            self.rebuild()
        while not self._pending:
            if not self._ready:
                return None
            node_id = self._ready.popleft()
            if node_id in self._contexts or self._waiting.get(node_id, 0) or node_id not in graph.nodes:
                continue  # stale entry: expanded already, or gained a parent since
            self._expand(node_id)
        execution = self._pending.popleft()
        self.claimed = execution
        self.in_flight[execution] = None
        node_id, key = self._instances.get(execution) or (execution, ())
        node = graph.nodes[node_id]
        prepared = prepared_node(node, execution, self._linked_values(node, key))
        self.in_flight[execution] = prepared
        return prepared

    def finish(self, execution: str, outputs: BaseInvocationOutput) -> None:
        """Record an execution's outputs (an iterate's become one result per item)."""
        prepared = self.in_flight.pop(execution)
        node_id, key = self._instances.get(execution) or (execution, ())
        node = self.graph.nodes[node_id]
        if node.__flow__ == "iterate":
            items = prepared.collection if prepared is not None else []  # type: ignore[attr-defined]
            total = len(items)
            self.counts[(node_id, key)] = total
            outputs_class = node.Outputs
            for index, item in enumerate(items):
                self.results[execution_id(node_id, key + (index,))] = outputs_class(item=item, index=index, total=total)
        else:
            self.results[execution] = outputs
        self._finish_one(node_id)

    def _finish_one(self, node_id: str) -> None:
        remaining = self._remaining[node_id] - 1
        self._remaining[node_id] = remaining
        if remaining == 0:
            self._mark_complete(node_id)

    def _mark_complete(self, node_id: str) -> None:
        self._complete.add(node_id)
        waiting = self._waiting
        for child in self.graph.child_ids(node_id):
            left = waiting.get(child, 0) - 1
            waiting[child] = left
            if left == 0:
                self._ready.append(child)

    # ---- expansion -----------------------------------------------------------------------

    def _context_of(self, node_id: str) -> tuple[str, ...]:
        inputs = self.graph.links_into(node_id)
        if not inputs:
            return ()
        out_contexts = self._out_contexts
        collects = self.graph.nodes[node_id].__flow__ == "collect"
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
        is_iterate = self.graph.nodes[node_id].__flow__ == "iterate"
        self._out_contexts[node_id] = context + (node_id,) if is_iterate else context
        self.expanded.append(node_id)
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
                count = self.counts.get((iterator, tuple(partial[it] for it in outer)), 0)
                for index in range(count):
                    grown.append({**partial, iterator: index})
            partials = grown
        return [tuple(partial[it] for it in context) for partial in partials]

    # ---- linked values -------------------------------------------------------------------

    def _source_execution(self, source: str, keymap: dict[str, int] | None) -> str:
        context = self._out_contexts[source]
        if not context:
            return source
        return execution_id(source, tuple(keymap[it] for it in context))  # type: ignore[index]

    def _linked_values(self, node: BaseInvocation, key: tuple[int, ...]) -> dict[str, Any] | None:
        inputs = self.graph.links_into(node.id)
        if not inputs:
            return None
        keymap = dict(zip(self._contexts[node.id], key, strict=True)) if key else None
        if node.__flow__ == "collect":
            return {"collection": self._gather(node, inputs, keymap or {})}
        results = self.results
        return {
            field: getattr(results[self._source_execution(edges[0].source.node_id, keymap)], edges[0].source.field)
            for field, edges in inputs.items()
        }

    def _gather(self, node: BaseInvocation, inputs: Any, keymap: dict[str, int]) -> list[Any]:
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
            count = self.counts.get((iterator, tuple(keymap[it] for it in self._contexts[iterator])), 0)
            for index in range(count):
                inner = {**keymap, iterator: index}
                gathered.append(getattr(results[self._source_execution(source, inner)], field))
        return gathered

    # ---- rebuilding ----------------------------------------------------------------------

    def rebuild(self) -> None:
        """Recompute readiness from the graph and what has run (after a load or a direct edit)."""
        graph = self.graph
        executed = set(self.history)
        expanded = [node_id for node_id in self.expanded if node_id in graph.nodes]
        self._contexts, self._out_contexts, self._instances = {}, {}, {}
        self._remaining, self._complete, self._pending = {}, set(), deque()
        self.expanded = []
        for node_id in expanded:
            self._expand(node_id)
        unfinished: deque[str] = deque()
        for execution in self._pending:
            if execution in executed:
                self._finish_one(self.locate(execution)[0])
            else:
                unfinished.append(execution)
        self._pending = unfinished
        self.in_flight = {}
        self._waiting, self._ready = {}, deque()
        complete = self._complete
        for node_id in graph.topological_order():
            if node_id in self._contexts:
                continue
            waiting = sum(1 for parent in graph.parent_ids(node_id) if parent not in complete)
            self._waiting[node_id] = waiting
            if waiting == 0:
                self._ready.append(node_id)
        self._synced_version = graph.version
