"""What ResourceSets generate joins the simulation: child Kustomizations, HelmReleases and sources."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.flux.entry import find_entries
from flux_wiki.load import Repo
from flux_wiki.render.inventory import inventory_json
from tests.simulate.test_simulate import gotk, ks, write

RESOURCESET = """\
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata:
  name: apps
  namespace: flux-system
spec:
  inputs:
    - name: podinfo
      url: oci://ghcr.io/stefanprodan/charts
    - name: redis
      url: https://charts.example.com
  resourcesTemplate: |
    ---
    apiVersion: source.toolkit.fluxcd.io/v1
    kind: HelmRepository
    metadata:
      name: << inputs.name >>
      namespace: flux-system
    spec:
      interval: 10m
      <<- if hasPrefix "oci://" inputs.url >>
      type: oci
      <<- end >>
      url: << inputs.url >>
    ---
    apiVersion: helm.toolkit.fluxcd.io/v2
    kind: HelmRelease
    metadata:
      name: << inputs.name >>
      namespace: flux-system
    spec:
      interval: 10m
      chart:
        spec:
          chart: << inputs.name >>
          sourceRef: {kind: HelmRepository, name: << inputs.name >>}
    ---
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata:
      name: << inputs.name >>-config
      namespace: flux-system
    spec:
      interval: 10m
      path: ./config/${cluster}/<< inputs.name >>
      prune: true
      sourceRef: {kind: GitRepository, name: flux-system}
