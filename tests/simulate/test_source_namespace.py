"""A Kustomization moved into an app namespace (home-ops: a namespace's kustomization.yaml sets `namespace:` on its
ks.yaml files) whose sourceRef names no namespace: source-controller's objects are looked up in the Kustomization's
own namespace, Flux fails it ("GitRepository ... not found"). It was a simulation note (a source kept outside the
repository) pointing the user at the `sources:` option; the cluster's source of that name says otherwise."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_APP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: web}\n"


def _cluster(root: Path, source: str, extra: dict[str, str] | None = None):
    write(root, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/web/kustomization.yaml": "namespace: web\nresources: [ks.yaml]\n",
        "apps/web/ks.yaml": ks("web", "./web", source=source),
        "web/cm.yaml": _APP,
    } | (extra or {}))
    return build_model(root).clusters[0]


def test_a_source_of_that_name_in_another_namespace_makes_it_a_failure(tmp_path: Path) -> None:
    cluster = _cluster(tmp_path, "kind: GitRepository, name: flux-system")
    node = cluster.kustomizations["web/web"]
    assert node.status == "error" and "not found" in node.reason
    [w] = [w for w in cluster.warnings if w.code == "FW-KS-SOURCE-MISSING"]
    assert (w.file, w.line, w.cls) == ("apps/web/ks.yaml", 1, "repo")
    assert "GitRepository web/flux-system not found" in w.message
    assert "without a namespace" in w.message and "set sourceRef.namespace: flux-system" in w.message
    assert not [w for w in cluster.warnings if w.code == "FW-KS-SOURCE-EXTERNAL"]


def test_an_explicit_namespace_is_named_as_such(tmp_path: Path) -> None:
    cluster = _cluster(tmp_path, "kind: GitRepository, name: flux-system, namespace: web")
    [w] = [w for w in cluster.warnings if w.code == "FW-KS-SOURCE-MISSING"]
    assert "where sourceRef points" in w.message


def test_a_source_known_nowhere_stays_a_limit(tmp_path: Path) -> None:
    cluster = _cluster(tmp_path, "kind: GitRepository, name: tenant-repo")
    assert cluster.kustomizations["web/web"].status == "skipped"
    assert [w.code for w in cluster.warnings] == ["FW-KS-SOURCE-EXTERNAL"]
    assert cluster.warnings[0].cls == "limit"


def test_the_source_in_the_right_namespace_builds(tmp_path: Path) -> None:
    repo = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: flux-system, namespace: web}\n"
            "spec: {interval: 1m, url: https://example.com/repo, ref: {branch: main}}\n")
    cluster = _cluster(tmp_path, "kind: GitRepository, name: flux-system",
                       {"apps/web/kustomization.yaml": "namespace: web\nresources: [ks.yaml, repo.yaml]\n",
                        "apps/web/repo.yaml": repo})
    assert not [w for w in cluster.warnings if w.code == "FW-KS-SOURCE-MISSING"]


def test_a_dangling_depends_on_names_the_namesake_in_another_namespace(tmp_path: Path) -> None:
    """The same slip in dependsOn: the warning says where the Kustomization of that name is."""
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/web/kustomization.yaml": "namespace: web\nresources: [ks.yaml]\n",
        "apps/web/ks.yaml": ks("web", "./web", deps=("db",)),
        "apps/data/kustomization.yaml": "namespace: data\nresources: [ks.yaml]\n",
        "apps/data/ks.yaml": ks("db", "./web"),
        "web/cm.yaml": _APP,
    })
    cluster = build_model(tmp_path).clusters[0]
    [w] = [w for w in cluster.warnings if w.code == "FW-DEPENDSON-DANGLING"]
    assert w.cls == "repo" and w.message == (
        "Kustomization web/web depends on web/db, which this cluster never applies "
        "(this cluster has data/db: set dependsOn's namespace)")


def test_a_helm_release_source_in_another_namespace_is_named(tmp_path: Path) -> None:
    """A HelmRelease's sourceRef without a namespace looks in the release's own: the warning names where the
    source of that name is."""
    charts = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, namespace: "
              "flux-system}\nspec: {url: https://charts.example.com}\n")
    release = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: web}\n"
               "spec: {interval: 1h, chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts}}}}\n")
    cluster = _cluster(tmp_path, "kind: GitRepository, name: flux-system, namespace: flux-system",
                       {"web/release.yaml": release, "web/charts.yaml": charts})
    [w] = [w for w in cluster.warnings if w.code == "FW-HELM-SOURCE-MISSING"]
    assert "source HelmRepository web/charts not found; a HelmRepository 'charts' exists in namespace " \
           "'flux-system': set sourceRef.namespace: flux-system" in w.message
