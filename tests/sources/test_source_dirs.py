"""The ``sources:`` option and CI-inferred OCI artifacts (issue 12 point 4).

A Kustomization whose sourceRef is not the entry's revision is built only from a folder the user maps to that
source (kustomize-controller builds the artifact of the source it names: fluxcd/kustomize-controller
internal/controller/kustomization_controller.go ``reconcileSource``); an OCIRepository's folder is inferred
from a workflow running ``flux push artifact --path`` (fluxcd/flux2 cmd/flux/push_artifact.go packages that
folder as the artifact root). Every folder is read like the repository: nothing outside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from flux_wiki.flux.source_dirs import CiPush, normalized_url, parse_key

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, ref: {branch: main}, url: https://github.com/acme/fleet}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 10m, path: ./clusters/home, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
"""
INFRA_SOURCE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: infra, namespace: flux-system}
spec: {interval: 1m, ref: {branch: main}, url: https://github.com/acme/infra.git}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: infra, namespace: flux-system}
spec: {interval: 10m, path: ./controllers, prune: true, sourceRef: {kind: GitRepository, name: infra}}
"""
SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: web}\nspec: {ports: [{port: 80}]}\n"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def fleet(tmp_path: Path) -> tuple[Path, Path]:
    """A fleet repo whose cluster applies a Kustomization from another repository, checked out beside it."""
    repo = write(tmp_path / "fleet", {"clusters/home/flux-system/gotk-sync.yaml": SYNC,
                                      "clusters/home/infra.yaml": INFRA_SOURCE})
    infra = write(tmp_path / "infra", {"controllers/kustomization.yaml": "resources: [service.yaml]\n",
                                       "controllers/service.yaml": SERVICE})
    return repo, infra


def node(model, ident: str):
    [cluster] = model.clusters
    return cluster, cluster.kustomizations[ident]


def test_an_unmapped_source_is_skipped_with_the_option_to_set(fleet):
    repo, _ = fleet
    _, ks = node(build_model(repo), "flux-system/infra")
    assert ks.status == "skipped"
    assert "another repository" in ks.reason
    assert "`sources:` option (`GitRepository/flux-system/infra: <folder>`)" in ks.reason


@pytest.mark.parametrize("key", ["GitRepository/flux-system/infra", "https://github.com/acme/infra",
                                 "git@github.com:acme/infra.git"])
def test_a_mapped_source_is_built_from_its_folder(fleet, key):
    repo, infra = fleet
    cluster, ks = node(build_model(repo, sources={key: infra}), "flux-system/infra")
    assert ks.status == "built", ks.reason
    assert [(r.kind, r.name, r.file, r.line) for r in ks.resources] == [
        ("Service", "web", "../infra/controllers/service.yaml", 1)]
    assert ks.files == ["../infra/controllers/kustomization.yaml", "../infra/controllers/service.yaml"]
    [(source, folder)] = cluster.source_dirs
    assert (source.name, folder.shown, folder.file) == ("infra", "../infra", "")


def test_a_source_that_several_kustomizations_read_is_listed_once(fleet):
    """d1-fleet: five Kustomizations read GitRepository flux-infra; the DAG page and sourceFolders name its
    folder once, not once per Kustomization."""
    repo, infra = fleet
    second = INFRA_SOURCE.split("---\n")[1].replace("name: infra, namespace", "name: infra-2, namespace")
    (repo / "clusters/home/infra-2.yaml").write_text(second)
    cluster, ks = node(build_model(repo, sources={"GitRepository/flux-system/infra": infra}), "flux-system/infra-2")
    assert ks.status == "built", ks.reason
    assert [(s.name, d.shown) for s, d in cluster.source_dirs] == [("infra", "../infra")]


def test_a_mapped_folder_is_confined_like_the_repository(fleet, tmp_path):
    """load/confine.py: a link that leads out of the source's folder is refused, never read."""
    repo, infra = fleet
    (tmp_path / "outside.yaml").write_text(SERVICE.replace("web", "leaked"))
    (infra / "controllers/service.yaml").unlink()
    os.symlink(tmp_path / "outside.yaml", infra / "controllers/service.yaml")
    model = build_model(repo, sources={"GitRepository/flux-system/infra": infra})
    cluster, ks = node(model, "flux-system/infra")
    assert ks.status == "error"
    assert "leaked" not in str([r.obj for k in cluster.kustomizations.values() for r in k.resources])
    assert any("../infra/controllers" in w.file or "../infra/controllers" in w.message for w in cluster.warnings)


def test_a_missing_folder_is_a_warning_on_the_kustomization(fleet, tmp_path):
    repo, _ = fleet
    cluster, ks = node(build_model(repo, sources={"GitRepository/flux-system/infra": tmp_path / "nope"}),
                       "flux-system/infra")
    assert ks.status == "error" and "is not a folder" in ks.reason
    assert any(w.code == "FW-SOURCE-DIR-MISSING" for w in cluster.warnings)


INSTANCE = """\
apiVersion: fluxcd.controlplane.io/v1
kind: FluxInstance
metadata: {name: flux, namespace: flux-system}
spec:
  distribution: {version: "2.x", registry: ghcr.io/fluxcd}
  sync:
    kind: OCIRepository
    url: oci://ghcr.io/acme/home-ops-manifests
    ref: latest
    path: flux/cluster
"""
WORKFLOW = """\
name: push
on: {push: {branches: [main]}}
jobs:
  push:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Push
        run: |
          flux push artifact oci://ghcr.io/${{ github.repository_owner }}/home-ops-manifests:$(git rev-parse --short HEAD) \\
            --path=./kubernetes \\
            --source="$(git config --get remote.origin.url)" \\
            --revision="$(git branch --show-current)@sha1:$(git rev-parse HEAD)"
"""
LAYER = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: OCIRepository, name: flux-system}}
"""


@pytest.fixture
def oci_repo(tmp_path: Path) -> Path:
    """flux-operator's OCI sync (internal/builder/templates: the sync OCIRepository's artifact is what CI
    pushed), pushed from ./kubernetes by a GitHub workflow."""
    return write(tmp_path / "repo", {
        "bootstrap/flux-instance.yaml": INSTANCE,
        "kubernetes/flux/cluster/apps.yaml": LAYER,
        "kubernetes/apps/kustomization.yaml": "resources: [service.yaml]\n",
        "kubernetes/apps/service.yaml": SERVICE,
        ".github/workflows/push.yaml": WORKFLOW})


def test_the_artifact_folder_is_inferred_from_flux_push_artifact(oci_repo):
    cluster, ks = node(build_model(oci_repo), "flux-system/apps")
    assert cluster.root.status == "built", cluster.root.reason
    assert ks.status == "built", ks.reason
    assert [(r.name, r.file) for r in ks.resources] == [("web", "kubernetes/apps/service.yaml")]
    [(source, folder)] = cluster.source_dirs
    assert (source.kind, folder.shown, folder.file, folder.line) == (
        "OCIRepository", "kubernetes", ".github/workflows/push.yaml", 10)


def test_without_the_workflow_an_artifact_path_the_repository_root_lacks_is_a_limit(oci_repo):
    """Nothing says which folder CI pushes (the entry lies outside the artifact, a pipeline flux-wiki does not
    read pushes it): a root path missing from the repository root, where the artifact is read by default, is
    not known to be missing from the artifact. The root is skipped with the option to set, not a warning."""
    (oci_repo / ".github/workflows/push.yaml").unlink()
    cluster = build_model(oci_repo).clusters[0]
    assert cluster.root.status == "skipped"
    assert "map it with the `sources:` option: `OCIRepository/flux-system/flux-system: <folder>`" in cluster.root.reason
    assert cluster.source_dirs == []
    assert [(w.code, w.cls) for w in cluster.warnings] == [("FW-KS-SOURCE-EXTERNAL", "limit")]


def test_an_artifact_read_from_the_repository_root_that_holds_the_root_path_still_fails_a_missing_path(tmp_path):
    """The root path is a folder of the repository root: the artifact is read there with reason, and a layer
    path missing from it is a failure."""
    repo = write(tmp_path / "repo", {
        "bootstrap/flux-instance.yaml": INSTANCE,
        "flux/cluster/apps.yaml": LAYER.replace("./apps", "./nowhere")})
    cluster, ks = node(build_model(repo), "flux-system/apps")
    assert cluster.root.status == "built", cluster.root.reason
    assert ks.status == "error" and "not found" in ks.reason
    assert [w.code for w in cluster.warnings] == ["FW-KS-PATH-MISSING"]


def test_an_entry_inside_its_own_artifact_names_the_folder_it_is_pushed_from(tmp_path):
    """No workflow says where the artifact comes from, but the entry file sits below ``<folder>/<root path>``
    (rkdx7/kube-foundation's fleet/clusters/prod/flux-system/flux-instance.yaml, a FluxInstance syncing
    clusters/prod of the artifact CI pushes from fleet): the artifact is that folder, as a root path not in
    the repository root says, not a missing path."""
    repo = write(tmp_path / "repo", {
        "kubernetes/flux/cluster/instance.yaml": INSTANCE,
        "kubernetes/flux/cluster/apps.yaml": LAYER,
        "kubernetes/apps/kustomization.yaml": "resources: [service.yaml]\n",
        "kubernetes/apps/service.yaml": SERVICE})
    cluster, ks = node(build_model(repo), "flux-system/apps")
    assert cluster.root.status == "built", cluster.root.reason
    assert [(r.name, r.file) for r in ks.resources] == [("web", "kubernetes/apps/service.yaml")]
    [(source, folder)] = cluster.source_dirs
    assert (source.kind, folder.shown, folder.file) == ("OCIRepository", "kubernetes",
                                                        "kubernetes/flux/cluster/instance.yaml")
    assert not cluster.warnings


def test_the_option_wins_over_the_workflow(oci_repo):
    cluster, _ = node(build_model(oci_repo, sources={"OCIRepository/flux-system/flux-system": oci_repo / "kubernetes"}),
                      "flux-system/apps")
    [(_, folder)] = cluster.source_dirs
    assert (folder.shown, folder.file) == ("kubernetes", "")


@pytest.mark.parametrize("path", ["../elsewhere", "/abs", "${{ inputs.path }}"])
def test_a_push_path_outside_the_repository_is_not_inferred(oci_repo, path):
    wf = oci_repo / ".github/workflows/push.yaml"
    wf.write_text(WORKFLOW.replace("./kubernetes", path))
    assert build_model(oci_repo).clusters[0].source_dirs == []


def test_ci_url_patterns_and_keys():
    push = CiPush("oci://ghcr.io/${{ github.repository_owner }}/manifests:${TAG}", ".", "w.yaml", 1)
    assert push.matches("oci://ghcr.io/acme/manifests")
    assert not push.matches("oci://ghcr.io/acme/other")
    assert normalized_url("oci://GHCR.io/a/b@sha256:abc") == "oci://ghcr.io/a/b"
    assert parse_key("OCIRepository/flux-system/x") == "OCIRepository/flux-system/x"
    for bad in ("HelmRepository/a/b", "GitRepository/x", "infra"):
        with pytest.raises(ValueError):
            parse_key(bad)


def test_github_context_variables_match_their_own_shape_only():
    """controlplaneio-fluxcd/d2-fleet pushes `ghcr.io/${{ github.repository }}` (owner/name) and its
    ResourceSets make OCIRepositories of other repositories (`ghcr.io/controlplaneio-fluxcd/d2-infra/monitoring`):
    those are not this repository's artifact, so they are not built from it."""
    push = CiPush("oci://ghcr.io/${{ github.repository }}", ".", "w.yaml", 1)
    assert push.matches("oci://ghcr.io/controlplaneio-fluxcd/d2-fleet")
    assert not push.matches("oci://ghcr.io/controlplaneio-fluxcd/d2-infra/monitoring")
    owner = CiPush("oci://ghcr.io/${{ github.repository_owner }}/fleet", ".", "w.yaml", 1)
    assert owner.matches("oci://ghcr.io/acme/fleet") and not owner.matches("oci://ghcr.io/acme/team/fleet")
    anything = CiPush("oci://ghcr.io/$REPO", ".", "w.yaml", 1)
    assert anything.matches("oci://ghcr.io/acme/team/fleet")
    # the cluster's own artifact says which repository github.repository is: another one of its shape is not it
    bound = push.bindings("oci://ghcr.io/controlplaneio-fluxcd/d2-fleet:latest")
    assert bound == {"GITHUB_REPOSITORY": "controlplaneio-fluxcd/d2-fleet"}
    assert not push.matches("oci://ghcr.io/controlplaneio-fluxcd/d2-apps", bound)
    assert push.matches("oci://ghcr.io/controlplaneio-fluxcd/d2-fleet", bound)
    assert push.bindings("oci://quay.io/a/b") is None


