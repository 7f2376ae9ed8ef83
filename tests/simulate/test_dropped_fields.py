"""A field a Flux Kustomization (v1) does not have is pruned by the API server: `dependOn` (JefeDavis/k8s-HomeOps),
a `dependsOn` indented under `sourceRef`, a `namespace` in a substituteFrom entry (david-driscoll/equestria-cluster)
set nothing. Flux does not fail, so it is a notice, never a warning; what the field meant is not applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.engine import build_model

from ..support import gotk_sync
from .test_simulate import gotk, write

_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/%(version)s
kind: Kustomization
metadata: {name: web, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
    dependsOn:
      - name: infra
  dependOn:
    - name: infra
  driftIgnoreRules:
    - paths: [/spec/replicas]
  postBuild:
    substituteFrom:
      - {kind: ConfigMap, name: settings, namespace: flux-system, optional: true}
"""


def test_fields_a_v1_kustomization_lacks_are_notices(tmp_path: Path) -> None:
    write(tmp_path, {**gotk(), "clusters/home/web.yaml": _KS % {"version": "v1"},
                     "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\n"})
    cluster = build_model(tmp_path).clusters[0]
    dropped = [(w.line, w.severity, w.cls, w.message.split(": ", 1)[1].split(" is not", 1)[0])
               for w in cluster.notices if w.code == "FW-FIELD-DROPPED"]
    assert dropped == [(11, "info", "limit", "spec.sourceRef.dependsOn"), (13, "info", "limit", "spec.dependOn"),
                       (19, "info", "limit", "spec.postBuild.substituteFrom[0].namespace")]
    assert cluster.kustomizations["flux-system/web"].depends_on == []
    assert not [w for w in cluster.warnings if w.cls == "repo"]


def test_other_api_versions_are_not_checked(tmp_path: Path) -> None:
    write(tmp_path, {**gotk(), "clusters/home/web.yaml": _KS % {"version": "v1beta2"},
                     "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\n"})
    cluster = build_model(tmp_path).clusters[0]
    assert not [w for w in cluster.warnings + cluster.notices if w.code == "FW-FIELD-DROPPED"]


_INFRA = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: infra, namespace: flux-system}
spec: {interval: 10m, path: ./infra, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
"""
_REFUSED = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: refused, namespace: flux-system}
spec: {interval: 10m, path: ./apps, prune: "yes", sourceRef: {kind: GitRepository, name: flux-system}}
"""


def test_clusters_sharing_a_kustomization_object_check_it_once_and_both_report_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two clusters apply the same folder: its Kustomization objects are the very same, checked once for the run,
    and each cluster reports what the check found as a run of that cluster alone does."""
    from flux_wiki.flux import simulate

    files = {"infra/web.yaml": _KS % {"version": "v1"}, "infra/refused.yaml": _REFUSED,
             "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\n"}
    for cluster in ("home", "lab"):
        files[f"clusters/{cluster}/flux-system/gotk-sync.yaml"] = gotk_sync(cluster)
        files[f"clusters/{cluster}/infra.yaml"] = _INFRA
    write(tmp_path, files)
    checked: list[str] = []
    original = simulate.checked_kustomization

    def counted(obj: dict) -> tuple:
        checked.append(obj["metadata"]["name"])
        return original(obj)

    monkeypatch.setattr(simulate, "checked_kustomization", counted)
    both = build_model(tmp_path)
    # each cluster has its own root and infra object
    assert sorted(checked) == ["flux-system", "flux-system", "infra", "infra", "refused", "web"]

    def found(cluster: object) -> list[tuple[str, int, str]]:
        return [(w.code, w.line, w.message) for w in cluster.warnings + cluster.notices  # type: ignore[attr-defined]
                if w.code in ("FW-FIELD-DROPPED", "FW-SCHEMA-REJECTED")]

    for cluster in both.clusters:
        alone = build_model(tmp_path, clusters=[cluster.name]).clusters[0]
        assert found(cluster) == found(alone)
        assert [c for c, _, _ in found(cluster)].count("FW-FIELD-DROPPED") == 3
        assert "FW-SCHEMA-REJECTED" in [c for c, _, _ in found(cluster)]
        assert cluster.kustomizations["flux-system/refused"].status == "error"
