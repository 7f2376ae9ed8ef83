"""A cluster of more than GROUP_THRESHOLD layers gets its layer pages nested by the groups of its DAG page's
overview (here: namespaces), in the plugin's nav (placed by the hook, or made by MkDocs from the folders) and in
the nav files of `flux-wiki pages`; a smaller cluster keeps its flat Layers list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig
from flux_wiki.export.pages import nav_files
from flux_wiki.analysis.views import GROUP_THRESHOLD
from flux_wiki.render.diagrams import layer_dag_dot
from flux_wiki.render.nav import layer_sections, nest

from .test_nav_hook import hooked_nav, outline

NAMESPACES = ("alpha", "beta", "gamma")
SIZE = GROUP_THRESHOLD + 5


def big_repo(root: Path, size: int = SIZE, namespaces: tuple[str, ...] = NAMESPACES) -> Path:
    """A Flux repo of one cluster whose entry point applies ``size`` Kustomizations, spread over ``namespaces``."""
    files = {"docs/index.md": "# Home\n",
             "data/gitops/clusters/big/flux-system/gotk-sync.yaml": (
                 "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
                 "metadata: {name: flux-system, namespace: flux-system}\n"
                 "spec: {interval: 1m, ref: {branch: main}, url: https://example.com/big}\n---\n"
                 "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
                 "metadata: {name: flux-system, namespace: flux-system}\n"
                 "spec: {interval: 10m, path: ./clusters/big, prune: true, "
                 "sourceRef: {kind: GitRepository, name: flux-system}}\n")}
    for i in range(size):
        name, namespace = f"app-{i:02}", namespaces[i % len(namespaces)]
        files[f"data/gitops/clusters/big/{name}.yaml"] = (
            f"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            f"metadata: {{name: {name}, namespace: {namespace}}}\n"
            f"spec: {{interval: 10m, path: ./apps/{name}, prune: true, "
            f"sourceRef: {{kind: GitRepository, name: flux-system, namespace: flux-system}}}}\n")
        files[f"data/gitops/apps/{name}/config.yaml"] = (
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: {namespace}}}\n")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def layer(i: int) -> str:
    return f"flux/big/layers/app-{i:02}.md"


def expected_groups() -> list[tuple[str, list[str]]]:
    return [(f"namespace {ns}", [layer(i) for i in range(SIZE) if NAMESPACES[i % len(NAMESPACES)] == ns]) for ns in NAMESPACES]


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return big_repo(tmp_path_factory.mktemp("big"))


def test_layer_sections_are_the_groups_of_the_overview(wiki: Path) -> None:
    compiled = WikiCompiler().compile(WikiConfig(repo=wiki / "data" / "gitops", diagrams=False))
    facts = compiled.model.facts[compiled.model.clusters[0].name]
    assert layer_sections(facts, compiled.layout) == expected_groups()
    dot = layer_dag_dot(facts, lambda i: "#", group_url=lambda key: "#")
    assert all(f"namespace {ns}" in dot for ns in NAMESPACES)


def test_the_hook_nests_the_layers_section_it_adds(wiki: Path) -> None:
    nav = hooked_nav(wiki, ["index.md", {"Flux": ["flux/big/dag.md", "flux/big/surfaces.md"]}])
    beside = ["flux/big/doctor.md", "flux/big/changes.md"]  # the cluster's other pages, beside its DAG page
    assert outline(nav.items) == ["index.md", ("Flux", ["flux/big/dag.md", *beside, ("Layers", expected_groups()),
                                                        "flux/big/surfaces.md"])]
    order = ["index.md", "flux/big/dag.md", *beside, *[p for _, pages in expected_groups() for p in pages],
             "flux/big/surfaces.md"]
    assert [p.file.src_uri for p in nav.pages] == order
    assert [p.next_page for p in nav.pages[:-1]] == nav.pages[1:]
    layers = nav.items[1].children[3]
    for group in layers.children:
        assert group.parent is layers and all(page.parent is group for page in group.children)


def test_the_nav_mkdocs_makes_from_folders_is_nested_too(wiki: Path) -> None:
    nav = hooked_nav(wiki, None)
    flux = next(i for i in nav.items if getattr(i, "title", "") == "Flux")
    big = flux.children[0]
    layers = next(i for i in big.children if getattr(i, "title", "") == "Layers")
    assert outline(layers.children) == expected_groups()  # MkDocs sorts by file name, as the groups do here
    assert [p.file.src_uri for p in nav.pages if "/layers/" in p.file.src_uri] == [
        p for _, pages in expected_groups() for p in pages]


def test_a_cluster_at_the_threshold_keeps_a_flat_list(tmp_path: Path) -> None:
    repo = big_repo(tmp_path, size=GROUP_THRESHOLD)
    compiled = WikiCompiler().compile(WikiConfig(repo=repo / "data" / "gitops", diagrams=False))
    assert layer_sections(compiled.model.facts["big"], compiled.layout) == []
    nav = hooked_nav(repo, ["flux/big/dag.md", "flux/big/surfaces.md"])
    layers = nav.items[3]  # after the DAG page, its Doctor and Recent Changes pages
    assert layers.title == "Layers" and len(layers.children) == GROUP_THRESHOLD
    assert all(not hasattr(child, "children") or child.children is None for child in layers.children)


def test_pages_nav_files_nest_the_same_groups(wiki: Path) -> None:
    compiled = WikiCompiler().compile(WikiConfig(repo=wiki / "data" / "gitops", diagrams=False))
    files = nav_files(compiled, "flux")
    nav: Any = yaml.safe_load(files[".nav.yml"])["nav"]
    layers = next(entry["Layers"] for entry in nav[0]["big"] if isinstance(entry, dict))
    assert layers == [{ns: [p.removeprefix("flux/") for p in pages]} for ns, pages in expected_groups()]
    summary = files["SUMMARY.md"].splitlines()
    at = summary.index("    * Layers")
    assert summary[at + 1] == "        * namespace alpha" and summary[at + 2].startswith("            * [app-00](")


def test_nest_keeps_other_items_and_the_order_within_groups() -> None:
    items = ["a", "x3", "b", "y1", "x1", "c"]
    sections = [("X", ["x1", "x3"]), ("Y", ["y1"])]
    assert nest(items, sections, lambda i: i) == ["a", ("X", ["x3", "x1"]), ("Y", ["y1"]), "b", "c"]
    assert nest(["a", "b"], sections, lambda i: i) == ["a", "b"]
