"""Clusters of one run share the surfaces of layers whose objects are the same (issue 14): counted, and equal to
extracting them again; a layer whose objects differ (another variable value) is extracted for each cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.analysis.surfaces import extract_surfaces
from flux_wiki.engine import build_model
from flux_wiki.load import Repo
from flux_wiki.model import Model

from ..support import CORPORA, gotk_sync

LAYER = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}, namespace: flux-system}}
spec:
  interval: 10m
  path: ./{name}
  prune: true
  sourceRef: {{kind: GitRepository, name: flux-system}}
  postBuild: {{substitute: {{DOMAIN: {domain}}}}}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {name}}}
spec: {{type: LoadBalancer, ports: [{{port: 80}}]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: {name}, namespace: {name}}}
spec: {{rules: [{{host: "{name}.${{DOMAIN}}"}}]}}
"""


def fresh(model: Model) -> dict[str, list]:
    """Every layer's surfaces extracted again, by cluster (as the model lists them: by sort key)."""
    out = {}
    for cluster in model.clusters:
        surfaces = [s for node in cluster.kustomizations.values()
                    for s in extract_surfaces(node.id, node.resources,
                                              [h for h in cluster.helm_releases if h.layer == node.id],
                                              lambda file, line, path: line)[0]]
        out[cluster.name] = sorted(surfaces, key=lambda s: s.sort_key())
    return out


def test_a_layer_the_same_in_two_clusters_is_extracted_once(tmp_path: Path) -> None:
    for cluster, domain in (("home", "home.example"), ("lab", "lab.example")):
        (tmp_path / "clusters" / cluster / "flux-system").mkdir(parents=True)
        (tmp_path / "clusters" / cluster / "flux-system" / "gotk-sync.yaml").write_text(gotk_sync(cluster))
        for name in ("same", "varies"):  # `same` substitutes the one domain both clusters give it
            given = "shared.example" if name == "same" else domain
            (tmp_path / "clusters" / cluster / f"{name}.yaml").write_text(LAYER.format(name=name, domain=given))
    for name in ("same", "varies"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "service.yaml").write_text(SERVICE.format(name=name))
    repo = Repo(tmp_path)
    model = build_model(repo)
    assert repo.cache.counts["surfaces reused"] == 1  # flux-system/same of the second cluster
    assert repo.cache.counts["surfaces extracted"] == 5  # both roots (their objects differ), `varies` twice, `same`
    hosts = {c.name: sorted(s.host or "" for s in c.surfaces if s.kind == "ingress") for c in model.clusters}
    assert hosts == {"home": ["same.shared.example", "varies.home.example"],
                     "lab": ["same.shared.example", "varies.lab.example"]}
    assert {c.name: c.surfaces for c in model.clusters} == fresh(model)
    home, lab = model.clusters
    assert all(a is not b for a in home.surfaces for b in lab.surfaces)  # each cluster has its own surfaces


def test_two_clusters_of_a_corpus_have_the_surfaces_extracting_them_again_gives() -> None:
    root = CORPORA / "angelnu__k8s-gitops"
    if not root.is_dir():
        pytest.skip("corpus not present")
    repo = Repo(root)
    model = build_model(repo)
    assert repo.cache.counts["surfaces reused"] > 0
    by_cluster = fresh(model)
    for cluster in model.clusters:  # the values lines aside (fresh() does not look them up)
        assert [(s.sort_key(), s.address, s.host, s.port) for s in cluster.surfaces] == \
            [(s.sort_key(), s.address, s.host, s.port) for s in by_cluster[cluster.name]]
