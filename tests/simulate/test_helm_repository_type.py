"""A HelmRepository whose spec.type does not fit its URL: source-controller builds an `oci` one's charts only from an
oci:// URL ("invalid OCI registry URL"), and a default one downloads an index.yaml, which an OCI registry does not
serve; the releases using it are never installed (FW-HELM-SOURCE-TYPE, at the repository's url line)."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write


def _repo(name: str, url: str, kind: str = "") -> str:
    return (f"apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: {name}\n"
            f"  namespace: apps\nspec:\n  interval: 1h\n{kind}  url: {url}\n")


def _release(name: str, repo: str) -> str:
    return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {name}\n  namespace: apps\n"
            f"spec:\n  interval: 1h\n  chart: {{spec: {{chart: {name}, version: 1.2.3, sourceRef: "
            f"{{kind: HelmRepository, name: {repo}}}}}}}\n")


def test_a_repository_type_that_does_not_fit_its_url_fails_the_releases(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/repos.yaml": "---\n".join([
            _repo("minio", "https://helm.min.io", "  type: oci\n"),
            _repo("bitnami", "oci://registry-1.docker.io/bitnamicharts"),
            _repo("good-oci", "oci://ghcr.io/org/charts", "  type: oci\n"),
            _repo("good-http", "https://charts.example.com", "  type: default\n"),
            _repo("unused", "oci://ghcr.io/org/other")]),
        "apps/releases.yaml": "---\n".join([_release("a", "minio"), _release("b", "minio"), _release("c", "bitnami"),
                                            _release("d", "good-oci"), _release("e", "good-http")]),
    })
    [cluster] = build_model(tmp_path).clusters
    found = sorted((w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-HELM-SOURCE-TYPE")
    assert [(f, line) for f, line, _ in found] == [("apps/repos.yaml", 9), ("apps/repos.yaml", 18)]
    assert found[0][2] == (
        "HelmRepository apps/minio has type oci but a URL without oci://: source-controller fails every chart from it "
        "(\"invalid OCI registry URL\"), so HelmRelease apps/a (and 1 more) is never installed")
    assert found[1][2] == (
        "HelmRepository apps/bitnami has an oci:// URL without type: oci: source-controller downloads the index.yaml "
        "of a Helm repository from it, which an OCI registry does not serve, so HelmRelease apps/c is never installed")
