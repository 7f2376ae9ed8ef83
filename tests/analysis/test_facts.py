"""ClusterFacts: each layer's facts found once, the exclusions applied in one place."""

from __future__ import annotations

from flux_wiki.analysis.facts import ClusterFacts
from flux_wiki.analysis.layers import group_by_kind, installed
from flux_wiki.model import (Cluster, HelmReleaseInfo, KustomizationNode, Resource, SourceInfo, Surface,
                             Target)

ROOT = "flux-system/flux-system"


def node(name: str, depends_on: tuple[str, ...] = (), *, kinds: tuple[str, ...] = (), level: int = 1,
         excluded: bool = False) -> KustomizationNode:
    resources = [Resource({"apiVersion": "v1", "kind": kind, "metadata": {"name": f"{kind.lower()}-{i}"}},
                          f"{name}.yaml", i + 1) for i, kind in enumerate(kinds)]
    spec = {"dependsOn": [{"name": d.split("/", 1)[1], "namespace": d.split("/", 1)[0]} for d in depends_on]}
    return KustomizationNode("flux-system", name, f"./{name}", ROOT, list(depends_on), None, spec, f"{name}.ks.yaml",
                             1, status="built", level=level, resources=resources, excluded=excluded)


def lb(layer: str, name: str, address: str, line: int) -> Surface:
    return Surface("loadbalancer", layer, "net", name, "Service", address=address, port=443, protocol="TCP",
                   file=f"{name}.yaml", line=line)


def release(layer: str, name: str) -> HelmReleaseInfo:
    return HelmReleaseInfo("apps", name, name, "1.0", None, None, None, None, [], {}, [], [], f"{name}.yaml", 1,
                           layer=layer)


def cluster() -> Cluster:
    root = node("flux-system", level=0)
    root.parent = None
    nodes = [root, node("infra", kinds=("Service", "Namespace", "Deployment", "Namespace", "Zebra")),
             node("apps", ("flux-system/infra", "flux-system/gone"), level=2),
             node("legacy", ("flux-system/infra",), level=2, excluded=True)]
    c = Cluster("home", "gotk-sync.yaml", 1, "gotk-sync", SourceInfo("GitRepository", "flux-system", "flux-system"),
                ROOT, {k.id: k for k in nodes})
    c.excluded = ["flux-system/legacy"]
    c.surfaces = [lb("flux-system/infra", "edge", "10.0.0.1", 3), lb("flux-system/apps", "web", "10.0.0.1", 5),
                  lb("flux-system/legacy", "old", "10.0.0.2", 7), lb("flux-system/apps", "api", "10.0.0.2", 9)]
    c.helm_releases = [release("flux-system/apps", "podinfo")]
    return c


def test_exclusions_are_applied_once_to_surfaces_dependents_and_claims() -> None:
    facts = ClusterFacts(cluster())
    assert [s.name for s in facts.surfaces] == ["edge", "web", "api"]
    assert facts.shown_surfaces("flux-system/legacy") == []
    assert [s.name for s in facts.shown_surfaces("flux-system/apps")] == ["web", "api"]
    assert facts.layer("flux-system/infra").dependents == ["flux-system/apps"]  # not the excluded legacy
    # 10.0.0.2:443 is claimed by the excluded layer too: the wiki does not show that one, so no conflict
    assert list(facts.claims) == [("10.0.0.1", 443, "TCP")]
    assert [d.file for d in facts.duplicate_claims] == ["web.yaml"]  # once, at the later claimant
    assert [s.name for s in facts.surfaces if facts.contested(s)] == ["edge", "web"]


def test_layers_are_the_table_rows_with_their_dependencies_split() -> None:
    facts = ClusterFacts(cluster())
    assert [layer.id for layer in facts.layers] == ["flux-system/infra", "flux-system/apps"]
    apps = facts.layer("flux-system/apps")
    assert (apps.depends_on, apps.dangling) == (["flux-system/infra"], ["flux-system/gone"])
    assert [r.name for r in apps.releases] == ["podinfo"] and facts.layer("flux-system/infra").releases == []
    assert [n.id for n in facts.roots] == ["flux-system/infra"]
    assert facts.kustomization("apps") is facts.kustomization("flux-system/apps") is apps.node
    assert facts.layer("flux-system/apps") is apps  # made once


def test_the_critical_path_is_found_among_the_shown_layers_without_their_facts() -> None:
    """The inventory JSON asks for the critical path only: the layers' facts (a table row each) are not made."""
    facts = ClusterFacts(cluster())
    chain = facts.critical_path
    assert facts._layers == {}
    assert chain == facts.order.critical_path(among=[layer.id for layer in facts.layers])
    assert "flux-system/legacy" not in chain.nodes and chain.nodes


def test_objects_are_grouped_by_kind_in_reading_order() -> None:
    groups = group_by_kind(cluster().kustomizations["flux-system/infra"])
    assert [(g.kind, len(g.resources)) for g in groups] == [("Namespace", 2), ("Deployment", 1), ("Service", 1),
                                                          ("Zebra", 1)]


def test_installed_keeps_a_releases_surfaces_but_its_workloads() -> None:
    layer = "flux-system/apps"
    hr_lb = Surface("loadbalancer", layer, "apps", "podinfo", "HelmRelease", address="10.0.0.3", port=80)
    hr_workload = Surface("workload", layer, "apps", "podinfo", "HelmRelease", targets=(Target("podinfo:1"),))
    svc = Surface("clusterip", layer, "apps", "db", "Service", port=5432, file="db.yaml", line=4)
    svc_again = Surface("clusterip", layer, "apps", "db", "Service", port=5433, file="db.yaml", line=9)
    workload = Surface("workload", layer, "apps", "db", "StatefulSet", targets=(Target("postgres:16"),))
    items = installed([svc, hr_workload, workload, hr_lb, svc_again], [release(layer, "podinfo")])
    assert [(i.kind, i.name, i.chart) for i in items] == [("HelmRelease", "podinfo", "podinfo"),
                                                          ("Service", "db", None), ("StatefulSet", "db", None)]
    assert items[0].surfaces == [hr_lb]
    assert items[1].surfaces == [svc, svc_again] and (items[1].file, items[1].line) == ("db.yaml", 4)
