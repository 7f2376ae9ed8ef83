"""The compile step: a WikiConfig in, the engine's model rendered into generated pages out; shared by the
plugin, the CLI and the export.

This is the one place that turns configuration (repo, clusters, author files) into pages, so the
MkDocs plugin and the CLI cannot drift apart. Hand-written pages go through it too (:meth:`WikiCompiler.hand_written`).
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .analysis.crds import CrdCatalog
from .analysis.facts import ClusterFacts
from .analysis.order import EffectiveOrder
from .authoring.basis import BasisGraph, browse_url, collect, problems, relationships_markdown, source_items
from .authoring.basis import BrowseUrl as BasisUrl
from .authoring.markers import MarkerExpander
from .config import WikiConfig
from .diff import BuildOptions, GitError, GitRepo, RecentChanges, RevisionInventories
from .diff.history import STORE_SUFFIX, WorktreeBuild
from .doctor import DoctorReport, diagnose
from .doctor.bootstrap import bootstrap_releases
from .engine import build_model
from .fingerprint import fingerprint
from .load import ParseCache, Repo
from .load.authored import ClusterNotes, SourceBasisIndex, load_notes, load_source_basis, page_title
from .model import Cluster, Diagnostic, Model
from .render.diagrams import layer_dag_dot, layer_diagram_dot, neighbourhood_dot, surface_map_dot
from .render.doctor_page import doctor_context, doctor_page
from .render.history_page import changes_page, history_context
from .render.markdown import file_url, html_text, md_link
from .render.nav import NavSection, layer_sections
from .render.pages import (GeneratedPage, PageLayout, PageMemo, PageRenderer, RenderOptions, group_anchors,
                           render_cluster)
from .render.svg import SvgRenderer
from .signed_cache import SignedCache

log = logging.getLogger("mkdocs.plugins.flux-wiki")

HISTORY_SECONDS = 20.0  # a build stops looking back for recent changes after this long; the next one goes on
HISTORY_SCAN = 5  # commits looked at per recent change wanted (at least 50)


@dataclass
class CompiledWiki:
    model: Model
    pages: list[GeneratedPage]
    notes: dict[str, ClusterNotes]
    basis_index: SourceBasisIndex
    diagnostics: list[Diagnostic]
    basis: BasisGraph = field(default_factory=BasisGraph)
    markers: MarkerExpander | None = None  # built on first use by WikiCompiler.hand_written
    layout: PageLayout = field(default_factory=PageLayout)
    notices: list[Diagnostic] = field(default_factory=list)  # worth knowing, not a problem (e.g. page name clashes)
    doctor: dict[str, DoctorReport] = field(default_factory=dict)  # cluster name -> the ordering doctor's report
    # cluster name -> its layer pages by group of the overview, as the nav nests them (render/nav.py)
    sections: dict[str, list[NavSection]] = field(default_factory=dict)
    generated: dict[str, GeneratedPage] = field(init=False)  # the pages by path

    def __post_init__(self) -> None:
        self.generated = {p.path: p for p in self.pages}


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

    def __init__(self, *, rebuilds: bool = False) -> None:
        """``rebuilds``: more compilations will follow (``mkdocs serve``), so Kustomization builds are kept to be
        reused; a single build does not pay the memory for them."""
        self.parse_cache = ParseCache()
        self.parse_cache.keep_builds = rebuilds
        self.svg = SvgRenderer()
        self.pages = PageMemo()  # layer pages kept for the next compilation
        self.crd_catalog: CrdCatalog | None = None
        self.histories: dict[tuple[Path, tuple[str, ...], str | None], RevisionInventories] = {}
        # with ``rebuilds``, per cluster: its doctor report and all its pages, with the digest of what they were
        # made from (:meth:`doctor`, :meth:`page_key`), for the next compilation with the same configuration
        self.kept_options: str | None = None
        self.kept_reports: dict[str, tuple[bytes, DoctorReport]] = {}
        self.kept_pages: dict[str, tuple[bytes, list[GeneratedPage], list[NavSection]]] = {}

    def compile(self, cfg: WikiConfig, *, last: bool = False,
                sink: Callable[[GeneratedPage], GeneratedPage] | None = None) -> CompiledWiki:
        """The wiki of ``cfg``. ``last``: no compilation follows (``mkdocs build``), so the caches are let go of as
        soon as this one is done with them (:meth:`release_caches`): the parsed files once the model, the doctor
        and the recent changes are made, the SVG once the pages that inline them are rendered. What is released
        then is not alive while the pages are rendered, which is when a large wiki's compilation peaks.

        ``sink`` is given each page as soon as it is rendered and returns what the compilation keeps of it: a
        front end that writes the pages out keeps them without their text, so that a large wiki's Markdown is
        never all in memory at once. Pages kept for the next compilation (``rebuilds``) are kept whole."""
        self.pages.start(repr(cfg))
        if self.pages.options != self.kept_options:  # another configuration: nothing kept applies
            self.kept_options, self.kept_reports, self.kept_pages = self.pages.options, {}, {}
        diagnostics: list[Diagnostic] = []
        self.svg.cache_dir = cfg.cache_dir
        self.svg.hold = not last  # a single build reads each diagram back from the disk cache as it inlines it
        notes, d = load_notes(cfg.notes) if cfg.notes else ({}, [])
        diagnostics += d
        basis_index, d = load_source_basis(cfg.source_basis) if cfg.source_basis else (SourceBasisIndex(), [])
        diagnostics += d
        repo = Repo(cfg.repo, self.parse_cache)
        rebuilds = self.parse_cache.keep_builds
        # with recent changes, the working tree's Kustomization builds are kept for the past revisions to reuse
        revisions = self.revisions(cfg) if cfg.history else None
        self.parse_cache.keep_builds = rebuilds or isinstance(revisions, RevisionInventories)
        try:
            model = build_model(repo, clusters=cfg.clusters or None, entry=cfg.entry, exclude=cfg.exclude,
                                sources=cfg.sources)
        finally:
            self.parse_cache.keep_builds = rebuilds
        diagnostics += model.diagnostics
        graph = collect(basis_index, cfg.docs_dir, cfg.repo)
        layout = PageLayout(cfg.section, model.clusters)
        options = self.render_options(cfg, notes, graph, layout)
        states = {c.name: cluster_state(c, model.facts[c.name].order) for c in model.clusters} \
            if self.parse_cache.keep_builds else {}
        reports = self.doctor(model, notes, repo, states)
        context = doctor_context(reports, layout, model.clusters)
        # a past revision the same as the working tree in all this build read (HEAD, in a clean checkout) is
        # not built again; the model must then be what a past revision's build makes (no exclude, no sources)
        worktree = WorktreeBuild(repo.files, model) if not cfg.exclude and not cfg.sources else None
        history = history_context(self.recent_changes(cfg, worktree, revisions), cfg.history, layout,
                                  model.clusters) if cfg.history else {}
        options.cluster_context = {c.name: {**context.get(c.name, {}), **history.get(c.name, {})}
                                   for c in model.clusters}
        options.pages = self.pages if self.parse_cache.keep_builds else None  # a single build keeps nothing
        if last:  # nothing reads the repository again
            del repo
            self.release_caches()
        keys = {c.name: self.page_key(cfg, c, model, states.get(c.name), options) for c in model.clusters}
        pages: list[GeneratedPage] = []
        sections: dict[str, list[NavSection]] = {}
        todo: set[str] = set()  # the clusters whose pages are rendered (not kept from the last compilation)
        for cluster in model.clusters:
            kept = self.kept_pages.get(cluster.name)
            if keys[cluster.name] is not None and kept is not None and kept[0] == keys[cluster.name]:
                self.parse_cache.counts["cluster pages reused"] += 1
                self.pages.reused.extend(p.path for p in kept[1] if p.kind == "layer")
            else:
                todo.add(cluster.name)
        dots = {cluster.name: all_diagram_dots(layout, cfg.use_directory_urls, model.facts[cluster.name])
                for cluster in model.clusters if cluster.name in todo} if cfg.diagrams else {}
        self.svg.prepare([dot for found in dots.values() for dot in found.values()])  # in few engine runs
        for cluster in model.clusters:
            if cluster.name in todo:
                found = dots.get(cluster.name)
                key = keys[cluster.name]
                keep = sink if sink is not None and key is None else (lambda page: page)
                made = render_cluster(model.facts[cluster.name], options,
                                      (lambda c, kind, layer, found=found: found.get((kind, layer)))
                                      if found is not None else None, keep)
                renderer = PageRenderer(model.facts[cluster.name], options)
                made.append(keep(doctor_page(renderer, reports[cluster.name])))
                if cluster.name in history:
                    made.append(keep(changes_page(renderer, history[cluster.name]["history"])))
                nav = layer_sections(model.facts[cluster.name], layout)
                self.parse_cache.counts["cluster pages rendered"] += 1
                if key is not None:
                    self.kept_pages[cluster.name] = (key, made, nav)
            else:
                _, made, nav = self.kept_pages[cluster.name]
            pages.extend(made)
            sections[cluster.name] = nav
            diagnostics += cluster.warnings
        if last:  # the pages inline them
            self.svg.forget()
        existing = {p.path for p in pages}
        if cfg.docs_dir is not None and cfg.docs_dir.is_dir():
            existing |= {f.relative_to(cfg.docs_dir).as_posix() for f in cfg.docs_dir.rglob("*.md")}
        diagnostics += problems(graph, existing)
        return CompiledWiki(model, pages, notes, basis_index, diagnostics, graph, layout=layout,
                            notices=sorted(set(layout.notices)), doctor=reports, sections=sections)

    def release_caches(self) -> None:
        """Let go of what only a later compilation would reuse: the parsed files, the models of past revisions,
        the SVG kept in memory. ``compile(last=True)`` (``mkdocs build``) calls it once the model is made, so that a
        large site's peak memory no longer holds them."""
        keep_builds = self.parse_cache.keep_builds
        self.parse_cache = ParseCache()
        self.parse_cache.keep_builds = keep_builds
        self.histories = {}
        self.svg.forget()

    def recent_changes(self, cfg: WikiConfig, worktree: WorktreeBuild | None = None,
                       revisions: RevisionInventories | str | None = None) -> RecentChanges | str:
        """The last ``cfg.history`` commits that changed the topology, or why git cannot tell. What each past
        revision holds is kept across compilations (``mkdocs serve`` rebuilds only look up HEAD) and, with a
        ``cache_dir``, on disk for the next build (which then builds no past revision it has seen); a revision
        the same as the working tree in all the build of ``worktree`` read takes its facts."""
        inventories = self.revisions(cfg) if revisions is None else revisions
        if isinstance(inventories, str):
            return inventories
        if cfg.cache_dir is None:
            inventories.store = None
        elif inventories.store is None or inventories.store.folder != cfg.cache_dir:
            inventories.store = SignedCache(cfg.cache_dir, STORE_SUFFIX)
        inventories.worktree = worktree
        try:
            return inventories.recent(cfg.history, scan=max(50, HISTORY_SCAN * cfg.history), seconds=HISTORY_SECONDS)
        except GitError as err:
            log.info("flux-wiki: no recent changes: %s", err)
            return "git could not read the history (the build log says why)."
        finally:
            inventories.worktree = None

    def revisions(self, cfg: WikiConfig) -> RevisionInventories | str:
        """The past revisions of ``cfg.repo`` (kept across compilations), or why git cannot read them."""
        key = (cfg.repo, tuple(cfg.clusters), cfg.entry)
        inventories = self.histories.get(key)
        if inventories is None:
            try:
                git = GitRepo(cfg.repo)
            except GitError as err:  # the page gets no local path: it may be published
                log.info("flux-wiki: no recent changes: %s", err)
                return "the repository is not a git checkout (or git is not installed)."
            inventories = RevisionInventories(git, BuildOptions(tuple(cfg.clusters), cfg.entry),
                                              parse_cache=self.parse_cache)
            self.histories[key] = inventories
        return inventories

    def doctor(self, model: Model, notes: dict[str, ClusterNotes], repo: Repo,
               states: dict[str, bytes | None] | None = None) -> dict[str, DoctorReport]:
        """The ordering doctor's report of each cluster (its findings are page content, not build warnings).
        ``repo`` is the snapshot the model was built from: its folder listings, ignore rules and file contents
        are known already, so the bootstrap scan does not walk and read the repository again.

        A report is a function of the cluster and its order (``states``: :func:`cluster_state`), its notes, the
        bootstrap releases and the CRD catalog (loaded once per compiler): when they are the same as at the last
        compilation, that report is kept (counted as ``doctor reused``)."""
        if not model.clusters:  # nothing to diagnose: skip the catalog and the repo-wide helmfile scan
            return {}
        if self.crd_catalog is None:
            self.crd_catalog = CrdCatalog.load()
        early = bootstrap_releases(repo)
        reports = {}
        for c in model.clusters:
            state = (states or {}).get(c.name)
            key = fingerprint((state, notes.get(c.name), early)) if state is not None else None
            kept = self.kept_reports.get(c.name) if key is not None else self.kept_reports.pop(c.name, None)
            if key is not None and kept is not None and kept[0] == key:
                self.parse_cache.counts["doctor reused"] += 1
                reports[c.name] = kept[1]
                continue
            reports[c.name] = diagnose(c, self.crd_catalog, notes.get(c.name), order=model.facts[c.name].order,
                                       bootstrap=early)
            self.parse_cache.counts["doctor diagnosed"] += 1
            if key is not None:
                self.kept_reports[c.name] = (key, reports[c.name])
        return reports

    def page_key(self, cfg: WikiConfig, cluster: Cluster, model: Model, state: bytes | None,
                 options: RenderOptions) -> bytes | None:
        """A digest of everything a cluster's pages are made from besides the configuration (the memo is
        forgotten when that changes): the cluster and its order (``state``), its doctor report (by its digest),
        the cluster names (page folders), its notes, the wiki's related pages and source basis, its recent
        changes. None when the pages must be rendered: no state, or templates of the author's that may change."""
        report = self.kept_reports.get(cluster.name)  # this compilation's report (doctor() drops any other)
        if state is None or report is None or cfg.templates_dir is not None:
            return None
        context = {k: v for k, v in options.cluster_context.get(cluster.name, {}).items()
                   if k not in ("doctor", "subject_words")}  # the report (by its digest) and a module function
        return fingerprint((state, report[0], [c.name for c in model.clusters], options.notes.get(cluster.name),
                            options.related, options.extra_basis, context))

    def hand_written(self, cfg: WikiConfig, compiled: CompiledWiki, src: str,
                     markdown: str) -> tuple[str, list[Diagnostic]]:
        """A hand-written page (body, without front matter) as the wiki shows it: markers expanded into live
        fragments, then its Relationships and Source Basis sections. Both front ends use this."""
        if compiled.markers is None:
            compiled.markers = MarkerExpander(compiled.model.facts,
                                              self.render_options(cfg, compiled.notes, compiled.basis,
                                                                  compiled.layout),
                                              lambda a, b: relative_url(a, b, cfg.use_directory_urls))
        file = f"{cfg.docs_dir.name}/{src}" if cfg.docs_dir else src
        markdown, diagnostics = compiled.markers.expand(markdown, src, file)
        generated = compiled.generated
        sections = relationships_markdown(
            compiled.basis, src, source_url(cfg, compiled.basis),
            lambda p: (generated[p].title if p in generated else None)
            or (page_title(cfg.docs_dir / p) if cfg.docs_dir else None))
        if sections:
            markdown = markdown.rstrip("\n") + "\n\n" + sections
        return markdown, diagnostics

    def render_options(self, cfg: WikiConfig, notes: dict[str, ClusterNotes], graph: BasisGraph,
                       layout: PageLayout | None = None) -> RenderOptions:
        """How pages (and fragments injected into hand-written pages) are rendered for this configuration."""
        url = source_url(cfg, graph)
        return RenderOptions(layout=layout or PageLayout(cfg.section), notes=notes, templates_dir=cfg.templates_dir,
                             problems=cfg.problems,
                             browse_url=_browse(cfg.browse_url), related=_related(graph),
                             extra_basis={page: source_items(graph, page, url) for page in graph.pages},
                             diagram=self._diagram if cfg.diagrams else None,
                             keep_compiled=cfg.cache_dir is not None)

    def _diagram(self, page: str, name: str, dot: str, source: str | None = None) -> str:
        """Inline SVG of a diagram (or its DOT when no engine renders), with a link to its .dot file if emitted."""
        result = self.svg.render(dot)
        if result.svg is None:
            log.warning("diagram %s on %s not rendered: %s", name, page, result.warning)
            # plain HTML (it may sit inside the full graph's <details>), without a blank line that would end it
            code = html_text("\n".join(line for line in dot.splitlines() if line.strip()))
            return (f'<details class="flux-wiki-dot"><summary>Diagram source (Graphviz not available)</summary>'
                    f'<pre><code class="language-dot">{code}</code></pre></details>\n')
        link = f"\n{md_link('Graphviz source', source)}\n" if source else ""
        return f'<div class="flux-wiki-diagram" data-diagram="{html_text(name)}">\n{result.svg}\n</div>\n{link}'


