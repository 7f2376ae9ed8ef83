"""A FluxInstance (and the flux-instance chart) as flux-operator builds it: the sync source and root
Kustomization named ``sync.name`` (default: the instance's namespace) in the instance's namespace, the
instance's kustomize patches applied to them, and the controllers with their images.

Followed: flux-operator ``internal/builder/build.go`` + ``templates.go`` (the sync template:
GitRepository ``ref.name``, OCIRepository ``ref.tag``, Bucket ``bucketName``; ``secretRef`` from
``pullSecret``; both objects named ``sync.name``), ``internal/builder/images.go`` (image repository
``<registry>/<component>``), ``api/v1/fluxinstance_types.go`` (GetComponents' default four) and
``docs/api/v1/fluxinstance.md`` (``sync.name`` defaults to the FluxInstance namespace; ``interval`` to 1m).
The chart: ``charts/flux-instance/templates/instance.yaml`` renders ``instance.*`` into a FluxInstance in the
release namespace, with ``instance.distribution.registry`` defaulting to ``ghcr.io/fluxcd``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.flux.entry import find_entries
from flux_wiki.flux.instance import FluxInstanceSpec, sync_objects
from flux_wiki.load import Repo
from tests.simulate.test_simulate import ks, write


def instance(sync: str, *, namespace: str = "flux-system", extra: str = "") -> str:
    return textwrap.dedent(f"""\
        apiVersion: fluxcd.controlplane.io/v1
        kind: FluxInstance
        metadata: {{name: flux, namespace: {namespace}}}
        spec:
          distribution: {{version: "2.9.x", registry: ghcr.io/fluxcd}}
          sync: {sync}
        """) + textwrap.indent(textwrap.dedent(extra), "  ")


def test_sync_name_names_the_source_and_the_root_kustomization(tmp_path: Path) -> None:
    """angelnu's pattern: `sync.name: cluster-repository`, and every child's sourceRef names it."""
    repo = write(tmp_path, {
        "clusters/prod/flux.yaml": instance("{name: cluster-repository, kind: GitRepository, "
                                            "url: https://example.com/ops.git, ref: refs/tags/production, "
                                            "path: clusters/prod/config}"),
        "clusters/prod/config/apps.yaml": ks("apps", "./apps", source="kind: GitRepository, name: cluster-repository"),
        "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n",
    })
    [cluster] = build_model(repo).clusters
    assert cluster.root_id == "flux-system/cluster-repository"
    assert (cluster.source.kind, cluster.source.name, cluster.source.ref) == \
        ("GitRepository", "cluster-repository", {"tag": "production"})
    assert {k.id: k.status for k in cluster.kustomizations.values()} == {
        "flux-system/cluster-repository": "built", "flux-system/apps": "built"}


def test_the_default_name_is_the_instance_namespace(tmp_path: Path) -> None:
    repo = write(tmp_path, {
        "clusters/edge/flux.yaml": instance("{kind: GitRepository, url: https://example.com/ops.git, "
                                            "ref: refs/heads/main, path: clusters/edge/config}", namespace="flux"),
        "clusters/edge/config/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n",
    })
    [entry], _ = find_entries(Repo(repo))
    assert (entry.root_namespace, entry.root_name) == ("flux", "flux")
    assert entry.root_spec["sourceRef"] == {"kind": "GitRepository", "name": "flux"}
    assert (entry.source.namespace, entry.source.name) == ("flux", "flux")


def test_sync_objects_follow_the_builder_template() -> None:
    def built(sync: dict[str, str]) -> list[dict]:
        spec = FluxInstanceSpec.parse({"sync": {"url": "oci://r/x", "path": "p", "ref": "r", **sync}})
        return sync_objects(spec, "flux-system")

    git, root = built({"kind": "GitRepository", "ref": "refs/heads/main", "pullSecret": "creds", "interval": "5m"})
    assert git["spec"] == {"interval": "5m", "ref": {"name": "refs/heads/main"}, "secretRef": {"name": "creds"},
                           "url": "oci://r/x"}
    assert root["spec"] == {"interval": "10m0s", "path": "p", "prune": True,
                            "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}
    oci, _ = built({"kind": "OCIRepository", "ref": "latest"})
    assert oci["spec"]["ref"] == {"tag": "latest"} and oci["spec"]["interval"] == "1m"
    bucket, _ = built({"kind": "Bucket", "ref": "fleet", "url": "minio.example.com", "provider": "aws"})
    assert bucket["spec"] == {"interval": "1m", "bucketName": "fleet", "provider": "aws",
                              "endpoint": "minio.example.com"}


def test_instance_patches_reach_the_sync_objects(tmp_path: Path) -> None:
    """tyriis patches `spec.ignore` into the sync GitRepository; a patch on the root Kustomization (postBuild)
    applies too, and a Deployment patch is flux-operator's own business."""
    patches = """\
        kustomize:
          patches:
            - target: {kind: GitRepository, name: flux-system}
              patch: |
                - op: add
                  path: /spec/ignore
                  value: |
                    /*
                    !/kubernetes
            - target: {kind: Kustomization}
              patch: |
                - op: add
                  path: /spec/postBuild
                  value: {substitute: {CLUSTER: prod}}
            - target: {kind: Deployment, name: kustomize-controller}
              patch: |
                - op: add
                  path: /spec/template/spec/containers/0/args/-
                  value: --concurrent=20
        """
    repo = write(tmp_path, {
        "kubernetes/flux/instance.yaml": instance("{kind: GitRepository, url: https://example.com/ops.git, "
                                                  "ref: refs/heads/main, path: kubernetes/clusters/main}",
                                                  extra=patches),
        "kubernetes/clusters/main/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n"
                                            "data: {cluster: \"${CLUSTER}\"}\n",
        "outside/also.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n",
    })
    [cluster] = build_model(repo).clusters
    assert cluster.source.ignore is not None and "!/kubernetes" in cluster.source.ignore
    assert Repo(repo).with_ignore(cluster.source.ignore).walk_yaml() == [
        "kubernetes/clusters/main/cm.yaml", "kubernetes/flux/instance.yaml"]
    [cm] = [r for r in cluster.root.resources if r.kind == "ConfigMap"]
    assert cm.obj["data"] == {"cluster": "prod"}


