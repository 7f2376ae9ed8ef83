"""Issue 12 point 10, the small ones seen on real repos: wording, clashing names, kubeConfig, no cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

from ..support import run_cli
from .test_policy import KS, SERVICE, SYNC, VENDOR


def repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in {"clusters/home/flux-system/gotk-sync.yaml": SYNC, "apps/service.yaml": SERVICE,
                       **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def pages(root: Path) -> dict[str, str]:
    compiled = WikiCompiler().compile(WikiConfig(repo=root, diagrams=False))
    return {p.path: p.markdown for p in compiled.pages}


def test_one_root_is_worded_in_the_singular(tmp_path: Path) -> None:
    root = repo(tmp_path, {"clusters/home/apps.yaml": KS.format(name="apps", path="./apps", source="flux-system")})
    dag = pages(root)["flux/home/dag.md"]
    assert "converges through 1 layer in 1 level; 1 of them is a root, which reconciles after bootstrap." in dag


def test_two_roots_in_two_levels(tmp_path: Path) -> None:
    later = KS.format(name="later", path="./apps", source="flux-system").replace(
        "prune: true,", "prune: true, dependsOn: [{name: apps}],")
    root = repo(tmp_path, {"clusters/home/apps.yaml": KS.format(name="apps", path="./apps", source="flux-system"),
                           "clusters/home/web.yaml": KS.format(name="web", path="./apps", source="flux-system"),
                           "clusters/home/later.yaml": later})
    dag = pages(root)["flux/home/dag.md"]
    assert "3 layers in 2 levels; 2 of them are roots that reconcile in parallel after bootstrap." in dag


def test_kustomizations_sharing_a_name_are_named_with_their_namespace(tmp_path: Path) -> None:
    """Two `apps` in two namespaces: each link, heading and title says which (only then)."""
    team = KS.format(name="apps", path="./apps", source="flux-system").replace(
        "namespace: flux-system}", "namespace: team}").replace("name: flux-system}", "name: flux-system, "
                                                                 "namespace: flux-system}")
    root = repo(tmp_path, {"clusters/home/apps.yaml": KS.format(name="apps", path="./apps", source="flux-system"),
                           "clusters/home/team.yaml": team.replace("apps, namespace: apps", "apps2"),
                           "clusters/home/web.yaml": KS.format(name="web", path="./apps", source="flux-system")})
    out = pages(root)
    dag = out["flux/home/dag.md"]
    assert "[flux-system/apps](" in dag and "[team/apps](" in dag and "[web](" in dag
    assert "### flux-system/apps" in dag and "### team/apps" in dag
    titles = sorted(text.split("title: ", 1)[1].split("\n", 1)[0] for path, text in out.items() if "/layers/" in path)
    assert titles == ["flux-system/apps", "team/apps", "web"]


def test_a_kustomization_with_kubeconfig_applies_to_a_remote_cluster(tmp_path: Path) -> None:
    """kustomize-controller applies with the kubeConfig's credentials: the objects land on that cluster."""
    remote = KS.format(name="edge", path="./apps", source="flux-system").replace(
        "prune: true,", "prune: true, kubeConfig: {secretRef: {name: edge-kubeconfig}},")
    root = repo(tmp_path, {"clusters/home/edge.yaml": remote,
                           "clusters/home/apps.yaml": KS.format(name="apps", path="./apps", source="flux-system")})
    out = pages(root)
    assert "| Applies to | a remote cluster, through kubeConfig Secret `edge-kubeconfig` |" in out[
        "flux/home/layers/edge.md"]
    assert "| Applies to | this cluster |" in out["flux/home/layers/apps.md"]
    [edge_row] = [line for line in out["flux/home/dag.md"].splitlines() if line.startswith("| [edge]")]
    assert "(remote cluster)" in edge_row
    inventory = json.loads(run_cli(["inventory", str(root), "--format", "json"]).stdout)
    nodes = {k["id"]: k for k in inventory["clusters"][0]["kustomizations"]}
    assert nodes["flux-system/edge"]["kubeConfig"] == {"kind": "Secret", "name": "edge-kubeconfig"}
    assert nodes["flux-system/apps"]["kubeConfig"] is None


@pytest.mark.parametrize("command", [["inventory"], ["inventory", "--format", "json"], ["graph"],
                                     ["graph", "--format", "svg"]])
def test_no_cluster_found_exits_1_with_the_entry_point_message(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "service.yaml").write_text(SERVICE)
    result = run_cli(command[:1] + [str(tmp_path)] + command[1:])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "error: .:1: no Flux entry point found" in result.stderr and "[FW-ENTRY-NONE]" in result.stderr


