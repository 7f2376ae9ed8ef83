"""Compile a wiki: the engine's model rendered into generated pages, shared by the plugin, CLI and export.

This is the one place that turns configuration (repo, clusters, author files) into pages, so the
MkDocs plugin and the CLI cannot drift apart.
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .engine import Model, build_model
from .load import ParseCache
from .load.authored import ClusterNotes, SourceBasisIndex, load_notes, load_source_basis, page_title
from .model import Cluster, Diagnostic
from .render.diagrams import layer_dag_dot, layer_diagram_dot, surface_map_dot
from .render.pages import GeneratedPage, PageLayout, RenderOptions, render_cluster
from .render.svg import SvgRenderer

log = logging.getLogger("mkdocs.plugins.flux-wiki")


@dataclass
class WikiConfig:
    """What to compile: the front ends fill this from mkdocs.yml or command-line options."""

    repo: Path
    clusters: list[str] = field(default_factory=list)
    entry: str | None = None
    exclude: list[str] = field(default_factory=list)
    section: str = "flux"
    notes: Path | None = None
    source_basis: Path | None = None
    templates_dir: Path | None = None
    browse_url: str | None = None
    diagrams: bool = True
    use_directory_urls: bool = True
    docs_dir: Path | None = None  # hand-written pages, for the titles of related pages


@dataclass
class CompiledWiki:
    model: Model
    pages: list[GeneratedPage]
    notes: dict[str, ClusterNotes]
    basis_index: SourceBasisIndex
    diagnostics: list[Diagnostic]


def page_url(src_path: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives a page (relative to the site root), as `File.url` computes it."""
    stem = src_path[:-3] if src_path.endswith(".md") else src_path
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index" or stem.endswith("/index"):
        return stem[:-5]
    return stem + "/"


def relative_url(from_src: str, to_src: str, use_directory_urls: bool) -> str:
    """URL of page ``to_src`` as seen from page ``from_src`` once both are built (for raw HTML links)."""
    here = page_url(from_src, use_directory_urls)
    there = page_url(to_src, use_directory_urls)
    base = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
    rel = posixpath.relpath("/" + there, "/" + base.rstrip("/") if base.strip("/") else "/")
    if there.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel


class WikiCompiler:
    """Keeps the parse cache and the SVG cache across compilations (mkdocs serve rebuilds)."""

    def __init__(self, svg_cache_dir: Path | None = None):
        self.parse_cache = ParseCache()
        self.svg = SvgRenderer(svg_cache_dir)

    def compile(self, cfg: WikiConfig) -> CompiledWiki:
        diagnostics: list[Diagnostic] = []
        notes, d = load_notes(cfg.notes) if cfg.notes else ({}, [])
        diagnostics += d
        basis_index, d = load_source_basis(cfg.source_basis) if cfg.source_basis else (SourceBasisIndex(), [])
        diagnostics += d
        model = build_model(cfg.repo, clusters=cfg.clusters or None, entry=cfg.entry, exclude=cfg.exclude,
                            cache=self.parse_cache)
        diagnostics += model.diagnostics
        layout = PageLayout(cfg.section)
        pages: list[GeneratedPage] = []
        for cluster in model.clusters:
            options = RenderOptions(layout=layout, notes=notes, templates_dir=cfg.templates_dir,
                                    browse_url=_browse(cfg.browse_url),
                                    related=_related(basis_index, cfg.docs_dir),
                                    diagram=self._diagram if cfg.diagrams else None)
            dots = _dots(layout, cfg.use_directory_urls) if cfg.diagrams else None
            pages.extend(render_cluster(cluster, options, dots))
            diagnostics += cluster.warnings
        return CompiledWiki(model, pages, notes, basis_index, diagnostics)

    def _diagram(self, page: str, name: str, dot: str) -> str:
        result = self.svg.render(dot)
        if result.svg is None:
            log.warning("diagram %s on %s not rendered: %s", name, page, result.warning)
            return ('??? note "Diagram source (Graphviz not available)"\n\n    ```dot\n'
                    + "\n".join("    " + line for line in dot.splitlines()) + "\n    ```\n")
        return f'<div class="flux-wiki-diagram" data-diagram="{name}">\n{result.svg}\n</div>\n'


def _browse(base: str | None) -> Callable[[str, int | None], str | None]:
    def url(file: str, line: int | None) -> str | None:
        if not base:
            return None
        return base.rstrip("/") + "/" + file + (f"#L{line}" if line else "")
    return url


def _related(index: SourceBasisIndex, docs_dir: Path | None) -> dict[str, list[tuple[str, str]]]:
    def title(page: str) -> str:
        found = page_title(docs_dir / page) if docs_dir else None
        return found or posixpath.splitext(posixpath.basename(page))[0].replace("-", " ")
    return {page: [(title(r), r) for r in basis.related] for page, basis in index.pages.items()}


def _dots(layout: PageLayout, use_directory_urls: bool) -> Callable[[Cluster, str, str | None], str | None]:
    def dots(cluster: Cluster, kind: str, layer: str | None) -> str | None:
        if kind == "dag":
            page = layout.dag(cluster)
            return layer_dag_dot(cluster, lambda i: relative_url(page, layout.layer(cluster, i), use_directory_urls))
        if kind == "surfaces":
            page = layout.surfaces(cluster)
            return surface_map_dot(cluster, [s for s in cluster.surfaces
                                             if not cluster.kustomizations[s.layer].excluded],
                                   lambda i: relative_url(page, layout.layer(cluster, i), use_directory_urls))
        if kind == "layer" and layer:
            page = layout.layer(cluster, layer)
            return layer_diagram_dot(cluster, layer, [s for s in cluster.surfaces if s.layer == layer],
                                     lambda i: relative_url(page, layout.layer(cluster, i), use_directory_urls))
        return None
    return dots
