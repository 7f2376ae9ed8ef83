"""A ``substituteFrom`` ConfigMap or Secret that, once every Kustomization is built, exists only in another
namespace: kustomize-controller reads it from the Kustomization's own namespace (fluxcd/pkg
``kustomize/kustomize_varsub.go``, ``loadVars``), so a non-optional reference fails the Kustomization. While the
simulation runs the object store keeps its repository fallback (a later build may still put the document in the
namespace asked for), so the check runs once the simulation is settled. Seen in kid/home-ops: a ``cluster-values``
component included by the ``media`` namespace only, while every Kustomization substitutes from ``cluster-values``."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_VALUES = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-values}\ndata: {APP_DOMAIN: example.com}\n"
_COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [cluster-values.yaml]\n"


def _app(ns: str, optional: bool = False) -> str:
    return ks(ns + "-app", f"./{ns}/app", ns=ns, extra=f"""
            targetNamespace: {ns}
            postBuild:
              substituteFrom: [{{kind: ConfigMap, name: cluster-values, optional: {str(optional).lower()}}}]""")


def _cluster(root: Path, *namespaces: str, optional: bool = False):
    files = gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/kustomization.yaml": "resources: [" + ", ".join(namespaces) + "]\n",
        "components/cluster-values/kustomization.yaml": _COMPONENT,
        "components/cluster-values/cluster-values.yaml": _VALUES,
    }
    for i, ns in enumerate(namespaces):
        # only the first namespace includes the component; the later ones substitute from it all the same
        component = "components: [../../components/cluster-values]\n" if i == 0 else ""
        files |= {f"apps/{ns}/kustomization.yaml": f"namespace: {ns}\n{component}resources: [ks.yaml]\n",
                  f"apps/{ns}/ks.yaml": _app(ns, optional),
                  f"{ns}/app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n"
                                       "data: {host: 'web.${APP_DOMAIN}'}\n"}
    write(root, files)
    return build_model(root).clusters[0]


def test_a_substitute_from_only_another_namespace_has_fails(tmp_path: Path) -> None:
    cluster = _cluster(tmp_path, "media", "kube-system")
    missing = [w for w in cluster.warnings if w.code == "FW-SUBST-FROM-MISSING"]
    assert [(w.file, w.cls) for w in missing] == [("apps/kube-system/ks.yaml", "repo")]
    assert "'ConfigMap/cluster-values': not found in namespace 'kube-system'" in missing[0].message


def test_either_build_order_reads_the_same(tmp_path: Path) -> None:
    # kube-system is built before media now: the document is not yet placed when kube-system reads it
    cluster = _cluster(tmp_path, "a-media", "kube-system")
    assert [w.file for w in cluster.warnings if w.code == "FW-SUBST-FROM-MISSING"] == ["apps/kube-system/ks.yaml"]


def test_the_namespace_that_has_it_and_an_optional_reference_do_not(tmp_path: Path) -> None:
    assert not [w for w in _cluster(tmp_path, "media").warnings if w.cls == "repo"]
    assert not [w for w in _cluster(tmp_path / "opt", "media", "kube-system", optional=True).warnings
                if w.code == "FW-SUBST-FROM-MISSING"]


def _with_unbuilt(root: Path, target: str | None):
    """The two-namespace cluster plus a Kustomization flux-wiki cannot build (its path is missing)."""
    extra = f"targetNamespace: {target}" if target else ""
    write(root, {"clusters/home/broken.yaml": ks("broken", "./nowhere", extra=extra)})
    return _cluster(root, "media", "kube-system")


def test_an_unbuilt_kustomization_confined_to_another_namespace_cannot_provide_it(tmp_path: Path) -> None:
    # seen in shelken/home-ops: one Kustomization per namespace, each with its own targetNamespace; the ones
    # flux-wiki could not build put nothing in kube-system, so kube-system's reference still fails in Flux
    missing = [w for w in _with_unbuilt(tmp_path, "media").warnings if w.code == "FW-SUBST-FROM-MISSING"]
    assert [(w.file, w.cls) for w in missing] == [("apps/kube-system/ks.yaml", "repo")]
    assert "could not build" not in missing[0].message


def test_an_unbuilt_kustomization_that_may_target_the_namespace_makes_it_a_limit(tmp_path: Path) -> None:
    for sub, target in (("free", None), ("same", "kube-system"), ("unknown", "${NS}")):
        missing = [w for w in _with_unbuilt(tmp_path / sub, target).warnings
                   if w.code == "FW-SUBST-FROM-MISSING"]
        assert [(w.file, w.cls) for w in missing] == [("apps/kube-system/ks.yaml", "limit")], sub
        assert "(unless flux-system/broken, which flux-wiki could not build, provides it)" in missing[0].message


def test_a_dangling_depends_on_reads_the_same(tmp_path: Path) -> None:
    """dependsOn names a Kustomization: one an unbuilt Kustomization could only apply in its targetNamespace."""
    for sub, target, cls in (("other", "media", "repo"), ("free", None, "limit")):
        root = tmp_path / sub
        write(root, gotk() | {"clusters/home/broken.yaml": ks("broken", "./nowhere",
                                                               extra=f"targetNamespace: {target}" if target else ""),
                              "clusters/home/web.yaml": ks("web", "./web", deps=("db",)),
                              "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n"})
        dangling = [w for w in build_model(root).clusters[0].warnings if w.code == "FW-DEPENDSON-DANGLING"]
        assert [w.cls for w in dangling] == [cls], sub


def test_a_missing_chart_source_reads_the_same(tmp_path: Path) -> None:
    """A HelmRelease's chart source missing from its namespace: only an unbuilt Kustomization that may put
    objects there can provide it."""
    release = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: web}\n"
               "spec: {interval: 1h, chartRef: {kind: OCIRepository, name: app-template}}\n")
    for sub, target, cls in (("other", "media", "repo"), ("same", "web", "limit")):
        root = tmp_path / sub
        write(root, gotk() | {"clusters/home/broken.yaml": ks("broken", "./nowhere", extra=f"targetNamespace: {target}"),
                              "clusters/home/web.yaml": ks("web", "./web"), "web/hr.yaml": release})
        missing = [w for w in build_model(root).clusters[0].warnings if w.code == "FW-HELM-SOURCE-MISSING"]
        assert [w.cls for w in missing] == [cls], sub


def test_a_health_check_of_a_missing_kustomization_reads_the_same(tmp_path: Path) -> None:
    check = ("healthChecks:\n  - {apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, name: db, "
             "namespace: data}")
    for sub, target, cls in (("other", "media", "repo"), ("same", "data", "limit")):
        root = tmp_path / sub
        write(root, gotk() | {"clusters/home/broken.yaml": ks("broken", "./nowhere", extra=f"targetNamespace: {target}"),
                              "clusters/home/web.yaml": ks("web", "./web", extra=check),
                              "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n"})
        missing = [w for w in build_model(root).clusters[0].warnings if w.code == "FW-HEALTHCHECK-MISSING"]
        assert [w.cls for w in missing] == [cls], sub
