"""The layer DAG of a real 93-Kustomization repo: an overview of its namespaces, the full graph grouped, renderable,
deterministic."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from flux_wiki.analysis.facts import ClusterFacts
from flux_wiki.render.diagrams import layer_dag_dot
from flux_wiki.render.svg import SVG_NS, SvgRenderer, find_engine

from .conftest import url_for
from ..support import CORPORA

BJWS = CORPORA / "bjw-s-labs__home-ops"

pytestmark = pytest.mark.corpora


@pytest.fixture(scope="module")
def bjws_cluster():
    if not BJWS.is_dir():
        pytest.skip("corpus bjw-s-labs__home-ops is not available")
    from flux_wiki.analysis.dag import apply_order
    from flux_wiki.flux.entry import find_entries
    from flux_wiki.flux.simulate import simulate
    from flux_wiki.load.repo import Repo

    repo = Repo(BJWS)
    entries, _ = find_entries(repo)
    cluster = simulate(repo, entries[0])
    return ClusterFacts(cluster, apply_order(cluster))


def test_bjws_dag_is_grouped_by_namespace_and_renders(bjws_cluster):
    layers = [layer.node for layer in bjws_cluster.layers]
    assert len(layers) > 40
    namespaces = {k.namespace for k in layers}
    overview = layer_dag_dot(bjws_cluster, url_for)
    assert overview.count('[label="namespace ') == len(namespaces) > 10 and "subgraph" not in overview
    dot = layer_dag_dot(bjws_cluster, url_for, view="full")
    assert dot.count("subgraph cluster_") == len(namespaces)
    assert dot == layer_dag_dot(bjws_cluster, url_for, view="full")
    if find_engine() is None:
        pytest.skip("no Graphviz engine")
    result = SvgRenderer().render(dot)
    assert result.svg is not None, result.warning
    root = ET.fromstring(result.svg)
    nodes = [g for g in root.iter(f"{{{SVG_NS}}}g") if (g.get("class") or "").startswith("node")]
    assert len(nodes) >= len(layers)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    assert width < 1000  # one column per level, readable at page width; height scrolls
