"""A run that simulates several clusters builds each (path, overrides) once and hands later clusters a copy
(flux/kustomize/reuse.py, issue 14): the clusters come out as each simulated alone."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.engine import build_model
from flux_wiki.load import ParseCache
from flux_wiki.render.inventory import cluster_dict

from ..support import gotk_sync

LAYER = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}, namespace: flux-system}}
spec:
  interval: 10m
  path: ./layers/{name}
  prune: true
  sourceRef: {{kind: GitRepository, name: flux-system}}
{extra}"""
# a namespaced object, and a cluster-scoped one kustomize gives a namespace that the simulation then drops
# (a later stage changing an object in place: the kept build must not see it)
OBJECTS = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec: {{ports: [{{port: 80}}]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {name}-reader}}
rules: []
"""
KUSTOMIZATION = "resources: [objects.yaml]\nnamespace: {name}\n"

NAMES = ("a", "b", "c")
Layers = dict[str, str | None]  # layer -> the targetNamespace a cluster gives it (None: none)
clusters = st.fixed_dictionaries({c: st.dictionaries(st.sampled_from(NAMES), st.sampled_from([None, "x", "y"]),
                                                     min_size=1) for c in ("home", "lab")})


def write_repo(root: Path, layers_of: dict[str, Layers]) -> None:
    files = {}
    for name in NAMES:
        files[f"layers/{name}/objects.yaml"] = OBJECTS.format(name=name)
        files[f"layers/{name}/kustomization.yaml"] = KUSTOMIZATION.format(name=name)
    for cluster, layers in layers_of.items():
        files[f"clusters/{cluster}/flux-system/gotk-sync.yaml"] = gotk_sync(cluster)
        for name, target in layers.items():
            files[f"clusters/{cluster}/{name}.yaml"] = LAYER.format(
                name=name, extra=f"  targetNamespace: {target}\n" if target else "")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


@settings(max_examples=15, deadline=None)
@given(clusters)
def test_several_clusters_build_each_path_once_and_equal_each_cluster_alone(layers_of: dict[str, Layers]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_repo(root, layers_of)
        cache = ParseCache()
        both = build_model(root, cache=cache)
        assert [c.name for c in both.clusters] == ["home", "lab"]
        # each cluster's root path, and each (layer, targetNamespace) pair, is built once
        distinct = {(name, target) for layers in layers_of.values() for name, target in layers.items()}
        assert cache.counts["kustomize builds"] == 2 + len(distinct)
        assert cache.counts["kustomize reused"] == sum(map(len, layers_of.values())) - len(distinct)
        for cluster in both.clusters:
            alone_cache = ParseCache()
            alone = build_model(root, clusters=[cluster.name], cache=alone_cache)
            assert alone_cache.counts["kustomize reused"] == 0  # one cluster: nothing is kept
            assert cluster_dict(both.facts[cluster.name]) == cluster_dict(alone.facts[cluster.name])
            reader = next(r for k in cluster.kustomizations.values() for r in k.resources if r.kind == "ClusterRole")
            assert "namespace" not in reader.metadata
