"""Cluster names: `clusters/<name>/` when the layout has one; a repository's only other cluster takes the
repository's name, and several such clusters each take their root folder (``prod/flux-system`` and
``test/flux-system`` are clusters ``prod`` and ``test``, not one of them named after the repository)."""

from __future__ import annotations

from pathlib import Path

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