def test_a_url_of_many_variables_is_matched_in_linear_time():
    """A push URL comes from the repository: 12 variables made a backtracking `.*`-per-variable pattern try every
    split of a 400-character URL (10 variables: 24 s; this test never ended). RE2 matches in one pass."""
    flood = CiPush("oci://ghcr.io/" + "${VAR}a" * 12, ".", "w.yaml", 1)
    assert not flood.matches("oci://ghcr.io/" + "a" * 400 + "b")
    assert flood.matches("oci://ghcr.io/" + "a" * 400)
    twice = CiPush("oci://ghcr.io/${{ github.repository }}/m/${{ github.repository }}", ".", "w.yaml", 1)
    assert twice.bindings("oci://ghcr.io/acme/fleet/m/acme/fleet") == {"GITHUB_REPOSITORY": "acme/fleet"}
    assert twice.bindings("oci://ghcr.io/acme/fleet/m/acme/apps") is None  # one value cannot be two texts


def test_another_repositorys_artifact_is_not_read_from_this_one(oci_repo):
    """d2-fleet: the push action publishes `ghcr.io/${{ github.repository }}`; a tenant's OCIRepository of
    another repository (`ghcr.io/acme/infra/monitoring`) is skipped, not built from this repository's folders."""
    tenant = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: infra, namespace: "
              "monitoring}\nspec: {interval: 5m, url: oci://ghcr.io/acme/infra/monitoring, ref: {tag: latest}}\n---\n"
              "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: infra, namespace: "
              "monitoring}\nspec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: OCIRepository, "
              "name: infra}}\n")
    (oci_repo / "kubernetes/flux/cluster/tenant.yaml").write_text(tenant)
    (oci_repo / ".github/workflows/push.yaml").write_text(
        "jobs:\n  push:\n    steps:\n      - uses: controlplaneio-fluxcd/distribution/actions/push@main\n"
        "        with: {repository: 'ghcr.io/${{ github.repository }}', path: ./kubernetes}\n")
    (oci_repo / "kubernetes/flux/cluster/apps.yaml").write_text(
        tenant.replace("infra/monitoring", "apps").replace("monitoring", "apps"))  # another owner/name
    model = build_model(oci_repo)
    cluster, ks = node(model, "monitoring/infra")
    assert ks.status == "skipped" and "another repository" in ks.reason
    assert cluster.root.status == "built", cluster.root.reason  # ghcr.io/acme/home-ops-manifests: owner/name
    _, apps = node(model, "apps/infra")
    assert apps.status == "skipped" and "another repository" in apps.reason


