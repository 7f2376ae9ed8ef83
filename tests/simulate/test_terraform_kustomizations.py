"""A dependsOn on a Kustomization the repository's Terraform creates (a ``kubernetes_manifest``, or a
``kubectl_manifest`` of a ``yamlencode`` map; say a Kustomization whose decryption service account Terraform also
makes): Flux finds it on the cluster once Terraform ran, so the dangling dependsOn is a limit naming the Terraform
resource, not a warning."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_simulate import cm, gotk, ks, write

TERRAFORM = """\
resource "kubernetes_service_account_v1" "decryptor" {
  metadata {
    name      = "secrets-decryptor"
    namespace = "flux-system"
  }
}

resource "kubernetes_manifest" "flux_secrets_kustomization" {
  depends_on = [flux_bootstrap_git.this]
  manifest = {
    "apiVersion" = "kustomize.toolkit.fluxcd.io/v1"
    "kind"       = "Kustomization"
    "metadata" = {
      "name"      = "secrets"
      "namespace" = "flux-system"
    }
    "spec" = {
      "interval" = "10m0s"
      "path"     = "./secrets"
    }
  }
}

resource "kubectl_manifest" "apps" {
  yaml_body = yamlencode({
    apiVersion = "kustomize.toolkit.fluxcd.io/v1"
    kind       = "Kustomization"
    metadata = {
      name      = "platform"
      namespace = "flux-system"
      labels = merge(local.labels, {
        tier = "platform"
      })
    }
  })
}

resource "kubernetes_manifest" "vault" {
  manifest = {
    apiVersion = "kustomize.toolkit.fluxcd.io/v1"
    kind       = "Kustomization"
    metadata = {
      name      = "vault"
      namespace = var.namespace
    }
  }
}
"""


def dangling(root: Path) -> list[tuple[str, str, str]]:
    [cluster] = build_model(root).clusters
    return sorted((d.cls, d.file, d.message) for d in cluster.warnings if d.code == "FW-DEPENDSON-DANGLING")


def test_a_dependency_terraform_creates_is_a_limit_naming_the_resource(tmp_path: Path) -> None:
    files = gotk()
    files.update({"clusters/home/apps.yaml": ks("apps", "./apps", deps=("secrets", "platform", "vault", "typo")),
                  "apps/cm.yaml": cm("x"), "infra/flux/secrets.tf": TERRAFORM})
    [platform, secrets, typo, vault] = dangling(write(tmp_path, files))
    assert secrets == ("limit", "clusters/home/apps.yaml",
                       "Kustomization flux-system/apps depends on flux-system/secrets, which this cluster never "
                       "applies (unless the Terraform resource kubernetes_manifest.flux_secrets_kustomization at "
                       "infra/flux/secrets.tf:8, which flux-wiki does not run, creates it)")
    assert platform[0] == "limit" and "kubectl_manifest.apps at infra/flux/secrets.tf:24" in platform[2]
    assert typo[0] == vault[0] == "repo"  # a name nothing creates; a namespace Terraform computes


def test_a_dependency_terraform_creates_is_unknown_not_never_ready(tmp_path: Path) -> None:
    """Whether Terraform ran is not known here: the dependent's start is unknown, not never, so it is not
    "blocked" on the pages and the objects it applies count (a second copy of one is still a warning)."""
    files = gotk()
    files.update({"clusters/home/apps.yaml": ks("apps", "./apps", deps=("secrets",)) + "---\n"
                  + ks("more", "./more", deps=("typo",)) + "---\n" + ks("base", "./base"),
                  "apps/cm.yaml": cm("x", v="1"), "base/cm.yaml": cm("x", v="2"), "more/cm.yaml": cm("y"),
                  "infra/flux/secrets.tf": TERRAFORM})
    model = build_model(write(tmp_path, files))
    [cluster] = model.clusters
    order = model.facts[cluster.name].order
    assert sorted(order.blocked) == ["flux-system/more"]  # a dependency nothing creates: never
    assert order.starts("flux-system/apps") and order.ready_at("flux-system/apps") is None
    [twice] = [w for w in cluster.warnings if w.code == "FW-OBJECT-APPLIED-TWICE"]
    assert "also applied by Kustomization flux-system/apps (apps/cm.yaml:1)" in twice.message
