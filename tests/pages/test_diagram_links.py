"""Issue 5 on the built wiki: every link in every inline SVG opens a built page, with both URL styles and
both engines, and an unchanged rebuild renders no SVG again."""

from __future__ import annotations

import posixpath
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from mkdocs.commands.build import build

from flux_wiki.render import svg as svg_mod
from flux_wiki.render.svg import SVG_NS, XLINK_NS, find_engine
from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

from ..support import ROOT, build_site, corpus, load

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
REAL_WHICH = shutil.which


def svg_links(html: str) -> list[str]:
    """The xlink:href of every <a> in every inline SVG of a page (never an SVG2 href, which Material's instant
    navigation throws on)."""
    hrefs = []
    for block in _SVG.findall(html):
        root = ET.fromstring(block)
        for a in root.iter(f"{{{SVG_NS}}}a"):
            href = a.get(f"{{{XLINK_NS}}}href")
            assert a.get("href") is None, block[:200]
            if href is not None:
                hrefs.append(href)
    return hrefs


def target_file(site: Path, page: Path, href: str) -> Path:
    """The file a browser opens for a relative ``href`` on ``page`` (a built HTML file)."""
    parts = urlsplit(href)
    assert not parts.scheme and not parts.netloc and not parts.path.startswith("/"), \
        f"{href}: links must be relative so the site works under a sub-path"
    base = page.parent.relative_to(site).as_posix()
    path = posixpath.normpath(posixpath.join(base, unquote(parts.path))) if parts.path else \
        page.relative_to(site).as_posix()
    target = site / path
    return target / "index.html" if target.is_dir() or href.endswith("/") else target


def follow_all(site: Path) -> dict[str, int]:
    """Follow every SVG link of every page; returns links per page. Fails on a link to nothing."""
    counts = {}
    for page in sorted(site.rglob("*.html")):
        hrefs = svg_links(page.read_text(encoding="utf-8"))
        for href in hrefs:
            target = target_file(site, page, href)
            assert target.is_file(), f"{page.relative_to(site)}: {href} -> {target} missing"
        if hrefs:
            counts[page.relative_to(site).as_posix()] = len(hrefs)
    return counts


@pytest.fixture
def need_engine() -> None:
    if find_engine() is None:
        pytest.skip("no Graphviz engine (dot or graphviz-pure)")


@pytest.mark.parametrize("use_directory_urls", [True, False])
def test_every_svg_link_opens_a_page(tmp_path: Path, need_engine, use_directory_urls: bool) -> None:
    site = build_site(ROOT, tmp_path / "site", use_directory_urls=use_directory_urls)
    counts = follow_all(site)
    dag = "flux/tazlab-k8s/dag/index.html" if use_directory_urls else "flux/tazlab-k8s/dag.html"
    assert counts.get(dag, 0) >= 10, counts  # the ten layers, each a link
    dag_html = (site / dag).read_text(encoding="utf-8")
    layer_targets = {target_file(site, site / dag, h).relative_to(site).as_posix() for h in svg_links(dag_html)}
    suffix = "/index.html" if use_directory_urls else ".html"
    for layer in ("infrastructure-operators-core", "apps-data", "infrastructure-auth"):
        assert f"flux/tazlab-k8s/layers/{layer}{suffix}" in layer_targets
    assert not any("apps-openclaw" in t for t in layer_targets)
    surfaces = "flux/tazlab-k8s/surfaces/index.html" if use_directory_urls else "flux/tazlab-k8s/surfaces.html"
    assert counts.get(surfaces, 0) > 0, "the surface map links each address to its layer"


def test_full_build_with_graphviz_pure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svg_mod.shutil, "which", lambda name, *a, **k: None if name == "dot" else REAL_WHICH(name))
    engine = find_engine()
    if engine is None or engine[0] != "graphviz-pure":
        pytest.skip("graphviz-pure is not installed")
    site = build_site(ROOT, tmp_path / "site")
    counts = follow_all(site)
    assert counts.get("flux/tazlab-k8s/dag/index.html", 0) >= 10, counts
    layer = (site / "flux" / "tazlab-k8s" / "layers" / "infrastructure-instances" / "index.html").read_text()
    assert '<div class="flux-wiki-diagram" data-diagram="layer">' in layer and "<svg" in layer


def test_second_build_renders_no_svg(tmp_path: Path, need_engine, caplog: pytest.LogCaptureFixture) -> None:
    cfg = load(ROOT, tmp_path / "site")
    cfg.plugins.on_startup(command="serve", dirty=False)
    plugin = cfg.plugins["flux-wiki"]
    try:
        build(cfg)
        first = plugin.compiler.svg.renders
        pages = sum(1 for p in plugin.compiled.pages if p.kind in ("dag", "surfaces", "layer"))  # with diagrams
        shown = {p.path: p.markdown for p in plugin.compiled.pages}
        caplog.set_level("DEBUG", logger="flux_wiki.render.svg")
        caplog.clear()
        build(cfg)
    finally:
        cfg.plugins.on_shutdown()
    assert first >= pages  # DAG, surface map and one diagram per layer
    assert plugin.compiler.svg.renders == first
    # the second build asked the SVG cache, or kept the unchanged cluster's pages whole (compile.py's page memo)
    assert (any("svg cache hit" in r.getMessage() for r in caplog.records)
            or plugin.compiler.parse_cache.counts["cluster pages reused"] >= 1)
    assert not any("svg rendered" in r.getMessage() for r in caplog.records)
    assert {p.path: p.markdown for p in plugin.compiled.pages} == shown  # the same pages, diagrams and all


@pytest.mark.corpora
def test_bjws_layer_dag_renders_with_working_links(need_engine) -> None:
    repo = corpus("bjw-s-labs__home-ops")
    compiled = WikiCompiler().compile(WikiConfig(repo=repo))
    paths = {p.path for p in compiled.pages}
    dags = [p for p in compiled.pages if p.kind == "dag"]
    assert dags
    for dag in dags:
        assert "<svg" in dag.markdown, "the layer DAG is inlined"
        hrefs = svg_links(dag.markdown)
        layers = [p for p in compiled.pages if p.kind == "layer" and p.path.startswith(dag.path.rsplit("/", 1)[0])]
        assert len(set(hrefs)) >= len(layers) > 40  # the full graph, one click away
        groups = [h for h in hrefs if "#" in h]  # the overview's groups: their part of the DAG page
        assert len(groups) > 10 and all(h.startswith("./#group-") for h in groups), groups
        for href in groups:
            assert f'<a id="{href[3:]}"></a>' in dag.markdown, href
        for href in set(hrefs) - set(groups):
            # use_directory_urls: "../layers/x/" from "<cluster>/dag/" is "<cluster>/layers/x.md"
            src = posixpath.normpath(posixpath.join(dag.path[:-3], unquote(href))) + ".md"
            assert src in paths, href
