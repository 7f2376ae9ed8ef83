"""A patch target's group, version, kind, name and namespace are regular expressions matched whole (resmap
Select, types.SelectorRegex), so ``kind: (GitRepository|OCIRepository)`` (flux-operator's "Cluster sync
semver range" patch) picks both kinds; a replacement's source, select and reject match exactly
(resid.ResId.IsSelectedBy), so a pattern there selects nothing. `kubectl kustomize` is the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from .kustomize_kubectl import KUBECTL, kubectl_build

SOURCES = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: git, namespace: flux-system}
spec: {interval: 1m, url: https://example.com/x.git, ref: {branch: main}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: oci, namespace: flux-system}
spec: {interval: 1m, url: oci://example.com/x, ref: {tag: latest}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: src, namespace: flux-system}
data: {v: NEW}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: tgt, namespace: flux-system}
data: {v: OLD}
"""

KUSTOMIZATION = """\
resources: [objects.yaml]
patches:
  - patch: |
      - op: replace
        path: /spec/ref
        value: {semver: ">=1.0.0-0"}
    target: {group: "source\\\\..*", kind: "(GitRepository|OCIRepository)", namespace: "flux-.*"}
replacements:
  - source: {kind: ConfigMap, name: src, fieldPath: data.v}
    targets:
      - select: {kind: ConfigMap, name: "t.*"}
        fieldPaths: [data.v]
"""


def _write(root: Path) -> None:
    (root / "objects.yaml").write_text(SOURCES)
    (root / "kustomization.yaml").write_text(KUSTOMIZATION)


def _summary(objs: list[dict]) -> dict[str, object]:
    return {o["metadata"]["name"]: o.get("spec", {}).get("ref") or o.get("data") for o in objs}


def test_patch_targets_are_regexes_replacement_selectors_are_not(tmp_path: Path) -> None:
    _write(tmp_path)
    ours = _summary([r.obj for r in build_kustomize_dir(Repo(tmp_path), ".").resources])
    assert ours == {"git": {"semver": ">=1.0.0-0"}, "oci": {"semver": ">=1.0.0-0"}, "src": {"v": "NEW"},
                    "tgt": {"v": "OLD"}}


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.kubectl
def test_kubectl_agrees(tmp_path: Path) -> None:
    _write(tmp_path)
    expected, err = kubectl_build(str(tmp_path))
    assert expected is not None, err
    ours = [r.obj for r in build_kustomize_dir(Repo(tmp_path), ".").resources]
    assert _summary(ours) == _summary(expected)
