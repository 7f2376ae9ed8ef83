"""A ResourceSet's own ``spec.dependsOn``: flux-operator renders nothing until each dependency with ``ready: true`` is
Ready, so a Kustomization it generates starts only after those (d2-fleet's ``apps`` ResourceSet waits for the
``monitoring/infra-configs`` Kustomization the ``infra`` ResourceSet generates)."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_simulate import gotk, ks, write

_RSET = """\
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: %(name)s
  namespace: flux-system
spec:
  dependsOn:
%(deps)s  inputs:
    - tenant: %(tenant)s
  resources:
    - apiVersion: kustomize.toolkit.fluxcd.io/v1
      kind: Kustomization
      metadata:
        name: %(name)s-<< inputs.tenant >>
        namespace: << inputs.tenant >>
      spec:
        interval: 30m
        prune: true
        path: ./%(name)s
        sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
"""
_CRD_DEP = ("    - apiVersion: apiextensions.k8s.io/v1\n      kind: CustomResourceDefinition\n"
            "      name: helmreleases.helm.toolkit.fluxcd.io\n")


def _ks_dep(name: str, ready: bool = True) -> str:
    return (f"    - apiVersion: kustomize.toolkit.fluxcd.io/v1\n      kind: Kustomization\n      name: {name}\n"
            f"      namespace: monitoring\n      ready: {str(ready).lower()}\n"
            "      readyExpr: status.observedGeneration >= 0\n")


def _model(root: Path, apps_deps: str):
    write(root, gotk() | {
        "clusters/home/tenants.yaml": ks("tenants", "./tenants"),
        "tenants/infra.yaml": _RSET % {"name": "infra", "tenant": "monitoring", "deps": _CRD_DEP},
        "tenants/apps.yaml": _RSET % {"name": "apps", "tenant": "frontend", "deps": apps_deps},
        "infra/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: infra, namespace: monitoring}\n",
        "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: apps, namespace: frontend}\n",
    })
    return build_model(root)


def test_a_generated_kustomization_waits_for_what_its_resourceset_waits_for(tmp_path: Path) -> None:
    model = _model(tmp_path, _ks_dep("infra-monitoring"))
    cluster = model.clusters[0]
    order = model.facts[cluster.name].order
    assert "monitoring/infra-monitoring" in order.waits_for("frontend/apps-frontend")
    [edge] = [e for e in order.edges if e.after == "frontend/apps-frontend" and e.kind == "dependsOn"]
    assert (edge.before, edge.file, edge.line, edge.ready_expr) == (
        "monitoring/infra-monitoring", "tenants/apps.yaml", 8, "status.observedGeneration >= 0")
    facts = model.facts[cluster.name]
    assert facts.layer("frontend/apps-frontend").depends_on == ["monitoring/infra-monitoring"]
    assert "frontend/apps-frontend" in facts.layer("monitoring/infra-monitoring").dependents
    levels = {k.id: k.level for k in cluster.kustomizations.values()}
    assert levels["frontend/apps-frontend"] > levels["monitoring/infra-monitoring"]
    assert not [w for w in cluster.warnings if w.cls == "repo"]


def test_existence_only_and_other_kinds_add_no_wait(tmp_path: Path) -> None:
    model = _model(tmp_path, _ks_dep("infra-monitoring", ready=False) + _CRD_DEP)
    order = model.facts[model.clusters[0].name].order
    assert order.waits_for("frontend/apps-frontend") == {"flux-system/tenants"}


def test_a_resourceset_waiting_for_a_kustomization_never_applied_is_red(tmp_path: Path) -> None:
    cluster = _model(tmp_path, _ks_dep("infra-typo")).clusters[0]
    [w] = [w for w in cluster.warnings if w.code == "FW-DEPENDSON-DANGLING"]
    assert (w.file, w.line, w.cls) == ("tenants/apps.yaml", 8, "repo") and "monitoring/infra-typo" in w.message
