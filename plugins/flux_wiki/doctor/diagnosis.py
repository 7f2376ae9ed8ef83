"""The doctor of one cluster: index, evidence per dependsOn edge, findings, acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis.crds import CrdCatalog
from ..load.authored import ClusterNotes
from ..model import Cluster
from .bootstrap import BootstrapRelease
from .evidence import EdgeEvidence, edge_evidence
from .findings import Finding, acknowledge, at_least, find
from .index import DependencyIndex, build_index
from .reach import Order, Reach, effective_order


@dataclass
class DoctorReport:
    """What the doctor found in one cluster. ``findings`` holds acknowledged ones too (with their reason)."""

    cluster: str
    edges: list[EdgeEvidence]
    findings: list[Finding]
    index: DependencyIndex

    @property
    def open(self) -> list[Finding]:
        return [f for f in self.findings if f.acknowledged is None]

    @property
    def acknowledged(self) -> list[Finding]:
        return [f for f in self.findings if f.acknowledged is not None]

    def failing(self, threshold: str) -> list[Finding]:
        """Unacknowledged findings at or above ``threshold`` (error > warning > info)."""
        return [f for f in self.open if at_least(f.severity, threshold)]


def diagnose(cluster: Cluster, catalog: CrdCatalog | None = None, notes: ClusterNotes | None = None,
             order: Order | None = None, bootstrap: list[BootstrapRelease] | None = None) -> DoctorReport:
    """Explain every dependsOn edge of ``cluster`` and find what its order gets wrong.

    ``order`` is the cluster's effective order (``analysis.order.EffectiveOrder``), computed when not
    given; ``bootstrap`` the releases the repo's bootstrap helmfile installs (``bootstrap_releases``).
    """
    catalog = catalog or CrdCatalog.load()
    notes = notes or ClusterNotes()
    order = order or effective_order(cluster)
    index = build_index(cluster, catalog, bootstrap)
    reach = Reach(cluster, order)
    nodes = cluster.kustomizations
    edges = []
    for e in sorted(order.edges, key=lambda e: (e.after, e.before)):
        if e.kind != "dependsOn" or e.before not in nodes or e.after not in nodes:
            continue
        if nodes[e.before].excluded or nodes[e.after].excluded:
            continue
        edge = edge_evidence(cluster, index, reach, e.before, e.after, e.file or nodes[e.after].file,
                             e.line or nodes[e.after].line)
        edge.rationale = notes.dependency_rationale(e.after, nodes[e.after].name, e.before, nodes[e.before].name)
        edges.append(edge)
    findings = find(cluster, index, reach, edges)
    names = {k.id: k.name for k in nodes.values()}
    return DoctorReport(cluster.name, edges, acknowledge(findings, notes.acknowledged, names), index)
