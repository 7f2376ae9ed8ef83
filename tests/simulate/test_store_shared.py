"""The object store's repo fallback finds which files no kustomization file names once per run, for every
cluster (flux/store.py, issue 14: it parses and walks every kustomization file of the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from flux_wiki.flux.store import ObjectStore
from flux_wiki.render.inventory import cluster_dict

from ..support import gotk_sync

APPS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
    substituteFrom: [{kind: ConfigMap, name: settings}]
"""
SETTINGS = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: flux-system}\ndata: {ZONE: x}\n"


def test_clusters_of_one_run_share_the_unlisted_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"apps/kustomization.yaml": "resources: [service.yaml]\n",
             "apps/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: ${ZONE}\n",
             "apps/unused.yaml": "kind: Service\n",
             "settings/settings.yaml": SETTINGS}  # applied by no Kustomization: found in the repo
    for cluster in ("home", "lab"):
        files[f"clusters/{cluster}/flux-system/gotk-sync.yaml"] = gotk_sync(cluster)
        files[f"clusters/{cluster}/apps.yaml"] = APPS
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found = []
    original = ObjectStore._find_unlisted

    def counted(store: ObjectStore, listed: list[str]) -> set[str]:
        unlisted = original(store, listed)
        found.append((store.repo.run_memo is not None, sorted(unlisted)))
        return unlisted

    monkeypatch.setattr(ObjectStore, "_find_unlisted", counted)
    both = build_model(tmp_path)
    assert [c.name for c in both.clusters] == ["home", "lab"]
    assert [f for f in found if f[0]] == [(True, ["apps/unused.yaml"])]  # once for both clusters
    for cluster in both.clusters:
        alone = build_model(tmp_path, clusters=[cluster.name])
        assert cluster_dict(both.facts[cluster.name]) == cluster_dict(alone.facts[cluster.name])
        (apps,) = [k for k in cluster.kustomizations.values() if k.name == "apps"]
        assert [r.namespace for r in apps.resources] == ["x"]
