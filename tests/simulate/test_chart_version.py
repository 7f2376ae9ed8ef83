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


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["", "=", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^", "=>>", "~^"]),
       st.text(alphabet=" \t\u00a0\u2003\v", max_size=2),
       st.from_regex(r"v?[0-9]{1,3}(\.[0-9x]{1,2}){0,3}(-[0-9A-Za-z.+-]{0,6})?", fullmatch=True))
def test_one_term_is_answered_as_the_patterns_answer_it(op: str, space: str, version: str) -> None:
    """One operator and a version (``>=1.0.0-alpha``) skip the RE2 patterns too: the answer is the patterns', with
    Go's ASCII whitespace only between them."""
    from flux_wiki.flux import helm

    term = op + space + version
    with patch.object(helm, "_PLAIN_VERSION", re.compile(r"(?!)")):
        by_patterns = version_range_error(term)
    assert version_range_error(term) == by_patterns


def test_one_term_loads_no_re2() -> None:
    """``>=1.0.0`` and ``^1.2.3-rc.1`` (most ranges charts name) are answered without loading google-re2."""
    import subprocess
    import sys

    probe = ("import sys; from flux_wiki.flux.helm import version_range_error as e; "
             "print(e('>=1.0.0'), e('^1.2.3-rc.1'), e('~> 1.2'), 're2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["None", "None", "None", "False"]


def test_a_version_from_a_variable_held_back_as_secret_is_not_known(tmp_path: Path) -> None:
    """ionfury/homelab: `${external_secrets_version}` comes from a ConfigMap, but its name says secret, so
    substitution does not read it: the version is not known here, not `${...}` that Flux would refuse."""
    from tests.simulate.test_simulate import ks

    release = RELEASE % {"version": "'${external_secrets_version}'", "kind": "HelmRepository", "source": "bitnami"}
    substituted = ks("redis", "./redis", extra="postBuild: {substitute: {external_secrets_version: 2.9.0}}")
    repo = write(tmp_path, {**gotk(), "clusters/home/redis.yaml": substituted, "redis/release.yaml": release})
    [cluster] = build_model(repo).clusters
    assert cluster.kustomizations["flux-system/redis"].secret_vars == ["external_secrets_version"]
    assert not [w for w in cluster.warnings if w.code == "FW-HELM-VERSION-INVALID"]
    plain = write(tmp_path / "plain", {**gotk(), "clusters/home/redis.yaml": ks("redis", "./redis"),
                                       "redis/release.yaml": release})
    [cluster] = build_model(plain).clusters
    assert [w.code for w in cluster.warnings if w.code == "FW-HELM-VERSION-INVALID"] == ["FW-HELM-VERSION-INVALID"]


def test_a_release_marked_substitute_disabled_keeps_its_variable(tmp_path: Path) -> None:
    """kustomize-controller does not substitute a HelmRelease marked ``kustomize.toolkit.fluxcd.io/substitute:
    disabled`` (fluxcd/pkg kustomize_varsub.go): ``${redis_version}`` reaches source-controller as written."""
    from tests.simulate.test_simulate import ks

    release = (RELEASE % {"version": "'${redis_version}'", "kind": "HelmRepository", "source": "bitnami"}).replace(
        "metadata: {name: redis, namespace: flux-system}",
        "metadata: {name: redis, namespace: flux-system, labels: {kustomize.toolkit.fluxcd.io/substitute: disabled}}")
    substituted = ks("redis", "./redis", extra="postBuild: {substitute: {redis_version: 17.0.0}}")
    repo = write(tmp_path, {**gotk(), "clusters/home/redis.yaml": substituted, "redis/release.yaml": release})
    [cluster] = build_model(repo).clusters
    assert [(w.code, w.file, w.line) for w in cluster.warnings if w.code.startswith("FW-HELM")] == [
        ("FW-HELM-VERSION-INVALID", "redis/release.yaml", 19)]
