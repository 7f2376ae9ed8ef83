"""Red means the repo is wrong, on real repos: where Flux would reconcile everything, no repo problem (a strict
build passes, whatever flux-wiki could not know is a limit); the user's mixed-history repo fails, and only for
the folders and files its kustomizations name that are not there."""

from __future__ import annotations

import pytest
from mkdocs.exceptions import Abort

from flux_wiki.engine import build_model

from ..support import build_site, corpus, run_cli

# repos on which Flux reconciles every Kustomization flux-wiki can build (their corpora README says why each is
# here), with the entry a user sets where the bootstrap is not in the repository's YAML
CLEAN = {"bjw-s-labs__home-ops": None, "onedr0p__home-ops": None,
         "fluxcd__flux2-kustomize-helm-example": None, "fluxcd__flux2-multi-tenancy": None,
         "angelnu__k8s-gitops": None, "giantswarm__gitops-template": "management-clusters/MC_NAME",
         "ionfury__homelab": "kubernetes/clusters/live"}


def problems(name: str, entry: str | None = None) -> list:
    model = build_model(corpus(name), entry=entry)
    return [d for d in [*model.diagnostics, *(w for c in model.clusters for w in c.warnings)] if d.severity != "info"]


@pytest.mark.corpora
@pytest.mark.parametrize("name", sorted(CLEAN))
def test_a_repo_flux_reconciles_has_no_repo_problem(name: str) -> None:
    found = problems(name, CLEAN[name])
    assert [str(d) for d in found if d.cls == "repo"] == []


@pytest.mark.corpora
def test_tyriis_fails_on_the_two_objects_two_kustomizations_apply_differently() -> None:
    """Flux reconciles every Kustomization of tyriis__home-ops, but two objects are each applied by two app
    Kustomizations whose `labels` transformers give them different `app.kubernetes.io/name` labels, so the label
    flips at every reconciliation. A third shared object (the dragonfly component's RoleBinding) is marked
    `kustomize.toolkit.fluxcd.io/ssa: IfNotPresent` by the repository, so it is not contested."""
    found = [d for d in problems("tyriis__home-ops") if d.cls == "repo"]
    assert [(d.code, d.file, d.line) for d in found] == [
        ("FW-OBJECT-APPLIED-TWICE", "kubernetes/main/apps/atlantis-system/techtales-io/terraform-vault/"
                                    "external-secret.yaml", 3),
        ("FW-OBJECT-APPLIED-TWICE", "kubernetes/main/apps/observability/kube-prometheus-stack/app/"
                                    "helm-repository.yaml", 3)]
    assert all("(metadata.labels.app.kubernetes.io/name)" in d.message for d in found)


@pytest.mark.corpora
def test_the_mixed_history_repo_fails_on_its_missing_folders_only() -> None:
    """tazlab-k8s was gathered from several commits: kustomizations name folders and files that are not there
    (its SOURCE.txt lists some). Those, and nothing else, are its repo problems."""
    repo = [d for d in problems("tazlab-k8s") if d.cls == "repo"]
    assert {d.code for d in repo} == {"FW-KS-PATH-MISSING", "FW-KUSTOMIZE-MISSING"}
    text = "\n".join(str(d) for d in repo)
    for missing in ("kustomization path './apps/cluster/hugo-blog' not found",
                    "resource 'gotk-components.yaml' not found", "folder '../base/traefik' has no kustomization file",
                    "resource './hugo-blog' not found"):
        assert missing in text


@pytest.mark.corpora
def test_the_mixed_history_repo_fails_a_strict_build(tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    wiki = tmp_path / "wiki"
    assert run_cli(["init", str(wiki), "--repo", str(corpus("tazlab-k8s"))]).exit_code == 0
    with pytest.raises(Abort):
        build_site(wiki, tmp_path / "site")
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("clusters/tazlab-k8s/apps-static.yaml:1:" in w and "[FW-KS-PATH-MISSING]" in w for w in warned)
