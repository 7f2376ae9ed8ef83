"""The dependsOn graph of a cluster's Kustomizations: levels, roots, dependents, cycles, exclusions."""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

from ..model import Cluster, KustomizationNode


def resolved_edges(cluster: Cluster) -> dict[str, list[str]]:
    """dependsOn edges that point at a Kustomization of this cluster (node id -> dependency ids)."""
    known = cluster.kustomizations
    return {k.id: [d for d in k.depends_on if d in known] for k in known.values()}


def assign_levels(cluster: Cluster) -> None:
    """Set each Kustomization's level (0 for those without dependencies) and warn on bad edges.

    A dangling dependsOn and each cycle become warnings naming the file that declares them; a cycle's
    closing edge is ignored for levelling so every node still gets a level.
    """
    known = cluster.kustomizations
    for k in sorted(known.values(), key=lambda k: k.id):
        for dep in k.depends_on:
            if dep not in known:
                cluster.warn(k.file, k.line, f"Kustomization {k.id} depends on {dep}, which this cluster never applies",
                             code="FW-DEPENDSON-DANGLING")
    edges = {n: set(deps) for n, deps in resolved_edges(cluster).items()}
    while True:
        sorter = TopologicalSorter(edges)
        try:
            order = list(sorter.static_order())
            break
        except CycleError as err:
            # graphlib lists the cycle so that each node is a dependency of the next one
            cycle = err.args[1]
            dep, node_id = cycle[0], cycle[1]
            node = known[node_id]
            cluster.warn(node.file, node.line, "dependsOn cycle: " + " -> ".join(reversed(cycle)),
                         code="FW-DEPENDSON-CYCLE")
            edges[node_id].discard(dep)
    for node_id in order:
        deps = edges.get(node_id, set())
        known[node_id].level = 1 + max(known[d].level or 0 for d in deps) if deps else 0


def roots(cluster: Cluster) -> list[KustomizationNode]:
    """Layers that wait for nothing but the Flux root: they reconcile in parallel after bootstrap."""
    known = cluster.kustomizations
    return [k for k in cluster.layers() if not any(d in known for d in k.depends_on)]


def apply_exclusions(cluster: Cluster, patterns: list[str]) -> None:
    """Mark Kustomizations named by ``patterns`` (id or bare name) and everything they apply as excluded."""
    wanted = set(patterns)
    children: dict[str, list[str]] = {}
    for k in cluster.kustomizations.values():
        if k.parent:
            children.setdefault(k.parent, []).append(k.id)
    stack = [k.id for k in cluster.kustomizations.values()
             if (k.id in wanted or k.name in wanted) and k.id != cluster.root_id]
    while stack:
        node_id = stack.pop()
        node = cluster.kustomizations[node_id]
        if node.excluded:
            continue
        node.excluded = True
        cluster.excluded.append(node_id)
        stack.extend(children.get(node_id, []))
    cluster.excluded.sort()
