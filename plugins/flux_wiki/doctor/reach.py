"""What has happened before a Kustomization starts, read from the effective order's edges.

Two questions matter to the doctor and they differ:
- *applied before* (the effective ancestors): every Kustomization whose objects exist when this one
  starts. A Namespace, a Secret or a raw CRD an ancestor applies is there.
- *ready before*: every Kustomization whose Ready condition is True when this one starts. Only a
  dependsOn waits for Ready; a child starts as soon as its parent applied it. A Kustomization with
  ``wait: true`` is Ready only once every object it applied is Ready (its HelmReleases installed, the
  Kustomizations it applied Ready in turn); with ``healthChecks`` only once those objects are.
So a CRD a HelmRelease installs is there for B only when some Kustomization that is Ready before B
gates on that HelmRelease.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

from ..model import FLUX_HELM_GROUP, Cluster, KustomizationNode, helm_release_identity


class OrderEdge(Protocol):
    kind: str  # "dependsOn" | "appliedBy"
    before: str
    after: str
    file: str
    line: int


class Order(Protocol):
    """The part of ``analysis.order.EffectiveOrder`` the doctor reads."""

    edges: list[Any]
    dangling: list[Any]  # dependsOn edges naming a Kustomization the cluster never applies, at their entry's line
    cycles: list[Any]  # analysis.order.Cycle: ``nodes`` in order, ``describe()`` in words

    def ancestors(self, node_id: str) -> set[str]: ...


def effective_order(cluster: Cluster) -> Order:
    from ..analysis.order import EffectiveOrder  # the one home of the dependsOn + applied-by order

    return EffectiveOrder.of(cluster)


class Reach:
    """Applied-before and ready-before sets of a cluster's Kustomizations."""

    def __init__(self, cluster: Cluster, order: Order):
        self.cluster = cluster
        self.order = order
        self.depends: dict[str, list[str]] = defaultdict(list)  # after -> dependsOn targets (before)
        self.parent: dict[str, str] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        for e in order.edges:
            if e.kind == "dependsOn":
                self.depends[e.after].append(e.before)
            elif e.kind == "appliedBy":
                self.parent[e.after] = e.before
                self.children[e.before].append(e.after)
        self._ancestors: dict[str, set[str]] = {}
        self._ready: dict[str, set[str]] = {}
        self._ready_with: dict[str, set[str]] = {}
        self._charted: dict[str, dict[str, list[str]]] | None = None  # charted_checks, made on first use

    def applied_before(self, node_id: str) -> set[str]:
        """The effective ancestors of ``node_id``."""
        if node_id not in self._ancestors:
            self._ancestors[node_id] = set(self.order.ancestors(node_id)) - {node_id}
        return self._ancestors[node_id]

    def before(self, node_id: str) -> set[str]:
        """Kustomizations whose objects exist when ``node_id`` starts: its effective ancestors, and what
        is Ready before it (a dependency with wait: true brings the Kustomizations it applied)."""
        return self.applied_before(node_id) | self.ready_before(node_id)

    def applied_before_without(self, node_id: str, dependency: str) -> set[str]:
        """The effective ancestors ``node_id`` would have without its dependsOn on ``dependency``."""
        seen: set[str] = set()
        stack = [d for d in self.depends.get(node_id, []) if d != dependency]
        if node_id in self.parent:
            stack.append(self.parent[node_id])
        while stack:
            x = stack.pop()
            if x in seen or x == node_id:
                continue
            seen.add(x)
            stack.extend(self.depends.get(x, []))
            if x in self.parent:
                stack.append(self.parent[x])
        return seen

    def ready_before(self, node_id: str, without: str | None = None) -> set[str]:
        """Kustomizations that are Ready when ``node_id`` starts (ignoring its dependsOn on ``without``)."""
        if without is None and node_id in self._ready:
            return self._ready[node_id]
        ready: set[str] = set()
        started: set[str] = set()
        stack = [node_id]
        pending_ready: list[str] = []
        while stack or pending_ready:
            if pending_ready:
                r = pending_ready.pop()
                if r in ready:
                    continue
                ready.add(r)
                stack.append(r)  # a Ready Kustomization has started
                node = self.cluster.kustomizations.get(r)
                if node is not None:
                    pending_ready.extend(c for c in self.children.get(r, []) if self._gates(node, c))
                continue
            x = stack.pop()
            if x in started:
                continue
            started.add(x)
            if x in self.parent:
                stack.append(self.parent[x])
            pending_ready.extend(d for d in self.depends.get(x, []) if not (x == node_id and d == without))
        ready.discard(node_id)
        if without is None:
            self._ready[node_id] = ready
        return ready

    def ready_with(self, node_id: str) -> set[str]:
        """Kustomizations that are Ready whenever ``node_id`` is: itself, what it waited for, and what
        it applied and gates on (recursively). Kept per Kustomization: every dependsOn edge to it asks, and a
        parent that gates on each app it applies would otherwise walk them all once per edge (O(n²))."""
        if node_id in self._ready_with:
            return self._ready_with[node_id]
        out = {node_id} | self.ready_before(node_id)
        stack = [node_id]
        while stack:
            x = stack.pop()
            node = self.cluster.kustomizations.get(x)
            for c in self.children.get(x, []) if node is not None else []:
                if c not in out and self._gates(node, c):
                    out.add(c)
                    out |= self.ready_before(c)
                    stack.append(c)
        self._ready_with[node_id] = out
        return out

    def _gates(self, node: KustomizationNode, child_id: str) -> bool:
        child = self.cluster.kustomizations.get(child_id)
        return child is not None and gates(node, "Kustomization", child.namespace, child.name)

    def charted(self) -> dict[str, dict[str, list[str]]]:
        """:func:`charted_checks` of the cluster."""
        if self._charted is None:
            self._charted = charted_checks(self.cluster)
        return self._charted

    def release_ready_before(self, release: str, node_id: str, without: str | None = None) -> bool:
        """Whether HelmRelease ``release`` (namespace/name) is Ready whenever ``node_id`` starts (ignoring
        its dependsOn on ``without``)."""
        ns, _, name = release.partition("/")
        charted = self.charted()
        return any(gates(self.cluster.kustomizations[k], "HelmRelease", ns, name) or release in charted.get(k, {})
                   for k in self.ready_before(node_id, without) if k in self.cluster.kustomizations)


