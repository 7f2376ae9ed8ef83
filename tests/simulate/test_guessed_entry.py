"""A repository whose Flux entry point is not in it (bootstrapped from Terraform elsewhere, Talos, a manual
``kubectl apply``): each folder of Flux Kustomizations nothing in it applies is taken for a cluster's root
(flux/guess.py), with a FW-ENTRY-GUESSED notice; with no Flux Kustomization at all, FW-ENTRY-NONE still warns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from flux_wiki.flux import guess
from flux_wiki.flux.entry import find_entries
from flux_wiki.load import Repo
from tests.simulate.test_simulate import cm, ks, write

from ..support import build_site, corpus, run_cli

_OCI = "kind: OCIRepository, name: flux-system, namespace: flux-system"


def _cluster(env: str) -> dict[str, str]:
    """Flux's monorepo layout (repository-structure guide) without flux-system: ``clusters/<env>`` references the
    overlays of ``infrastructure/`` and ``apps/``, and the Kustomizations of ``clusters/common`` both clusters list."""
    return {
        f"clusters/{env}/kustomization.yaml": "resources: [infrastructure.yaml, apps.yaml, ../common]\n",
        f"clusters/{env}/infrastructure.yaml": ks("infrastructure", f"./infrastructure/{env}", source=_OCI),
        f"clusters/{env}/apps.yaml": ks("apps", f"./apps/{env}", deps=("infrastructure",), source=_OCI),
        f"infrastructure/{env}/kustomization.yaml": "resources: [../base]\n",
        f"apps/{env}/cm.yaml": cm(f"web-{env}"),
    }


TWO_CLUSTERS = {
    **_cluster("production"), **_cluster("staging"),
    "clusters/common/kustomization.yaml": "resources: [monitoring.yaml]\n",
    "clusters/common/monitoring.yaml": ks("monitoring", "./infrastructure/monitoring", source=_OCI),
    "infrastructure/base/kustomization.yaml": "resources: [cm.yaml]\n",
    "infrastructure/base/cm.yaml": cm("ingress"),
    "infrastructure/monitoring/cm.yaml": cm("prometheus"),
}

# clusters/home/flux has no kustomization file: the generated one sweeps in flux/extra, whose Kustomization is
# one of home's, not a cluster of its own; apps/ holds Kustomizations a spec.path reaches
NESTED = {
    "clusters/home/flux/apps.yaml": ks("apps", "./apps"),
    "clusters/home/flux/extra/extra.yaml": ks("extra", "./extra"),
    "apps/web.yaml": ks("web", "./web"),
    "web/cm.yaml": cm("web"),
    "extra/cm.yaml": cm("extra"),
}

NO_FLUX = {
    "deploy/kustomization.yaml": "resources: [cm.yaml]\n",
    "deploy/cm.yaml": cm("plain"),
    "README.md": "# manifests applied with kubectl\n",
}


def _entries(root: Path) -> tuple[list[tuple[str, str, str, str]], list]:
    found, diags = find_entries(Repo(root))
    return [(e.cluster, e.kind, e.file, e.source.kind) for e in found], diags


def test_two_cluster_folders_sharing_infrastructure_are_two_clusters(tmp_path: Path) -> None:
    repo = write(tmp_path, TWO_CLUSTERS)
    found, diags = _entries(repo)
    assert found == [("production", "guessed root", "clusters/production/kustomization.yaml", "OCIRepository"),
                     ("staging", "guessed root", "clusters/staging/kustomization.yaml", "OCIRepository")]
    assert [(d.code, d.severity, d.cls, d.file) for d in diags] == [
        ("FW-ENTRY-GUESSED", "info", "limit", "clusters/production/kustomization.yaml"),
        ("FW-ENTRY-GUESSED", "info", "limit", "clusters/staging/kustomization.yaml")]
    assert "documented from clusters/production" in diags[0].message and "`entry:`" in diags[0].message
    model = build_model(repo)
    for cluster in model.clusters:
        assert {k.id: k.status for k in cluster.kustomizations.values()} == {
            "flux-system/flux-system": "built", "flux-system/infrastructure": "built", "flux-system/apps": "built",
            "flux-system/monitoring": "built"}
        assert not cluster.warnings
    assert not [d for d in model.diagnostics if d.severity != "info"]


def test_a_nested_folder_of_kustomizations_is_not_a_cluster_of_its_own(tmp_path: Path) -> None:
    repo = write(tmp_path, NESTED)
    assert _entries(repo)[0] == [("home", "guessed root", "clusters/home", "GitRepository")]
    [cluster] = build_model(repo).clusters
    assert sorted(cluster.kustomizations) == ["flux-system/apps", "flux-system/extra", "flux-system/flux-system",
                                              "flux-system/web"]
    assert {k.parent for k in cluster.kustomizations.values()} == {None, "flux-system/flux-system",
                                                                   "flux-system/apps"}


def test_a_kustomization_syncing_its_own_folder_is_the_root(tmp_path: Path) -> None:
    """giantswarm/gitops-template: ``management-clusters/<mc>/<mc>.yaml`` syncs its own folder from a GitRepository
    the bootstrap made (namespace default): it is the root, not a child of one flux-wiki writes."""
    source = "kind: GitRepository, name: your-repo"
    repo = write(tmp_path, {
        "management-clusters/mc1/mc1.yaml": ks("mc1-gitops", "./management-clusters/mc1", ns="default", source=source),
        "management-clusters/mc1/orgs/kustomization.yaml": "resources: [wc.yaml]\n",
        "management-clusters/mc1/orgs/wc.yaml": ks("wc1", "./workload/wc1", ns="default", source=source),
        "workload/wc1/cm.yaml": cm("wc1"),
    })
    found, [notice] = find_entries(Repo(repo))
    assert [(e.cluster, e.kind, e.file, e.root_namespace, e.root_name, e.source.ident()) for e in found] == [
        ("mc1", "guessed self-applied root", "management-clusters/mc1/mc1.yaml", "default", "mc1-gitops",
         "default/your-repo")]
    assert notice.code == "FW-ENTRY-GUESSED" and (
        "cluster mc1 is documented from Kustomization default/mc1-gitops, which syncs its own folder "
        "management-clusters/mc1, as its root") in notice.message
    [cluster] = build_model(repo).clusters
    assert {k.id: k.status for k in cluster.kustomizations.values()} == {"default/mc1-gitops": "built",
                                                                       "default/wc1": "built"}
    assert not cluster.warnings


def test_a_folder_that_does_not_build_is_noted_not_taken(tmp_path: Path) -> None:
    """ionfury/homelab's integration cluster: Terraform commits ``.cluster-vars.env`` when it creates the cluster,
    so the folder does not build until then: a notice, not a cluster (nor a warning)."""
    broken = "resources: [apps.yaml]\nconfigMapGenerator:\n  - name: vars\n    envs: [.vars.env]\n"
    repo = write(tmp_path, {**_cluster("staging"), "clusters/common/kustomization.yaml": "resources: []\n",
                            "infrastructure/base/kustomization.yaml": "resources: []\n",
                            "clusters/integration/kustomization.yaml": broken,
                            "clusters/integration/apps.yaml": ks("apps", "./apps/staging", source=_OCI)})
    found, diags = _entries(repo)
    assert [f[0] for f in found] == ["staging"]
    [skipped] = [d for d in diags if "does not build" in d.message]
    assert (skipped.code, skipped.severity, skipped.file) == (
        "FW-ENTRY-GUESSED", "info", "clusters/integration/kustomization.yaml")
    assert skipped.message.startswith("clusters/integration holds Flux Kustomizations but does not build")


def test_the_folders_tried_are_bounded_the_likeliest_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guess, "_MAX_FOLDERS", 1)
    assert [f[0] for f in _entries(write(tmp_path, TWO_CLUSTERS))[0]] == ["production"]


def test_once_cluster_folders_root_every_kustomization_no_other_folder_is_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """giantswarm/gitops-template's 17 `bases/` folders were built for nothing: none can beat a root named like a
    cluster's, nor build a Kustomization the roots do not."""
    built: list[str] = []
    original = guess.build_flux_path

    def counted(repo: Repo, folder: str, *args: object, **kwargs: object) -> object:
        built.append(folder)
        return original(repo, folder, *args, **kwargs)

    monkeypatch.setattr(guess, "build_flux_path", counted)
    assert [f[0] for f in _entries(write(tmp_path, TWO_CLUSTERS))[0]] == ["production", "staging"]
    assert sorted(built) == ["clusters/production", "clusters/staging"]


