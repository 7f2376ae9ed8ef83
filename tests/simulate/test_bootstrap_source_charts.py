"""A HelmRelease whose chart comes from the bootstrap's own source (asbjorjo/velotime-infra: a FluxInstance syncs
the repository, and `chart: ./app/velotime` names `GitRepository flux-system`). flux-operator creates that source
(named after the instance's namespace unless sync.name says otherwise), as `flux bootstrap` does with its own: it
exists though no manifest of the repository declares it, so the release finds it and its chart is this
repository's folder."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_flux_instance import instance
from .test_simulate import write

_RELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: app, namespace: flux-system}
spec:
  interval: 1h
  targetNamespace: default
  chart:
    spec:
      chart: %s
      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
"""
_SYNC = "{kind: GitRepository, url: https://example.com/ops.git, ref: refs/heads/main, path: clusters/dev}"


def _cluster(tmp_path: Path, chart: str):
    write(tmp_path, {"clusters/dev/flux-system/flux.yaml": instance(_SYNC),
                     "clusters/dev/release.yaml": _RELEASE % chart,
                     "app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.3.1\n"})
    [cluster] = build_model(tmp_path).clusters
    return cluster


def test_a_chart_of_the_instance_sync_source_is_found(tmp_path: Path) -> None:
    cluster = _cluster(tmp_path, "./app")
    assert [w.code for w in cluster.warnings] == []
    [release] = cluster.helm_releases
    assert (release.source_kind, release.source_name, release.source_url, release.version) == (
        "GitRepository", "flux-system", "https://example.com/ops.git", "0.3.1")


def test_a_missing_chart_path_of_that_source_is_still_reported(tmp_path: Path) -> None:
    cluster = _cluster(tmp_path, "./charts/typo")
    assert [w.code for w in cluster.warnings] == ["FW-HELM-CHART-MISSING"]
