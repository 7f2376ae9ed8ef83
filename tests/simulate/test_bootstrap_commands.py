"""A repository without a bootstrap manifest: its root is taken from the bootstrap commands of its scripts,
CI, README or Terraform (flux/bootstrap_commands.py), each entry at the command's file and line."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.flux.entry import find_entries
from flux_wiki.load import Repo
from tests.simulate.test_simulate import cm, gotk, ks, write

HUB_SCRIPT = """\
#!/usr/bin/env bash
set -o errexit

flux --context "kind-${CLUSTER_HUB}" create source git flux-system \\
--url=https://github.com/fluxcd/flux2-hub-spoke-example \\
--ignore-paths="hub/flux-system/,hub/wip/" \\
--branch=main

flux --context "kind-${CLUSTER_HUB}" create kustomization flux-system \\
--source=GitRepository/flux-system \\
--path="./hub" \\
--prune=true

flux create kustomization apps --source=GitRepository/flux-system --path=./apps
flux create kustomization flux-system --path=${CLUSTER_PATH}
"""


def entries(repo: Path):
    found, diags = find_entries(Repo(repo))
    return [(e.cluster, e.kind, e.file, e.line, e.root_spec["path"]) for e in found], diags


def test_flux_create_kustomization_flux_system_in_a_script_is_the_root(tmp_path: Path) -> None:
    """fluxcd/flux2-hub-spoke-example: scripts/flux-up.sh creates the root; other names are its children."""
    repo = write(tmp_path / "hub-spoke", {"scripts/flux-up.sh": HUB_SCRIPT, "hub/apps.yaml": ks("apps", "./apps"),
                                          "apps/cm.yaml": cm("x"), "hub/wip/ks.yaml": ks("wip", "./apps")})
    found, diags = entries(repo)
    assert found == [("hub-spoke", "bootstrap command", "scripts/flux-up.sh", 9, "./hub")]
    [notice] = diags
    assert (notice.code, notice.severity, notice.file, notice.line) == (
        "FW-ENTRY-COMMAND", "info", "scripts/flux-up.sh", 9)
    [cluster] = build_model(repo).clusters
    assert sorted(cluster.kustomizations) == ["flux-system/apps", "flux-system/flux-system"]  # not hub/wip's
    assert (cluster.source.url, cluster.source.ignore) == ("https://github.com/fluxcd/flux2-hub-spoke-example",
                                                           "hub/flux-system/\nhub/wip/")


def test_flux_bootstrap_commands_and_terraform_name_one_cluster_each(tmp_path: Path) -> None:
    readme = "# fleet\n\n```sh\nflux bootstrap github \\\n  --owner=acme \\\n  --path=clusters/staging\n```\n" \
             "Or for your own: `flux bootstrap github --path=clusters/my-cluster`.\n"
    terraform = 'resource "flux_bootstrap_git" "this" {\n  embedded_manifests = true\n  path = "clusters/prod"\n}\n'
    repo = write(tmp_path, {"README.md": readme, "terraform/main.tf": terraform,
                            "clusters/staging/cm.yaml": cm("s"), "clusters/prod/cm.yaml": cm("p")})
    found, _ = entries(repo)
    assert found == [("prod", "bootstrap command", "terraform/main.tf", 3, "./clusters/prod"),
                     ("staging", "bootstrap command", "README.md", 4, "./clusters/staging")]


def test_commands_are_not_read_when_the_repository_has_an_entry_point(tmp_path: Path) -> None:
    repo = write(tmp_path, {**gotk("home"), "scripts/flux-up.sh": HUB_SCRIPT, "hub/cm.yaml": cm("x")})
    found, diags = entries(repo)
    assert [(c, k) for c, k, *_ in found] == [("home", "gotk-sync")] and diags == []


def test_a_line_of_many_flags_is_read_in_one_pass(tmp_path: Path) -> None:
    """A repository is untrusted: a `flux` line of 200 dashed flags that is no bootstrap command must not make the
    command pattern try every way to split them (each `--a-b` read as `-` + `-a-b` or `--` + `a-b`: 2^200)."""
    flood = "flux " + " ".join(["--a-b"] * 200) + " get all\n"
    repo = write(tmp_path / "flood", {"scripts/up.sh": flood + "flux bootstrap github --owner=o --path=clusters/a\n",
                                      "clusters/a/cm.yaml": cm("x")})
    found, _ = entries(repo)
    assert found == [("a", "bootstrap command", "scripts/up.sh", 2, "./clusters/a")]


def test_a_path_with_variables_names_every_folder_it_can_select(tmp_path: Path) -> None:
    """Terraform bootstraps each cluster from ``path = "clusters/${var.cluster_name}"``, a script from
    ``--path=./fleet/$REGION/flux``: every folder a variable can select is a cluster; a path that is a variable
    alone (``--path=${CLUSTER_PATH}`` in HUB_SCRIPT) selects nothing."""
    terraform = ('variable "cluster_name" {}\nresource "flux_bootstrap_git" "this" {\n'
                 '  path = "clusters/${var.cluster_name}"\n}\n')
    script = HUB_SCRIPT.replace('--path="./hub"', '--path="./fleet/$REGION/flux"')
    repo = write(tmp_path / "fleet", {"terraform/main.tf": terraform, "scripts/flux-up.sh": script,
                                      "clusters/dev/cm.yaml": cm("d"), "clusters/prod/cm.yaml": cm("p"),
                                      "clusters/.hidden/cm.yaml": cm("h"), "fleet/eu/flux/cm.yaml": cm("e"),
                                      "fleet/us/other/cm.yaml": cm("u")})
    found, _ = entries(repo)
    assert found == [("dev", "bootstrap command", "terraform/main.tf", 3, "./clusters/dev"),
                     ("fleet", "bootstrap command", "scripts/flux-up.sh", 9, "./fleet/eu/flux"),
                     ("prod", "bootstrap command", "terraform/main.tf", 3, "./clusters/prod")]


def test_a_terraform_path_that_is_a_variable_takes_its_tfvars_and_default_values(tmp_path: Path) -> None:
    """``path = var.flux_path`` (terraform-provider-flux examples): Terraform gives it the value of the module
    folder's ``*.tfvars`` (terraform.tfvars and *.auto.tfvars load by themselves, others by -var-file) or the
    variable's default; each value that is a folder of the repository is a cluster, and no other folder is."""
    terraform = ('variable "flux_path" {\n  type    = string\n  default = "clusters/dev"\n}\n\n'
                 'resource "flux_bootstrap_git" "this" {\n  embedded_manifests = true\n  path = var.flux_path\n}\n')
    repo = write(tmp_path / "fleet", {"terraform/main.tf": terraform,
                                      "terraform/terraform.tfvars": 'flux_path = "clusters/prod"\n',
                                      "terraform/staging.tfvars": '# staging\nflux_path = "./clusters/staging"\n',
                                      "terraform/other.tfvars": 'flux_path = "clusters/gone"\n',
                                      "clusters/dev/cm.yaml": cm("d"), "clusters/prod/cm.yaml": cm("p"),
                                      "clusters/staging/cm.yaml": cm("s"), "clusters/lab/cm.yaml": cm("l")})
    found, _ = entries(repo)
    assert found == [("dev", "bootstrap command", "terraform/main.tf", 8, "./clusters/dev"),
                     ("prod", "bootstrap command", "terraform/main.tf", 8, "./clusters/prod"),
                     ("staging", "bootstrap command", "terraform/main.tf", 8, "./clusters/staging")]


def test_a_terraform_path_variable_without_a_value_selects_nothing(tmp_path: Path) -> None:
    terraform = 'variable "flux_path" {}\nresource "flux_bootstrap_git" "this" {\n  path = var.flux_path\n}\n'
    repo = write(tmp_path / "fleet", {"terraform/main.tf": terraform, "clusters/dev/cm.yaml": cm("d")})
    found, _ = entries(repo)
    assert found == []  # not every folder: the root is guessed elsewhere
