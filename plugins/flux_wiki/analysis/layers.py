"""The facts of one layer as its page and the DAG table read them (:meth:`.facts.ClusterFacts.layer`): what it waits
for, applies, installs and exposes. Loaded with the first page: the inventory JSON never asks for a layer's facts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import HelmReleaseInfo, KustomizationNode, Resource, Surface
    from .order import Blocker, Chain, Gate

# The kinds a reader looks for first in what a layer installs, in this order; other kinds follow by name.
KIND_ORDER = ("HelmRelease", "Namespace", "Deployment", "StatefulSet", "DaemonSet", "CronJob",
              "PostgresCluster", "Cluster", "IngressClass", "ClusterIssuer", "Issuer", "Certificate",
              "Ingress", "IngressRoute", "IngressRouteTCP", "Middleware", "Gateway", "HTTPRoute",
              "TLSRoute", "Service", "ExternalSecret", "Kustomization")


@dataclass(eq=False)
class KindGroup:
    """All objects of one kind a layer applies."""

    kind: str
    resources: list[Resource] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return sorted({r.name for r in self.resources})


def group_by_kind(node: KustomizationNode) -> list[KindGroup]:
    """The layer's objects grouped by kind: the kinds of KIND_ORDER first, in that order, then the rest by name."""
    groups: dict[str, KindGroup] = {}
    for res in node.resources:
        groups.setdefault(res.kind, KindGroup(res.kind)).resources.append(res)
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    return sorted(groups.values(), key=lambda g: (order.get(g.kind, len(order)), g.kind))


@dataclass(eq=False)
class Installed:
    """A HelmRelease or another object of a layer that declares surfaces, with those surfaces.

    A HelmRelease lists the addresses, hosts and certificates of what its chart renders (not its workloads);
    another object lists all of its surfaces.
    """

    kind: str
    namespace: str
    name: str
    file: str
    line: int
    chart: str | None = None
    version: str | None = None
    surfaces: list[Surface] = field(default_factory=list)


def installed(surfaces: list[Surface], releases: list[HelmReleaseInfo]) -> list[Installed]:
    """One entry per HelmRelease and per other object that declares surfaces: HelmReleases first, by namespace
    and name (an object listed twice keeps the file:line where it is first seen)."""
    of_release: dict[tuple[str, str], list[Surface]] = defaultdict(list)
    for s in surfaces:
        if s.object_kind == "HelmRelease" and s.kind != "workload":
            of_release[(s.namespace, s.name)].append(s)
    found: dict[tuple[str, str, str], Installed] = {}
    for h in releases:
        found.setdefault(("HelmRelease", h.namespace, h.name),
                         Installed("HelmRelease", h.namespace, h.name, h.file, h.line, h.chart, h.version,
                                   of_release.get((h.namespace, h.name), [])))
    for s in surfaces:
        if s.object_kind != "HelmRelease":
            found.setdefault((s.object_kind, s.namespace, s.name),
                             Installed(s.object_kind, s.namespace, s.name, s.file, s.line)).surfaces.append(s)
    return sorted(found.values(), key=lambda i: (i.kind != "HelmRelease", i.namespace, i.name, i.kind))


@dataclass(eq=False)
class LayerFacts:
    """What one Flux Kustomization waits for, applies, installs and exposes."""

    node: KustomizationNode
    depends_on: list[str]  # dependsOn ids of Kustomizations this cluster applies
    dangling: list[str]  # dependsOn ids it never applies
    dependents: list[str]  # ids of the shown Kustomizations that depend on it, sorted
    groups: list[KindGroup]  # its objects by kind
    releases: list[HelmReleaseInfo]  # the HelmReleases it applies, in the cluster's order
    surfaces: list[Surface]  # its surfaces, in the cluster's order
    installed: list[Installed]  # its HelmReleases and surface-declaring objects
    # its place in the effective order (see analysis/order.py)
    root: bool = False  # the entry's root applies it and it waits for nothing: it starts with the bootstrap
    children: list[str] = field(default_factory=list)  # ids of the shown Kustomizations it applies, sorted
    inherited: list[tuple[str, str]] = field(default_factory=list)  # (dependency, via parent) beyond its dependsOn
    gates: list[Gate] = field(default_factory=list)  # what must be Ready before it is: `wait` children, healthChecks
    blocker: Blocker | None = None  # why it never becomes Ready on a fresh bootstrap
    ready_level: int = 0  # its level once Ready (above ``node.level`` when it gates on later children)
    chain: Chain | None = None  # the waits from the bootstrap to its readiness

    @property
    def id(self) -> str:
        return self.node.id

    @property
    def suspended(self) -> bool:
        return self.node.spec.get("suspend") is True