def test_the_dag_page_says_where_an_artifact_was_read_from(oci_repo, tmp_path):
    from ..support import run_cli

    out = tmp_path / "pages"
    result = run_cli(["pages", str(oci_repo), "--out", str(out)])
    assert result.exit_code == 0, result.output
    [dag] = list(out.rglob("dag.md"))
    assert ("- OCIRepository `flux-system/flux-system` (`oci://ghcr.io/acme/home-ops-manifests`): folder "
            "`kubernetes`, inferred from `.github/workflows/push.yaml:10`, which runs "
            "`flux push artifact --path=kubernetes`.") in dag.read_text()


def test_the_cli_maps_sources_as_the_option_does(fleet):
    from ..support import run_cli

    repo, infra = fleet
    ok = run_cli(["inventory", str(repo), "--source", f"GitRepository/flux-system/infra={infra}"])
    assert ok.exit_code == 0 and "flux-system/infra [built]" in ok.output, ok.output
    bad = run_cli(["inventory", str(repo), "--source", f"infra={infra}"])
    assert bad.exit_code == 2 and "neither a source URL nor Kind/namespace/name" in bad.output


def test_the_inventory_json_lists_the_source_folders(oci_repo):
    import json

    from ..support import run_cli

    result = run_cli(["inventory", str(oci_repo), "--format", "json"])
    [cluster] = json.loads(result.output)["clusters"]
    assert cluster["sourceFolders"] == [{"source": "OCIRepository/flux-system/flux-system", "folder": "kubernetes",
                                         "file": ".github/workflows/push.yaml", "line": 10}]


