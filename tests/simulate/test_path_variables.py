"""A Kustomization whose ``spec.path`` still holds a ``${VAR}`` after its parent's postBuild substitution: the
variable is a Secret's (its value is never read) or no source sets it (Flux writes an empty string, where
flux-wiki keeps the reference as written), so the folder Flux builds is not known. It is listed, not built: a
limit, never "path not found" (jonathanfoster/gitops-bridge-fluxcd's ResourceSet tenants, whose path ends in an
``${ENVIRONMENT}`` the runtime-info ConfigMap does not set). A parent that substitutes nothing leaves the
reference as written for Flux too: that folder is missing."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import cm, gotk, ks, write

_APPS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps/${ENV}
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
"""


def _apps(tmp_path: Path, post_build: str, apps: str = _APPS) -> tuple[str, list[tuple[str, str, str]]]:
    write(tmp_path, {**gotk(), "clusters/home/layers.yaml": ks("layers", "./layers", extra=post_build),
                     "clusters/home/vars.yaml": cm("vars", "flux-system", OTHER="x"), "layers/apps.yaml": apps,
                     "apps/prod/cm.yaml": cm("c")})
    cluster = build_model(tmp_path).clusters[0]
    found = [(w.code, w.cls, w.message) for w in cluster.warnings + cluster.notices
             if w.code in ("FW-KS-PATH-VARIABLE", "FW-KS-PATH-MISSING")]
    return cluster.kustomizations["flux-system/apps"].status, found


def test_a_path_variable_of_a_secret_is_a_limit(tmp_path: Path) -> None:
    status, found = _apps(tmp_path, "postBuild: {substituteFrom: [{kind: Secret, name: cluster-secrets}]}")
    assert status == "skipped"
    assert found == [("FW-KS-PATH-VARIABLE", "limit",
                      "Kustomization flux-system/apps (skipped): its path ./apps/${ENV} holds a variable flux-wiki "
                      "does not know (a Secret's, or one no source sets, which Flux makes empty), so the folder "
                      "Flux builds is unknown")]


def test_a_path_variable_no_source_sets_is_a_limit(tmp_path: Path) -> None:
    status, found = _apps(tmp_path, "postBuild: {substituteFrom: [{kind: ConfigMap, name: vars}]}")
    assert status == "skipped" and [code for code, _, _ in found] == ["FW-KS-PATH-VARIABLE"]


def test_a_path_variable_nothing_substitutes_is_a_missing_folder(tmp_path: Path) -> None:
    status, found = _apps(tmp_path, "")
    assert status == "error" and [code for code, _, _ in found] == ["FW-KS-PATH-MISSING"]


def test_a_path_variable_of_a_kustomization_marked_substitute_disabled_is_a_missing_folder(tmp_path: Path) -> None:
    """kustomize-controller does not substitute a Kustomization annotated ``kustomize.toolkit.fluxcd.io/substitute:
    disabled`` (fluxcd/pkg kustomize_varsub.go): its path keeps the reference as written, whatever its parent's
    variables."""
    marked = _APPS.replace("namespace: flux-system}",
                           "namespace: flux-system, annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}}")
    status, found = _apps(tmp_path, "postBuild: {substituteFrom: [{kind: Secret, name: cluster-secrets}]}", marked)
    assert status == "error" and [code for code, _, _ in found] == ["FW-KS-PATH-MISSING"]
