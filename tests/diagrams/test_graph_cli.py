"""`flux-wiki graph`: the views (auto, full, overview, layer:NAME) and one file per cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flux_wiki.render.svg import find_engine

from ..support import generated_repo, run_cli, two_cluster_wiki

NESTED = Path(__file__).parents[1] / "analysis" / "fixtures" / "order" / "nested"


def graph(*args: str) -> tuple[int, str, str]:
    result = run_cli(["graph", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_repo(tmp_path_factory.mktemp("big"), n=60, namespaces=6)


def test_auto_is_the_overview_of_a_large_cluster_and_full_draws_every_layer(big: Path) -> None:
    code, overview, _ = graph(str(big))
    assert code == 0 and overview.startswith("digraph overview {")
    assert overview.count('[label="namespace ns-') == 6
    code, full, _ = graph(str(big), "--view", "full")
    assert code == 0 and full.count('"ks_ns-') >= 60 and full.count("subgraph cluster_") == 7  # + flux-system
    code, small, _ = graph(str(NESTED))
    assert code == 0 and small.startswith("digraph layers {")


def test_a_layer_view_is_its_neighbourhood(tmp_path: Path) -> None:
    code, dot, _ = graph(str(NESTED), "--view", "layer:app-db")
    assert code == 0 and dot.startswith("digraph neighbourhood {")
    assert '"ks_flux-system/app-db" [' in dot and "fw-focus" in dot and "platform" not in dot
    code, text, _ = graph(str(NESTED), "--view", "layer:flux-system/app-db", "--format", "json")
    data = json.loads(text)["clusters"][0]
    assert data["view"] == "layer" and data["focus"] == "flux-system/app-db"
    assert {(e["kind"], e["from"], e["to"]) for e in data["edges"]} >= {
        ("appliedBy", "flux-system/apps", "flux-system/app-db"), ("dependsOn", "flux-system/app-db", "flux-system/app-web")}
    code, mermaid, _ = graph(str(NESTED), "--view", "layer:app-db", "--format", "mermaid")
    assert code == 0 and mermaid.startswith("flowchart LR") and "-.->" in mermaid


def test_json_views_keep_the_old_fields_and_add_edge_kinds(big: Path) -> None:
    code, text, _ = graph(str(NESTED), "--format", "json")
    (cluster,) = json.loads(text)["clusters"]
    assert cluster["name"] == cluster["cluster"] == "home" and cluster["view"] == "full"
    assert {"from", "to", "missing", "kind", "file", "line"} <= set(cluster["edges"][0])
    code, text, _ = graph(str(big), "--format", "json", "--view", "overview")
    (cluster,) = json.loads(text)["clusters"]
    assert cluster["groupBy"] == "namespace" and len(cluster["groups"]) == 7
    assert {e["kind"] for e in cluster["edges"]} == {"appliedBy", "dependsOn"}


def test_one_file_per_cluster_with_out_and_svg_of_several_clusters_refused(tmp_path: Path) -> None:
    repo = two_cluster_wiki(tmp_path / "wiki") / "data" / "gitops"
    code, _, err = graph(str(repo), "--format", "svg")
    assert code == 2 and "error: 2 clusters (home, lab): SVG on standard output holds one" in err
    code, _, err = graph(str(repo), "--format", "mermaid")
    assert code == 2 and "Mermaid" in err
    code, out, _ = graph(str(repo), "--format", "dot")  # Graphviz reads several graphs from one file
    assert code == 0 and out.count("digraph layers {") == 2
    code, out, _ = graph(str(repo), "--format", "mermaid", "--out", str(tmp_path / "g"))
    assert code == 0 and sorted(p.name for p in (tmp_path / "g").iterdir()) == ["home.mmd", "lab.mmd"]
    assert out.split() == [str(tmp_path / "g" / "home.mmd"), str(tmp_path / "g" / "lab.mmd")]
    code, out, _ = graph(str(repo), "--format", "json", "--view", "layer:apps", "--out", str(tmp_path / "j"))
    assert code == 0 and sorted(p.name for p in (tmp_path / "j").iterdir()) == ["home.apps.json", "lab.apps.json"]
    if find_engine() is not None:
        code, svg, _ = graph(str(repo), "--format", "svg", "--cluster", "lab")
        assert code == 0 and svg.startswith("<svg") and 'width="' in svg


def test_bad_views_are_clear_errors(big: Path) -> None:
    code, _, err = graph(str(NESTED), "--view", "sideways")
    assert code == 2 and "expected auto, full, overview or layer:NAME" in err
    code, _, err = graph(str(NESTED), "--view", "layer:nowhere")
    assert code == 2 and "error: no Kustomization 'nowhere' below the Flux root of cluster home" in err
    code, _, err = graph(str(NESTED), "--view", "layer:flux-system")
    assert code == 2 and "no Kustomization 'flux-system'" in err


def test_a_layer_view_leaves_out_the_clusters_without_that_layer(tmp_path: Path) -> None:
    repo = two_cluster_wiki(tmp_path / "wiki") / "data" / "gitops"
    (repo / "clusters" / "lab" / "apps.yaml").unlink()
    code, out, err = graph(str(repo), "--view", "layer:apps", "--out", str(tmp_path / "g"))
    assert code == 0 and sorted(p.name for p in (tmp_path / "g").iterdir()) == ["home.apps.dot"]
    assert "note: cluster lab has no Kustomization 'apps'; left out" in err
    code, out, _ = graph(str(repo), "--view", "layer:apps", "--format", "mermaid")  # one cluster left: stdout
    assert code == 0 and out.startswith("flowchart LR")
    code, _, err = graph(str(repo), "--view", "layer:gone")
    assert code == 2 and "no Kustomization 'gone' below the Flux root of any of the clusters home, lab" in err