def test_a_patch_flux_operator_cannot_apply_is_reported(tmp_path: Path) -> None:
    patches = """\
        kustomize:
          patches:
            - target: {kind: GitRepository}
              patch: |
                - op: replace
                  path: /spec/nothing/here
                  value: 1
        """
    repo = write(tmp_path, {"flux.yaml": instance("{kind: GitRepository, url: https://x/y.git, ref: refs/heads/main, "
                                                  "path: apps}", extra=patches)})
    entries, diags = find_entries(Repo(repo))
    assert not entries
    [d] = diags
    assert (d.file, d.code, d.cls) == ("flux.yaml", "FW-ENTRY-INVALID", "repo")
    assert "flux-operator fails to build the instance" in d.message


def test_components_and_their_images(tmp_path: Path) -> None:
    repo = write(tmp_path, {
        "clusters/a/flux.yaml": instance("{kind: GitRepository, url: https://x/y.git, ref: refs/heads/main, "
                                         "path: clusters/a/apps}", extra="components: [source-controller, "
                                                                          "kustomize-controller]\n"),
        "clusters/a/apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n",
    })
    [cluster] = build_model(repo).clusters
    assert [(c.name, c.image, c.distribution, c.line) for c in cluster.controllers] == [
        ("source-controller", "ghcr.io/fluxcd/source-controller", "2.9.x", 7),
        ("kustomize-controller", "ghcr.io/fluxcd/kustomize-controller", "2.9.x", 7)]