def applies(node: KustomizationNode, kind: str, namespace: str, name: str) -> bool:
    return any(r.kind == kind and r.name == name and r.namespace == namespace for r in node.resources)


def charted_checks(cluster: Cluster) -> dict[str, dict[str, list[str]]]:
    """Kustomization id -> HelmRelease id -> the health checks of that Kustomization on objects the release's chart
    makes, as ``Kind namespace/name``. kustomize-controller keeps the Kustomization not Ready until such an object
    is, and helm-controller made it: the release is installed by then.

    A check is on what a release makes when the Kustomization does not apply the object itself, and the object is
    in the release's namespace and named after the release (Helm's ``<release>`` or ``<release>-...``; the longest
    such release name wins). Charts are not rendered: a guess, shown as one."""
    releases: dict[str, list[tuple[str, str]]] = defaultdict(list)  # namespace -> (release name, HelmRelease id)
    for node in cluster.kustomizations.values():
        for r in node.resources:
            if r.is_kind(FLUX_HELM_GROUP, "HelmRelease"):
                release, namespace = helm_release_identity(r.name, r.namespace, r.spec)
                releases[namespace].append((release, r.ident()))
    out: dict[str, dict[str, list[str]]] = {}
    for node in cluster.kustomizations.values():
        for check in health_checks(node):
            kind, name = str(check.get("kind") or ""), str(check.get("name") or "")
            ns = str(check.get("namespace") or "")
            if kind in ("", "Kustomization", "HelmRelease") or not name or not ns or applies(node, kind, ns, name):
                continue
            named = [(release, ident) for release, ident in releases.get(ns, ())
                     if name == release or name.startswith(release + "-")]
            if named:
                ident = max(named, key=lambda m: (len(m[0]), m[1]))[1]
                out.setdefault(node.id, {}).setdefault(ident, []).append(f"{kind} {ns}/{name}")
    return out


def health_checks(node: KustomizationNode) -> Iterable[dict[str, Any]]:
    checks = node.spec.get("healthChecks")
    return (c for c in checks if isinstance(c, dict)) if isinstance(checks, list) else ()


def gates(node: KustomizationNode, kind: str, namespace: str, name: str) -> bool:
    """Whether ``node`` is Ready only once that object is: it applies it with ``wait: true``, or names
    it in ``healthChecks``."""
    if node.wait and applies(node, kind, namespace, name):
        return True
    return any(c.get("kind") == kind and c.get("name") == name and (c.get("namespace") or namespace) == namespace
               for c in health_checks(node))
