"""Layer DAG as DOT, JSON and Mermaid."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest

from flux_wiki.render.diagrams import layer_dag_dot, layer_dag_json, layer_dag_mermaid, neighbourhood_dot, short

from .conftest import Layer, facts_of, four_layers, make_cluster, ten_layers, url_for

GOLDEN = Path(__file__).parent / "golden"


def test_four_layer_dag_matches_golden():
    dot = layer_dag_dot(facts_of(four_layers()), url_for)
    golden = GOLDEN / "four_layers.dot"
    if os.environ.get("FLUX_WIKI_UPDATE_GOLDEN") == "1":
        golden.write_text(dot, encoding="utf-8")
    assert dot == golden.read_text(encoding="utf-8")


def test_dot_is_identical_when_input_order_is_shuffled():
    first = layer_dag_dot(facts_of(ten_layers()), url_for)
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
        assert layer_dag_dot(facts_of(cluster), url_for) == first
        assert layer_dag_mermaid(facts_of(cluster)) == layer_dag_mermaid(facts_of(ten_layers()))


def test_edges_point_from_dependency_to_dependent_and_ranks_follow_levels():
    dot = layer_dag_dot(facts_of(ten_layers()), url_for)
    assert '"ks_flux-system/crds" -> "ks_flux-system/cert-manager" [class="fw-depends"]' in dot
    assert '"ks_flux-system/cert-manager" -> "ks_flux-system/crds"' not in dot
    ranks = re.findall(r"\{\s*rank=same\s*([^}]*)\}", dot)
    assert len(ranks) == 5  # the effective levels 0..4
    assert ranks[0].split() == ['"ks_flux-system/crds"']


def test_applied_by_edges_are_dashed_and_a_wait_parent_labels_them():
    """The Flux root's own applied-by edges are implied (the root is not drawn); a parent's are dashed, and
    labelled `wait` when the parent is Ready only once that child is."""
    fs = "flux-system/"
    facts = facts_of([Layer("infra", 0, wait=True), Layer("crds", 1, parent=fs + "infra"),
                      Layer("apps", 1, ["infra"]), Layer("app", 2, parent=fs + "apps")])
    dot = layer_dag_dot(facts, url_for)
    assert '"ks_flux-system/infra" -> "ks_flux-system/crds" [label=wait class="fw-applied" style=dashed]' in dot
    assert '"ks_flux-system/apps" -> "ks_flux-system/app" [class="fw-applied" style=dashed]' in dot
    assert '"ks_flux-system/infra" -> "ks_flux-system/apps" [class="fw-depends"]' in dot
    assert "ks_flux-system/flux-system" not in dot
    ranks = [r.split() for r in re.findall(r"\{\s*rank=same\s*([^}]*)\}", dot)]
    # apps waits for infra to be Ready, which waits for crds: apps starts two waits after the bootstrap
    assert ranks == [['"ks_flux-system/infra"'], ['"ks_flux-system/crds"'], ['"ks_flux-system/apps"'],
                     ['"ks_flux-system/app"']]


def test_wait_error_skipped_and_missing_are_marked():
    dot = layer_dag_dot(facts_of(four_layers()), url_for)
    lines = {line.split(" [", 1)[0].strip(): line for line in dot.splitlines() if " [" in line}
    assert "fw-wait" in lines['"ks_flux-system/infra-controllers"']
    assert "penwidth=2.2" in lines['"ks_flux-system/infra-configs"']  # health checks count as waiting
    assert "fw-error" in lines['"ks_flux-system/broken"']
    assert "fw-missing" in lines['"ks_flux-system/gone"']
    assert "fw-wait" not in lines['"ks_flux-system/apps"']
    skipped = layer_dag_dot(facts_of(ten_layers()), url_for)
    assert re.search(r'"ks_flux-system/tenants" \[[^\]]*fw-skipped[^\]]*dashed', skipped)


def test_node_url_comes_from_the_caller():
    dot = layer_dag_dot(facts_of(four_layers()), lambda ks: f"layers/{ks.upper()}.html")
    assert 'URL="layers/FLUX-SYSTEM/APPS.html"' in dot


def test_root_and_excluded_layers_are_not_drawn():
    cluster = make_cluster(four_layers())
    cluster.kustomizations["flux-system/apps"].excluded = True
    dot = layer_dag_dot(facts_of(cluster), url_for)
    assert "flux-system/apps" not in dot
    assert '"ks_flux-system/flux-system"' not in dot


def _hundred_layers(namespaces: int, parents: int) -> list[Layer]:
    return [
        Layer(f"app-{i:03d}", i % 4, [f"ns-{(i - 1) % namespaces}/app-{i - 1:03d}"] if i % 4 else [],
              namespace=f"ns-{i % namespaces}", parent=f"flux-system/parent-{i % parents}")
        for i in range(100)
    ]


def test_a_large_tree_is_an_overview_of_its_namespaces_when_one_parent_applies_everything():
    facts = facts_of(_hundred_layers(namespaces=12, parents=1))
    overview = layer_dag_dot(facts, url_for, group_url=lambda key: f"#group-{key}")
    groups = re.findall(r'"group_(ns-\d+)" \[label="namespace ns-\d+\\n(\d+) Kustomizations', overview)
    assert sorted(g for g, _ in groups) == sorted(f"ns-{i}" for i in range(12))
    assert sum(int(n) for _, n in groups) == 100
    assert 'URL="#group-ns-0"' in overview and "rankdir=LR" in overview and "subgraph cluster" not in overview
    # app-i depends on app-(i-1), one namespace further: the edges between two groups are counted on one arrow
    assert re.search(r'"group_ns-0" -> "group_ns-1" \[label=\d+ class="fw-depends" penwidth=', overview)
    full = layer_dag_dot(facts, url_for, view="full")
    assert len(re.findall(r"subgraph cluster_\d+ \{", full)) == 12
    assert sorted(re.findall(r'label="namespace (ns-\d+)"', full)) == sorted(f"ns-{i}" for i in range(12))
    assert "rankdir=LR" in full


def test_a_large_tree_is_grouped_by_parent_when_everything_shares_a_namespace():
    dot = layer_dag_dot(facts_of(_hundred_layers(namespaces=1, parents=7)), url_for, view="full")
    assert len(re.findall(r'label="applied by flux-system/parent-\d"', dot)) == 7


def test_a_small_tree_is_drawn_whole_and_ungrouped():
    assert "subgraph cluster" not in layer_dag_dot(facts_of(ten_layers()), url_for)
    overview = layer_dag_dot(facts_of(ten_layers()), url_for, view="overview")  # asked for: by path
    assert 'label="path apps\\n2 Kustomizations' in overview


def test_unknown_view_is_rejected():
    with pytest.raises(ValueError):
        layer_dag_dot(facts_of(ten_layers()), url_for, view="colour")  # type: ignore[arg-type]


def test_a_neighbourhood_is_the_chain_to_the_root_and_the_direct_dependents():
    fs = "flux-system/"
    facts = facts_of([Layer(f"step-{i}", i, [f"step-{i - 1}"] if i else []) for i in range(15)]
                     + [Layer("side", 0)])
    dot = neighbourhood_dot(facts, fs + "step-12", url_for, "../dag/#flux-root")
    drawn = set(re.findall(r'^\t"ks_flux-system/([\w-]+)" \[', dot, re.M))
    # the root, the first two steps, a gap node counting the 4 cut out, the last six before it, it, its dependent
    assert drawn == {"flux-system", "step-0", "step-1", "step-6", "step-7", "step-8", "step-9", "step-10",
                     "step-11", "step-12", "step-13"}, drawn
    assert 'label="… 4 Kustomizations …"' in dot and '"ks_flux-system/step-1" -> cut' in dot
    assert 'URL="../dag/#flux-root"' in dot and "side" not in dot
    focus = next(line for line in dot.splitlines() if line.startswith('\t"ks_flux-system/step-12" ['))
    assert "fw-focus" in focus and "penwidth=3" in focus


def test_long_labels_are_cut_and_the_tooltip_keeps_them():
    digest = "sha256:" + "0123456789abcdef" * 4
    assert short(f"ghcr.io/a/b:1.0@{digest}") == "ghcr.io/a/b:1.0@sha256:0123456789ab…"
    url = "oci://registry.example.org/some/very/deep/path/charts/the-chart-name"
    assert short(url) == "oci://registr…path/charts/the-chart-name" and len(short(url)) == 40
    name = "a-kustomization-name-that-goes-on-and-on-and-on-for-ever"
    dot = layer_dag_dot(facts_of([Layer(name, 0)]), url_for)
    assert f'label="{short(name)}\\n1 object"' in dot and f'tooltip="flux-system/{name}' in dot


def test_json_lists_nodes_and_edges():
    data = layer_dag_json(facts_of(four_layers()))
    assert [n["id"] for n in data["nodes"]] == [
        "flux-system/apps", "flux-system/broken", "flux-system/infra-configs", "flux-system/infra-controllers"]
    edges = {(e["kind"], e["from"], e["to"], e["missing"]) for e in data["edges"]}
    assert ("dependsOn", "flux-system/infra-configs", "flux-system/apps", False) in edges
    assert ("dependsOn", "flux-system/gone", "flux-system/broken", True) in edges
    configs = next(n for n in data["nodes"] if n["name"] == "infra-configs")
    assert configs["health_checks"] == 2 and configs["objects"] == 3 and configs["level"] == 1
    apps = next(n for n in data["nodes"] if n["name"] == "apps")
    assert apps["depends_on"] == ["flux-system/infra-configs"]  # bare name resolved in the KS namespace
    broken = next(n for n in data["nodes"] if n["name"] == "broken")
    assert broken["blocked"] is True  # it depends on a Kustomization the cluster never applies


def test_mermaid_ids_are_sanitised_and_labels_escaped():
    cluster = make_cluster([Layer('we"ird<b>&#x;', 0, namespace="a b"), Layer("end", 1, ['a b/we"ird<b>&#x;'])])
    text = layer_dag_mermaid(facts_of(cluster))
    for line in text.splitlines()[1:]:
        if "[" in line:
            ident, label = line.strip().split("[", 1)
            assert re.fullmatch(r"ks_[A-Za-z0-9_]+", ident)
            assert label.startswith('"') and label.endswith('"]')
            assert not re.search(r'[<>&]|"(?!\])', label[1:-2])
    assert "#34;" in text and "#60;" in text and "#38;" in text and "#35;x;" in text
    assert text.count("-->") == 1
