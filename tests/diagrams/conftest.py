"""Small in-memory clusters for the diagram tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from flux_wiki.analysis.facts import ClusterFacts
from flux_wiki.model import Cluster, HelmReleaseInfo, KustomizationNode, Resource, SourceInfo


@dataclass
class Layer:
    """Terse description of one Flux Kustomization for tests."""

    name: str
    level: int | None
    depends_on: list[str] = field(default_factory=list)
    namespace: str = "flux-system"
    parent: str | None = "flux-system/flux-system"
    wait: bool | None = None
    health_checks: int = 0
    status: str = "built"
    reason: str | None = None
    objects: int = 1
    path: str | None = None


def make_cluster(layers: list[Layer], name: str = "production") -> Cluster:
    source = SourceInfo("GitRepository", "flux-system", "flux-system", url="https://example.invalid/repo.git")
    root = KustomizationNode(
        namespace="flux-system", name="flux-system", path="./clusters/production", parent=None,
        depends_on=[], source=source, spec={}, file="clusters/production/flux-system/gotk-sync.yaml",
        line=20, status="built", level=0,
    )
    cluster = Cluster(
        name=name, entry_file=root.file, entry_line=root.line, entry_kind="gotk-sync",
        source=source, root_id=root.id, kustomizations={root.id: root},
    )
    for layer in layers:
        spec: dict[str, Any] = {"path": layer.path or f"./{layer.name}"}
        if layer.depends_on:
            spec["dependsOn"] = [dict(zip(("namespace", "name"), d.split("/", 1))) if "/" in d else {"name": d}
                                 for d in layer.depends_on]
        if layer.wait is not None:
            spec["wait"] = layer.wait
        if layer.health_checks:
            spec["healthChecks"] = [
                {"kind": "Deployment", "name": f"d{i}", "namespace": "default"} for i in range(layer.health_checks)
            ]
        node = KustomizationNode(
            namespace=layer.namespace, name=layer.name, path=spec["path"], parent=layer.parent,
            depends_on=[d if "/" in d else f"{layer.namespace}/{d}" for d in layer.depends_on], source=source, spec=spec,
            file=f"clusters/production/{layer.name}.yaml", line=1, status=layer.status,
            reason=layer.reason, level=layer.level,
            resources=[
                Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}"}}, "x.yaml", 1)
                for i in range(layer.objects)
            ],
        )
        cluster.kustomizations[node.id] = node
    return cluster


def facts_of(layers: list[Layer] | Cluster) -> ClusterFacts:
    """The facts of a cluster made of ``layers`` (or of a cluster made already)."""
    return ClusterFacts(layers if isinstance(layers, Cluster) else make_cluster(layers))


def four_layers() -> list[Layer]:
    return [
        Layer("infra-controllers", 1, wait=True, objects=12, path="./infrastructure/controllers"),
        Layer("infra-configs", 2, ["flux-system/infra-controllers"], health_checks=2, objects=3,
              path="./infrastructure/configs"),
        Layer("apps", 3, ["infra-configs"], objects=7, path="./apps/production"),
        Layer("broken", 3, ["flux-system/infra-configs", "flux-system/gone"], status="error",
              reason="kustomize build failed", objects=0, path="./apps/broken"),
    ]


def ten_layers() -> list[Layer]:
    fs = "flux-system/"
    return [
        Layer("crds", 1, wait=True, objects=40, path="./infrastructure/crds"),
        Layer("cert-manager", 2, [fs + "crds"], wait=True, objects=9, path="./infrastructure/cert-manager"),
        Layer("ingress-nginx", 2, [fs + "crds"], wait=True, objects=6, path="./infrastructure/ingress-nginx"),
        Layer("infra-controllers", 2, [fs + "crds"], wait=True, objects=14, path="./infrastructure/controllers"),
        Layer("infra-configs", 3, [fs + "cert-manager", fs + "infra-controllers"], health_checks=2,
              objects=4, path="./infrastructure/configs"),
        Layer("monitoring-controllers", 3, [fs + "infra-controllers"], objects=11,
              path="./monitoring/controllers"),
        Layer("monitoring-configs", 4, [fs + "monitoring-controllers"], objects=5, path="./monitoring/configs"),
        Layer("databases", 4, [fs + "infra-configs"], wait=True, objects=6, path="./apps/databases"),
        Layer("apps", 5, [fs + "databases", fs + "ingress-nginx"], objects=23, path="./apps/production"),
        Layer("tenants", 5, [fs + "infra-configs"], status="skipped", reason="suspended", objects=0,
              path="./tenants/production"),
    ]


def helm_release(namespace: str, name: str, chart: str, version: str | None) -> HelmReleaseInfo:
    return HelmReleaseInfo(
        namespace=namespace, name=name, chart=chart, version=version, source_kind="HelmRepository",
        source_namespace="flux-system", source_name="charts", source_url=None, depends_on=[], values={},
        values_sources=[], unresolved_values=[], file="apps/hr.yaml", line=1,
    )


def url_for(ks_id: str) -> str:
    return "../layers/" + ks_id.replace("/", "--") + "/"


@pytest.fixture
def page_url():
    return url_for
