"""A topological order kept up to date as edges arrive, so cycle checks stay cheap.

Adding an edge that already agrees with the order costs O(1); otherwise only the nodes between
its two ends are visited and renumbered (Pearce and Kelly's dynamic topological sort). A whole
graph loaded at once is sorted in one linear pass instead.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping


class TopologicalOrder:
    def __init__(self) -> None:
        self.position: dict[str, int] = {}
        self._next = 0

    def add(self, node_id: str) -> None:
        self.position[node_id] = self._next
        self._next += 1

    def copy(self) -> TopologicalOrder:
        clone = TopologicalOrder()
        clone.position = dict(self.position)
        clone._next = self._next
        return clone

    def remove(self, node_id: str) -> None:
        self.position.pop(node_id, None)

    def add_edge(
        self,
        source: str,
        destination: str,
        children: Callable[[str], Iterable[str]],
        parents: Callable[[str], Iterable[str]],
    ) -> list[str] | None:
        """Reorder for a new edge; returns a cycle's path (destination ... source) instead when it loops."""
        position = self.position
        upper, lower = position[source], position[destination]
        if upper < lower:
            return None
        if source == destination:
            return [source]
        # nodes reachable from `destination` that sit at or before `source` in the order
        forward: list[str] = []
        came_from: dict[str, str | None] = {destination: None}
        stack = [destination]
        while stack:
            node = stack.pop()
            forward.append(node)
            for child in children(node):
                if child == source:
                    path = [source, node]
                    while came_from[path[-1]] is not None:
                        path.append(came_from[path[-1]])  # type: ignore[arg-type]
                    return list(reversed(path))
                if child not in came_from and position[child] < upper:
                    came_from[child] = node
                    stack.append(child)
        # nodes that reach `source` and sit after `destination`
        backward: list[str] = []
        seen = {source}
        stack = [source]
        while stack:
            node = stack.pop()
            backward.append(node)
            for parent in parents(node):
                if parent not in seen and position[parent] > lower:
                    seen.add(parent)
                    stack.append(parent)
        backward.sort(key=position.__getitem__)
        forward.sort(key=position.__getitem__)
        slots = sorted(position[node] for node in backward + forward)
        for node, slot in zip(backward + forward, slots, strict=True):
            position[node] = slot
        return None

    def rebuild(
        self, nodes: Iterable[str], children: Mapping[str, Iterable[str]], indegree: dict[str, int]
    ) -> list[str]:
        """Sort everything in one pass (Kahn). Returns the nodes left on a cycle, empty if none."""
        remaining = dict(indegree)
        order = deque(node for node in nodes if remaining.get(node, 0) == 0)
        position: dict[str, int] = {}
        while order:
            node = order.popleft()
            position[node] = len(position)
            for child in children.get(node, ()):
                remaining[child] -= 1
                if remaining[child] == 0:
                    order.append(child)
        stuck = [node for node in nodes if node not in position]
        if not stuck:
            self.position = position
            self._next = len(position)
        return stuck

    def sorted(self, nodes: Iterable[str]) -> list[str]:
        return sorted(nodes, key=self.position.__getitem__)