ACTION_WORKFLOW = """\
name: push
on: push
jobs:
  push:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: controlplaneio-fluxcd/distribution/actions/setup@main
      - name: Push artifact
        uses: controlplaneio-fluxcd/distribution/actions/push@main
        with:
          repository: ghcr.io/${{ github.repository_owner }}/home-ops-manifests
          path: ./kubernetes
"""


def test_the_flux_push_action_is_read_as_the_command_it_runs(oci_repo):
    """controlplaneio-fluxcd/distribution actions/push/action.yml: ``repository`` (no oci://, no tag) and
    ``path`` (default ``.``) become ``flux push artifact oci://<repository>:<tag> --path=<path>``."""
    (oci_repo / ".github/workflows/push.yaml").write_text(ACTION_WORKFLOW)
    cluster, ks = node(build_model(oci_repo), "flux-system/apps")
    assert ks.status == "built", ks.reason
    [(_, folder)] = cluster.source_dirs
    assert (folder.shown, folder.file, folder.line) == ("kubernetes", ".github/workflows/push.yaml", 10)


GOTK_OCI = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, ref: {tag: latest}, url: oci://ghcr.io/acme/home-ops-manifests}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 10m, path: ./clusters/home, prune: true, sourceRef: {kind: OCIRepository, name: flux-system}}
"""


def test_an_oci_sync_inside_the_pushed_folder_is_an_entry(tmp_path):
    """A flux-system sync on an OCIRepository whose root path is relative to the artifact (CI pushes
    ``./kubernetes``): found as an entry and built from the pushed folder, which the workflow names, and without
    it the entry file's own place (``kubernetes`` holds ``clusters/home/flux-system/gotk-sync.yaml``)."""
    repo = write(tmp_path / "repo", {
        "kubernetes/clusters/home/flux-system/gotk-sync.yaml": GOTK_OCI,
        "kubernetes/clusters/home/apps.yaml": LAYER,
        "kubernetes/apps/service.yaml": SERVICE,
        ".github/workflows/push.yaml": WORKFLOW})
    cluster, ks = node(build_model(repo), "flux-system/apps")
    assert (cluster.name, cluster.root.status, ks.status) == ("home", "built", "built")
    (repo / ".github/workflows/push.yaml").unlink()
    cluster, ks = node(build_model(repo), "flux-system/apps")
    assert (cluster.root.status, ks.status) == ("built", "built")
    [(_, folder)] = cluster.source_dirs
    assert (folder.shown, folder.file) == ("kubernetes", "kubernetes/clusters/home/flux-system/gotk-sync.yaml")


