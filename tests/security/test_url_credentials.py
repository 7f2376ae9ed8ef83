"""Credentials written into a URL never reach an output. Flux takes a source URL as written, so a repository
may hold ``https://oauth2:<token>@gitlab.com/...`` (GitLab), ``https://<token>@github.com/...`` (GitHub takes a
token as the user name) or a password in a HelmRepository URL; kustomize fetches a remote resource the same
way. Every output shows such a URL with its user information hidden, and the rest of the URL kept."""

from __future__ import annotations


import pytest

from flux_wiki.analysis.redact import HIDDEN, url_without_credentials
from flux_wiki.flux.source_dirs import normalized_url

from .harness import Outcome, assert_clean, run_all
from .test_injection import visible, write

CANARY = {where: f"canary{where}u8w" for where in ("entry", "git", "helm", "remote", "oci")}


def _repo() -> dict[str, str]:
    c = CANARY
    return {
        "clusters/home/flux-system/gotk-sync.yaml": f"""\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: flux-system, namespace: flux-system}}
spec: {{url: "https://oauth2:{c['entry']}@gitlab.com/home/ops.git", ref: {{branch: main}}, interval: 1m}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: flux-system, namespace: flux-system}}
spec: {{path: ./clusters/home, sourceRef: {{kind: GitRepository, name: flux-system}}, interval: 10m, prune: true}}
""",
        "clusters/home/apps.yaml": f"""\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: other, namespace: flux-system}}
spec: {{url: "https://{c['git']}@github.com/home/other.git", ref: {{branch: main}}, interval: 1m}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: other, namespace: flux-system}}
spec: {{path: ./deploy, sourceRef: {{kind: GitRepository, name: other}}, interval: 10m, prune: true}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: apps, namespace: flux-system}}
spec: {{path: ./apps, sourceRef: {{kind: GitRepository, name: flux-system}}, interval: 10m, prune: true}}
""",
        "apps/kustomization.yaml": f"""\
resources:
  - release.yaml
  - https://deploy:{c['remote']}@github.com/home/manifests//base?ref=main
""",
        "apps/release.yaml": f"""\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {{name: charts, namespace: flux-system}}
spec: {{interval: 1h, url: "https://admin:{c['helm']}@charts.example.org/"}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: web, namespace: flux-system}}
spec:
  interval: 1h
  chart: {{spec: {{chart: web, sourceRef: {{kind: HelmRepository, name: charts}}}}}}
""",
    }


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    tmp = tmp_path_factory.mktemp("urls")
    write(tmp / "repo", _repo())
    return run_all(tmp / "repo", tmp / "work")


def test_no_credential_in_a_url_reaches_any_output(outcome: Outcome) -> None:
    assert_clean(outcome, forbidden=tuple(CANARY.values()))


def test_the_rest_of_the_url_is_still_shown(outcome: Outcome) -> None:
    page = next(t for n, t in outcome.files.items() if n.startswith("site/") and n.endswith("layers/apps/index.html"))
    shown = visible(page)
    assert f"https://{HIDDEN}@charts.example.org/" in shown
    assert f"https://{HIDDEN}@github.com/home/manifests//base?ref=main" in shown


def test_url_without_credentials() -> None:
    assert url_without_credentials("https://oauth2:tok@gitlab.com/a/b.git") == f"https://{HIDDEN}@gitlab.com/a/b.git"
    assert url_without_credentials("https://tok@github.com/a/b") == f"https://{HIDDEN}@github.com/a/b"
    assert url_without_credentials("ssh://git@github.com/a/b") == "ssh://git@github.com/a/b"
    assert url_without_credentials("ssh://git:pw@host/a") == f"ssh://git:{HIDDEN}@host/a"
    assert url_without_credentials("git@github.com:a/b.git") == "git@github.com:a/b.git"
    assert url_without_credentials("oci://ghcr.io/a/b@sha256:abc") == "oci://ghcr.io/a/b@sha256:abc"
    assert url_without_credentials("https://example.org/a@b") == "https://example.org/a@b"
    assert url_without_credentials("git::https://u:tok@example.org/a") == f"git::https://{HIDDEN}@example.org/a"


def test_the_same_repository_with_and_without_credentials_compares_equal() -> None:
    assert normalized_url(url_without_credentials("https://oauth2:tok@gitlab.com/a/b.git")) == \
        normalized_url("https://gitlab.com/a/b")


def test_a_diff_of_a_source_file_hides_the_credentials_of_its_urls() -> None:
    """``flux-wiki check`` prints the diff of a stale page's source files into CI logs."""
    from flux_wiki.analysis.redact import redact_texts

    old, new = (f'spec: {{url: "https://oauth2:glpat-{t}@gitlab.com/x/y.git", interval: 1m}}\n' for t in ("AAA1", "BBB2"))
    shown = redact_texts(old, new)
    assert shown == tuple(f'spec: {{url: "https://{HIDDEN}@gitlab.com/x/y.git", interval: 1m}}\n' for _ in range(2))
