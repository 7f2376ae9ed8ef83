"""A GitRepository's ``spec.include`` copies another GitRepository's artifact into its own, at ``toPath`` (default:
the included repository's name; fluxcd/source-controller api GitRepositoryInclude). A Kustomization whose path
is in there reads that other repository's content: a limit when this repository does not hold the folder, never
a missing path."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_simulate import gotk, ks, write

_SHARED = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: shared, namespace: "
           "flux-system}\nspec: {interval: 1m, url: https://example.com/shared, ref: {branch: main}}\n")


def _model(root: Path, include: str, path: str):
    files = gotk()
    sync = "clusters/home/flux-system/gotk-sync.yaml"
    files[sync] = files[sync].replace("url: https://example.com/repo}", f"url: https://example.com/repo, {include}}}")
    write(root, files | {"clusters/home/shared.yaml": _SHARED, "clusters/home/apps.yaml": ks("apps", path)})
    return build_model(root).clusters[0]


def test_a_path_in_an_included_repository_is_a_limit(tmp_path: Path) -> None:
    for n, (include, path) in enumerate([
            ("include: [{repository: {name: shared}, fromPath: deploy, toPath: vendor/shared}]", "./vendor/shared/apps"),
            ("include: [{repository: {name: shared}}]", "./shared")]):
        cluster = _model(tmp_path / str(n), include, path)
        assert not [w for w in cluster.warnings if w.cls == "repo"]
        [note] = [w for w in cluster.warnings if w.code == "FW-KS-SOURCE-EXTERNAL"]
        assert "includes GitRepository flux-system/shared" in note.message
        assert cluster.kustomizations["flux-system/apps"].status == "skipped"


def test_a_path_elsewhere_is_still_missing(tmp_path: Path) -> None:
    cluster = _model(tmp_path, "include: [{repository: {name: shared}, toPath: vendor}]", "./apps")
    assert [w.code for w in cluster.warnings if w.cls == "repo"] == ["FW-KS-PATH-MISSING"]


_CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: local}\n"
_PATCH = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n"


def _referring(root: Path, include: str, kustomization: str):
    """A Kustomization of this repository whose kustomization.yaml refers to paths it does not hold."""
    files = gotk()
    sync = "clusters/home/flux-system/gotk-sync.yaml"
    files[sync] = files[sync].replace("url: https://example.com/repo}", f"url: https://example.com/repo{include}}}")
    write(root, files | {"clusters/home/shared.yaml": _SHARED, "clusters/home/apps.yaml": ks("apps", "./apps/home"),
                         "apps/home/kustomization.yaml": kustomization, "apps/home/cm.yaml": _CM,
                         "apps/home/web.yaml": _PATCH})
    return build_model(root).clusters[0]


def test_a_kustomization_entry_in_an_included_folder_is_a_limit(tmp_path: Path) -> None:
    cluster = _referring(tmp_path, ", include: [{repository: {name: shared}, fromPath: deploy, toPath: vendor/shared}]",
                         "resources: [cm.yaml, ../../vendor/shared/base]\ncomponents: [../../vendor/shared/comp]\n"
                         "configMapGenerator: [{name: gen, files: [../../vendor/shared/app.conf]}]\n"
                         "patches: [{path: ../../vendor/shared/patch.yaml}, {path: web.yaml}]\n")
    assert not [w for w in cluster.warnings if w.cls == "repo"]
    notes = [w for w in cluster.warnings if w.code == "FW-KUSTOMIZE-INCLUDED"]
    assert sorted((n.file, n.line) for n in notes) == [("apps/home/kustomization.yaml", line) for line in (1, 2, 3, 4)]
    assert "resource '../../vendor/shared/base' is in vendor/shared, where GitRepository flux-system/flux-system " \
           "includes GitRepository flux-system/shared" in notes[0].message
    node = cluster.kustomizations["flux-system/apps"]
    assert node.status == "partial"
    assert sorted(r.name.split("-")[0] for r in node.resources) == ["gen", "local"]  # gen's hash suffix aside


def test_an_entry_outside_any_included_folder_is_still_missing(tmp_path: Path) -> None:
    for n, include in enumerate([", include: [{repository: {name: shared}, toPath: vendor/shared}]", ""]):
        cluster = _referring(tmp_path / str(n), include, "resources: [cm.yaml, ../../vendor/other/base]\n"
                             if include else "resources: [cm.yaml, ../../vendor/shared/base]\n")
        assert [w.code for w in cluster.warnings if w.cls == "repo"] == ["FW-KUSTOMIZE-MISSING"]
        assert not [w for w in cluster.warnings if w.code == "FW-KUSTOMIZE-INCLUDED"]
