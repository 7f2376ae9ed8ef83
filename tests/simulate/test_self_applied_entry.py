"""The gotk-sync shape applied by hand outside a ``flux-system`` folder, as the home-lab templates of 2023-24 did
(``kubernetes/<cluster>/flux/config/cluster.yaml``, applied once with ``kubectl apply -k``): a GitRepository and a
Kustomization whose path is a folder holding that file, so Flux keeps applying it. Without it being found, the
repository had no entry point (FW-ENTRY-NONE fails --strict) and the documented ``entry:`` left every
Kustomization skipped, their sourceRef naming that GitRepository rather than ``flux-system``."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.flux.entry import find_entries
from flux_wiki.load import Repo

from .test_simulate import gotk, ks, write

_CLUSTER = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: home-kubernetes, namespace: flux-system}
spec:
  interval: 2h
  ref: {branch: main}
  url: ssh://git@github.com/me/home-ops
  ignore: |
    /*
    !/kubernetes/%(name)s
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: cluster, namespace: flux-system}
spec: {interval: 2h, path: ./kubernetes/%(name)s/flux, prune: true, sourceRef: {kind: GitRepository, name: home-kubernetes}}
"""
_SOURCE = "kind: GitRepository, name: home-kubernetes, namespace: flux-system"


def _repo(root: Path, *names: str) -> Path:
    files = {}
    for name in names:
        files |= {
            f"kubernetes/{name}/flux/config/cluster.yaml": _CLUSTER % {"name": name},
            f"kubernetes/{name}/flux/apps.yaml": ks("cluster-apps", f"./kubernetes/{name}/apps", source=_SOURCE),
            f"kubernetes/{name}/apps/web/ks.yaml": ks("web", f"./kubernetes/{name}/apps/web/app", source=_SOURCE),
            f"kubernetes/{name}/apps/web/app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\n"
                                                      "metadata: {name: web, namespace: default}\n",
        }
    return write(root, files)


def test_a_self_applied_sync_file_is_the_entry(tmp_path: Path) -> None:
    _repo(tmp_path, "main", "storage")
    entries, diags = find_entries(Repo(tmp_path))
    assert [(e.cluster, e.kind, e.file, e.line, e.root_name) for e in entries] == [
        ("main", "gotk-sync", "kubernetes/main/flux/config/cluster.yaml", 12, "cluster"),
        ("storage", "gotk-sync", "kubernetes/storage/flux/config/cluster.yaml", 12, "cluster"),
    ] and not diags
    cluster = build_model(tmp_path, clusters=["main"]).clusters[0]
    assert {k.id: k.status for k in cluster.kustomizations.values()} == {
        "flux-system/cluster": "built", "flux-system/cluster-apps": "built", "flux-system/web": "built"}
    assert not [w for w in cluster.warnings if w.cls == "repo"]


def test_not_an_entry_when_the_repository_has_one(tmp_path: Path) -> None:
    _repo(tmp_path, "main")
    write(tmp_path, gotk("home"))
    assert [e.cluster for e in find_entries(Repo(tmp_path))[0]] == ["home"]


def test_a_sync_to_another_path_or_source_is_not_an_entry(tmp_path: Path) -> None:
    write(tmp_path, {
        # a Kustomization of another repository's root, and one whose path does not hold the file
        "apps/tenant/sync.yaml": (_CLUSTER % {"name": "x"}).replace("./kubernetes/x/flux", "./"),
        "apps/other/sync.yaml": (_CLUSTER % {"name": "x"}).replace("./kubernetes/x/flux", "./elsewhere"),
        "apps/oci/sync.yaml": (_CLUSTER % {"name": "x"}).replace("kind: GitRepository", "kind: OCIRepository")
                                                         .replace("./kubernetes/x/flux", "./apps"),
    })
    assert find_entries(Repo(tmp_path))[0] == []


