"""Per-layer facts of a cluster, grouped in one pass so that every table row and page asks a dict.

A wiki of n layers renders n pages and a DAG table of n rows; each row used to scan every surface,
HelmRelease, Kustomization and applied object of the cluster, which made the build O(n²).
"""

from __future__ import annotations

from collections import defaultdict

from ..model import Cluster, Diagnostic, HelmReleaseInfo, KustomizationNode, Resource, Surface
from .surfaces import duplicate_claims

ObjectKey = tuple[str, str, str]  # (kind, namespace, name)


class ClusterIndex:
    """Lookups by layer id over a finished cluster (build it after the analysis stage, never before)."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        surfaces: dict[str, list[Surface]] = defaultdict(list)
        for s in cluster.surfaces:
            surfaces[s.layer].append(s)
        releases: dict[str, list[HelmReleaseInfo]] = defaultdict(list)
        for h in cluster.helm_releases:
            releases[h.layer].append(h)
        dependents: dict[str, list[str]] = defaultdict(list)
        applied: dict[ObjectKey, Resource] = {}
        refs: dict[str, KustomizationNode] = {}
        for k in cluster.kustomizations.values():
            refs.setdefault(k.id, k)
            refs.setdefault(k.name, k)
            for dep in k.depends_on:
                dependents[dep].append(k.id)
            for r in k.resources:
                applied[(r.kind, r.namespace, r.name)] = r
        self._surfaces = dict(surfaces)
        self._releases = dict(releases)
        self._dependents = {node_id: sorted(ids) for node_id, ids in dependents.items()}
        self._applied = applied
        self._refs = refs
        # LoadBalancer addresses claimed twice among the layers the pages show
        self.duplicate_claims: list[Diagnostic] = duplicate_claims(
            [s for s in cluster.surfaces if not cluster.kustomizations[s.layer].excluded])

    def surfaces_of(self, layer_id: str) -> list[Surface]:
        """The layer's surfaces, in the cluster's order."""
        return self._surfaces.get(layer_id, [])

    def releases_of(self, layer_id: str) -> list[HelmReleaseInfo]:
        """The HelmReleases the layer applies, in the cluster's order ("" gives those of no known layer)."""
        return self._releases.get(layer_id, [])

    def dependents(self, node_id: str) -> list[str]:
        """Ids of the Kustomizations whose dependsOn names ``node_id``, sorted."""
        return self._dependents.get(node_id, [])

    def kustomization(self, ref: str) -> KustomizationNode | None:
        """The first Kustomization (in the cluster's order) whose id or name is ``ref``."""
        return self._refs.get(ref)

    def applied(self, kind: str, namespace: str, name: str) -> Resource | None:
        """The object of that kind, namespace and name some layer of the cluster applies (the last one wins)."""
        return self._applied.get((kind, namespace, name))
