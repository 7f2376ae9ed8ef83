"""A field of an applied object that still holds a ``${VAR}`` after its Kustomization's postBuild substitution
has a value flux-wiki does not know: a Secret's (never read) or one no source sets (Flux makes it empty). Its
type is not judged: ``insecure: ${INSECURE}`` from a Secret holding ``false`` is a boolean for Flux, as is a
Kustomization's ``wait: ${WAIT}``
(rkdx7/kube-foundation's tenants, whose OCIRepositories take ``insecure`` from a variable). Without
substitution the reference reaches the API server as written: a string where a boolean is due is refused."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import cm, gotk, ks, write

_OCI = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: app, namespace: flux-system}
spec:
  interval: 10m
  url: oci://ghcr.io/acme/app
  ref: {tag: latest}
  insecure: ${INSECURE}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: app, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps
  prune: true
  wait: ${WAIT}
  sourceRef: {kind: GitRepository, name: flux-system}
"""


def _rejected(tmp_path: Path, post_build: str, manifests: str = _OCI) -> list[tuple[str, int]]:
    write(tmp_path, {**gotk(), "clusters/home/layers.yaml": ks("layers", "./layers", extra=post_build),
                     "layers/oci.yaml": manifests, "apps/cm.yaml": cm("c")})
    cluster = build_model(tmp_path).clusters[0]
    return [(w.file, w.line) for w in cluster.warnings if w.code == "FW-SCHEMA-REJECTED"]


def test_a_value_from_a_secret_variable_is_not_judged(tmp_path: Path) -> None:
    assert _rejected(tmp_path, "postBuild: {substituteFrom: [{kind: Secret, name: cluster-secrets}]}") == []


def test_a_variable_nothing_substitutes_is_a_string(tmp_path: Path) -> None:
    assert sorted(_rejected(tmp_path, "")) == [("layers/oci.yaml", 8), ("layers/oci.yaml", 17)]


_RELEASE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: flux-system}
spec: {interval: 1h, url: https://charts.example.com}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: app, namespace: flux-system}
spec:
  interval: 10m
  suspend: ${SUSPEND}
  chart:
    spec:
      chart: app
      sourceRef: {kind: HelmRepository, name: charts}
"""


def test_a_release_field_from_a_secret_variable_is_not_judged(tmp_path: Path) -> None:
    """A HelmRelease is judged where its chart is resolved: there too, a ``${VAR}`` left by substitution is a
    value flux-wiki does not know, and one nothing substitutes is a string."""
    secret = "postBuild: {substituteFrom: [{kind: Secret, name: cluster-secrets}]}"
    assert _rejected(tmp_path, secret, _RELEASE) == []
    assert _rejected(tmp_path, "", _RELEASE) == [("layers/oci.yaml", 11)]