def test_a_repository_without_flux_objects_still_warns(tmp_path: Path) -> None:
    """Nothing to take for a root: the configuration points at no Flux repository, and an empty wiki must not
    build green, so FW-ENTRY-NONE stays a warning."""
    repo = write(tmp_path, NO_FLUX)
    assert _entries(repo) == ([], [])
    model = build_model(repo)
    assert model.clusters == []
    assert [(d.code, d.severity, d.cls) for d in model.diagnostics] == [("FW-ENTRY-NONE", "warning", "repo")]


def test_the_commands_and_a_new_wiki_work_without_an_entry(tmp_path: Path) -> None:
    repo = write(tmp_path / "repo", TWO_CLUSTERS)
    inventory = run_cli(["inventory", str(repo), "--format", "json"])
    assert inventory.exit_code == 0
    assert [c["name"] for c in json.loads(inventory.stdout)["clusters"]] == ["production", "staging"]
    for command in (["graph", str(repo)], ["doctor", str(repo)]):
        result = run_cli(command)
        assert result.exit_code == 0, result.output
        assert "production" in result.output and "staging" in result.output
    wiki = tmp_path / "wiki"
    init = run_cli(["init", str(wiki), "--repo", str(repo)])
    assert init.exit_code == 0 and "clusters: production, staging" in init.output
    build_site(wiki, tmp_path / "site")  # strict: a warning would abort it


