"""A field a Flux Kustomization (v1) does not have is pruned by the API server: `dependOn` (JefeDavis/k8s-HomeOps),
a `dependsOn` indented under `sourceRef`, a `namespace` in a substituteFrom entry (david-driscoll/equestria-cluster)
set nothing. Flux does not fail, so it is a notice, never a warning; what the field meant is not applied."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

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
