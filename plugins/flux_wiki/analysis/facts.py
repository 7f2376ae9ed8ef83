"""The facts of an analysed cluster, per layer, computed once: what the pages, markers, diagrams and the inventory
JSON all read, so no renderer derives a fact or re-applies the exclusions on its own.

The cluster's surfaces, HelmReleases and dependents are grouped by layer in one pass, so a wiki of n layers
(n pages, a DAG table of n rows) asks dicts instead of scanning the cluster once per row (O(n), not O(n²)).
A layer's own facts are made when first asked for, then kept. The effective reconciliation order
(:mod:`.order`: dependsOn, applied-by, gates) is computed once per cluster and every layer reads its part.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..model import CLAIM_SURFACES, FLUX_HELM_GROUP, Cluster, Diagnostic, HelmReleaseInfo, KustomizationNode, Surface
from ..flux.objects import kube_config_ref, landing_cluster, remote_cluster
from .order import Chain, Edge, EffectiveOrder
from .surfaces import Claim, claim_warnings, contested_claims, unshared_claims

if TYPE_CHECKING:
    from .layers import LayerFacts
    from .views import Grouping

def _surface_clusters(cluster: Cluster) -> Callable[[Surface], str]:
    """The cluster each surface is on: where its layer's objects land (``landing_cluster``), and for what a
    HelmRelease's values declare, the cluster of the release's own ``spec.kubeConfig`` from there."""
    nodes = cluster.kustomizations
    landing: dict[str, str] = {}
    releases: dict[tuple[str, str, str], str] = {}

    def where(s: Surface) -> str:
        if s.layer not in landing:
            landing[s.layer] = landing_cluster(s.layer, nodes)
        here = landing[s.layer]
        if s.object_kind != "HelmRelease":
            return here
        key = (s.layer, s.namespace, s.name)
        if key not in releases:
            node = nodes.get(s.layer)
            res = next((r for r in node.resources if r.is_kind(FLUX_HELM_GROUP, "HelmRelease")
                        and r.namespace == s.namespace and r.name == s.name), None) if node else None
            kube = kube_config_ref(res.spec) if res is not None else None
            releases[key] = remote_cluster(kube, s.namespace, here) if kube else here
        return releases[key]
    return where


class ClusterFacts:
    """The facts of one analysed cluster (build it after the analysis stage, never before).

    Exclusions are applied here and only here: :attr:`layers`, :attr:`surfaces`, dependents and the contested
    address claims leave out the Kustomizations the configuration excludes (and what they apply).
    """

    def __init__(self, cluster: Cluster, order: EffectiveOrder | None = None):
        self.cluster = cluster
        self.order = order if order is not None else EffectiveOrder.of(cluster)
        surfaces: dict[str, list[Surface]] = defaultdict(list)
        for s in cluster.surfaces:
            surfaces[s.layer].append(s)
        releases: dict[str, list[HelmReleaseInfo]] = defaultdict(list)
        for h in cluster.helm_releases:
            releases[h.layer].append(h)
        dependents: dict[str, list[str]] = defaultdict(list)
        children: dict[str, list[str]] = defaultdict(list)
        refs: dict[str, KustomizationNode] = {}
        shown: set[str] = set()
        names: dict[str, int] = defaultdict(int)
        for k in cluster.kustomizations.values():
            refs.setdefault(k.id, k)
            refs.setdefault(k.name, k)
            names[k.name] += 1
            if not k.excluded:
                shown.add(k.id)
                for dep in self.order.depends_on(k):
                    dependents[dep].append(k.id)
                if k.parent and k.id != cluster.root_id:
                    children[k.parent].append(k.id)
        self._surfaces = dict(surfaces)
        self._releases = dict(releases)
        self._dependents = {node_id: sorted(ids) for node_id, ids in dependents.items()}
        self._children = {node_id: sorted(ids) for node_id, ids in children.items()}
        self._edges_in: dict[str, list[Edge]] = defaultdict(list)
        self._edges_out: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.order.edges:
            self._edges_in[edge.after].append(edge)
            self._edges_out[edge.before].append(edge)
        self._roots = set(self.order.roots)
        self._refs = refs
        self._shared_names = {name for name, count in names.items() if count > 1}
        self._shown = shown
        self._layers: dict[str, LayerFacts] = {}
        self._rows: list[LayerFacts] | None = None
        self._critical_path: Chain | None = None
        self._grouping: tuple[Grouping | None] | None = None
        # the surfaces of the layers the wiki shows: the inventory, the surface map and the address claims
        self.surfaces: list[Surface] = [s for s in cluster.surfaces if s.layer in shown]
        where = _surface_clusters(cluster)
        self.claims: dict[Claim, list[Surface]] = contested_claims(self.surfaces, where)
        levels = self.order.levels  # the object applied first keeps the address: later claimants are warned

        def rank(s: Surface) -> int:
            return levels.get(s.layer, len(levels))

        unshared, flagged = unshared_claims(self.surfaces, where, rank)
        self.duplicate_claims: list[Diagnostic] = sorted(claim_warnings(self.claims, rank) + unshared)
        self._contested = {(c.file, c.line) for claimants in [*self.claims.values(), flagged] for c in claimants}
        self._helm_counts: dict[str, int] = {}

    @property
    def layers(self) -> list[LayerFacts]:
        """The shown layers below the entry point, by level then name (the rows of the layer table)."""
        if self._rows is None:
            self._rows = [self.layer(k.id) for k in self.cluster.layers()]
        return self._rows

    @property
    def roots(self) -> list[KustomizationNode]:
        """The shown roots, in table order: the entry's root applies them and they wait for nothing else."""
        return [layer.node for layer in self.layers if layer.root]

    @property
    def critical_path(self) -> Chain:
        """The longest chain to readiness among the shown layers (see :meth:`EffectiveOrder.critical_path`).
        Their ids come from the cluster: the inventory JSON asks for the path, never for the layers' facts."""
        if self._critical_path is None:
            self._critical_path = self.order.critical_path(among=[k.id for k in self.cluster.layers()])
        return self._critical_path

    @property
    def grouping(self) -> Grouping | None:
        """The shown layers in the most readable groups (see :mod:`.views`); None when nothing splits them.
        Only diagrams and pages group layers: the inventory JSON never loads the module."""
        from .views import group_layers

        if self._grouping is None:
            self._grouping = (group_layers([layer.node for layer in self.layers], self.order.edges),)
        return self._grouping[0]

    @property
    def overview(self) -> bool:
        """Whether the cluster is large enough for its DAG page to show the overview of its groups."""
        from .views import GROUP_THRESHOLD

        return len(self.layers) > GROUP_THRESHOLD and self.grouping is not None

    def shown(self, node_id: str) -> bool:
        """Whether the wiki shows the Kustomization ``node_id`` (it exists and is not excluded)."""
        return node_id in self._shown

    def installed_release_count(self) -> int:
        """How many HelmReleases the cluster installs: one object per cluster it lands on, however many Kustomizations
        apply it (``cluster.helm_releases`` lists it once per layer)."""
        nodes = self.cluster.kustomizations
        return len({(landing_cluster(h.layer, nodes), h.ident()) for h in self.cluster.helm_releases})

    def helm_release_count(self, node_id: str) -> int:
        """How many Flux HelmReleases the Kustomization ``node_id`` applies, counted once: a parent that applies
        every app is drawn in each of its children's diagrams, and counting its objects each time is O(n²)."""
        if node_id not in self._helm_counts:
            node = self.cluster.kustomizations[node_id]
            self._helm_counts[node_id] = sum(1 for r in node.resources
                                             if r.kind == "HelmRelease" and r.group == FLUX_HELM_GROUP)
        return self._helm_counts[node_id]

    def edges_into(self, node_id: str) -> list[Edge]:
        """The dependsOn and applied-by edges into ``node_id``: what it waits for before it starts."""
        return self._edges_in.get(node_id, [])

    def edges_from(self, node_id: str) -> list[Edge]:
        """The dependsOn and applied-by edges out of ``node_id``: what waits for it."""
        return self._edges_out.get(node_id, [])

    def layer(self, node_id: str) -> LayerFacts:
        """The facts of the Kustomization ``node_id`` (any of the cluster's, shown or not)."""
        found = self._layers.get(node_id)
        if found is None:
            from .layers import LayerFacts, group_by_kind, installed  # only pages ask: the inventory never loads it

            node = self.cluster.kustomizations[node_id]
            known = self.cluster.kustomizations
            surfaces, releases = self._surfaces.get(node_id, []), self._releases.get(node_id, [])
            order = self.order
            declared = order.depends_on(node)
            depends_on = [d for d in declared if d in known]
            found = LayerFacts(node, depends_on, [d for d in declared if d not in known],
                               self._dependents.get(node_id, []), group_by_kind(node), releases, surfaces,
                               installed(surfaces, releases), root=node_id in self._roots,
                               children=self._children.get(node_id, []),
                               inherited=self._inherited(node_id, declared, depends_on),
                               gates=order.gate_links(node_id), blocker=order.blocked.get(node_id),
                               ready_level=order.ready_levels.get(node_id, 0),
                               chain=order.critical_path(node_id))
            self._layers[node_id] = found
        return found

    def _inherited(self, node_id: str, declared: list[str], resolved: list[str]) -> list[tuple[str, str]]:
        """What the Kustomization waits for through a parent's dependsOn, beyond its own dependsOn and what
        they already wait for."""
        pairs = [(dep, via) for dep, via in self.order.inherited(node_id) if dep not in declared]
        if pairs and resolved:
            implied = set().union(*(self.order.ancestors(d) for d in resolved))
            pairs = [(dep, via) for dep, via in pairs if dep not in implied]
        return pairs

    def shown_surfaces(self, layer_id: str | None = None) -> list[Surface]:
        """The surfaces of the shown layers, or of the layer ``layer_id`` (none when it is excluded)."""
        if layer_id is None:
            return self.surfaces
        return self._surfaces.get(layer_id, []) if layer_id in self._shown else []

    def label(self, node: KustomizationNode) -> str:
        """How pages name a Kustomization: its name, or ``namespace/name`` when another namespace has that name."""
        return node.id if node.name in self._shared_names else node.name

    def kustomization(self, ref: str) -> KustomizationNode | None:
        """The first Kustomization (in the cluster's order) whose id or name is ``ref``."""
        return self._refs.get(ref)

    def contested(self, surface: Surface) -> bool:
        """Whether the surface's object claims a LoadBalancer address:port another object claims too, or an
        address MetalLB does not let it share (:func:`unshared_claims`)."""
        return surface.kind in CLAIM_SURFACES and (surface.file, surface.line) in self._contested
