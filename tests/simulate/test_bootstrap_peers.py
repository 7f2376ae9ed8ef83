"""Kustomizations applied by hand with the root, by the same ``kubectl apply -k`` of the bootstrap folder (home-lab
templates' ``kubernetes/flux/config``: the GitRepository, the root ``cluster`` and ``cluster-apps`` side by side).
They exist from bootstrap whether or not the root's path applies them again: peers of the root, roots of the tree
themselves, whose subtrees Flux reconciles. A ``dependsOn`` on one is not dangling."""

from __future__ import annotations

import json
from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.render.inventory import inventory_json
from flux_wiki.render.pages import PageRenderer, RenderOptions

from .test_simulate import ks, write

_SOURCE = "kind: GitRepository, name: home-kubernetes, namespace: flux-system"
_GIT = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: home-kubernetes, namespace: flux-system}
spec: {interval: 2h, ref: {branch: main}, url: https://github.com/me/home-ops}
---
"""


def _repo(root: Path, bootstrap: str = "resources: [cluster.yaml]\n") -> Path:
    return write(root, {
        "kubernetes/flux/config/kustomization.yaml": bootstrap,
        "kubernetes/flux/config/cluster.yaml": _GIT + ks("cluster", "./kubernetes/flux", source=_SOURCE) + "---\n"
                                               + ks("cluster-apps", "./kubernetes/apps", source=_SOURCE),
        # beside the bootstrap files but not in its build: kubectl never applies it
        "kubernetes/flux/config/stray.yaml": ks("stray", "./kubernetes/stray", source=_SOURCE),
        # the root's path applies infra only (its kustomization leaves config/ out)
        "kubernetes/flux/kustomization.yaml": "resources: [infra.yaml]\n",
        "kubernetes/flux/infra.yaml": ks("infra", "./kubernetes/infra", deps=("cluster-apps",), source=_SOURCE),
        "kubernetes/infra/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: infra, namespace: default}\n",
        "kubernetes/apps/web/ks.yaml": ks("web", "./kubernetes/apps/web/app", source=_SOURCE),
        "kubernetes/apps/web/app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\n",
    })


def test_a_kustomization_of_the_bootstrap_build_is_a_peer_of_the_root(tmp_path: Path) -> None:
    model = build_model(_repo(tmp_path))
    cluster = model.clusters[0]
    nodes = cluster.kustomizations
    assert {k.id: (k.status, k.parent, k.bootstrap_peer) for k in nodes.values()} == {
        "flux-system/cluster": ("built", None, False),
        "flux-system/infra": ("built", "flux-system/cluster", False),
        "flux-system/cluster-apps": ("built", None, True),
        "flux-system/web": ("built", "flux-system/cluster-apps", False),
    }
    assert not [w for w in cluster.warnings if w.code == "FW-DEPENDSON-DANGLING"]
    facts = model.facts[cluster.name]
    assert facts.order.roots == ["flux-system/cluster-apps"] and not facts.order.blocked
    [peer] = [k for k in json.loads(inventory_json(model))["clusters"][0]["kustomizations"] if k.get("appliedAtBootstrap")]
    assert peer["id"] == "flux-system/cluster-apps" and peer["appliedAtBootstrap"] is True
    dag = PageRenderer(facts, RenderOptions()).dag_page().markdown
    assert "applied at bootstrap" in dag and "kubernetes/flux/config" in dag


def test_only_what_the_bootstrap_build_holds_is_a_peer(tmp_path: Path) -> None:
    """A bootstrap kustomization that lists the root's file alone: cluster-apps is in that file, so it is applied;
    a folder whose kustomization does not list the entry's file is not what bootstrap applies."""
    cluster = build_model(_repo(tmp_path, "resources: [stray.yaml]\n")).clusters[0]
    assert "flux-system/stray" not in cluster.kustomizations
    assert "flux-system/cluster-apps" in cluster.kustomizations  # the file kubectl applies: cluster.yaml itself