def test_a_flux_instance_without_sync_applied_by_the_root_installs_the_controllers(tmp_path: Path) -> None:
    """flux-operator without sync: the root comes from a GitRepository and Kustomization applied by hand, and
    the FluxInstance that root applies is what installs the controllers the page lists."""
    sync = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: home, namespace: flux-system}\n"
            "spec: {interval: 1m, url: https://x/y.git, ref: {branch: main}}\n---\n" + ks("home", "./clusters/a",
                                                                                          source="kind: GitRepository, name: home"))
    no_sync = instance("null", extra="components: [source-controller, kustomize-controller]\n")
    repo = write(tmp_path, {"clusters/a/flux-system/sync.yaml": sync, "clusters/a/flux-system/flux.yaml": no_sync})
    [cluster] = build_model(repo).clusters
    assert [(c.name, c.image, c.distribution, c.file, c.line) for c in cluster.controllers] == [
        ("source-controller", "ghcr.io/fluxcd/source-controller", "2.9.x", "clusters/a/flux-system/flux.yaml", 7),
        ("kustomize-controller", "ghcr.io/fluxcd/kustomize-controller", "2.9.x", "clusters/a/flux-system/flux.yaml", 7)]


def test_a_flux_instance_without_sync_says_why_it_is_no_entry_point(tmp_path: Path) -> None:
    """simonkran/poor-mans-platform: the only FluxInstance has no spec.sync, and "no entry point found (...
    FluxInstance ...)" alone read as if flux-wiki had missed it."""
    repo = write(tmp_path, {"flux/instance.yaml": instance("null")})
    entries, diags = find_entries(Repo(repo))
    assert entries == []
    assert [(d.file, d.line, d.code, d.severity, d.cls, d.message) for d in diags] == [
        ("flux/instance.yaml", 1, "FW-ENTRY-NO-SYNC", "info", "limit", "FluxInstance flux-system/flux has no "
         "spec.sync with a path: it installs Flux and syncs nothing, so it is not an entry point")]


def test_the_chart_with_plain_values_and_a_sync_name(tmp_path: Path) -> None:
    """The flux-instance HelmRelease with inline values: the FluxInstance lands in the target namespace, the
    registry is the chart's default, and no components means flux-operator's default four."""
    release = textwrap.dedent("""\
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: flux-instance, namespace: flux-system}
        spec:
          interval: 10m
          chartRef: {kind: OCIRepository, name: flux-instance}
          targetNamespace: gitops
          values:
            instance:
              distribution: {version: "2.x"}
              sync:
                name: fleet
                kind: OCIRepository
                url: oci://ghcr.io/example/fleet
                ref: latest
                path: clusters/prod
        """)
    repo = write(tmp_path, {
        "infra/flux/helmrelease.yaml": release,
        "clusters/prod/apps.yaml": ks("apps", "./apps", ns="gitops", source="kind: OCIRepository, name: fleet"),
        "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n",
    })
    [cluster] = build_model(repo).clusters
    assert cluster.root_id == "gitops/fleet"
    assert (cluster.source.kind, cluster.source.namespace, cluster.source.ref) == \
        ("OCIRepository", "gitops", {"tag": "latest"})
    assert cluster.kustomizations["gitops/apps"].status == "built"
    assert [c.image for c in cluster.controllers] == [f"ghcr.io/fluxcd/{c}" for c in (
        "source-controller", "kustomize-controller", "helm-controller", "notification-controller")]


_WRAPPED = {
    "clusters/home/flux-instance/resourceset.yaml": textwrap.dedent("""\
        apiVersion: fluxcd.controlplane.io/v1
        kind: ResourceSet
        metadata: {name: flux, namespace: flux-system}
        spec:
          inputs:
            - version: "2.x"
          resources:
            - apiVersion: helm.toolkit.fluxcd.io/v2
              kind: HelmRelease
              metadata: {name: flux-instance, namespace: flux-system}
              spec:
                interval: 1h
                chartRef: {kind: OCIRepository, name: flux-instance}
                values:
                  instance:
                    distribution: {version: "<< inputs.version >>", registry: ghcr.io/fluxcd}
                valuesFrom:
                  - kind: ConfigMap
                    name: flux-instance-values
                    valuesKey: values.yaml
        """),
    "clusters/home/flux-instance/kustomization.yaml": textwrap.dedent("""\
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources: [resourceset.yaml]
        configMapGenerator:
          - name: flux-instance-values
            namespace: flux-system
            files: [values.yaml]
        configurations: [kustomizeconfig.yaml]
        """),
    "clusters/home/flux-instance/kustomizeconfig.yaml": textwrap.dedent("""\
        nameReference:
          - kind: ConfigMap
            version: v1
            fieldSpecs:
              - kind: ResourceSet
                path: spec/resources/spec/valuesFrom/name
        """),
    "clusters/home/flux-instance/values.yaml": textwrap.dedent("""\
        instance:
          sync:
            kind: GitRepository
            url: https://example.com/home-ops.git
            ref: refs/heads/main
            path: clusters/home/apps
            name: home-ops
        """),
    "clusters/home/apps/web.yaml": ks("web", "./web", source="kind: GitRepository, name: home-ops"),
    "web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\n",
}


