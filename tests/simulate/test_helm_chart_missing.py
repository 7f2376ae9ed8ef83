"""A HelmRelease whose chart is a path of a GitRepository flux-wiki reads (here the sync repository) that is not
there, or holds no Chart.yaml: source-controller fails the chart (FW-HELM-CHART-MISSING). A chart of another
repository, or of a HelmRepository, is not known here and stays quiet."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_OTHER = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: other, namespace: "
          "flux-system}\nspec: {interval: 1h, url: https://example.com/other, ref: {branch: main}}\n")
_HELM_CHART = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: local, namespace: apps}\n"
               "spec:\n  interval: 1h\n  chart: ./charts/gone\n"
               "  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}\n")


def _release(name: str, chart: str, source: str = "flux-system") -> str:
    return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: {name}, namespace: apps}}\n"
            "spec:\n  interval: 1h\n  chart:\n    spec:\n"
            f"      chart: {chart}\n"
            f"      sourceRef: {{kind: GitRepository, name: {source}, namespace: flux-system}}\n")


def test_chart_paths_of_this_repository(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/kustomization.yaml": "resources: [other.yaml, releases.yaml, helmchart.yaml]\n",
        "apps/other.yaml": _OTHER,
        "apps/helmchart.yaml": _HELM_CHART,
        "apps/releases.yaml": "---\n".join([
            _release("ok", "./charts/app"), _release("gone", "./charts/typo"), _release("empty", "./charts/empty"),
            _release("elsewhere", "./charts/typo", "other"),
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ref, namespace: apps}\n"
            "spec: {interval: 1h, chartRef: {kind: HelmChart, name: local}}\n"]),
        "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "charts/empty/values.yaml": "a: 1\n",
    })
    [cluster] = build_model(tmp_path).clusters
    found = sorted((w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-HELM-CHART-MISSING")
    assert [(f, line) for f, line, _ in found] == [("apps/helmchart.yaml", 6), ("apps/releases.yaml", 18),
                                                   ("apps/releases.yaml", 28)]
    assert "HelmRelease apps/ref: chart path './charts/gone' of GitRepository flux-system/flux-system" in found[0][2]
    assert "chart path './charts/typo' of GitRepository flux-system/flux-system (charts/typo) is not there" \
        in found[1][2]
    assert "(charts/empty) holds no Chart.yaml" in found[2][2]


def test_values_files_of_a_chart_of_this_repository(tmp_path: Path) -> None:
    """source-controller joins each valuesFiles entry to the artifact's root and fails the chart on one that is not
    there ("no values file found at path", chart builder mergeFileValues), unless ignoreMissingValuesFiles."""
    files = "      valuesFiles: [charts/app/values.yaml, charts/app/values-%s.yaml]\n"
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/releases.yaml": "---\n".join([
            _release("ok", "./charts/app") + files % "prod",
            _release("typo", "./charts/app") + files % "prd",
            _release("ignored", "./charts/app") + files % "prd" + "      ignoreMissingValuesFiles: true\n"]),
        "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "charts/app/values.yaml": "a: 1\n",
        "charts/app/values-prod.yaml": "a: 2\n",
    })
    cluster = build_model(tmp_path).clusters[0]
    [w] = [w for w in cluster.warnings if w.code == "FW-HELM-CHART-MISSING"]
    assert (w.file, w.line) == ("apps/releases.yaml", 21)
    assert w.message.startswith("HelmRelease apps/typo: values file 'charts/app/values-prd.yaml'")


_CHART_REF = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ref, namespace: apps}\n"
              "spec: {interval: 1h, chartRef: {kind: HelmChart, name: local}}\n")


def _versions(root: Path, files: dict[str, str], releases: list[str],
              more: dict[str, str] | None = None) -> dict[str, str | None]:
    """The chart version of each HelmRelease of a Kustomization at ./apps applying ``files`` (apps/<name>), then
    ``releases`` and the HelmRelease ``ref`` (chartRef HelmChart apps/local); ``more`` are other repository files."""
    write(root, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/kustomization.yaml": f"resources: [{', '.join([*files, 'releases.yaml'])}]\n",
        **{f"apps/{name}": text for name, text in files.items()},
        "apps/releases.yaml": "---\n".join([*releases, _CHART_REF]),
    } | (more or {}))
    [cluster] = build_model(root).clusters
    return {h.name: h.version for h in cluster.helm_releases}


def test_a_chart_folder_of_this_repository_has_its_chart_yaml_version(tmp_path: Path) -> None:
    """source-controller packages a GitRepository chart folder with the version of its Chart.yaml (spec.version is
    ignored), with the source revision as build metadata under reconcileStrategy Revision: not ``*``. A chart of a
    repository flux-wiki does not read shows ``*``."""
    helm_chart = _HELM_CHART.replace("./charts/gone", "./charts/app") + "  reconcileStrategy: Revision\n"
    assert _versions(tmp_path, {"other.yaml": _OTHER, "helmchart.yaml": helm_chart}, [
        _release("plain", "./charts/app") + "      version: '>=2.0.0'\n",
        _release("revision", "charts/app") + "      reconcileStrategy: Revision\n",
        _release("elsewhere", "./charts/app", "other"),
    ], {"charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0+build.7\n"}) == {
        "plain": "0.1.0+build.7", "revision": "0.1.0+<revision>", "elsewhere": "*", "ref": "0.1.0+<revision>"}


def test_a_chart_of_a_repository_not_read_ignores_the_stated_version(tmp_path: Path) -> None:
    """source-controller ignores spec.version for a chart of a GitRepository or Bucket (it packages the folder with
    its Chart.yaml's version): a chart of a repository flux-wiki does not read shows ``*`` whatever version the
    spec states, of a HelmRelease's chart template or of a HelmChart it refers to."""
    bucket = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: charts, namespace: "
              "flux-system}\nspec: {interval: 1h, bucketName: charts, endpoint: minio.example.com}\n")
    helm_chart = _HELM_CHART.replace("name: flux-system,", "name: other,") + "  version: 1.17.8\n"
    assert _versions(tmp_path, {"other.yaml": _OTHER, "bucket.yaml": bucket, "helmchart.yaml": helm_chart}, [
        _release("git", "./manifests/charts/operator", "other") + "      version: 1.17.8\n",
        _release("bucket", "./operator", "charts").replace("kind: GitRepository", "kind: Bucket")
        + "      version: '>=2.0.0'\n",
    ]) == {"git": "*", "bucket": "*", "ref": "*"}