def test_a_skip_reason_names_the_revision_in_words_not_a_python_dict(tmp_path: Path) -> None:
    """A Kustomization of another repository is skipped with ``(url, tag v1.2.3)``, never ``{'tag': ...}``."""
    root = repo(tmp_path, {"clusters/home/vendor.yaml": KS.format(name="vendor", path="./deploy", source="vendor")
                           + "---\n" + VENDOR})
    inventory = json.loads(run_cli(["inventory", str(root), "--format", "json"]).stdout)
    [vendor] = [k for k in inventory["clusters"][0]["kustomizations"] if k["id"] == "flux-system/vendor"]
    assert vendor["status"] == "skipped"
    assert "(https://example.com/vendor, tag v1.2.3)" in vendor["reason"]
    assert "{" not in vendor["reason"]


def test_graph_svg_of_several_clusters_asks_for_one(tmp_path: Path) -> None:
    """Several SVG documents in a row are no SVG file: with two clusters, ``--format svg`` names them and
    asks for ``--cluster``; with one named, the output is one SVG document."""
    second = SYNC.replace("clusters/home", "clusters/lab")
    root = repo(tmp_path, {"clusters/lab/flux-system/gotk-sync.yaml": second})
    refused = run_cli(["graph", str(root), "--format", "svg"])
    assert refused.exit_code != 0 and refused.stdout == ""
    assert "2 clusters (home, lab)" in refused.stderr and "--cluster" in refused.stderr
    one = run_cli(["graph", str(root), "--format", "svg", "--cluster", "lab"])
    assert one.exit_code == 0, one.output
    assert one.stdout.count("<svg") == 1



def test_a_helmrelease_with_kubeconfig_says_it_installs_on_a_remote_cluster(tmp_path: Path) -> None:
    """flux2-hub-spoke-example: the hub's Kustomization applies here, its HelmReleases carry the spoke's
    kubeConfig, so helm-controller installs them on the spoke."""
    release = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: podinfo, namespace: "
               "flux-system}\nspec:\n  interval: 1h\n  chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository,"
               " name: podinfo}}}\n  kubeConfig: {secretRef: {name: spoke-kubeconfig}}\n---\n"
               "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: local, namespace: "
               "flux-system}\nspec:\n  interval: 1h\n  chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository,"
               " name: podinfo}}}\n")
    root = repo(tmp_path, {"clusters/home/apps.yaml": KS.format(name="apps", path="./apps", source="flux-system"),
                           "apps/release.yaml": release})
    layer = pages(root)["flux/home/layers/apps.md"]
    [remote] = [line for line in layer.splitlines() if line.startswith("| `flux-system/podinfo`")]
    assert "installed on a remote cluster through kubeConfig Secret `spoke-kubeconfig`" in remote
    [local] = [line for line in layer.splitlines() if line.startswith("| `flux-system/local`")]
    assert "remote" not in local
    inventory = json.loads(run_cli(["inventory", str(root), "--format", "json"]).stdout)
    releases = {h["id"]: h for h in inventory["clusters"][0]["helmReleases"]}
    assert releases["flux-system/podinfo"]["kubeConfig"] == {"kind": "Secret", "name": "spoke-kubeconfig"}
    assert releases["flux-system/local"]["kubeConfig"] is None


def test_a_tenant_layer_names_its_namespace_and_service_account(tmp_path: Path) -> None:
    """flux2-multi-tenancy's tenant Kustomizations apply as the tenant's ServiceAccount into the tenant's
    namespace: the Spec table says both, and leaves the rows out where they are unset."""
    tenant = KS.format(name="team", path="./apps", source="flux-system").replace(
        "prune: true,", "prune: true, targetNamespace: team-<b>a</b>, serviceAccountName: team-bot,")
    root = repo(tmp_path, {"clusters/home/team.yaml": tenant,
                           "clusters/home/apps.yaml": KS.format(name="apps", path="./apps", source="flux-system")})
    out = pages(root)
    team = out["flux/home/layers/team.md"]
    assert "| targetNamespace | `team-<b>a</b>`: the namespace of every namespaced object it applies |" in team
    assert ("| serviceAccountName | `team-bot`: kustomize-controller applies as this ServiceAccount of "
            "`flux-system` |") in team
    assert "| targetNamespace |" not in out["flux/home/layers/apps.md"]
    assert "| serviceAccountName |" not in out["flux/home/layers/apps.md"]