@pytest.mark.corpora
def test_the_corpora_without_an_entry_point_get_their_cluster_folders() -> None:
    """ionfury/homelab (flux-instance values in Terraform outside the repository: dev syncs Git, live an OCI
    artifact; integration's .cluster-vars.env is committed by Terraform when the cluster is made) and
    giantswarm/gitops-template (MC_NAME.yaml syncs its own folder from GitRepository default/your-repo)."""
    model = build_model(corpus("ionfury__homelab"))
    assert [(c.name, c.entry_file, c.source.kind) for c in model.clusters] == [
        ("dev", "kubernetes/clusters/dev/kustomization.yaml", "GitRepository"),
        ("live", "kubernetes/clusters/live/kustomization.yaml", "OCIRepository")]
    assert all(k.status == "built" for c in model.clusters for k in c.kustomizations.values())
    assert [d.file for d in model.diagnostics if "does not build" in d.message] == [
        "kubernetes/clusters/integration/kustomization.yaml"]
    [mc] = build_model(corpus("giantswarm__gitops-template")).clusters
    assert (mc.name, mc.root_id, mc.source.ident()) == ("MC_NAME", "default/mc-name-gitops", "default/your-repo")


def test_a_hostile_source_reference_gives_the_default_source(tmp_path: Path) -> None:
    """A sourceRef of another shape than strings names no source: the root syncs from flux-system."""
    repo = write(tmp_path, {
        "clusters/lab/apps.yaml": ks("apps", "./apps", source="kind: OCIRepository, name: {x: 1}"),
        "apps/cm.yaml": cm("web"),
    })
    [entry], _ = find_entries(Repo(repo))
    assert (entry.cluster, entry.source.kind, entry.source.ident()) == ("lab", "GitRepository",
                                                                        "flux-system/flux-system")


def test_the_dag_page_says_the_root_was_taken_not_bootstrapped(tmp_path: Path) -> None:
    """"Flux bootstraps from" a file that bootstraps nothing would be false: the page says which folder flux-wiki
    took for the root, and how to choose another."""
    from flux_wiki.compile import WikiCompiler
    from flux_wiki.config import WikiConfig

    repo = write(tmp_path, NESTED)
    pages = {p.path: p.markdown for p in WikiCompiler().compile(WikiConfig(repo=repo, diagrams=False)).pages}
    dag = pages["flux/home/dag.md"]
    assert "Flux bootstraps from" not in dag
    assert ("No entry point is in the repository (a bootstrap manifest, FluxInstance or bootstrap command): "
            "flux-wiki documents this cluster from `clusters/home` (") in dag
    assert "Set the plugin's `entry` option to choose another folder." in dag
