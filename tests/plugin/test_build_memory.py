"""Issue 14, memory: a one-off `mkdocs build` lets go of the parse cache and the SVG kept in memory once the pages
are compiled; `mkdocs serve` keeps them for its rebuilds. The built site is the same either way."""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build

from ..support import load, two_cluster_wiki


def _wiki(root: Path) -> Path:
    wiki = two_cluster_wiki(root, layers=("apps", "infra"))
    # a hand-written page whose marker draws a diagram after the release (rendered again from the disk cache)
    (wiki / "docs" / "index.md").write_text("# Home\n\n<!-- flux-wiki:graph cluster=home -->\n")
    config = {"site_name": "x", "plugins": [{"flux-wiki": {"repo": "data/gitops"}}]}
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return wiki


def _build(wiki: Path, site: Path, command: str):  # type: ignore[no-untyped-def]
    cfg = load(wiki, site)
    cfg.plugins.on_startup(command=command, dirty=False)
    try:
        build(cfg)
    finally:
        cfg.plugins.on_shutdown()
    return cfg.plugins["flux-wiki"]


def _same(a: Path, b: Path) -> bool:
    """The same file, but for the build date the theme writes into the home page."""
    def text(path: Path) -> bytes:
        return re.sub(rb"Build Date UTC : [^\n]*", b"", path.read_bytes())
    return text(a) == text(b)


def _differ(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b)
    found = [f"only in one: {n}" for n in cmp.left_only + cmp.right_only]
    found += [n for n in cmp.common_files if not n.startswith("sitemap") and not _same(a / n, b / n)]
    return found + [f"{name}/{n}" for name in cmp.common_dirs for n in _differ(a / name, b / name)]


def test_a_build_releases_the_caches_and_builds_the_same_site(tmp_path: Path, need_engine) -> None:
    wiki = _wiki(tmp_path / "wiki")
    once = _build(wiki, tmp_path / "built", "build")
    assert once.compiler.parse_cache.misses == 0 and once.compiler.parse_cache.hits == 0  # a new, empty cache
    served = _build(wiki, tmp_path / "served", "serve")
    assert served.compiler.parse_cache.misses > 0  # kept for the next rebuild
    assert _differ(tmp_path / "built", tmp_path / "served") == []
    home = (tmp_path / "built" / "index.html").read_text()
    assert '<div class="flux-wiki-diagram" data-diagram="layer-dag">' in home and "<svg" in home


@pytest.fixture
def need_engine() -> None:
    from flux_wiki.render.svg import find_engine
    if find_engine() is None:
        pytest.skip("no Graphviz engine")