ENV_WORKFLOW = """\
name: push
on: {push: {branches: [main]}}
env:
  OCI_REPO: "oci://ghcr.io/acme/${{ github.event.repository.name }}"
jobs:
  push:
    runs-on: ubuntu-latest
    env:
      MANIFESTS: ./elsewhere
    steps:
      - uses: actions/checkout@v4
      - name: Push
        env:
          MANIFESTS: ./kubernetes
        run: |
          flux push artifact $OCI_REPO:$(git rev-parse --short HEAD) \\
            --path="${MANIFESTS}" \\
            --source="$(git config --get remote.origin.url)"
"""


def test_a_push_reads_the_variables_the_workflow_sets_in_env(oci_repo):
    """GitHub Actions gives a step's shell the workflow's, the job's and the step's ``env:`` (the step's
    winning), as Flux's OCI cheatsheet writes ``flux push artifact $OCI_REPO:<tag>`` with ``OCI_REPO`` set in
    the workflow's ``env:``."""
    (oci_repo / "bootstrap/flux-instance.yaml").write_text(INSTANCE.replace("home-ops-manifests", "repo"))
    (oci_repo / ".github/workflows/push.yaml").write_text(ENV_WORKFLOW)
    cluster, ks = node(build_model(oci_repo), "flux-system/apps")
    assert ks.status == "built", ks.reason
    [(_, folder)] = cluster.source_dirs
    assert (folder.shown, folder.file, folder.line) == ("kubernetes", ".github/workflows/push.yaml", 16)


