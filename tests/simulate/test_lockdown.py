"""The controllers' flags the repository sets (flux/controller_flags.py).

Multi-tenancy lockdown: with ``--no-cross-namespace-refs=true`` kustomize-controller refuses a sourceRef in
another namespace than the Kustomization's (``getSource`` in internal/controller/kustomization_controller.go:
"can't access '<kind>/<ns>/<name>', cross-namespace references have been blocked"), and helm-controller
refuses a chart source in another namespace than the HelmRelease's (``aclAllowAccessTo``/``getHelmChart``).
``--requeue-dependency`` (default 30s) is how often a Kustomization waiting for its dependsOn is checked again.

The flags come from the Flux install the root applies (the bootstrap patches of the multi-tenancy lockdown
guide, fluxcd.io/flux/installation/configuration/multitenancy), or from a FluxInstance: its
``spec.cluster.multitenant: true`` (flux-operator sets the lockdown) and its ``spec.kustomize.patches``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_flux_instance import instance
from tests.simulate.test_simulate import gotk, ks, write

CONTROLLERS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: kustomize-controller, namespace: flux-system}
spec:
  template:
    spec:
      containers:
        - name: manager
          image: ghcr.io/fluxcd/kustomize-controller:v1.4.0
          args: [--watch-all-namespaces=true]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: helm-controller, namespace: flux-system}
spec:
  template:
    spec:
      containers:
        - name: manager
          image: ghcr.io/fluxcd/helm-controller:v1.1.0
          args: [--watch-all-namespaces=true]
"""

LOCKDOWN = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [gotk-components.yaml, gotk-sync.yaml]
patches:
  - patch: |
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --no-cross-namespace-refs=true
    target:
      kind: Deployment
      name: "(kustomize-controller|helm-controller)"
"""

TENANT = ks("tenant", "./tenant", ns="apps")  # its sourceRef names flux-system/flux-system
RELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec:
  interval: 1h
  chart:
    spec:
      chart: podinfo
      sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}
"""
OWN_NAMESPACE = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: apps}\n"


def lockdown_repo(tmp_path: Path, kustomization: str = LOCKDOWN) -> Path:
    files = gotk()
    files["clusters/home/flux-system/gotk-components.yaml"] = CONTROLLERS
    files["clusters/home/flux-system/kustomization.yaml"] = kustomization
    files.update({"clusters/home/tenant.yaml": TENANT, "tenant/cm.yaml": OWN_NAMESPACE,
                  "clusters/home/release.yaml": RELEASE})
    return write(tmp_path, files)


def codes(cluster) -> list[tuple[str, str, int]]:
    return sorted((w.code, w.file, w.line) for w in cluster.warnings if "CROSS-NAMESPACE" in w.code)


def test_a_cross_namespace_source_is_refused_under_the_lockdown_patches(tmp_path: Path) -> None:
    [cluster] = build_model(lockdown_repo(tmp_path)).clusters
    tenant = cluster.kustomizations["apps/tenant"]
    assert tenant.status == "error" and tenant.resources == []
    assert "GitRepository/flux-system/flux-system" in tenant.reason
    assert "cross-namespace references have been blocked" in tenant.reason
    assert "clusters/home/flux-system/gotk-components.yaml:1" in tenant.reason  # the Deployment with the flag
    assert codes(cluster) == [("FW-HELM-CROSS-NAMESPACE-REF", "clusters/home/release.yaml", 9),
                              ("FW-KS-CROSS-NAMESPACE-REF", "clusters/home/tenant.yaml", 10)]
    assert all(w.cls == "repo" for w in cluster.warnings if "CROSS-NAMESPACE" in w.code)


def test_without_the_flag_cross_namespace_sources_are_allowed(tmp_path: Path) -> None:
    plain = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" \
            "resources: [gotk-components.yaml, gotk-sync.yaml]\n"
    [cluster] = build_model(lockdown_repo(tmp_path, plain)).clusters
    assert cluster.kustomizations["apps/tenant"].status == "built"
    assert codes(cluster) == []
    off = LOCKDOWN.replace("--no-cross-namespace-refs=true", "--no-cross-namespace-refs=false")
    [cluster] = build_model(lockdown_repo(tmp_path / "off", off)).clusters
    assert codes(cluster) == []


def test_a_multitenant_flux_instance_blocks_cross_namespace_sources(tmp_path: Path) -> None:
    """d1-fleet's FluxInstance: `cluster.multitenant: true`; its tenants keep their sources in their namespace."""
    sync = "{kind: GitRepository, url: https://example.com/ops.git, ref: refs/heads/main, path: clusters/prod}"
    cluster_spec = textwrap.dedent("""\
        cluster:
          multitenant: true
        """)
    same = ks("infra", "./infra")  # flux-system, like its source: allowed
    repo = write(tmp_path, {"clusters/prod/flux.yaml": instance(sync, extra=cluster_spec),
                            "clusters/prod/tenant.yaml": TENANT, "clusters/prod/infra.yaml": same,
                            "tenant/cm.yaml": OWN_NAMESPACE, "infra/cm.yaml": OWN_NAMESPACE})
    [cluster] = build_model(repo).clusters
    assert cluster.kustomizations["flux-system/infra"].status == "built"
    tenant = cluster.kustomizations["apps/tenant"]
    assert tenant.status == "error"
    assert "spec.cluster.multitenant (clusters/prod/flux.yaml:8)" in tenant.reason
    assert codes(cluster) == [("FW-KS-CROSS-NAMESPACE-REF", "clusters/prod/tenant.yaml", 10)]
    plain = write(tmp_path / "plain", {"clusters/prod/flux.yaml": instance(sync),
                                       "clusters/prod/tenant.yaml": TENANT, "tenant/cm.yaml": OWN_NAMESPACE})
    [cluster] = build_model(plain).clusters
    assert cluster.kustomizations["apps/tenant"].status == "built"


