"""A Flux Kustomization's ``spec.sourceRef.kind`` is an enum in its CRD (kustomize-controller api/v1
reference_types.go: ``+kubebuilder:validation:Enum=OCIRepository;GitRepository;Bucket;ExternalArtifact``): the API
server refuses any other kind, so the Kustomization is never stored and the one applying it fails, rather than
waiting on a source flux-wiki cannot see."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

HELM_REPO = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, namespace: "
             "flux-system}\nspec: {interval: 10m, url: 'https://example.com/charts'}\n")


def test_a_kustomization_sourced_from_a_helm_repository_is_refused(tmp_path: Path) -> None:
    repo = write(tmp_path, {**gotk(), "clusters/home/charts.yaml": HELM_REPO,
                            "clusters/home/apps.yaml": ks("apps", "./apps", source="kind: HelmRepository, name: charts")})
    [cluster] = build_model(repo).clusters
    assert cluster.kustomizations["flux-system/apps"].status == "error"
    [w] = [w for w in cluster.warnings if w.code == "FW-SCHEMA-REJECTED"]
    assert (w.file, w.message) == ("clusters/home/apps.yaml", (
        "Kustomization flux-system/apps: the API server rejects this Kustomization: spec.sourceRef.kind: must be "
        "one of OCIRepository, GitRepository, Bucket or ExternalArtifact"))


def test_every_kind_the_crd_names_is_accepted(tmp_path: Path) -> None:
    files = {**gotk(), "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n"}
    for kind in ("OCIRepository", "Bucket", "ExternalArtifact"):
        files[f"clusters/home/{kind.lower()}.yaml"] = ks(kind.lower(), "./apps", source=f"kind: {kind}, name: x")
    [cluster] = build_model(write(tmp_path, files)).clusters
    assert [w.message for w in cluster.warnings if w.code == "FW-SCHEMA-REJECTED"] == []


def test_a_variable_kind_is_judged_only_when_nothing_substitutes_it(tmp_path: Path) -> None:
    """Under a parent whose postBuild reads a Secret, the value is unknown here; with no postBuild the variable
    reaches the API server as written, which no enum admits."""
    files = {**gotk(), "clusters/home/apps.yaml": ks("apps", "./apps", source="kind: '${SOURCE_KIND}', name: x")}
    sync = "clusters/home/flux-system/gotk-sync.yaml"
    [plain] = build_model(write(tmp_path / "plain", files)).clusters
    assert plain.kustomizations["flux-system/apps"].status == "error"
    files[sync] = files[sync].replace("prune: true,", "prune: true, postBuild: {substituteFrom: "
                                                       "[{kind: Secret, name: vars}]},")
    [substituted] = build_model(write(tmp_path / "substituted", files)).clusters
    assert substituted.kustomizations["flux-system/apps"].status != "error"


# A chart's source (helm-controller api/v2 reference_types.go CrossNamespaceObjectReference.Kind, source-controller
# api/v1 helmchart_types.go LocalHelmChartSourceReference.Kind): Enum=HelmRepository;GitRepository;Bucket. An
# OCIRepository chart is a release's chartRef (kors-dev/ak-gke-flux-gitops release/02-helmrelease-kbot.yaml names
# one in chart.spec.sourceRef: the API server refuses the HelmRelease and the Kustomization applying it fails).
OCI_REPO = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app, namespace: "
            "flux-system}\nspec: {interval: 1h, url: 'oci://ghcr.io/o/charts/app', ref: {tag: 1.0.0}}\n")


def _release(kind: str) -> str:
    return ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: app, namespace: flux-system}\n"
            f"spec:\n  interval: 10m\n  chart:\n    spec:\n      chart: app\n      sourceRef: {{kind: {kind}, name: app}}\n")


def _helm_chart(kind: str) -> str:
    return ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: app, namespace: flux-system}\n"
            f"spec:\n  interval: 10m\n  chart: app\n  sourceRef: {{kind: {kind}, name: charts}}\n")


def _chart_rejections(tmp_path: Path, files: dict[str, str]) -> tuple[list[tuple[str, int, str]], str | None]:
    """The rejections found, and the code of what fails the Kustomization applying the files (None: nothing)."""
    [cluster] = build_model(write(tmp_path, {**gotk(), "clusters/home/apps.yaml": ks("apps", "./apps"),
                                             **files})).clusters
    return ([(w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-SCHEMA-REJECTED"],
            getattr(cluster.kustomizations["flux-system/apps"].failure, "code", None))


def test_a_release_whose_chart_template_names_an_oci_repository_is_refused(tmp_path: Path) -> None:
    found, failure = _chart_rejections(tmp_path, {"apps/oci.yaml": OCI_REPO,
                                                  "apps/release.yaml": _release("OCIRepository")})
    assert [(file, line) for file, line, _ in found] == [("apps/release.yaml", 9)]
    assert "spec.chart.spec.sourceRef.kind: must be one of HelmRepository, GitRepository or Bucket" in found[0][2]
    assert failure == "FW-SCHEMA-REJECTED"  # the whole server-side apply fails


def test_a_helm_chart_naming_an_oci_repository_is_refused(tmp_path: Path) -> None:
    found, _ = _chart_rejections(tmp_path, {"apps/oci.yaml": OCI_REPO, "apps/chart.yaml": _helm_chart("OCIRepository")})
    assert [(file, line) for file, line, _ in found] == [("apps/chart.yaml", 7)]
    assert "spec.sourceRef.kind: must be one of HelmRepository, GitRepository or Bucket" in found[0][2]


def test_every_chart_source_kind_the_crds_name_is_accepted(tmp_path: Path) -> None:
    files = {"apps/repo.yaml": HELM_REPO.replace("charts", "app")}
    for kind in ("HelmRepository", "GitRepository", "Bucket"):
        files[f"apps/{kind.lower()}.yaml"] = _release(kind).replace("name: app,", f"name: {kind.lower()},")
        files[f"apps/{kind.lower()}-chart.yaml"] = _helm_chart(kind).replace("name: app,", f"name: c{kind.lower()},")
    found, _ = _chart_rejections(tmp_path, files)
    assert found == []
