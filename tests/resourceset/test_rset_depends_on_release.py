"""A ResourceSet waiting Ready for a HelmRelease (``spec.dependsOn`` with ``ready: true``): flux-operator renders
nothing until the HelmRelease is Ready, and helm-controller gets it Ready only once the Kustomization that applies
it has started (after what that one and its parents wait for) and once the HelmReleases it depends on are Ready.
So a Kustomization the ResourceSet generates waits for those Kustomizations. A dependency whose readiness flux-wiki
does not model (another kind, a HelmRelease the cluster never applies) is a noted limit, never a warning."""

from __future__ import annotations

import textwrap
from pathlib import Path

from flux_wiki.engine import build_model
from tests.resourceset.test_rset_depends_on import _RSET
from tests.simulate.test_simulate import gotk, ks, write


def release(name: str, depends: str = "") -> str:
    return textwrap.dedent(f"""\
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmRepository
        metadata: {{name: {name}, namespace: kube-system}}
        spec: {{url: https://charts.example.org}}
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {{name: {name}, namespace: kube-system}}
        spec:
          interval: 10m
          chart: {{spec: {{chart: {name}, sourceRef: {{kind: HelmRepository, name: {name}}}}}}}
        """) + (f"  dependsOn: [{{name: {depends}}}]\n" if depends else "")


def dep(kind: str, api: str, name: str) -> str:
    return (f"    - apiVersion: {api}\n      kind: {kind}\n      name: {name}\n"
            "      namespace: kube-system\n      ready: true\n")


def model(root: Path, deps: str):
    write(root, gotk() | {
        "clusters/home/layers.yaml": "---\n".join([
            ks("namespaces", "./namespaces"), ks("crds", "./crds"),
            ks("base", "./base", deps=("namespaces",)), ks("network", "./network", deps=("crds",)),
            ks("tenants", "./tenants")]),
        "namespaces/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ns, namespace: default}\n",
        "crds/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: crds, namespace: default}\n",
        "base/release.yaml": release("base"),
        "network/release.yaml": release("cilium", depends="base"),
        "tenants/apps.yaml": _RSET % {"name": "apps", "tenant": "frontend", "deps": deps},
        "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: apps, namespace: frontend}\n",
    })
    return build_model(root)


def test_a_generated_kustomization_waits_for_what_the_release_waits_for(tmp_path: Path) -> None:
    m = model(tmp_path, dep("HelmRelease", "helm.toolkit.fluxcd.io/v2", "cilium"))
    [cluster] = m.clusters
    order = m.facts[cluster.name].order
    assert order.waits_for("frontend/apps-frontend") >= {"flux-system/crds", "flux-system/namespaces"}
    edges = {(e.before, e.file, e.line) for e in order.edges if e.after == "frontend/apps-frontend"
             and e.kind == "dependsOn"}
    assert edges == {("flux-system/crds", "tenants/apps.yaml", 8), ("flux-system/namespaces", "tenants/apps.yaml", 8)}
    levels = {k.id: k.level for k in cluster.kustomizations.values()}
    assert levels["frontend/apps-frontend"] > levels["flux-system/crds"]
    assert not [w for w in cluster.warnings if w.code.startswith(("FW-DEPENDSON", "FW-RSET"))]


def test_what_flux_wiki_cannot_model_is_a_noted_limit(tmp_path: Path) -> None:
    m = model(tmp_path, dep("HelmRelease", "helm.toolkit.fluxcd.io/v2", "typo")
              + dep("Deployment", "apps/v1", "coredns"))
    [cluster] = m.clusters
    notes = sorted((w.code, w.cls, w.file, w.line) for w in cluster.warnings if w.code.startswith("FW-RSET"))
    assert notes == [("FW-RSET-WAIT-UNMODELLED", "limit", "tenants/apps.yaml", 8),
                     ("FW-RSET-WAIT-UNMODELLED", "limit", "tenants/apps.yaml", 13)]
    assert m.facts[cluster.name].order.waits_for("frontend/apps-frontend") == {"flux-system/tenants"}
