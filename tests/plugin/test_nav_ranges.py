"""A cluster of more than MAX_LISTED groups gets one more nav level: its groups in contiguous ranges of their
sorted keys, the same in the plugin's nav and in the nav files of `flux-wiki pages`, and its overview draws
those ranges; a cluster of MAX_LISTED groups keeps one section per group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from flux_wiki.analysis.views import MAX_LISTED, Group, GroupRange, group_ranges
from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig
from flux_wiki.export.pages import nav_files
from flux_wiki.render.diagrams import layer_dag_dot, layer_dag_mermaid
from flux_wiki.render.nav import layer_sections
from flux_wiki.render.svg import find_engine

from .test_nav_hook import hooked_nav, outline
from .test_nav_nesting import big_repo


def namespaces(n: int) -> tuple[str, ...]:
    return tuple(f"ns-{i:02}" for i in range(n))


def compiled(repo: Path) -> Any:
    return WikiCompiler().compile(WikiConfig(repo=repo / "data" / "gitops", diagrams=False))


def depth_and_widths(sections: list[Any]) -> tuple[int, int]:
    """How deep the sections nest, and the longest list of sections at any level."""
    inner = [s[1] for s in sections if s[1] and isinstance(s[1][0], tuple)]
    below = [depth_and_widths(members) for members in inner]
    return 1 + max((d for d, _ in below), default=0), max([len(sections), *(w for _, w in below)])


@pytest.fixture(scope="module")
def above(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MAX_LISTED + 1 namespaces of two Kustomizations each: grouped by namespace, one group too many."""
    count = MAX_LISTED + 1
    return big_repo(tmp_path_factory.mktemp("above"), size=2 * count, namespaces=namespaces(count))


def test_group_ranges_are_even_contiguous_and_labelled_by_prefixes() -> None:
    keys = ["alpha", "beta", "beta-r2", "beta-r3", "delta", "gamma", "gamma-r2"]
    groups = [Group(key, "namespace", (f"{key}/app",)) for key in keys]
    assert group_ranges(groups, 7) == groups
    ranges = group_ranges(groups, 3)
    assert all(isinstance(r, GroupRange) for r in ranges)
    assert [[g.key for g in r.groups] for r in ranges] == [keys[:3], keys[3:5], keys[5:]]
    assert [r.title for r in ranges] == ["namespaces alpha – beta-r2", "namespaces beta-r3 – d",
                                     "namespaces g – gamma-r2"]


def test_ranges_of_ranges_keep_every_list_within_the_bound() -> None:
    groups = [Group(f"ns-{i:03}", "path", (f"ns-{i:03}/app",)) for i in range(100)]
    listed = group_ranges(groups, 4)
    assert len(listed) <= 4 and all(isinstance(r, GroupRange) for r in listed)

    def widths(part: Any) -> list[int]:
        return [len(part.parts), *(w for p in part.parts if isinstance(p, GroupRange) for w in widths(p))]
    assert max(w for r in listed for w in widths(r)) <= 4
    assert [g for r in listed for g in r.groups] == groups  # every group once, in key order
    assert listed[0].title.startswith("paths ns-000 – ns-0") and listed[-1].title.endswith(" – ns-099")


def test_a_cluster_above_the_bound_gets_a_level_of_ranges(above: Path) -> None:
    wiki = compiled(above)
    facts = wiki.model.facts["big"]
    assert facts.grouping.by == "namespace" and len(facts.grouping.groups) == MAX_LISTED + 1
    sections = layer_sections(facts, wiki.layout)
    assert [title for title, _ in sections] == ["namespaces ns-00 – ns-20", "namespaces ns-21 – ns-40"]
    assert [len(members) for _, members in sections] == [21, 20]
    assert depth_and_widths(sections) == (2, 21)
    groups = [group for _, members in sections for group in members]
    assert groups == [(f"namespace {ns}", [f"flux/big/layers/app-{i:02}.md" for i in (k, k + MAX_LISTED + 1)])
                      for k, ns in enumerate(namespaces(MAX_LISTED + 1))]
    dot = layer_dag_dot(facts, lambda i: "#", group_url=lambda key: f"#{key}")
    assert dot.count("fw-group") == 2 and "namespaces ns-21 – ns-40" in dot and "namespace ns-05" not in dot
    assert 'URL="#ns-00"' in dot and 'URL="#ns-21"' in dot  # each range opens its first group's table
    assert layer_dag_mermaid(facts).count("ns-21") == 1  # the Mermaid overview draws the same ranges
    if find_engine() is not None:  # the DAG page says what its overview draws
        drawn = WikiCompiler().compile(WikiConfig(repo=above / "data" / "gitops"))
        dag = next(page.markdown for page in drawn.pages if page.kind == "dag")
        assert "in 2 ranges of their 41 groups in alphabetical order" in dag


def test_both_nav_writers_nest_the_ranges_alike(above: Path) -> None:
    wiki = compiled(above)
    sections = layer_sections(wiki.model.facts["big"], wiki.layout)
    nav = hooked_nav(above, ["index.md", {"Flux": ["flux/big/dag.md", "flux/big/surfaces.md"]}])
    layers = nav.items[1].children[3]
    assert layers.title == "Layers" and outline(layers.children) == sections
    for band in layers.children:
        assert band.parent is layers
        for group in band.children:
            assert group.parent is band and all(page.parent is group for page in group.children)
    folders = hooked_nav(above, None)  # the nav MkDocs makes from the folders, nested by the hook
    flux = next(i for i in folders.items if getattr(i, "title", "") == "Flux")
    made = next(i for i in flux.children[0].children if getattr(i, "title", "") == "Layers")
    assert [title for title, _ in outline(made.children)] == [title for title, _ in sections]
    files = nav_files(wiki, "flux")
    entries = next(e["Layers"] for e in yaml.safe_load(files[".nav.yml"])["nav"][0]["big"] if isinstance(e, dict))

    def as_yaml(members: list[Any]) -> list[Any]:
        return [{title: as_yaml(sub)} if sub and isinstance(sub[0], tuple) else
                {title: [p.removeprefix("flux/") for p in sub]} for title, sub in members]
    assert entries == as_yaml(sections)
    summary = files["SUMMARY.md"].splitlines()
    at = summary.index("    * Layers")
    assert summary[at + 1:at + 4] == ["        * namespaces ns-00 – ns-20", "            * namespace ns-00",
                                      summary[at + 3]]
    assert summary[at + 3].startswith("                * [app-00](")


def test_a_cluster_at_the_bound_keeps_one_section_per_group(tmp_path: Path) -> None:
    repo = big_repo(tmp_path, size=2 * MAX_LISTED, namespaces=namespaces(MAX_LISTED))
    wiki = compiled(repo)
    sections = layer_sections(wiki.model.facts["big"], wiki.layout)
    assert [title for title, _ in sections] == [f"namespace {ns}" for ns in namespaces(MAX_LISTED)]
    assert depth_and_widths(sections) == (1, MAX_LISTED)
    nav = hooked_nav(repo, ["flux/big/dag.md", "flux/big/surfaces.md"])
    assert outline(nav.items[3].children) == sections
