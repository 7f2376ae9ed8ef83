"""The root Kustomization of a gotk-sync.yaml is an object the API server validates, as every other one is:
`flux bootstrap` applies it, and one the API server refuses never syncs anything."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import SYNC, gotk, write

_ROOT_SPEC = ("spec: {interval: 10m, path: ./clusters/home, prune: true, "
              "sourceRef: {kind: GitRepository, name: flux-system}}")
_CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\n"


def _with_root_spec(spec: str) -> dict[str, str]:
    files = gotk()
    files["clusters/home/flux-system/gotk-sync.yaml"] = (SYNC % {"name": "home"}).replace(_ROOT_SPEC, spec)
    return {**files, "clusters/home/cm.yaml": _CONFIG_MAP}


def test_a_root_the_api_server_refuses_applies_nothing(tmp_path: Path) -> None:
    write(tmp_path, _with_root_spec(
        "spec:\n  interval: 1d\n  path: ./clusters/home\n  sourceRef: {kind: GitRepository, name: flux-system}"))
    (cluster,) = build_model(tmp_path).clusters
    root = cluster.kustomizations["flux-system/flux-system"]
    assert root.status == "error" and root.resources == []  # the spec line names both problems
    assert [(w.file, w.line, w.code, w.message) for w in cluster.warnings] == [
        ("clusters/home/flux-system/gotk-sync.yaml", 11, "FW-SCHEMA-REJECTED",
         "Kustomization flux-system/flux-system: the API server rejects this Kustomization: spec.prune: is required; "
         "spec.interval: must be a duration such as 10m or 1h30m (units h, m, s, ms)")]


def test_a_valid_root_is_built(tmp_path: Path) -> None:
    write(tmp_path, _with_root_spec(_ROOT_SPEC))
    (cluster,) = build_model(tmp_path).clusters
    assert cluster.kustomizations["flux-system/flux-system"].status == "built"
    assert cluster.warnings == []