def test_a_resourceset_wrapped_release_with_values_from_a_generated_configmap(tmp_path: Path) -> None:
    """The flux-instance HelmRelease a ResourceSet generates (flux-operator docs/api/v1/resourceset.md: inline
    ``inputs`` × ``resources``), whose ``instance.sync`` comes through ``valuesFrom`` (helm-controller
    docs/spec/v2/helmreleases.md: ``valuesKey`` of a ConfigMap in the release namespace) from a
    ``configMapGenerator`` ConfigMap: hash-suffixed, its name rewritten in the ResourceSet through
    ``configurations:``. kubectl kustomize shows the chain is whole; the entry follows it, and ``sync.name``
    names the source every child uses."""
    from tests.kustomize.kustomize_kubectl import KUBECTL, kubectl_build

    repo = write(tmp_path, _WRAPPED)
    if KUBECTL:  # the reference: the fixture is a chain Flux follows
        objs, err = kubectl_build(str(repo / "clusters/home/flux-instance"))
        assert objs is not None, err
        [cm] = [o for o in objs if o["kind"] == "ConfigMap"]
        [rset] = [o for o in objs if o["kind"] == "ResourceSet"]
        assert cm["metadata"]["name"].startswith("flux-instance-values-")
        assert rset["spec"]["resources"][0]["spec"]["valuesFrom"][0]["name"] == cm["metadata"]["name"]
    [cluster] = build_model(repo).clusters
    assert (cluster.entry_kind, cluster.source.name, cluster.source.url, cluster.source.ref) == (
        "flux-instance HelmRelease", "home-ops", "https://example.com/home-ops.git", {"branch": "main"})
    assert {k.id: k.status for k in cluster.kustomizations.values()} == {
        "flux-system/home-ops": "built", "flux-system/web": "built"}


def test_a_patch_target_kind_is_a_regex(tmp_path: Path) -> None:
    """docs/guides/instance/instance-customization.md "Cluster sync semver range": `kind:
    (GitRepository|OCIRepository)` is a regular expression to kustomize, so the sync source gets the semver."""
    patches = """\
        kustomize:
          patches:
            - target: {kind: (GitRepository|OCIRepository)}
              patch: |
                - op: replace
                  path: /spec/ref
                  value: {semver: ">=1.0.0-0"}
        """
    repo = write(tmp_path, {
        "clusters/prod/flux.yaml": instance("{kind: OCIRepository, url: oci://ghcr.io/org/fleet, ref: latest, "
                                            "path: clusters/prod}", extra=patches),
        "clusters/prod/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n",
    })
    [entry], _ = find_entries(Repo(repo))
    assert entry.source.ref == {"semver": ">=1.0.0-0"}


def test_a_flux_instance_not_named_flux_is_refused(tmp_path: Path) -> None:
    """flux-operator api/v1: ``+kubebuilder:validation:XValidation:rule="self.metadata.name == 'flux'"`` ("the only
    accepted name for a FluxInstance is 'flux'"): the API server refuses a per-cluster name such as flux-dev
    (breauxaj/flux-example), so the instance syncs nothing."""
    sync = "{kind: GitRepository, url: https://x/y.git, ref: refs/heads/main, path: clusters/dev}"
    repo = write(tmp_path, {
        "clusters/dev/flux-system/flux-instance.yaml": instance(sync).replace("name: flux,", "name: flux-dev,"),
        "clusters/dev/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n"})
    entries, diags = find_entries(Repo(repo))
    assert not [e for e in entries if e.kind == "FluxInstance"]
    [d] = [d for d in diags if d.code == "FW-ENTRY-INVALID"]
    assert (d.file, d.line, d.cls) == ("clusters/dev/flux-system/flux-instance.yaml", 3, "repo")
    assert d.message == ("FluxInstance flux-dev: metadata.name: the only accepted name for a FluxInstance is 'flux' "
                         "(the API server rejects it)")


