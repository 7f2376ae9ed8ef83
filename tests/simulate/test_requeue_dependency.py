"""kustomize-controller's ``--requeue-dependency`` where home-lab templates set it: in the ``spec.patches`` of the
Flux Kustomization that installs Flux (``kubernetes/flux/config/flux.yaml``, applied at bootstrap with the root, its
source an OCIRepository of the Flux manifests), or in what a peer of the root builds. The DAG page names the line."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.render.pages import PageRenderer, RenderOptions

from .test_bootstrap_peers import _repo
from .test_simulate import ks, write

_FLUX = """\
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: OCIRepository
metadata: {name: flux-manifests, namespace: flux-system}
spec: {interval: 10m, url: oci://ghcr.io/fluxcd/flux-manifests, ref: {tag: v2.4.0}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux, namespace: flux-system}
spec:
  interval: 10m
  path: ./
  prune: true
  wait: true
  sourceRef: {kind: OCIRepository, name: flux-manifests}
  patches:
    - patch: |
        - op: add
          path: /spec/template/spec/containers/0/args/-
          value: --concurrent=8
        - op: add
          path: /spec/template/spec/containers/0/args/-
          value: --requeue-dependency=5s
      target:
        kind: Deployment
        name: (kustomize-controller|helm-controller|source-controller)
"""


def test_the_flux_kustomizations_patches_set_the_requeue_interval(tmp_path: Path) -> None:
    _repo(tmp_path, "resources: [flux.yaml, cluster.yaml]\n")
    write(tmp_path, {"kubernetes/flux/config/flux.yaml": _FLUX})
    model = build_model(tmp_path)
    cluster = model.clusters[0]
    assert cluster.kustomizations["flux-system/flux"].bootstrap_peer
    assert (cluster.requeue_dependency, cluster.requeue_dependency_at) == ("5s", ("kubernetes/flux/config/flux.yaml", 16))
    facts = model.facts[cluster.name]
    assert facts.order.requeue_dependency == 5.0
    dag = PageRenderer(facts, RenderOptions()).dag_page().markdown
    assert "runs with `--requeue-dependency=5s` (`kubernetes/flux/config/flux.yaml:16`" in dag


def test_a_peers_own_kustomization_patches_set_it_too(tmp_path: Path) -> None:
    """A peer that applies the controllers from this repository: the patches of its kustomization file."""
    _repo(tmp_path, "resources: [cluster.yaml, flux-ks.yaml]\n")
    write(tmp_path, {
        "kubernetes/flux/config/flux-ks.yaml": ks("flux", "./kubernetes/bootstrap/flux", source="kind: GitRepository, "
                                                  "name: home-kubernetes, namespace: flux-system"),
        "kubernetes/bootstrap/flux/kustomization.yaml": (
            "resources: [gotk-components.yaml]\npatches:\n  - patch: |\n      - op: add\n"
            "        path: /spec/template/spec/containers/0/args/-\n        value: --requeue-dependency=10s\n"
            "    target: {kind: Deployment, name: kustomize-controller}\n"),
        "kubernetes/bootstrap/flux/gotk-components.yaml": "# a placeholder\n",
    })
    cluster = build_model(tmp_path).clusters[0]
    assert (cluster.requeue_dependency, cluster.requeue_dependency_at) == (
        "10s", ("kubernetes/bootstrap/flux/kustomization.yaml", 3))


def test_without_a_flag_the_default_is_not_attributed(tmp_path: Path) -> None:
    model = build_model(_repo(tmp_path))
    cluster = model.clusters[0]
    assert (cluster.requeue_dependency, cluster.requeue_dependency_at) == (None, None)
    assert "runs with `--requeue-dependency" not in PageRenderer(model.facts[cluster.name], RenderOptions()).dag_page().markdown