"""


def repo_with_resourceset(root: Path) -> Path:
    files = gotk()
    files["clusters/home/apps.yaml"] = ks("apps", "./apps", extra="""
        postBuild:
          substitute: {cluster: home}""")
    files["apps/resourceset.yaml"] = RESOURCESET
    for app in ("podinfo", "redis"):
        files[f"config/home/{app}/cm.yaml"] = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {app}, namespace: default}}\n"
    return write(root, files)


def test_generated_kustomizations_are_nodes_applied_by_the_resourcesets_parent(tmp_path: Path) -> None:
    """flux-operator renders a ResourceSet after kustomize-controller applied it (postBuild first: the
    `${cluster}` in the template is the parent's variable); the Kustomizations it generates are reconciled
    like any other, applied by the Kustomization that applied the ResourceSet (DESIGN.md, flux-operator)."""
    model = build_model(repo_with_resourceset(tmp_path))
    [cluster] = model.clusters
    assert cluster.warnings == []
    node = cluster.kustomizations["flux-system/podinfo-config"]
    assert (node.parent, node.status, node.path) == ("flux-system/apps", "built", "./config/home/podinfo")
    assert [r.name for r in node.resources] == ["podinfo"]
    assert (node.file, node.line) == ("apps/resourceset.yaml", RESOURCESET.splitlines().index(
        "    apiVersion: kustomize.toolkit.fluxcd.io/v1") + 1)
    assert cluster.kustomizations["flux-system/redis-config"].status == "built"
    releases = {h.ident(): h for h in cluster.helm_releases}
    assert releases["flux-system/podinfo"].layer == "flux-system/apps"
    assert releases["flux-system/podinfo"].source_url == "oci://ghcr.io/stefanprodan/charts"
    apps = cluster.kustomizations["flux-system/apps"]
    repos = [r for r in apps.resources if r.kind == "HelmRepository"]
    assert [(r.name, r.spec.get("type")) for r in repos] == [("podinfo", "oci"), ("redis", None)]


def test_inventory_names_the_generator(tmp_path: Path) -> None:
    """The inventory JSON keeps its object summary and adds `generatedBy` (kind, namespace, name, file,
    line of the ResourceSet) to what a ResourceSet generated."""
    data = json.loads(inventory_json(build_model(repo_with_resourceset(tmp_path))))
    apps = next(k for k in data["clusters"][0]["kustomizations"] if k["id"] == "flux-system/apps")
    by_kind = {(o["kind"], o["name"]): o for o in apps["objects"]}
    assert "generatedBy" not in by_kind[("ResourceSet", "apps")]
    assert by_kind[("HelmRelease", "redis")]["generatedBy"] == {
        "kind": "ResourceSet", "namespace": "flux-system", "name": "apps", "file": "apps/resourceset.yaml", "line": 1}
    assert by_kind[("HelmRelease", "redis")]["file"] == "apps/resourceset.yaml"


def test_a_broken_resourceset_is_a_warning_and_the_rest_goes_on(tmp_path: Path) -> None:
    """flux-operator fails the ResourceSet (BuildFailed) and applies nothing from it; the Kustomization
    that applied it is still built, and the warning names the template line."""
    root = repo_with_resourceset(tmp_path)
    (root / "apps/resourceset.yaml").write_text(RESOURCESET.replace("<< inputs.url >>\n", "<< inputs.uri >>\n"))
    [cluster] = build_model(root).clusters
    [warning] = cluster.warnings
    assert warning.file == "apps/resourceset.yaml" and 'map has no entry for key "uri"' in warning.message
    assert RESOURCESET.splitlines()[warning.line - 1].strip() == "url: << inputs.url >>"
    assert cluster.kustomizations["flux-system/apps"].status == "built"
    assert "flux-system/podinfo-config" not in cluster.kustomizations


def test_live_input_providers_are_skipped_with_the_reason(tmp_path: Path) -> None:
    """A ResourceSet fed by a GitHubPullRequest ResourceSetInputProvider (preview environments) generates
    what flux-wiki cannot know: a notice, not a warning, so `--strict` passes."""
    root = repo_with_resourceset(tmp_path)
    (root / "apps/resourceset.yaml").write_text(RESOURCESET.replace(
        "  inputs:\n    - name: podinfo\n      url: oci://ghcr.io/stefanprodan/charts\n    - name: redis\n      url: https://charts.example.com\n",
        "  inputsFrom:\n    - {kind: ResourceSetInputProvider, name: previews}\n") + textwrap.dedent("""\
        ---
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSetInputProvider
        metadata: {name: previews, namespace: flux-system}
        spec:
          type: GitHubPullRequest
          url: https://github.com/example/app
        """))
    [cluster] = build_model(root).clusters
    assert cluster.warnings == []
    [notice] = [n for n in cluster.notices if "ResourceSet" in n.message]
    assert "GitHub pull requests" in notice.message and "skipped" in notice.message
    assert set(cluster.kustomizations) == {"flux-system/flux-system", "flux-system/apps"}


def test_flux_instance_wrapped_in_a_resourceset_is_an_entry_point(tmp_path: Path) -> None:
    """Issue 12 point 2: the flux-instance HelmRelease may be generated by a ResourceSet from inline
    inputs; entry detection sees the HelmRelease it generates and its `instance.sync`."""
    write(tmp_path, {
        "clusters/main/flux/flux-instance.yaml": textwrap.dedent("""\
            apiVersion: fluxcd.controlplane.io/v1
            kind: ResourceSet
            metadata: {name: flux, namespace: flux-system}
            spec:
              inputs:
                - {cluster: main, version: "2.x"}
              resources:
                - apiVersion: helm.toolkit.fluxcd.io/v2
                  kind: HelmRelease
                  metadata: {name: flux-instance, namespace: flux-system}
                  spec:
                    chart:
                      spec: {chart: flux-instance, sourceRef: {kind: HelmRepository, name: controlplane}}
                    values:
                      instance:
                        distribution: {version: << inputs.version | quote >>}
                        sync:
                          kind: GitRepository
                          url: https://github.com/example/fleet
                          ref: refs/heads/main
                          path: clusters/<< inputs.cluster >>/apps
            """),
        "clusters/main/apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n",
    })
    entries, diags = find_entries(Repo(tmp_path))
    assert diags == []
    [entry] = entries
    assert (entry.kind, entry.root_spec["path"], entry.file, entry.line) == (
        "flux-instance HelmRelease", "clusters/main/apps", "clusters/main/flux/flux-instance.yaml", 8)
    [cluster] = build_model(tmp_path).clusters
    assert cluster.root.status == "built"
