"""A tiny stand-in for ``flux_wiki.analysis.order.EffectiveOrder`` (being written on another branch), with
the interface the doctor reads: ``edges`` (dependsOn and appliedBy), ``ancestors(id)``, ``cycles``."""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter

from flux_wiki.model import Cluster


@dataclass(frozen=True)
class Edge:
    kind: str
    before: str
    after: str
    file: str
    line: int


class StandInOrder:
    def __init__(self, cluster: Cluster):
        nodes = cluster.kustomizations
        self.edges: list[Edge] = []
        for k in nodes.values():
            self.edges += [Edge("dependsOn", d, k.id, k.file, k.line) for d in k.depends_on if d in nodes]
            if k.parent in nodes:
                self.edges.append(Edge("appliedBy", k.parent, k.id, k.file, k.line))
        self._before: dict[str, set[str]] = {}
        for e in self.edges:
            self._before.setdefault(e.after, set()).add(e.before)
        self.cycles: list[list[str]] = []
        graph = {n: {d for d in nodes[n].depends_on if d in nodes} for n in nodes}
        while True:
            try:
                list(TopologicalSorter(graph).static_order())
                break
            except CycleError as err:
                cycle = list(dict.fromkeys(err.args[1]))
                self.cycles.append(cycle)
                graph[cycle[1]].discard(cycle[0])

    @classmethod
    def of(cls, cluster: Cluster) -> StandInOrder:
        return cls(cluster)

    def ancestors(self, node_id: str) -> set[str]:
        seen: set[str] = set()
        stack = list(self._before.get(node_id, ()))
        while stack:
            x = stack.pop()
            if x not in seen:
                seen.add(x)
                stack.extend(self._before.get(x, ()))
        return seen
