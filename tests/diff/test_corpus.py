"""A real repository's history: two snapshots of a corpus, three realistic edits plus edits that change
nothing in the cluster (order, comments, file names). The diff is exactly the three edits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flux_wiki.diff import GitRepo, RevisionInventories
from flux_wiki.diff.report import diff_document

from ..support import corpus
from .fixture import GitFixture

pytestmark = pytest.mark.corpora

APPS = "kubernetes/apps"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert text.count(old) == 1, f"{rel}: expected one '{old}'"
    path.write_text(text.replace(old, new))


def test_corpus_history_shows_exactly_the_edits(tmp_path: Path) -> None:
    src = corpus("bjw-s-labs__home-ops")
    root = tmp_path / src.name
    shutil.copytree(src, root, symlinks=True)
    repo = GitFixture(root, None)
    base = repo.change("snapshot", {})
    # the three edits a Renovate or a human PR makes
    edit(root, f"{APPS}/cert-manager/cert-manager/app/ocirepository.yaml", "tag: v1.21.1", "tag: v1.22.0")
    edit(root, f"{APPS}/downloads/autobrr/app/helmrelease.yaml", "tag: v1.84.0", "tag: v1.85.0")
    edit(root, f"{APPS}/downloads/qbittorrent/app/helmrelease.yaml", "lbipam.cilium.io/ips: 10.1.6.61",
         "lbipam.cilium.io/ips: 10.1.6.71")
    # and edits that change nothing in the cluster: order, comments moving every line, a file renamed
    kustomization = root / APPS / "downloads" / "kustomization.yaml"
    lines = kustomization.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  - ./"))
    last = max(i for i, line in enumerate(lines) if line.startswith("  - ./"))
    lines[first:last + 1] = reversed(lines[first:last + 1])
    kustomization.write_text("\n".join(lines) + "\n")
    qbit = root / APPS / "downloads" / "qbittorrent" / "app" / "helmrelease.yaml"
    qbit.write_text("# Torrent client.\n# LoadBalancer address moved to the new VLAN.\n\n" + qbit.read_text())
    searxng = root / APPS / "selfhosted" / "searxng" / "app"
    (searxng / "ciliumnetworkpolicy.yaml").rename(searxng / "networkpolicy.yaml")
    edit(root, f"{APPS}/selfhosted/searxng/app/kustomization.yaml", "./ciliumnetworkpolicy.yaml", "./networkpolicy.yaml")
    head = repo.change("three edits", {})

    git = GitRepo(root)
    doc = diff_document(RevisionInventories(git).compare(git.revision(base), git.revision(head)))
    assert doc["problems"] == {"introduced": [], "resolved": []}
    [cluster] = doc["clusters"]
    changed = {key: value for key, value in cluster.items()
               if key not in ("name", "status", "changed", "dependencies", "findings")
               and any(value.values() if isinstance(value, dict) else value)}
    assert sorted(changed) == ["helmReleases", "images", "surfaces"]
    assert cluster["findings"] == {"problems": {"introduced": [], "resolved": []}}
    assert changed["helmReleases"] == {"added": [], "removed": [], "changed": [
        {"id": "cert-manager/cert-manager", "layer": "cert-manager/cert-manager",
         "file": f"{APPS}/cert-manager/cert-manager/app/helmrelease.yaml", "line": 3,
         "changes": [{"field": "version", "base": "v1.21.1", "head": "v1.22.0"}]}]}
    assert [(i["name"], i["base"], i["head"]) for i in changed["images"]["changed"]] == [
        ("autobrr", "ghcr.io/autobrr/autobrr:v1.84.0", "ghcr.io/autobrr/autobrr:v1.85.0")]
    assert changed["images"]["added"] == changed["images"]["removed"] == []
    surfaces = changed["surfaces"]
    assert surfaces["added"] == surfaces["removed"] == [] and surfaces["changed"]
    assert {(c["head"]["name"], c["head"]["kind"]) for c in surfaces["changed"]} == {("qbittorrent", "loadbalancer")}
    assert all(c["changes"] == [{"field": "address", "base": "10.1.6.61", "head": "10.1.6.71"}]
               for c in surfaces["changed"])
