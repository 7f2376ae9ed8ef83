"""A source of the wrong API group or kind: the controllers ask the API server for Flux's own type
(kustomize-controller ``getSource``: ``switch obj.Spec.SourceRef.Kind { case sourcev1.GitRepositoryKind: var
repository sourcev1.GitRepository; r.Client.Get(ctx, namespacedName, &repository)`` — the reference's own
``apiVersion`` is never read), so an object of that kind and name in another group is never found: a problem at
the object's line, never a stopped build."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from ..support import run_cli
from .test_simulate import gotk, ks, write

WRONG_REPO = ("apiVersion: wrong.group/v1\nkind: {kind}\nmetadata: {{name: other, namespace: flux-system}}\n"
              "spec: {{url: 'https://example.com/other', interval: 1m, ref: {{branch: main}}}}\n")
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n"


def test_a_kustomization_whose_source_has_another_group_fails_at_the_source_line(tmp_path: Path) -> None:
    repo = write(tmp_path, {
        **gotk(),
        "clusters/home/other.yaml": WRONG_REPO.format(kind="GitRepository"),
        "clusters/home/apps.yaml": ks("apps", "./apps", source="kind: GitRepository, name: other, "
                                                               "apiVersion: wrong.group/v1"),
        "clusters/home/more.yaml": ks("more", "./apps"),
        "apps/cm.yaml": CM})
    [cluster] = build_model(repo).clusters
    status = {k.id: k.status for k in cluster.kustomizations.values()}
    assert status == {"flux-system/flux-system": "built", "flux-system/apps": "error", "flux-system/more": "built"}
    [w] = [w for w in cluster.warnings if w.code == "FW-SOURCE-INVALID"]
    assert (w.file, w.line, w.cls) == ("clusters/home/other.yaml", 1, "repo")
    assert w.message == ("GitRepository flux-system/other has apiVersion wrong.group/v1, not "
                         "source.toolkit.fluxcd.io/v1: the Flux controllers never find it as a source, so "
                         "Kustomization flux-system/apps fails (source not found)")
    result = run_cli(["inventory", str(repo)])
    assert result.exit_code == 0 and "Traceback" not in result.output


def test_a_helm_release_whose_repository_has_another_group_is_a_problem_at_its_line(tmp_path: Path) -> None:
    release = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: "
               "flux-system}\nspec:\n  interval: 1m\n  chart:\n    spec:\n      chart: web\n      sourceRef: "
               "{kind: HelmRepository, name: other}\n")
    repo = write(tmp_path, {**gotk(), "clusters/home/other.yaml": WRONG_REPO.format(kind="HelmRepository"),
                            "clusters/home/web.yaml": release})
    [cluster] = build_model(repo).clusters
    [w] = [w for w in cluster.warnings if w.code == "FW-SOURCE-INVALID"]
    assert (w.file, w.line) == ("clusters/home/other.yaml", 1)
    assert w.message.endswith("so HelmRelease flux-system/web fails (source not found)")


def test_the_entry_source_of_another_group_is_a_problem_and_the_rest_is_built(tmp_path: Path) -> None:
    files = gotk()
    sync = "clusters/home/flux-system/gotk-sync.yaml"
    files[sync] = files[sync].replace("apiVersion: source.toolkit.fluxcd.io/v1", "apiVersion: wrong.group/v1")
    repo = write(tmp_path, {**files, "clusters/home/cm.yaml": CM})
    model = build_model(repo)
    [w] = [d for d in model.diagnostics if d.code == "FW-SOURCE-INVALID"]
    assert (w.file, w.line) == (sync, 3)
    assert [k.status for k in model.clusters[0].kustomizations.values()] == ["built"]


def test_a_source_kind_written_as_a_list_is_no_traceback(tmp_path: Path) -> None:
    files = gotk()
    sync = "clusters/home/flux-system/gotk-sync.yaml"
    files[sync] = files[sync].replace("kind: GitRepository", "kind: [GitRepository]", 1)
    repo = write(tmp_path, files)
    result = run_cli(["inventory", str(repo)])
    assert "Traceback" not in result.output and not isinstance(result.exception, TypeError)
