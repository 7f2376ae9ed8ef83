"""Layer DAG as DOT, JSON and Mermaid."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from flux_wiki.render.diagrams import layer_dag_dot, layer_dag_json, layer_dag_mermaid

from .conftest import Layer, four_layers, make_cluster, ten_layers, url_for

GOLDEN = Path(__file__).parent / "golden"


def test_four_layer_dag_matches_golden():
    dot = layer_dag_dot(make_cluster(four_layers()), url_for)
    assert dot == (GOLDEN / "four_layers.dot").read_text(encoding="utf-8")


def test_dot_is_identical_when_input_order_is_shuffled():
    first = layer_dag_dot(make_cluster(ten_layers()), url_for)
    layers = ten_layers()
    for seed in range(3):
        rng = random.Random(seed)
        shuffled = layers[:]
        rng.shuffle(shuffled)
        for layer in shuffled:
            rng.shuffle(layer.depends_on)
        cluster = make_cluster(shuffled)
        items = list(cluster.kustomizations.items())
        rng.shuffle(items)
        cluster.kustomizations = dict(items)
        assert layer_dag_dot(cluster, url_for) == first
        assert layer_dag_mermaid(cluster) == layer_dag_mermaid(make_cluster(ten_layers()))


def test_edges_point_from_dependency_to_dependent_and_ranks_follow_levels():
    dot = layer_dag_dot(make_cluster(ten_layers()), url_for)
    assert '"ks_flux-system/crds" -> "ks_flux-system/cert-manager"' in dot
    assert '"ks_flux-system/cert-manager" -> "ks_flux-system/crds"' not in dot
    ranks = re.findall(r"\{\s*rank=same\s*([^}]*)\}", dot)
    assert len(ranks) == 5  # levels 1..5
    assert ranks[0].split() == ['"ks_flux-system/crds"']


def test_wait_error_skipped_and_missing_are_marked():
    dot = layer_dag_dot(make_cluster(four_layers()), url_for)
    lines = {line.split(" [", 1)[0].strip(): line for line in dot.splitlines() if " [" in line}
    assert "fw-wait" in lines['"ks_flux-system/infra-controllers"']
    assert "penwidth=2.2" in lines['"ks_flux-system/infra-configs"']  # health checks count as waiting
    assert "fw-error" in lines['"ks_flux-system/broken"']
    assert "fw-missing" in lines['"ks_flux-system/gone"']
    assert "fw-wait" not in lines['"ks_flux-system/apps"']
    skipped = layer_dag_dot(make_cluster(ten_layers()), url_for)
    assert re.search(r'"ks_flux-system/tenants" \[[^\]]*fw-skipped[^\]]*dashed', skipped)


def test_node_url_comes_from_the_caller():
    dot = layer_dag_dot(make_cluster(four_layers()), lambda ks: f"layers/{ks.upper()}.html")
    assert 'URL="layers/FLUX-SYSTEM/APPS.html"' in dot


def test_root_and_excluded_layers_are_not_drawn():
    cluster = make_cluster(four_layers())
    cluster.kustomizations["flux-system/apps"].excluded = True
    dot = layer_dag_dot(cluster, url_for)
    assert "flux-system/apps" not in dot
    assert '"ks_flux-system/flux-system"' not in dot


def _hundred_layers(namespaces: int, parents: int) -> list[Layer]:
    return [
        Layer(f"app-{i:03d}", i % 4, [f"ns-{(i - 1) % namespaces}/app-{i - 1:03d}"] if i % 4 else [],
              namespace=f"ns-{i % namespaces}", parent=f"flux-system/parent-{i % parents}")
        for i in range(100)
    ]


def test_large_tree_is_grouped_by_namespace_when_one_parent_applies_everything():
    dot = layer_dag_dot(make_cluster(_hundred_layers(namespaces=12, parents=1)), url_for)
    assert len(re.findall(r"subgraph cluster_\d+ \{", dot)) == 12
    assert sorted(re.findall(r'label="namespace (ns-\d+)"', dot)) == sorted(f"ns-{i}" for i in range(12))
    assert "rankdir=LR" in dot


def test_large_tree_is_grouped_by_parent_when_everything_shares_a_namespace():
    dot = layer_dag_dot(make_cluster(_hundred_layers(namespaces=1, parents=7)), url_for)
    assert len(re.findall(r'label="from flux-system/parent-\d"', dot)) == 7


def test_small_tree_and_explicit_none_are_not_grouped():
    assert "subgraph cluster" not in layer_dag_dot(make_cluster(ten_layers()), url_for)
    big = make_cluster(_hundred_layers(namespaces=12, parents=1))
    assert "subgraph cluster" not in layer_dag_dot(big, url_for, group="none")
    assert len(re.findall("subgraph cluster", layer_dag_dot(make_cluster(ten_layers()), url_for,
                                                             group="namespace"))) == 1


def test_unknown_grouping_is_rejected():
    with pytest.raises(ValueError):
        layer_dag_dot(make_cluster(ten_layers()), url_for, group="colour")


def test_json_lists_nodes_and_edges():
    data = layer_dag_json(make_cluster(four_layers()))
    assert [n["id"] for n in data["nodes"]] == [
        "flux-system/apps", "flux-system/broken", "flux-system/infra-configs", "flux-system/infra-controllers"]
    assert {"from": "flux-system/infra-configs", "to": "flux-system/apps", "missing": False} in data["edges"]
    assert {"from": "flux-system/gone", "to": "flux-system/broken", "missing": True} in data["edges"]
    configs = next(n for n in data["nodes"] if n["name"] == "infra-configs")
    assert configs["health_checks"] == 2 and configs["objects"] == 3
    apps = next(n for n in data["nodes"] if n["name"] == "apps")
    assert apps["depends_on"] == ["flux-system/infra-configs"]  # bare name resolved in the KS namespace


def test_mermaid_ids_are_sanitised_and_labels_escaped():
    cluster = make_cluster([Layer('we"ird<b>&#x;', 0, namespace="a b"), Layer("end", 1, ['a b/we"ird<b>&#x;'])])
    text = layer_dag_mermaid(cluster)
    for line in text.splitlines()[1:]:
        if "[" in line:
            ident, label = line.strip().split("[", 1)
            assert re.fullmatch(r"ks_[A-Za-z0-9_]+", ident)
            assert label.startswith('"') and label.endswith('"]')
            assert not re.search(r'[<>&]|"(?!\])', label[1:-2])
    assert "#34;" in text and "#60;" in text and "#38;" in text and "#35;x;" in text
    assert text.count("-->") == 1