def test_a_push_reads_the_env_context_of_a_workflow_expression(oci_repo):
    """``${{ env.NAME }}`` in a ``run:`` is the same ``env:`` value, put in by GitHub before the shell runs."""
    (oci_repo / "bootstrap/flux-instance.yaml").write_text(INSTANCE.replace("home-ops-manifests", "repo"))
    (oci_repo / ".github/workflows/push.yaml").write_text(
        ENV_WORKFLOW.replace("$OCI_REPO:", "${{ env.OCI_REPO }}:").replace('"${MANIFESTS}"', "${{env.MANIFESTS}}"))
    cluster, ks = node(build_model(oci_repo), "flux-system/apps")
    assert ks.status == "built", ks.reason
    [(_, folder)] = cluster.source_dirs
    assert folder.shown == "kubernetes"


def test_the_dag_page_names_an_entry_file_that_places_the_artifact_as_such(tmp_path):
    """An artifact folder inferred from where the entry file lies (no workflow names the push): the entry runs no
    `flux push artifact` (baokuaiyun/kvm-k8s-platform's gitops/clusters/all-in-one/flux-system/flux-instance.yaml
    was said to run `flux push artifact --path=gitops`)."""
    from ..support import run_cli

    repo = write(tmp_path / "repo", {
        "kubernetes/flux/cluster/instance.yaml": INSTANCE,
        "kubernetes/flux/cluster/apps.yaml": LAYER,
        "kubernetes/apps/kustomization.yaml": "resources: [service.yaml]\n",
        "kubernetes/apps/service.yaml": SERVICE})
    out = tmp_path / "pages"
    result = run_cli(["pages", str(repo), "--out", str(out)])
    assert result.exit_code == 0, result.output
    [dag] = list(out.rglob("dag.md"))
    text = dag.read_text()
    assert "flux push artifact" not in text
    assert ("- OCIRepository `flux-system/flux-system` (`oci://ghcr.io/acme/home-ops-manifests`): folder "
            "`kubernetes`, inferred from the entry `kubernetes/flux/cluster/instance.yaml:1`, which lies in "
            "`flux/cluster` of that folder.") in text


def test_an_entry_syncing_the_artifact_root_reads_the_folder_above_its_flux_system(tmp_path):
    """A FluxInstance syncing ``.`` of its artifact from ``kubernetes/flux-system/`` (flux bootstrap's layout: the
    root is the folder above flux-system), pushed by a Taskfile no workflow shows: the artifact is ``kubernetes``.
    Read from the repository root instead, Flux's generated kustomization swept in the Taskfile (no Kubernetes
    object, a warning) and the root path of every layer was missing."""
    repo = write(tmp_path / "repo", {
        "kubernetes/flux-system/flux-instance.yaml": INSTANCE.replace("path: flux/cluster", "path: ."),
        "kubernetes/flux-system/apps.yaml": LAYER,
        "kubernetes/apps/kustomization.yaml": "resources: [service.yaml]\n",
        "kubernetes/apps/service.yaml": SERVICE,
        "Taskfile.yaml": "version: '3'\ntasks:\n  push:\n    cmds:\n      - flux push artifact "
                         "oci://ghcr.io/acme/home-ops-manifests:latest --path=./kubernetes\n"})
    cluster, ks = node(build_model(repo), "flux-system/apps")
    assert cluster.root.status == "built", cluster.root.reason
    assert ks.status == "built", ks.reason
    [(source, folder)] = cluster.source_dirs
    assert (source.kind, folder.shown, folder.file) == ("OCIRepository", "kubernetes",
                                                        "kubernetes/flux-system/flux-instance.yaml")
    assert not cluster.warnings


def test_an_artifact_path_no_folder_of_the_repository_holds_is_still_missing(oci_repo):
    """Without the workflow the artifact's folder is unknown, but no folder of the repository holds the root
    path: it is missing whatever folder CI pushes."""
    (oci_repo / ".github/workflows/push.yaml").unlink()
    (oci_repo / "bootstrap/flux-instance.yaml").write_text(INSTANCE.replace("flux/cluster", "flux/custer"))
    cluster = build_model(oci_repo).clusters[0]
    assert cluster.root.status == "error" and "not found" in cluster.root.reason
    assert [w.code for w in cluster.warnings] == ["FW-KS-PATH-MISSING"]
