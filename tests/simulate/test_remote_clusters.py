"""Kustomizations with ``spec.kubeConfig`` apply to another cluster (a hub's spokes, fluxcd/flux2-hub-spoke-example):
kustomize-controller builds them here and applies their objects through the kubeConfig Secret, so two of them
applying the same object apply two objects, one on each cluster."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_simulate import gotk, ks, write

CHILD = ks("spoke-apps", "./spoke/apps")
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello, namespace: default}\n"


def spokes(tmp_path: Path, first: str, second: str) -> Path:
    files = gotk()
    files.update({"clusters/home/a.yaml": ks("spoke-a", "./spoke/sync", extra=first),
                  "clusters/home/b.yaml": ks("spoke-b", "./spoke/sync", extra=second),
                  "spoke/sync/apps.yaml": CHILD, "spoke/apps/cm.yaml": CM})
    return write(tmp_path, files)


def codes(cluster) -> list[tuple[str, str]]:
    return sorted((w.code, w.cls) for w in cluster.warnings if w.code.startswith("FW-KS-"))


def test_two_spokes_applying_one_kustomization_is_not_a_conflict(tmp_path: Path) -> None:
    repo = spokes(tmp_path, "kubeConfig: {secretRef: {name: spoke-a}}", "kubeConfig: {secretRef: {name: spoke-b}}")
    [cluster] = build_model(repo).clusters
    assert codes(cluster) == [("FW-KS-REMOTE-COPY", "limit")]
    [note] = [w for w in cluster.warnings if w.code == "FW-KS-REMOTE-COPY"]
    assert "kubeConfig Secret flux-system/spoke-b" in note.message
    assert cluster.kustomizations["flux-system/spoke-apps"].parent == "flux-system/spoke-a"


def test_two_kustomizations_applying_one_kustomization_to_the_same_cluster_fight(tmp_path: Path) -> None:
    same = "kubeConfig: {secretRef: {name: spoke}}"
    [cluster] = build_model(spokes(tmp_path, same, same)).clusters
    assert codes(cluster) == [("FW-KS-APPLIED-TWICE", "repo")]
    [cluster] = build_model(spokes(tmp_path / "local", "", "")).clusters
    assert codes(cluster) == [("FW-KS-APPLIED-TWICE", "repo")]
