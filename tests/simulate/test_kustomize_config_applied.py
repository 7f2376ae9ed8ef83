"""A kustomization file listed among its own resources: kustomize builds it as an object (kubectl kustomize
prints it), and Flux then applies a ``kustomize.config.k8s.io`` Kustomization that no API server serves, so the
whole Kustomization fails ("no matches for kind"). damacus/home-ops's flux/repositories/helm/kustomization.yaml
listed itself."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_LISTS_ITSELF = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
metadata:
  name: helm
resources:
  - repo.yaml
  - kustomization.yaml
"""
_REPO = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: bjw-s, namespace: flux-system}
spec: {interval: 1h, url: https://bjw-s.github.io/helm-charts}
"""


def _warnings(root: Path) -> list[tuple[str, int, str]]:
    cluster = build_model(root).clusters[0]
    return [(w.file, w.line, w.code) for w in cluster.warnings if "kustomize's own configuration" in w.message]


def test_a_kustomization_file_applied_as_an_object_fails_the_kustomization(tmp_path: Path) -> None:
    write(tmp_path, {**gotk(), "clusters/home/repos.yaml": ks("repos", "./repos"),
                     "repos/kustomization.yaml": _LISTS_ITSELF, "repos/repo.yaml": _REPO})
    assert _warnings(tmp_path) == [("repos/kustomization.yaml", 1, "FW-MANIFEST-INVALID")]


def test_a_kustomization_file_only_read_as_one_is_no_object(tmp_path: Path) -> None:
    write(tmp_path, {**gotk(), "clusters/home/repos.yaml": ks("repos", "./repos"),
                     "repos/kustomization.yaml": _LISTS_ITSELF.replace("  - kustomization.yaml\n", ""),
                     "repos/repo.yaml": _REPO})
    assert _warnings(tmp_path) == []
