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
