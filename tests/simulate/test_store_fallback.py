"""The repository fallback of the object store (flux/store.py) stands for objects the simulation has not applied.
Home-ops manifests name no namespace (a kustomization `namespace:` or a targetNamespace gives it), so a document
without one matched any namespace: a HelmRelease whose chartRef names an object that exists only in another
namespace looked satisfied, where Flux fails it. (substituteFrom is read while the simulation runs, when a build
still to come may put the document in the namespace asked for: it keeps the fallback.)"""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_CHART = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app-template}\n"
          "spec: {interval: 1h, url: oci://ghcr.io/bjw-s-labs/helm/app-template, ref: {tag: 4.0.0}}\n")
_SECRET = "apiVersion: v1\nkind: Secret\nmetadata: {name: cluster-secrets}\nstringData: {DOMAIN: example.com}\n"
_RELEASE = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\n"
            "spec: {interval: 1h, chartRef: {kind: OCIRepository, name: app-template}}\n")


def _cluster(root: Path, shared_namespace: str):
    write(root, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        # the chart source and the variables land in one namespace
        "apps/shared/kustomization.yaml": f"namespace: {shared_namespace}\nresources: [chart.yaml, secret.yaml]\n",
        "apps/shared/chart.yaml": _CHART,
        "apps/shared/secret.yaml": _SECRET,
        "apps/web/kustomization.yaml": "namespace: web\nresources: [ks.yaml]\n",
        "apps/web/ks.yaml": ks("web", "./web", extra="""
            targetNamespace: web
            postBuild:
              substituteFrom: [{kind: Secret, name: cluster-secrets}]"""),
        "web/release.yaml": _RELEASE,
    })
    return build_model(root).clusters[0]


def test_objects_another_namespace_has_do_not_satisfy_references(tmp_path: Path) -> None:
    cluster = _cluster(tmp_path, "flux-system")
    [w] = [w for w in cluster.warnings if w.code == "FW-HELM-SOURCE-MISSING"]
    assert w.cls == "repo" and "OCIRepository web/app-template not found" in w.message


def test_the_same_objects_in_the_referring_namespace_do(tmp_path: Path) -> None:
    cluster = _cluster(tmp_path, "web")
    assert [w for w in cluster.warnings if w.cls == "repo"] == []
    [release] = cluster.helm_releases
    assert (release.source_namespace, release.source_url) == ("web", "oci://ghcr.io/bjw-s-labs/helm/app-template")


_INSTAVOTE = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
              "metadata: {name: instavote, namespace: flux-system}\n"
              "spec: {interval: 30s, ref: {branch: main}, url: https://github.com/example/instavote.git}\n")


def test_a_source_only_another_clusters_root_applies_is_not_this_clusters(tmp_path: Path) -> None:
    """AlbertGoma/LFS269-flux-infra: clusters/staging applies the GitRepository instavote, clusters/dev only its
    Kustomizations. On dev, Flux finds no such source: the page must not borrow staging's URL and file."""
    write(tmp_path, gotk("staging") | gotk("dev") | {
        "clusters/staging/instavote.yaml": _INSTAVOTE,
        "clusters/dev/vote.yaml": ks("vote-dev", "./deploy/vote", source="kind: GitRepository, name: instavote"),
    })
    clusters = {c.name: c for c in build_model(tmp_path).clusters}
    vote = clusters["dev"].kustomizations["flux-system/vote-dev"]
    assert vote.status == "skipped" and "not defined in this repository for this cluster" in (vote.reason or "")
    assert vote.source is not None and vote.source.url is None and vote.source.file != "clusters/staging/instavote.yaml"


def test_a_source_in_a_folder_no_cluster_roots_is_still_found(tmp_path: Path) -> None:
    """The fallback stands for what is applied by hand: a document outside every cluster's root still counts."""
    write(tmp_path, gotk("dev") | {
        "bootstrap/instavote.yaml": _INSTAVOTE,
        "clusters/dev/vote.yaml": ks("vote-dev", "./deploy/vote", source="kind: GitRepository, name: instavote"),
    })
    [cluster] = build_model(tmp_path).clusters
    vote = cluster.kustomizations["flux-system/vote-dev"]
    assert vote.source is not None and vote.source.url == "https://github.com/example/instavote.git"


def test_a_file_its_folders_kustomization_does_not_list_is_not_found(tmp_path: Path) -> None:
    """kustomize reads only what the folder's kustomization file names: a stray source beside it is never applied,
    so it must not satisfy a reference (a listed one, or one in a folder without a kustomization file, still does)."""
    write(tmp_path, gotk("dev") | {
        "bootstrap/kustomization.yaml": "resources: [other.yaml]\n",
        "bootstrap/other.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: flux-system}\n",
        "bootstrap/instavote.yaml": _INSTAVOTE,
        "clusters/dev/vote.yaml": ks("vote-dev", "./deploy/vote", source="kind: GitRepository, name: instavote"),
    })
    [cluster] = build_model(tmp_path).clusters
    vote = cluster.kustomizations["flux-system/vote-dev"]
    assert vote.source is not None and vote.source.url is None
    assert vote.status == "skipped" and "not defined in this repository for this cluster" in (vote.reason or "")


def test_a_file_a_kustomization_lists_from_elsewhere_is_still_found(tmp_path: Path) -> None:
    write(tmp_path, gotk("dev") | {
        "bootstrap/kustomization.yaml": "resources: []\n",
        "bootstrap/instavote.yaml": _INSTAVOTE,
        "setup/kustomization.yaml": "resources: [../bootstrap/instavote.yaml]\n",
        "clusters/dev/vote.yaml": ks("vote-dev", "./deploy/vote", source="kind: GitRepository, name: instavote"),
    })
    [cluster] = build_model(tmp_path).clusters
    vote = cluster.kustomizations["flux-system/vote-dev"]
    assert vote.source is not None and vote.source.url == "https://github.com/example/instavote.git"