_SPLIT_SOURCE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, ref: {branch: main}, url: https://github.com/me/home-ops}
"""
_SPLIT_REF = "kind: GitRepository, name: flux-system"


def test_the_self_applied_shape_split_over_one_folder_is_the_entry(tmp_path: Path) -> None:
    """kid/home-ops: ``clusters/dev/flux/`` holds ``gitrepository.yaml`` beside ``ks.flux.yaml`` (the root, whose path
    ``./clusters/dev`` holds both) and ``ks.apps.yaml``, applied once with ``kubectl apply -k clusters/dev``."""
    write(tmp_path, {
        "clusters/dev/kustomization.yaml": "resources: [./flux]\n",
        "clusters/dev/flux/kustomization.yaml": "resources: [gitrepository.yaml, ks.flux.yaml, ks.apps.yaml]\n",
        "clusters/dev/flux/gitrepository.yaml": _SPLIT_SOURCE,
        "clusters/dev/flux/ks.flux.yaml": ks("flux-system", "./clusters/dev", source=_SPLIT_REF),
        "clusters/dev/flux/ks.apps.yaml": ks("cluster-apps", "./apps", source=_SPLIT_REF),
        "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\n",
    })
    entries, diags = find_entries(Repo(tmp_path))
    assert [(e.cluster, e.file, e.root_name, e.source.file) for e in entries] == [
        ("dev", "clusters/dev/flux/ks.flux.yaml", "flux-system", "clusters/dev/flux/gitrepository.yaml")] and not diags
    cluster = build_model(tmp_path).clusters[0]
    assert {k.id: k.status for k in cluster.kustomizations.values()} == {
        "flux-system/flux-system": "built", "flux-system/cluster-apps": "built"}
    assert not [w for w in cluster.warnings if w.cls == "repo"]


def test_a_split_sync_to_another_path_is_not_an_entry(tmp_path: Path) -> None:
    """No self-applied entry: the cluster's folder is taken for a root by guess instead."""
    write(tmp_path, {
        "clusters/dev/flux/gitrepository.yaml": _SPLIT_SOURCE,
        "clusters/dev/flux/ks.apps.yaml": ks("cluster-apps", "./apps", source=_SPLIT_REF),
    })
    assert [(e.kind, e.file) for e in find_entries(Repo(tmp_path))[0]] == [("guessed root", "clusters/dev")]


def _root_sync(root: Path, kustomization: str | None) -> Path:
    """JefeDavis/k8s-HomeOps's older layout: ``flux/config/cluster.yaml`` holds the GitRepository and a root
    Kustomization of path ``./``, which the repository root's kustomization applies again."""
    files = {
        "flux/config/cluster.yaml": (_CLUSTER % {"name": "x"}).replace("./kubernetes/x/flux", "./")
                                    .replace("  ignore: |\n    /*\n    !/kubernetes/x\n", ""),
        "flux/config/kustomization.yaml": "resources: [cluster.yaml]\n",
        "flux/apps.yaml": ks("cluster-apps", "./apps", source=_SOURCE),
        "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\n",
    }
    if kustomization is not None:
        files["kustomization.yaml"] = kustomization
    return write(root, files)


def test_a_root_sync_the_root_kustomization_applies_is_the_entry(tmp_path: Path) -> None:
    _root_sync(tmp_path, "resources: [flux/config, flux/apps.yaml]\n")
    entries, diags = find_entries(Repo(tmp_path))
    assert [(e.kind, e.file, e.line, e.root_name) for e in entries] == [
        ("gotk-sync", "flux/config/cluster.yaml", 9, "cluster")] and not diags
    cluster = build_model(tmp_path).clusters[0]
    assert {k.id: k.status for k in cluster.kustomizations.values()} == {
        "flux-system/cluster": "built", "flux-system/cluster-apps": "built"}
    assert not [w for w in cluster.warnings if w.cls == "repo"]


def test_a_root_sync_is_not_the_entry_when_only_a_generated_kustomization_would_reach_it(tmp_path: Path) -> None:
    """Without a kustomization file at the root, a `./` path is as likely another repository's root (a tenant's
    sync file); with one that does not apply the file, it is not this repository's root sync either."""
    for root in (_root_sync(tmp_path / "none", None), _root_sync(tmp_path / "other", "resources: [flux/apps.yaml]\n")):
        assert [e.kind for e in find_entries(Repo(root))[0]] == ["guessed root"]


def test_a_root_substituting_from_what_it_applies_itself_depends_on_the_bootstrap(tmp_path: Path) -> None:
    """The older home-lab template's root `cluster` Kustomization substitutes from the cluster-settings ConfigMap
    its own path applies (flux/vars); the template's bootstrap applies that ConfigMap by hand first, as it applies
    the root itself. flux-wiki cannot see the bootstrap: a limit for the root, still a warning below it."""
    _root_sync(tmp_path, "resources: [flux/config, flux/apps.yaml, flux/vars.yaml]\n")
    vars_cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-settings, namespace: flux-system}\n"
    sync = (tmp_path / "flux/config/cluster.yaml").read_text()
    write(tmp_path, {"flux/vars.yaml": vars_cm,
                     "flux/config/cluster.yaml": sync.replace(
                         "prune: true,", "prune: true, postBuild: {substituteFrom: [{kind: ConfigMap, "
                                         "name: cluster-settings}]},"),
                     "flux/apps.yaml": ks("cluster-apps", "./apps", source=_SOURCE, extra="""
                         postBuild:
                           substituteFrom: [{kind: ConfigMap, name: own}]
                         """),
                     "apps/own.yaml": vars_cm.replace("cluster-settings", "own")})
    cluster = build_model(tmp_path).clusters[0]
    found = {(w.code, w.cls) for w in cluster.warnings if "substitute from" in w.message}
    assert found == {("FW-SUBST-FROM-BOOTSTRAP", "limit"), ("FW-SUBST-FROM-SELF", "repo")}
