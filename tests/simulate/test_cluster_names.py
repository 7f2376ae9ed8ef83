"""Cluster names: `clusters/<name>/` when the layout has one; a repository's only other cluster takes the
repository's name, and several such clusters each take their root folder (``prod/flux-system`` and
``test/flux-system`` are clusters ``prod`` and ``test``, not one of them named after the repository)."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig
from flux_wiki.engine import build_model
from flux_wiki.flux.entry import find_entries
from flux_wiki.load import Repo

from .test_simulate import SYNC, write


def _sync(path: str) -> str:
    return SYNC.replace("./clusters/%(name)s", f"./{path}")


def _names(root: Path) -> dict[str, str]:
    entries, _ = find_entries(Repo(root))
    return {e.file: e.cluster for e in entries}


def test_one_cluster_outside_clusters_takes_the_repository_name(tmp_path: Path) -> None:
    repo = write(tmp_path / "ops-flux", {"prod/flux-system/gotk-sync.yaml": _sync("prod")})
    assert _names(repo) == {"prod/flux-system/gotk-sync.yaml": "ops-flux"}


def test_several_clusters_outside_clusters_take_their_folders(tmp_path: Path) -> None:
    repo = write(tmp_path / "ops-flux", {
        "clusters/production/flux-system/gotk-sync.yaml": _sync("clusters/production"),
        "prod/flux-system/gotk-sync.yaml": _sync("prod"),
        "production/flux-system/gotk-sync.yaml": _sync("production"),
        "test/flux-system/gotk-sync.yaml": _sync("test")})
    assert _names(repo) == {"clusters/production/flux-system/gotk-sync.yaml": "production",
                            "prod/flux-system/gotk-sync.yaml": "prod",
                            "production/flux-system/gotk-sync.yaml": "production-2",
                            "test/flux-system/gotk-sync.yaml": "test"}


def test_two_clusters_of_one_name_get_distinct_names(tmp_path: Path) -> None:
    """`clusters/prod` and `kubernetes/prod` both name a cluster `prod`: the first (by file) keeps it, the other
    is named after its root path, so their pages do not land in one folder."""
    repo = write(tmp_path / "ops", {
        "clusters/prod/flux-system/gotk-sync.yaml": _sync("clusters/prod"),
        "kubernetes/prod/flux-system/gotk-sync.yaml": _sync("kubernetes/prod"),
        "legacy/clusters/prod/flux-system/gotk-sync.yaml": _sync("legacy/clusters/prod")})
    assert _names(repo) == {"clusters/prod/flux-system/gotk-sync.yaml": "prod",
                            "kubernetes/prod/flux-system/gotk-sync.yaml": "kubernetes-prod",
                            "legacy/clusters/prod/flux-system/gotk-sync.yaml": "legacy-clusters-prod"}
    model = build_model(repo)
    assert [c.name for c in model.clusters] == ["kubernetes-prod", "legacy-clusters-prod", "prod"]
    pages = [p.path for p in WikiCompiler().compile(WikiConfig(repo=repo, diagrams=False)).pages]
    assert len(pages) == len(set(pages)) and "flux/kubernetes-prod/dag.md" in pages


def test_two_entries_of_one_root_are_one_cluster_with_a_notice(tmp_path: Path) -> None:
    """A bootstrap's gotk-sync.yaml and a FluxInstance migrating it both sync `clusters/prod`: the same tree,
    documented once; the second entry is a notice naming the cluster that documents it."""
    instance = ("apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata: {name: flux, namespace: "
                "flux-system}\nspec:\n  distribution: {version: 2.9.x, registry: ghcr.io/fluxcd}\n  sync: {kind: "
                "GitRepository, url: 'https://example.com/repo', ref: refs/heads/main, path: ./clusters/prod/}\n")
    repo = write(tmp_path / "ops", {
        "clusters/prod/flux-system/gotk-sync.yaml": _sync("clusters/prod"),
        "clusters/prod/flux-instance.yaml": instance})
    entries, diagnostics = find_entries(Repo(repo))
    assert [(e.cluster, e.file) for e in entries] == [("prod", "clusters/prod/flux-instance.yaml")]
    [same] = [d for d in diagnostics if d.code == "FW-ENTRY-SAME-ROOT"]
    assert (same.file, same.line, same.severity, same.cls) == (
        "clusters/prod/flux-system/gotk-sync.yaml", 8, "info", "limit")
    assert same.message == ("Kustomization flux-system/flux-system syncs clusters/prod, the root cluster prod "
                            "documents from clusters/prod/flux-instance.yaml:1: documented once")
    [cluster] = build_model(repo).clusters
    assert cluster.name == "prod"
