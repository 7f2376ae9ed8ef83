"""A host a Flux Kustomization's inline ``spec.patches`` writes into a HelmRelease's values (a JSON 6902 op
such as ``/spec/values/ingress/hosts/0``, or a strategic merge patch of ``spec.values``) points at the patch
that wrote it, not at the HelmRelease: that is the line to change. Hosts the patch leaves alone still point at
the HelmRelease's values."""

from __future__ import annotations

import textwrap
from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_simulate import gotk, ks, write

RELEASE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: grafana, namespace: flux-system}
spec: {url: https://grafana.github.io/helm-charts}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: grafana, namespace: monitoring}
spec:
  interval: 10m
  chart: {spec: {chart: grafana, sourceRef: {kind: HelmRepository, name: grafana, namespace: flux-system}}}
  values:
    ingress:
      enabled: true
      hosts:
        - grafana.old.example
        - grafana.kept.example
"""

JSON6902 = """\
patches:
  - target: {kind: HelmRelease, name: grafana}
    patch: |
      - op: add
        path: /spec/values/ingress/annotations
        value: {a: b}
      - op: replace
        path: /spec/values/ingress/hosts/0
        value: grafana.example.org
"""

STRATEGIC = """\
patches:
  - patch: |
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata: {name: grafana, namespace: monitoring}
      spec:
        values:
          ingress:
            hosts:
              - grafana.example.org
              - grafana.kept.example
"""


def hosts(tmp_path: Path, patches: str) -> dict[str, tuple[str, int]]:
    repo = write(tmp_path, {**gotk(), "clusters/home/apps.yaml": ks("apps", "./apps", extra=patches),
                            "apps/grafana.yaml": RELEASE})
    [cluster] = build_model(repo).clusters
    assert not [w for w in cluster.warnings if w.cls == "repo"]
    return {s.host: (s.file, s.line) for s in cluster.surfaces if s.host}


def line_of(tmp_path: Path, file: str, text: str) -> int:
    return next(i for i, line in enumerate((tmp_path / file).read_text().split("\n"), 1) if text in line)


def test_a_json_6902_op_is_where_its_host_is_written(tmp_path: Path) -> None:
    found = hosts(tmp_path, JSON6902)
    assert found["grafana.example.org"] == ("clusters/home/apps.yaml",
                                            line_of(tmp_path, "clusters/home/apps.yaml", "- op: replace"))
    assert found["grafana.kept.example"] == ("apps/grafana.yaml", line_of(tmp_path, "apps/grafana.yaml", "ingress:"))


def test_a_strategic_merge_patch_is_where_its_host_is_written(tmp_path: Path) -> None:
    found = hosts(tmp_path, STRATEGIC)
    assert found["grafana.example.org"] == ("clusters/home/apps.yaml",
                                            line_of(tmp_path, "clusters/home/apps.yaml", "- grafana.example.org"))
    assert found["grafana.kept.example"] == ("apps/grafana.yaml", line_of(tmp_path, "apps/grafana.yaml", "ingress:"))


def test_a_patch_file_of_a_kustomization_is_where_its_host_is_written(tmp_path: Path) -> None:
    repo = write(tmp_path, {**gotk(), "clusters/home/apps.yaml": ks("apps", "./apps"),
                            "apps/grafana.yaml": RELEASE,
                            "apps/kustomization.yaml": "resources: [grafana.yaml]\n"
                            + textwrap.indent(STRATEGIC, "").replace("patches:", "patches:", 1)})
    [cluster] = build_model(repo).clusters
    found = {s.host: (s.file, s.line) for s in cluster.surfaces if s.host}
    assert found["grafana.example.org"] == ("apps/kustomization.yaml",
                                            line_of(tmp_path, "apps/kustomization.yaml", "- grafana.example.org"))


def test_each_cluster_points_into_its_own_kustomization(tmp_path: Path) -> None:
    """Two clusters build the same layer alike: a host its spec.patches wrote points into each one's own file."""
    files = {**gotk("home"), **gotk("lab"), "apps/grafana.yaml": RELEASE,
             "clusters/home/apps.yaml": ks("apps", "./apps", extra=JSON6902),
             "clusters/lab/apps.yaml": "# the lab\n# cluster\n" + ks("apps", "./apps", extra=JSON6902)}
    model = build_model(write(tmp_path, files))
    found = {c.name: {(s.file, s.line) for s in c.surfaces if s.host == "grafana.example.org"} for c in model.clusters}
    assert found == {"home": {("clusters/home/apps.yaml",
                               line_of(tmp_path, "clusters/home/apps.yaml", "- op: replace"))},
                     "lab": {("clusters/lab/apps.yaml", line_of(tmp_path, "clusters/lab/apps.yaml", "- op: replace"))}}
