"""A HelmRepository chart's version is a semver range to source-controller (Masterminds/semver NewConstraint):
one it refuses, such as `latest`, means the chart is never fetched (FW-HELM-VERSION-INVALID); a GitRepository
chart ignores the field."""

from __future__ import annotations

import re
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.engine import build_model
from flux_wiki.flux.helm import version_range_error
from tests.simulate.test_simulate import gotk, write

RELEASE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: bitnami, namespace: flux-system}
spec: {url: https://charts.bitnami.com/bitnami}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: charts, namespace: flux-system}
spec: {url: https://example.com/charts, ref: {branch: main}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: redis, namespace: flux-system}
spec:
  interval: 10m
  chart:
    spec:
      chart: redis
      version: %(version)s
      sourceRef: {kind: %(kind)s, name: %(source)s}
"""


@pytest.mark.parametrize("version", ["'*'", "1.2.3", "v1.2.3", "'>=1.0.0 <2.0.0'", "'1.0.0 - 2.0.0'", "'^1.0 || ^2.0'",
                                     "'~> 1.2'", "1.0.0-alpha.1", "1.x"])
def test_ranges_source_controller_accepts(version: str) -> None:
    assert version_range_error(version.strip("'")) is None


def codes(tmp_path: Path, version: str, kind: str = "HelmRepository", source: str = "bitnami") -> list[tuple]:
    repo = write(tmp_path, {**gotk(), "clusters/home/redis.yaml": RELEASE % {"version": version, "kind": kind,
                                                                            "source": source}})
    [cluster] = build_model(repo).clusters
    return [(w.code, w.file, w.line) for w in cluster.warnings if w.code.startswith("FW-HELM")]


def test_latest_is_no_version_range(tmp_path: Path) -> None:
    assert codes(tmp_path, "latest") == [("FW-HELM-VERSION-INVALID", "clusters/home/redis.yaml", 19)]
    assert codes(tmp_path / "ok", "'>=17.0.0'") == []


def test_a_git_repository_chart_ignores_the_version(tmp_path: Path) -> None:
    assert codes(tmp_path, "latest", kind="GitRepository", source="charts") == []


def test_a_hostile_version_is_checked_in_one_pass() -> None:
    """A version is repository input; the validity pattern repeats a group of optional parts (RE2: linear)."""
    assert version_range_error("1" * 5000 + "!") == "improper constraint: " + "1" * 5000 + "!"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="v0123456789.xX*-+ |,<>=~^a", max_size=14))
def test_a_plain_version_is_answered_as_the_patterns_answer_it(version: str) -> None:
    """Plain versions skip the RE2 patterns: the answer is the one the patterns give."""
    from flux_wiki.flux import helm

    with patch.object(helm, "_PLAIN_VERSION", re.compile(r"(?!)")):  # matches nothing: the patterns answer
        by_patterns = version_range_error(version)
    assert version_range_error(version) == by_patterns
    for plain in ("1", "1.2", "1.2.3", "v1.2.3", "007.0"):
        assert version_range_error(plain) is None
