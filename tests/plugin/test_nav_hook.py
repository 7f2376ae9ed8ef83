"""The plugin's nav hook: generated pages that mkdocs.yml's nav does not list go right after their cluster's
DAG page (layer pages in a Layers section); pages the nav lists, and clusters whose DAG page it leaves out,
are left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.structure.nav import Navigation, Section, get_navigation
from mkdocs.structure.pages import Page

from ..support import two_cluster_wiki


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_cluster_wiki(tmp_path_factory.mktemp("wiki"), layers=("apps", "infra"))


def hooked_nav(wiki: Path, nav: list[Any] | None) -> Navigation:
    """The navigation as `mkdocs build` makes it: files, the plugin's pages, the nav, then the plugin's nav hook."""
    config = {"site_name": "x", "plugins": [{"flux-wiki": {"repo": "data/gitops", "diagrams": False}}]}
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(config | ({"nav": nav} if nav is not None else {})))
    cfg = load_config(str(wiki / "mkdocs.yml"))
    cfg.plugins.on_startup(command="build", dirty=False)
    cfg = cfg.plugins.on_config(cfg)
    files = cfg.plugins.on_files(get_files(cfg), config=cfg)
    return cfg.plugins.on_nav(get_navigation(files, cfg), config=cfg, files=files)


def outline(items: list[Any]) -> list[Any]:
    """Titles and page paths of a nav tree: a page is its src path, a section (title, children)."""
    return [(i.title, outline(i.children)) if isinstance(i, Section) else i.file.src_uri for i in items]


LAYERS = ["flux/home/layers/apps.md", "flux/home/layers/infra.md"]
OTHERS = ["flux/home/doctor.md", "flux/home/changes.md"]  # pages beside the DAG page besides the surfaces


def test_unlisted_layer_pages_follow_the_dag_page_in_a_layers_section(wiki: Path) -> None:
    nav = hooked_nav(wiki, ["index.md", {"Flux": ["flux/home/dag.md", "flux/home/surfaces.md"]}])
    assert outline(nav.items) == ["index.md", ("Flux", ["flux/home/dag.md", *OTHERS, ("Layers", LAYERS),
                                                        "flux/home/surfaces.md"])]
    assert [p.file.src_uri for p in nav.pages] == ["index.md", "flux/home/dag.md", *OTHERS, *LAYERS,
                                                   "flux/home/surfaces.md"]
    assert nav.items[1].children[1].parent is nav.items[1]
    section = nav.items[1].children[3]
    assert section.parent is nav.items[1] and all(p.parent is section for p in section.children)


def test_previous_and_next_follow_the_new_order(wiki: Path) -> None:
    nav = hooked_nav(wiki, ["flux/home/dag.md", "flux/home/surfaces.md"])
    pages = nav.pages
    assert all(isinstance(p, Page) for p in pages)
    assert [p.previous_page for p in pages] == [None, *pages[:-1]]
    assert [p.next_page for p in pages] == [*pages[1:], None]


def test_other_pages_follow_the_dag_page_then_the_layers_and_each_cluster_gets_its_own(wiki: Path) -> None:
    nav = hooked_nav(wiki, ["flux/home/dag.md", "flux/lab/dag.md"])
    assert outline(nav.items) == [
        "flux/home/dag.md", "flux/home/surfaces.md", *OTHERS, ("Layers", LAYERS),
        "flux/lab/dag.md", "flux/lab/surfaces.md", "flux/lab/doctor.md", "flux/lab/changes.md",
        ("Layers", ["flux/lab/layers/apps.md", "flux/lab/layers/infra.md"])]
    assert nav.pages[1].parent is None and nav.items[3].parent is None


def test_a_cluster_whose_dag_page_is_not_listed_is_left_out(wiki: Path) -> None:
    nav = hooked_nav(wiki, ["index.md", "flux/home/dag.md"])
    assert [p.file.src_uri for p in nav.pages] == ["index.md", "flux/home/dag.md", "flux/home/surfaces.md",
                                                   *OTHERS, *LAYERS]
    assert not any(p.file.src_uri.startswith("flux/lab/") for p in nav.pages)


def test_without_a_nav_mkdocs_lists_every_page_and_the_hook_adds_nothing(wiki: Path) -> None:
    nav = hooked_nav(wiki, None)
    generated = [p.file.src_uri for p in nav.pages if p.file.src_uri.startswith("flux/")]
    assert len(generated) == len(set(generated)) == 12
    assert not [s for s in nav.items if isinstance(s, Section) and s.title in ("Layers", "Generated")]