def cluster_state(cluster: Cluster, order: EffectiveOrder) -> bytes | None:
    """The :func:`fingerprint` of a simulated, analysed cluster and its effective order: everything its facts (and
    so its pages and its doctor report) are computed from."""
    return fingerprint((cluster, order.state()))


def _browse(base: str | None) -> Callable[[str, int | None], str | None]:
    return lambda file, line: file_url(base, file, line)


def source_url(cfg: WikiConfig, graph: BasisGraph) -> BasisUrl:
    """Browse URLs of source-basis files: each root's ``url``; the GitOps repo root falls back to ``browse_url``."""
    fallback = {name: cfg.browse_url for name, root in graph.roots.items()
                if cfg.browse_url and root.path.resolve() == cfg.repo.resolve()}
    return browse_url(graph.roots, fallback)


def _related(graph: BasisGraph) -> dict[str, list[tuple[str, str]]]:
    """Declared related pages, then backlinks, with their titles, per page."""
    def title(page: str) -> str:
        found = page_title(graph.docs_dir / page) if graph.docs_dir else None
        return found or posixpath.splitext(posixpath.basename(page))[0].replace("-", " ")
    return {page: [(title(r), r) for r in graph.related(page) + graph.backlinks(page)] for page in graph.pages}


def all_diagram_dots(layout: PageLayout, use_directory_urls: bool,
                     facts: ClusterFacts) -> dict[tuple[str, str | None], str]:
    """Every diagram DOT of ``facts.cluster``'s pages by (kind, layer id), as :func:`render_cluster` asks for them,
    so that they are rendered together before the pages are."""
    dots = diagram_dots(layout, use_directory_urls, facts)
    cluster = facts.cluster
    wanted = [("dag", None), ("dag-full", None), ("surfaces", None)] + [
        (kind, layer.id) for layer in facts.layers for kind in ("layer", "order")]
    return {(kind, layer): dot for kind, layer in wanted if (dot := dots(cluster, kind, layer)) is not None}