def test_the_lockdown_patches_count_when_gotk_components_is_a_placeholder(tmp_path: Path) -> None:
    """fluxcd/flux2-multi-tenancy keeps bootstrap's comment-only gotk-components.yaml: the Deployments the
    patches target are not in the repository, but the cluster runs with the flag."""
    repo = lockdown_repo(tmp_path)
    (repo / "clusters/home/flux-system/gotk-components.yaml").write_text(
        "# This file will be generated automatically by flux boostrap.\n")
    [cluster] = build_model(repo).clusters
    tenant = cluster.kustomizations["apps/tenant"]
    assert tenant.status == "error"
    assert "set by the patch at clusters/home/flux-system/kustomization.yaml:5" in tenant.reason
    only_helm = LOCKDOWN.replace('"(kustomize-controller|helm-controller)"', "helm-controller")
    [cluster] = build_model(lockdown_repo(tmp_path / "helm", only_helm)).clusters
    assert cluster.kustomizations["apps/tenant"].status == "built"


def test_a_flux_instance_patch_sets_the_flags_too(tmp_path: Path) -> None:
    """d1-fleet patches its FluxInstance's controllers with `--requeue-dependency=10s`; a patch can also set the
    lockdown without `cluster.multitenant`."""
    sync = "{kind: GitRepository, url: https://example.com/ops.git, ref: refs/heads/main, path: clusters/prod}"
    patches = textwrap.dedent("""\
        kustomize:
          patches:
            - target: {kind: Deployment, name: "(kustomize-controller|helm-controller|source-controller)"}
              patch: |
                - op: add
                  path: /spec/template/spec/containers/0/args/-
                  value: --requeue-dependency=10s
                - op: add
                  path: /spec/template/spec/containers/0/args/-
                  value: --no-cross-namespace-refs=true
        """)
    repo = write(tmp_path, {"clusters/prod/flux.yaml": instance(sync, extra=patches),
                            "clusters/prod/tenant.yaml": TENANT, "tenant/cm.yaml": OWN_NAMESPACE})
    [cluster] = build_model(repo).clusters
    assert cluster.requeue_dependency == "10s"
    assert "set by the patch at clusters/prod/flux.yaml:9" in cluster.kustomizations["apps/tenant"].reason


def test_the_requeue_interval_the_controller_runs_with_times_the_critical_path(tmp_path: Path) -> None:
    """kustomize-controller checks a Kustomization whose dependsOn is not Ready again every --requeue-dependency."""
    fast = LOCKDOWN.replace("--no-cross-namespace-refs=true", "--requeue-dependency=5s")
    files = {**gotk(), "clusters/home/flux-system/gotk-components.yaml": CONTROLLERS,
             "clusters/home/flux-system/kustomization.yaml": fast,
             "clusters/home/a.yaml": ks("a", "./tenant", extra="wait: true\ntimeout: 1m"),
             "clusters/home/b.yaml": ks("b", "./tenant", deps=("a",)), "tenant/cm.yaml": OWN_NAMESPACE}
    [cluster] = build_model(write(tmp_path, files)).clusters
    assert cluster.requeue_dependency == "5s"
    from flux_wiki.analysis.order import EffectiveOrder

    order = EffectiveOrder.of(cluster)
    assert order.requeue_dependency == 5.0
    assert order.critical_path(among=["flux-system/a", "flux-system/b"]).bound == 65.0


def test_under_the_lockdown_a_missing_source_is_not_fixed_by_naming_another_namespace(tmp_path: Path) -> None:
    """A sourceRef without a namespace looks in the Kustomization's own: the usual advice (name the namespace
    the cluster has the source in) is refused under the lockdown."""
    files = {"clusters/home/tenant.yaml": ks("tenant", "./tenant", ns="apps", source="kind: GitRepository, "
                                                                                   "name: flux-system")}
    repo = lockdown_repo(tmp_path)
    write(repo, files)
    [cluster] = build_model(repo).clusters
    [warning] = [w for w in cluster.warnings if w.code == "FW-KS-SOURCE-MISSING"]
    assert "set sourceRef.namespace" not in warning.message
    assert "put one in apps" in warning.message


def test_a_multitenant_flux_instance_without_sync_applied_by_the_root_blocks_them_too(tmp_path: Path) -> None:
    """flux-operator without a sync: the FluxInstance the hand-applied root applies sets the lockdown all the same."""
    no_sync = instance("null", extra="cluster:\n  multitenant: true\n")
    files = gotk() | {"clusters/home/flux.yaml": no_sync, "clusters/home/tenant.yaml": TENANT,
                      "tenant/cm.yaml": OWN_NAMESPACE}
    [cluster] = build_model(write(tmp_path, files)).clusters
    tenant = cluster.kustomizations["apps/tenant"]
    assert tenant.status == "error" and "clusters/home/flux.yaml:8" in tenant.reason
    assert codes(cluster) == [("FW-KS-CROSS-NAMESPACE-REF", "clusters/home/tenant.yaml", 10)]