def test_a_kustomization_applying_a_flux_instance_not_named_flux_fails(tmp_path: Path) -> None:
    sync = "{kind: GitRepository, url: https://x/y.git, ref: refs/heads/main, path: clusters/home}"
    repo = write(tmp_path, {
        "clusters/home/flux-system/flux.yaml": instance(sync),
        "clusters/home/other.yaml": instance(sync).replace("name: flux,", "name: other,")})
    [cluster] = build_model(repo).clusters
    [w] = [w for w in cluster.warnings if w.code == "FW-SCHEMA-REJECTED"]
    assert (w.file, w.message) == ("clusters/home/other.yaml", (
        "FluxInstance flux-system/other: metadata.name: the only accepted name for a FluxInstance is 'flux' (the API "
        "server rejects it; Kustomization flux-system/flux-system fails to apply)"))


def test_flux_instance_enums_are_checked(tmp_path: Path) -> None:
    """api/v1 fluxinstance_types.go: ``sync.kind`` Enum=OCIRepository;GitRepository;Bucket, ``cluster.type``
    Enum=kubernetes;openshift;aws;azure;gcp, ``cluster.size`` Enum=small;medium;large: a misspelt size
    (lebreuil/infrastructure wrote ``size: smal``) is refused by the API server, so the instance syncs nothing."""
    sync = "{kind: GitRepository, url: https://x/y.git, ref: refs/heads/main, path: apps}"
    repo = write(tmp_path, {"flux.yaml": instance(sync, extra="cluster: {type: kubernetes, size: smal}\n")})
    entries, diags = find_entries(Repo(repo))
    assert not entries
    assert [d.message for d in diags if d.code == "FW-ENTRY-INVALID"] == [
        "FluxInstance flux: spec.cluster.size: must be one of small, medium or large (the API server rejects it)"]
    bad_kind = "{kind: HelmRepository, url: https://x/y.git, ref: refs/heads/main, path: apps}"
    _, diags = find_entries(Repo(write(tmp_path / "kind", {"flux.yaml": instance(bad_kind)})))
    assert [d.message for d in diags if d.code == "FW-ENTRY-INVALID"] == [
        "FluxInstance flux: spec.sync.kind: must be one of OCIRepository, GitRepository or Bucket (the API server "
        "rejects it)"]
    good = instance(sync, extra="cluster: {type: openshift, size: large}\n")
    entries, diags = find_entries(Repo(write(tmp_path / "good", {"flux.yaml": good})))
    assert len(entries) == 1 and not [d for d in diags if d.code == "FW-ENTRY-INVALID"]


def test_no_entry_point_names_the_refused_flux_instances(tmp_path: Path) -> None:
    """Every entry point the repository has is refused: FW-ENTRY-NONE says so instead of "none found", so the
    reader fixes the FluxInstance rather than setting `entry`."""
    sync = "{kind: GitRepository, url: https://x/y.git, ref: refs/heads/main, path: clusters/dev}"
    repo = write(tmp_path, {
        "clusters/dev/flux-system/flux-instance.yaml": instance(sync).replace("name: flux,", "name: flux-dev,"),
        "clusters/prod/flux-system/flux-instance.yaml": instance(sync).replace("name: flux,", "name: flux-prod,")})
    model = build_model(repo)
    assert not model.clusters
    [none] = [d for d in model.diagnostics if d.code == "FW-ENTRY-NONE"]
    assert none.message == ("no Flux entry point the API server accepts: the one at "
                            "clusters/dev/flux-system/flux-instance.yaml:3 (and 1 more) is refused (FW-ENTRY-INVALID); "
                            "fix it, or set `entry` to a path")