def diagram_dots(layout: PageLayout, use_directory_urls: bool,
                 facts: ClusterFacts) -> Callable[[Cluster, str, str | None], str | None]:
    """DOT of the diagrams of ``facts.cluster``'s pages, by kind: ``dag`` (the overview of a large cluster, else
    the full graph), ``dag-full`` (the full graph, when ``dag`` is the overview), ``surfaces``, and per layer
    ``layer`` (its surfaces; None when it has none) and ``order`` (its neighbourhood in the order)."""
    def link(page: str) -> Callable[[str], str]:
        return lambda i: relative_url(page, layout.layer(cluster, i), use_directory_urls)

    cluster = facts.cluster
    anchors = group_anchors(facts.grouping) if facts.overview and facts.grouping else {}

    def dots(cluster: Cluster, kind: str, layer: str | None) -> str | None:
        dag = layout.dag(cluster)
        if kind == "dag":
            here = relative_url(dag, dag, use_directory_urls)
            return layer_dag_dot(facts, link(dag), group_url=lambda key: f"{here}#{anchors[key]}")
        if kind == "dag-full":
            return layer_dag_dot(facts, link(dag), view="full") if facts.overview else None
        if kind == "surfaces":
            page = layout.surfaces(cluster)
            return surface_map_dot(cluster, facts.surfaces, link(page))
        if layer is None:
            return None
        page = layout.layer(cluster, layer)
        if kind == "order":
            return neighbourhood_dot(facts, layer, link(page), relative_url(page, dag, use_directory_urls) + "#flux-root")
        layer_facts = facts.layer(layer)
        if kind == "layer" and (layer_facts.surfaces or layer_facts.releases):
            return layer_diagram_dot(cluster, layer, layer_facts.surfaces, link(page), releases=layer_facts.releases)
        return None
    return dots
