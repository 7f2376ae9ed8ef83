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


def _rset_dep(name: str) -> str:
    return (f"    - apiVersion: fluxcd.controlplane.io/v1\n      kind: ResourceSet\n      name: {name}\n"
            "      namespace: flux-system\n      ready: true\n")


def _waiting(rset: str) -> str:
    return rset.replace("spec:\n  dependsOn:", "spec:\n  wait: true\n  dependsOn:", 1)


def _chain(root: Path, infra_waits: bool, infra_deps: str = _CRD_DEP):
    """``apps`` waits for the ResourceSet ``infra`` to be Ready (the flux-operator docs' example of a dependency on a
    ResourceSet); ``infra`` waits for ``base``'s Kustomization."""
    infra = _RSET % {"name": "infra", "tenant": "monitoring", "deps": infra_deps}
    write(root, gotk() | {
        "clusters/home/tenants.yaml": ks("tenants", "./tenants"),
        "tenants/base.yaml": _RSET % {"name": "base", "tenant": "kube-system", "deps": _CRD_DEP},
        "tenants/infra.yaml": _waiting(infra) if infra_waits else infra,
        "tenants/apps.yaml": _RSET % {"name": "apps", "tenant": "frontend", "deps": _rset_dep("infra")},
        "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base, namespace: kube-system}\n",
        "infra/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: infra, namespace: monitoring}\n",
        "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: apps, namespace: frontend}\n",
    })
    return build_model(root)


def test_a_resourceset_that_waits_is_ready_once_its_kustomizations_are(tmp_path: Path) -> None:
    """flux-operator reconciles ``apps`` once ``infra`` is Ready; with ``wait: true`` ``infra`` is Ready once what it
    applied is: the Kustomization ``apps`` generates starts after the one ``infra`` generates is Ready."""
    model = _chain(tmp_path, infra_waits=True)
    order = model.facts[model.clusters[0].name].order
    assert order.waits_for("frontend/apps-frontend") == {"flux-system/tenants", "monitoring/infra-monitoring"}
    [edge] = [e for e in order.edges if e.after == "frontend/apps-frontend" and e.kind == "dependsOn"]
    assert (edge.before, edge.file, edge.line) == ("monitoring/infra-monitoring", "tenants/apps.yaml", 8)


def test_a_resourceset_is_ready_only_after_what_it_waits_for(tmp_path: Path) -> None:
    """Without ``wait`` ``infra`` is Ready once applied, but it is applied only once its own dependencies are Ready:
    ``apps`` waits for those, not for ``infra``'s Kustomization."""
    model = _chain(tmp_path, infra_waits=False, infra_deps=_ks_dep("base-kube-system").replace(
        "namespace: monitoring", "namespace: kube-system"))
    order = model.facts[model.clusters[0].name].order
    assert order.waits_for("frontend/apps-frontend") == {"flux-system/tenants", "kube-system/base-kube-system"}
    [edge] = [e for e in order.edges if e.after == "frontend/apps-frontend" and e.kind == "dependsOn"]
    assert (edge.file, edge.line, edge.ready_expr) == ("tenants/apps.yaml", 8, None)


def test_resourcesets_waiting_for_each_other_end(tmp_path: Path) -> None:
    model = _chain(tmp_path, infra_waits=True, infra_deps=_rset_dep("apps"))
    order = model.facts[model.clusters[0].name].order
    assert order.cycles and "monitoring/infra-monitoring" in order.cycles[0].nodes


def test_a_resourceset_depending_on_an_object_never_applied_renders_nothing(tmp_path: Path) -> None:
    """flux-operator's checkDependencies first gets every dependsOn object, ``ready`` or not ("dependency ... not
    found", retried every 5s): a ResourceSet, or a Kustomization without ``ready: true``, that this cluster never
    applies means the ResourceSet never renders, so what it generates never exists."""
    for deps in (_rset_dep("policies"), _ks_dep("infra-typo", ready=False)):
        root = tmp_path / str(len(deps))
        model = _model(root, deps)
        cluster = model.clusters[0]
        [w] = [w for w in cluster.warnings if w.code == "FW-DEPENDSON-DANGLING"]
        assert (w.file, w.line, w.cls) == ("tenants/apps.yaml", 8, "repo")
        assert w.message.startswith("ResourceSet flux-system/apps depends on ") and "never renders it" in w.message
        order = model.facts[cluster.name].order
        blocker = order.blocked["frontend/apps-frontend"]
        assert (blocker.cause, blocker.file, blocker.line) == ("dangling", "tenants/apps.yaml", 8)
        assert "frontend/apps-frontend" not in order.roots and "monitoring/infra-monitoring" not in order.blocked
