"""Kustomizations whose source is an ExternalArtifact an ArtifactGenerator (source-watcher, Flux 2.7) assembles from
this repository, as fluxcd/flux2-kustomize-helm-example does since 2025: the artifact is a folder of the repository
where only the copied sub-folders exist. They were skipped as a simulation limit; they are built from that folder,
named by the repository's own paths. Copies that rename or rearrange stay a limit; a copy of a path that is not
there fails the artifact (source-watcher: "source '...' does not exist")."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from flux_wiki.flux.artifact_generator import artifact_layout

from .test_simulate import gotk, write

GENERATOR = textwrap.dedent("""\
    apiVersion: source.extensions.fluxcd.io/v1beta1
    kind: ArtifactGenerator
    metadata:
      name: flux-system
      namespace: flux-system
    spec:
      sources:
        - alias: monorepo
          kind: GitRepository
          name: flux-system
      artifacts:
        - name: infrastructure
          originRevision: "@monorepo"
          copy:
            - from: "@monorepo/infrastructure/**"
              to: "@artifact/"
        - name: apps
          originRevision: "@monorepo"
          copy:
    %s
    """)
SPLIT = ("        - from: \"@monorepo/apps/base/**\"\n          to: \"@artifact/base/\"\n"
         "        - from: \"@monorepo/apps/production/**\"\n          to: \"@artifact/production/\"")


def artifact_ks(name: str, artifact: str, path: str, deps: str = "") -> str:
    return textwrap.dedent(f"""\
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: {name}
          namespace: flux-system
        spec:
          interval: 1h
          prune: true
          sourceRef:
            kind: ExternalArtifact
            name: {artifact}
          path: {path}
        """) + deps


def cm(name: str, ns: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: {ns}}}\ndata: {{k: v}}\n"


def _repo(root: Path, copies: str = SPLIT, apps_path: str = "./production") -> Path:
    return write(root, gotk() | {
        "clusters/home/artifacts.yaml": GENERATOR % copies,
        "clusters/home/infrastructure.yaml": artifact_ks("infra", "infrastructure", "./controllers"),
        "clusters/home/apps.yaml": artifact_ks("apps", "apps", apps_path, "  dependsOn: [{name: infra}]\n"),
        "infrastructure/controllers/kustomization.yaml": "resources: [cm.yaml]\n",
        "infrastructure/controllers/cm.yaml": cm("controllers", "infra"),
        "apps/base/web/kustomization.yaml": "resources: [cm.yaml]\n",
        "apps/base/web/cm.yaml": cm("web", "web"),
        "apps/production/kustomization.yaml": "resources: [../base/web]\nnamePrefix: prod-\n",
        "apps/staging/kustomization.yaml": "resources: [../base/web]\nnamePrefix: staging-\n",
    })


def test_the_artifacts_are_built_from_the_folders_they_copy(tmp_path: Path) -> None:
    cluster = build_model(_repo(tmp_path)).clusters[0]
    infra, apps = cluster.kustomizations["flux-system/infra"], cluster.kustomizations["flux-system/apps"]
    assert (infra.status, apps.status) == ("built", "built")
    assert [(r.kind, r.name, r.file) for r in infra.resources] == [
        ("ConfigMap", "controllers", "infrastructure/controllers/cm.yaml")]
    assert [(r.name, r.file) for r in apps.resources] == [("prod-web", "apps/base/web/cm.yaml")]
    assert apps.files == ["apps/base/web/cm.yaml", "apps/base/web/kustomization.yaml",
                          "apps/production/kustomization.yaml"]
    assert not [w for w in cluster.warnings if w.code == "FW-KS-SOURCE-EXTERNAL"]
    folders = {(s.kind, s.ident()): (d.shown, d.file, d.line) for s, d in cluster.source_dirs}
    assert folders == {("ExternalArtifact", "flux-system/apps"): ("apps", "clusters/home/artifacts.yaml", 1),
                       ("ExternalArtifact", "flux-system/infrastructure"):
                           ("infrastructure", "clusters/home/artifacts.yaml", 1)}


def test_what_the_artifact_does_not_copy_is_not_there(tmp_path: Path) -> None:
    """apps/staging is in the repository, not in the artifact: kustomize-controller finds no such path."""
    cluster = build_model(_repo(tmp_path, apps_path="./staging")).clusters[0]
    apps = cluster.kustomizations["flux-system/apps"]
    assert apps.status == "error" and "staging" in apps.reason


@pytest.mark.parametrize("copies, why", [
    ("        - from: \"@monorepo/apps/base/**\"\n          to: \"@artifact/common/\"\n"
     "        - from: \"@monorepo/apps/production/**\"\n          to: \"@artifact/production/\"", "moves apps/base"),
    ("        - from: \"@monorepo/apps/*/kustomization.yaml\"\n          to: \"@artifact/\"", "glob selects"),
    ("        - from: \"@monorepo/apps/**\"\n          to: \"@artifact/\"\n          exclude: [\"base/web/**\"]",
     "excludes `base/web/**`, a path flux-wiki does not map"),
    ("        - from: \"@monorepo/apps/**\"\n          to: \"@artifact/\"\n          strategy: Merge", "Merge strategy"),
    ("        - from: \"@other/apps/**\"\n          to: \"@artifact/\"", "alias other is not declared"),
])
def test_copies_that_rearrange_stay_a_limit(tmp_path: Path, copies: str, why: str) -> None:
    cluster = build_model(_repo(tmp_path, copies)).clusters[0]
    apps = cluster.kustomizations["flux-system/apps"]
    assert apps.status == "skipped" and why in apps.reason
    [w] = [w for w in cluster.warnings if w.code == "FW-KS-SOURCE-EXTERNAL"]
    assert w.cls == "limit" and "ArtifactGenerator flux-system/flux-system (clusters/home/artifacts.yaml:1)" in w.message
    assert cluster.kustomizations["flux-system/infra"].status == "built"


def test_a_generator_of_another_api_group_is_not_source_watchers(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    text = (repo / "clusters/home/artifacts.yaml").read_text()
    write(repo, {"clusters/home/artifacts.yaml": text.replace("source.extensions.fluxcd.io", "generators.example.io")})
    cluster = build_model(repo).clusters[0]
    assert cluster.kustomizations["flux-system/apps"].status == "skipped"
    assert "not defined in this repository" in cluster.kustomizations["flux-system/apps"].reason


def test_a_copy_of_a_missing_path_fails_the_artifact(tmp_path: Path) -> None:
    copies = SPLIT + "\n        - from: \"@monorepo/apps/prod/**\"\n          to: \"@artifact/prod/\""
    cluster = build_model(_repo(tmp_path, copies)).clusters[0]
    apps = cluster.kustomizations["flux-system/apps"]
    assert apps.status == "error"
    [w] = [w for w in cluster.warnings if w.code == "FW-ARTIFACT-COPY-MISSING"]
    assert (w.file, w.line, w.cls) == ("clusters/home/apps.yaml", 1, "repo")
    assert "`@monorepo/apps/prod/** -> @artifact/prod/` finds nothing at apps/prod" in w.message


def test_an_optional_copy_of_a_missing_path_is_left_out(tmp_path: Path) -> None:
    copies = SPLIT + "\n        - from: \"@monorepo/apps/prod/**\"\n          to: \"@artifact/prod/\"\n          optional: true"
    cluster = build_model(_repo(tmp_path, copies)).clusters[0]
    assert cluster.kustomizations["flux-system/apps"].status == "built"
    assert not cluster.warnings


def test_what_a_copy_excludes_is_not_in_the_artifact(tmp_path: Path) -> None:
    """`exclude: ["*.md", "**/extra/**"]` leaves those files out: a kustomization that lists one fails."""
    copies = ("        - from: \"@monorepo/apps/**\"\n          to: \"@artifact/\"\n"
              "          exclude: [\"*.md\", \"**/extra/**\"]")
    repo = _repo(tmp_path, copies)
    write(repo, {"apps/base/web/README.md": "# web\n", "apps/base/web/extra/cm.yaml": cm("extra", "web")})
    assert build_model(repo).clusters[0].kustomizations["flux-system/apps"].status == "built"
    write(repo, {"apps/base/web/kustomization.yaml": "resources: [cm.yaml, extra/cm.yaml]\n"})
    apps = build_model(repo).clusters[0].kustomizations["flux-system/apps"]
    assert apps.status == "error" and "extra/cm.yaml" in apps.reason


def test_copies_cannot_leave_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"production/kustomization.yaml": "resources: [cm.yaml]\n", "production/cm.yaml": cm("x", "x")})
    copies = "        - from: \"@monorepo/../outside/**\"\n          to: \"@artifact/\""
    cluster = build_model(_repo(tmp_path / "repo", copies)).clusters[0]
    apps = cluster.kustomizations["flux-system/apps"]
    assert apps.status == "skipped" and "leaves the source" in apps.reason and not apps.resources


def _copy_as_source_watcher(repo: Path, staging: Path, ops: list[tuple[str, str]]) -> None:
    """The copies of builder.go for `dir/**` (the folder's entries into the destination folder) and a plain
    folder (copied as a sub-folder of the destination)."""
    for src, dest in ops:
        if src.endswith("/**"):
            shutil.copytree(repo / src[:-3], staging / dest, dirs_exist_ok=True)
        else:
            shutil.copytree(repo / src, staging / dest / Path(src).name, dirs_exist_ok=True)


def test_builds_equal_kubectl_kustomize_of_the_copied_artifact(tmp_path: Path) -> None:
    from tests.kustomize.kustomize_kubectl import KUBECTL, kubectl_build
    if KUBECTL is None:
        pytest.skip("kubectl is not installed")
    copies = ("        - from: \"@monorepo/apps/base\"\n          to: \"@artifact/\"\n"
              "        - from: \"@monorepo/apps/production/**\"\n          to: \"@artifact/production\"")
    repo = _repo(tmp_path / "repo", copies)
    staging = tmp_path / "artifact"
    _copy_as_source_watcher(repo, staging, [("apps/base", ""), ("apps/production/**", "production")])
    objs, err = kubectl_build(str(staging / "production"))
    assert objs is not None, err
    apps = build_model(repo).clusters[0].kustomizations["flux-system/apps"]
    assert [r.obj for r in apps.resources] == objs


def test_layouts() -> None:
    def layout(*ops: dict, kinds: dict[str, bool] | None = None):
        spec = {"sources": [{"alias": "r", "kind": "GitRepository", "name": "g"}],
                "artifacts": [{"name": "a", "copy": list(ops)}]}
        return artifact_layout(spec, "a", "ns", lambda alias, path: (kinds or {}).get(path, True))

    nested = layout({"from": "@r/deploy/my-app/backend/**", "to": "@artifact/my-app/backend/"},
                    {"from": "@r/deploy/my-app/frontend/**", "to": "@artifact/my-app/frontend/"})
    assert (nested.folder, nested.visible, nested.namespace) == ("deploy", ("my-app/backend", "my-app/frontend"), "ns")
    assert nested.ignore_rules() == "/*\n!/my-app/\n/my-app/*\n!/my-app/backend\n!/my-app/frontend\n"
    excluded = layout({"from": "@r/deploy/a/**", "to": "@artifact/a/", "exclude": ["*.md", "**/docs/**"]},
                      {"from": "@r/deploy/b/**", "to": "@artifact/b/", "exclude": ["**/tests"]})
    assert excluded.ignore_rules() == "/*\n!/a\n!/b\n/a/**/*.md\n/a/**/docs/**\n/b/**/tests\n"
    assert "another copy of artifact a may bring in" in layout(
        {"from": "@r/deploy/a/**", "to": "@artifact/a/", "exclude": ["*.md"]}, {"from": "@r/deploy/**", "to": "@artifact/"})
    whole = layout({"from": "@r/**", "to": "@artifact/"})
    assert (whole.folder, whole.ignore_rules()) == ("", None)
    file_in = layout({"from": "@r/apps/env.yaml", "to": "@artifact/"}, kinds={"apps/env.yaml": False})
    assert (file_in.folder, file_in.visible) == ("apps", ("env.yaml",))
    assert "renames the file" in layout({"from": "@r/apps/env.yaml", "to": "@artifact/other.yaml"},
                                        kinds={"apps/env.yaml": False})
    assert "leaves the artifact" in layout({"from": "@r/apps/**", "to": "@artifact/../x/"})
    assert "joins the sources" in artifact_layout(
        {"sources": [{"alias": "a", "kind": "GitRepository", "name": "g"}, {"alias": "b", "kind": "Bucket", "name": "b"}],
         "artifacts": [{"name": "x", "copy": [{"from": "@a/x/**", "to": "@artifact/x/"},
                                             {"from": "@b/y/**", "to": "@artifact/y/"}]}]},
        "x", "ns", lambda alias, path: True)


def _chart_repo(root: Path, copy_from: str, copy_to: str, artifact: str = "podinfo-chart") -> Path:
    """A HelmRelease whose chartRef is an ExternalArtifact (helm-controller 1.4) an ArtifactGenerator copies a chart
    folder of this repository into."""
    generator = textwrap.dedent(f"""\
        apiVersion: source.extensions.fluxcd.io/v1beta1
        kind: ArtifactGenerator
        metadata: {{name: charts, namespace: flux-system}}
        spec:
          sources:
            - {{alias: repo, kind: GitRepository, name: flux-system}}
          artifacts:
            - name: podinfo-chart
              copy:
                - {{from: "{copy_from}", to: "{copy_to}"}}
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {{name: podinfo, namespace: flux-system}}
        spec:
          interval: 1h
          chartRef: {{kind: ExternalArtifact, name: {artifact}}}
        """)
    return write(root, gotk() | {
        "clusters/home/podinfo.yaml": generator,
        "charts/podinfo/Chart.yaml": "apiVersion: v2\nname: podinfo\nversion: 6.5.0\n",
        "charts/podinfo/templates/cm.yaml": cm("podinfo", "default"),
        "charts/other/Chart.yaml": "apiVersion: v2\nname: other\nversion: 1.0.0\n",
    })


@pytest.mark.parametrize("copy_from, copy_to", [
    ("@repo/charts/podinfo/**", "@artifact/"),  # the chart at the artifact's root
    ("@repo/charts/podinfo/**", "@artifact/podinfo/"),  # in one folder, as a chart archive holds it
    ("@repo/charts/podinfo", "@artifact/"),
])
def test_a_chart_ref_to_a_generated_artifact_reads_its_chart(tmp_path: Path, copy_from: str, copy_to: str) -> None:
    """It was refused as a chartRef kind other than OCIRepository or HelmChart (FW-HELM-INVALID), a false red."""
    cluster = build_model(_chart_repo(tmp_path, copy_from, copy_to)).clusters[0]
    [release] = cluster.helm_releases
    assert (release.chart, release.version) == ("podinfo", "6.5.0")
    assert (release.source_kind, release.source_namespace, release.source_name) == \
        ("ExternalArtifact", "flux-system", "podinfo-chart")
    assert not [w for w in cluster.warnings if w.code.startswith("FW-HELM")]


def test_a_chart_ref_to_an_artifact_made_elsewhere_is_a_limit(tmp_path: Path) -> None:
    cluster = build_model(_chart_repo(tmp_path, "@repo/charts/podinfo/**", "@artifact/", "made-by-ci")).clusters[0]
    [release] = cluster.helm_releases
    assert release.chart is None and release.source_name == "made-by-ci"
    [w] = [w for w in cluster.warnings if w.code.startswith("FW-HELM")]
    assert (w.code, w.cls, w.file, w.line) == ("FW-HELM-CHART-EXTERNAL", "limit", "clusters/home/podinfo.yaml", 12)
    assert "ExternalArtifact flux-system/made-by-ci is not defined in this repository" in w.message


def test_a_chart_ref_to_an_artifact_of_several_charts_is_a_limit(tmp_path: Path) -> None:
    cluster = build_model(_chart_repo(tmp_path, "@repo/charts/**", "@artifact/")).clusters[0]
    assert cluster.helm_releases[0].chart is None
    [w] = [w for w in cluster.warnings if w.code == "FW-HELM-CHART-EXTERNAL"]
    assert w.cls == "limit" and "no Chart.yaml at its root or in a single folder" in w.message


def test_a_chart_ref_to_an_artifact_whose_copy_fails_is_a_failure(tmp_path: Path) -> None:
    cluster = build_model(_chart_repo(tmp_path, "@repo/charts/podinfo-v2/**", "@artifact/")).clusters[0]
    [w] = [w for w in cluster.warnings if w.code == "FW-ARTIFACT-COPY-MISSING"]
    assert (w.cls, w.file) == ("repo", "clusters/home/podinfo.yaml")
    assert w.message.startswith("HelmRelease flux-system/podinfo: chartRef source ExternalArtifact")


def test_a_generator_reading_a_helm_chart_is_a_limit_that_says_so(tmp_path: Path) -> None:
    """source-watcher takes a HelmChart as a source too: a chart fetched at run time, not "another repository or
    revision", and the sentence names it as the generator's source."""
    repo = _chart_repo(tmp_path, "@repo/**", "@artifact/")
    text = (repo / "clusters/home/podinfo.yaml").read_text()
    write(repo, {"clusters/home/podinfo.yaml": text.replace(
        "{alias: repo, kind: GitRepository, name: flux-system}", "{alias: repo, kind: HelmChart, name: podinfo}")
        + "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: podinfo, namespace: "
          "flux-system}\nspec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: charts}, interval: 1h}\n"})
    cluster = build_model(repo).clusters[0]
    [w] = [w for w in cluster.warnings if w.code == "FW-HELM-CHART-EXTERNAL"]
    assert w.cls == "limit" and "(clusters/home/podinfo.yaml:1); its source HelmChart flux-system/podinfo is a " \
                                "chart source-controller fetches at run time" in w.message
