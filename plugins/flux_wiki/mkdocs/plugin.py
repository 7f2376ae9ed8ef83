"""The MkDocs (and ProperDocs) plugin: adapts mkdocs.yml to the engine and adds the pages it compiles.

It adapts, it does not think: its options are :mod:`flux_wiki.config`'s schema,
everything is computed by :mod:`flux_wiki.compile`.
"""

from __future__ import annotations

import gc
import logging
import tempfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from ..authoring.check import PageStatus, stale_pages, with_stale_banner
from ..authoring.lock import load_lock
from ..compile import CompiledWiki, WikiCompiler
from ..config import FluxWikiConfig, WikiConfig, wiki_config
from ..engine import UnknownCluster
from ..model import InputError, printable
from ..render.markdown import html_text
from ..render.nav import NavSection, nest
from ..render.pages import SORTABLE_JS, GeneratedPage, TemplateProblem
from ..render.svg import DIAGRAM_CSS
from ..render.viewer import VIEWER_CSS, VIEWER_JS
from .collector import OlderObjectsSetAside, set_aside_at_exit

log = logging.getLogger("mkdocs.plugins.flux-wiki")

CSS_PATH = "assets/flux-wiki.css"
JS_PATH = "assets/flux-wiki.js"  # sorts the inventory tables, pans, zooms and finds in diagrams (no CDN)
# Markdown extensions the generated pages (and the stale banner) are written for, beyond MkDocs' built-in
# `toc` and `tables`: enabled when mkdocs.yml leaves them out, as Material's plugins enable theirs.
PAGE_EXTENSIONS = ("admonition",)
# plugins known to read no page's Markdown or HTML after MkDocs wrote that page: beside only these, a one-off
# build lets go of a generated page's text once written (another plugin, say one that prints the whole site
# into one file at the end, may need it then)
PAGE_TEXT_DONE_WITH = frozenset({"flux-wiki", "search", "material/search", "tags", "material/tags", "offline",
                                 "material/offline", "social", "material/social", "privacy", "material/privacy",
                                 "meta", "material/meta", "info", "material/info"})


class FluxWikiPlugin(BasePlugin[FluxWikiConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.compiler: WikiCompiler | None = None
        self.compiled: CompiledWiki | None = None
        self.wiki: WikiConfig | None = None
        self.serving = False
        self.stale: dict[str, PageStatus] = {}
        # a one-off build (:meth:`_release`): the generated pages' paths, the hand-written pages MkDocs has yet to
        # read (None until it starts reading them), and the folder MkDocs reads the generated files from
        self.generated: frozenset[str] = frozenset()
        self.hand_written_left: set[str] | None = None
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        self.released = 0  # compilations let go of (tests)
        self.drop_page_text = False  # a one-off build beside PAGE_TEXT_DONE_WITH plugins only
        self.older = OlderObjectsSetAside()  # a one-off build: what MkDocs made before it, out of the collector's way

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # survives `mkdocs serve` rebuilds: the parse cache and the SVG cache
        self.compiler = WikiCompiler(rebuilds=command == "serve")
        self.serving = command == "serve"
        set_aside_at_exit()  # a MkDocs command: the process ends with it

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path or ".").resolve().parent
        try:
            self.wiki = wiki_config(self.config, base, docs_dir=Path(config.docs_dir),
                                    use_directory_urls=config.use_directory_urls)
        except InputError as err:
            raise PluginError(err.message) from None
        self.drop_page_text = not self.serving and set(config.plugins) <= PAGE_TEXT_DONE_WITH
        enabled = {str(name).split(":")[0].removeprefix("markdown.extensions.") for name in config.markdown_extensions}
        for extension in PAGE_EXTENSIONS:
            if extension not in enabled:
                log.debug("flux-wiki: enabling the Markdown extension %r its pages use", extension)
                config.markdown_extensions.append(extension)
        if self.config.diagrams and CSS_PATH not in config.extra_css:
            config.extra_css.append(CSS_PATH)
        if JS_PATH not in config.extra_javascript:
            config.extra_javascript.append(JS_PATH)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.wiki is not None
        if self.compiler is None:  # builds started without on_startup (e.g. mkdocs.commands.build)
            self.compiler = WikiCompiler()
        self._clean_up()
        self.hand_written_left = None
        written: dict[str, list[File]] = {}  # a one-off build's pages, written out as they are rendered

        def write(page: GeneratedPage) -> GeneratedPage:
            written[page.path] = self._files_of(config, page)
            return replace(page, markdown="", dot={})

        if not self.serving:
            self.folder = tempfile.TemporaryDirectory(prefix="flux-wiki-pages-")
            self.older.start()  # until the build ends (_clean_up)
        try:  # one build: its parsed files and SVG are let go of as soon as they have served
            self.compiled = self.compiler.compile(self.wiki, last=not self.serving,
                                                  sink=None if self.serving else write)
        except (UnknownCluster, TemplateProblem) as err:
            self._clean_up()
            raise PluginError(f"flux-wiki: {err}") from None
        self.generated = frozenset(self.compiled.generated)
        for diag in self.compiled.diagnostics:
            level, text = self.wiki.problems.report(diag)
            if level == "warning":
                log.warning("%s", text)
            else:
                log.info("flux-wiki: %s", text)
        for diag in self.compiled.notices:
            log.info("flux-wiki: %s", diag)
        for cluster, report in sorted(self.compiled.doctor.items()):  # advice on the Doctor page, not a warning
            for finding in report.open:
                log.info("flux-wiki: doctor [%s] %s %s %s:%d: %s", cluster, finding.severity, finding.code,
                         finding.file, finding.line, printable(finding.message))
        for page in self.compiled.pages:
            existing = files.get_file_from_path(page.path)
            if existing is not None:
                log.warning("flux-wiki: %s exists in docs/ and is replaced by the generated page", page.path)
                files.remove(existing)
            for file in written.pop(page.path, None) or self._files_of(config, page):
                files.append(file)
        if config.nav is not None:  # pages on_nav will place are not "missing from the nav" (MkDocs logs those
            # before on_nav runs, from each file's inclusion)
            for pages in self._placed(set(_nav_paths(config.nav))).values():
                for page in pages:
                    placed = files.get_file_from_path(page.path)
                    if placed is not None:
                        placed.inclusion = InclusionLevel.NOT_IN_NAV
        if self.config.diagrams:
            files.append(File.generated(config, CSS_PATH, content=DIAGRAM_CSS + VIEWER_CSS))
        files.append(File.generated(config, JS_PATH, content=SORTABLE_JS + "\n" + VIEWER_JS))
        self.stale = {}
        if self.serving and self.wiki.lock_file is not None:
            try:
                self.stale = stale_pages(self.compiled.basis, load_lock(self.wiki.lock_file))
            except InputError as err:
                log.warning("%s", err)
        return files

    def _files_of(self, config: MkDocsConfig, page: GeneratedPage) -> list[File]:
        """A generated page's files for MkDocs: the page and the DOT of its diagrams."""
        return [self._generated(config, page.path, page.markdown)] + [
            self._generated(config, f"{page.path[:-3]}.{name}.dot", dot) for name, dot in sorted(page.dot.items())]

    def _generated(self, config: MkDocsConfig, path: str, text: str) -> File:
        """A generated file for MkDocs. In a one-off build it is written to a scratch folder that MkDocs reads it
        from (a page when it renders that page), so that its text is not held in memory for the whole build on
        top of what MkDocs makes of it; ``mkdocs serve`` keeps it in memory for its next rebuild. A text with a
        carriage return stays in memory: MkDocs reads files with universal newlines, which would change it."""
        if self.folder is None or "\r" in text:
            return File.generated(config, path, content=text)
        target = Path(self.folder.name, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        return File.generated(config, path, abs_src_path=str(target))

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Hand-written pages: markers, Relationships and Source Basis (compile.py), the stale banner under serve."""
        if self.compiled is None or self.wiki is None or self.compiler is None:
            return markdown
        src = page.file.src_uri
        if src not in self.generated:
            markdown, diags = self.compiler.hand_written(self.wiki, self.compiled, src, markdown)
            for diag in diags:
                log.warning("%s", diag)
            status = self.stale.get(src)
            if status is not None:
                markdown = with_stale_banner(markdown, src, status)
        if not self.serving:
            if self.hand_written_left is None:  # the pages `mkdocs build` reads (and so `_populate_page`)
                self.hand_written_left = {f.src_uri for f in files.documentation_pages(
                    inclusion=InclusionLevel.is_included)} - self.generated
            self.hand_written_left.discard(src)
            if not self.hand_written_left:
                self._release()
        return markdown

    def on_env(self, env, *, config: MkDocsConfig, files: Files):  # type: ignore[no-untyped-def]
        """Every page is read: in a one-off build the compilation is let go of (if no page read did it already)."""
        if not self.serving:
            self._release()
        return env

    def _release(self) -> None:
        """Let go of the compilation in a one-off build once no hand-written page needs it any more (their markers
        are expanded from the model): MkDocs then reads and renders the generated pages, which is when a large
        site's memory peaks, without the model, the facts and the pages' Markdown alive beside its own."""
        if self.compiled is not None:
            self.compiled = None
            self.released += 1
            gc.collect()  # the model's reference cycles (a node and its parent): free them now, for MkDocs to reuse

    @event_priority(-100)  # after every other plugin's
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """A generated page is rendered: in a one-off build, let go of its Markdown (its title is in its metadata),
        and keep its HTML in the scratch folder until MkDocs writes the page: MkDocs renders every page before
        it writes the first, so a large site's HTML would otherwise all be in memory at once."""
        if self.drop_page_text and page.file.src_uri in self.generated:
            page.markdown = ""
            if self.folder is not None:
                waiting = self._waiting(page)
                waiting.parent.mkdir(parents=True, exist_ok=True)
                waiting.write_bytes(html.encode("utf-8"))  # bytes: a carriage return comes back as it was
                return ""
        return html

    @event_priority(100)  # before every other plugin's: search indexes the page's HTML
    def on_page_context(self, context, *, page: Page, config: MkDocsConfig,  # type: ignore[no-untyped-def]
                        nav: Navigation):
        """A generated page is about to be written: its HTML back from the scratch folder (see on_page_content)."""
        if self.drop_page_text and self.folder is not None and page.file.src_uri in self.generated:
            waiting = self._waiting(page)
            if waiting.is_file():
                page.content = waiting.read_bytes().decode("utf-8")
                waiting.unlink()
        return context

    def _waiting(self, page: Page) -> Path:
        """Where a generated page's HTML waits for MkDocs to write the page (beside its Markdown, which is read)."""
        assert self.folder is not None
        return Path(self.folder.name) / f"{page.file.src_uri}.html"

    @event_priority(-100)  # after every other plugin's
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """A generated page is written: in a one-off build, let go of its HTML and table of contents. Nothing reads
        them after the page is written: search indexes a page before (``on_page_context``), the navigation of
        other pages shows its title and URL, and the anchors checked after the build are the ones MkDocs
        recorded while rendering it (``present_anchor_ids``). Only beside plugins known not to read it later."""
        if self.drop_page_text and page.file.src_uri in self.generated:
            page.content = None
            page.toc = []
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._clean_up()

    def on_build_error(self, *, error: Exception) -> None:
        self._clean_up()

    def _clean_up(self) -> None:
        """Remove the scratch folder of a one-off build's generated files (MkDocs has copied or rendered them), and
        give the collector back the objects set aside."""
        self.older.end()
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Put generated pages that mkdocs.yml's nav does not list after their DAG page: the cluster's other
        pages (surfaces, doctor, recent changes) beside it, then its layer pages in a Layers section; a big
        cluster's layer pages are nested by group there (render/nav.py), and in the nav MkDocs makes from the
        folders when mkdocs.yml has none."""
        if self.compiled is None:
            return nav
        listed = {p.file.src_uri: p for p in nav.pages}
        nested = [found for c in self.compiled.model.clusters if (found := self.compiled.sections.get(c.name))]
        changed = False
        for dag, missing in self._placed(set(listed)).items():
            def pages_of(generated: list[GeneratedPage]) -> list[Page]:
                return [f.page for f in (files.get_file_from_path(p.path) for p in generated)
                        if f is not None and isinstance(f.page, Page)]
            others = pages_of([p for p in missing if p.kind != "layer"])
            layers = pages_of([p for p in missing if p.kind == "layer"])
            if not others and not layers:
                continue
            dag_page = listed[dag]
            siblings = dag_page.parent.children if dag_page.parent else nav.items
            items: list[Page | Section] = list(others)
            for page in others:
                page.parent = dag_page.parent
            if layers:
                section = Section("Layers", layers)
                section.parent = dag_page.parent
                for page in layers:
                    page.parent = section
                items.append(section)
                if nested:
                    _nest(section, nested)
            at = siblings.index(dag_page) + 1
            siblings[at:at] = items
            changed = True
        if nested and config.nav is None:
            for section in _sections(nav.items):
                changed = _nest(section, nested) or changed
        if changed:
            nav.pages[:] = _pages(nav.items)
            for i, page in enumerate(nav.pages):
                page.previous_page = nav.pages[i - 1] if i else None
                page.next_page = nav.pages[i + 1] if i + 1 < len(nav.pages) else None
        return nav

    def _placed(self, listed: set[str]) -> dict[str, list[GeneratedPage]]:
        """The generated pages a nav listing ``listed`` leaves out, by the DAG page they follow (a listed one)."""
        if self.compiled is None:
            return {}
        folders = {p.path.rsplit("/", 1)[0]: p.path for p in self.compiled.pages if p.kind == "dag"}
        placed: dict[str, list[GeneratedPage]] = {dag: [] for dag in folders.values() if dag in listed}
        for p in self.compiled.pages:
            if p.path in listed:
                continue
            folder = p.path.rsplit("/", 1)[0]
            while folder not in folders and "/" in folder:  # the nearest cluster folder above the page
                folder = folder.rsplit("/", 1)[0]
            if folders.get(folder) in placed:
                placed[folders[folder]].append(p)
        return placed

    def on_serve(self, server, *, config: MkDocsConfig, builder):  # type: ignore[no-untyped-def]
        assert self.wiki is not None
        server.watch(str(self.wiki.repo))
        for path in (self.wiki.notes, self.wiki.source_basis, self.wiki.templates_dir, self.wiki.lock_file,
                     *self.wiki.sources.values()):  # the folders of sources outside the repo, too
            if path is not None and path.exists():
                server.watch(str(path))
        if self.compiled is not None:  # other source roots (e.g. an AGENTS.ctx folder): staleness and basis links
            for root in self.compiled.basis.roots.values():
                if root.path.is_dir() and root.path != self.wiki.repo:
                    server.watch(str(root.path))
        return server


def _nest(section: Section, nested: list[list[NavSection]]) -> bool:
    """Nest the layer pages among ``section``'s children by group (each cluster's sections); True if any."""
    children: list = list(section.children)
    changed = False

    def made(entry: object) -> object:
        if not isinstance(entry, tuple):
            return entry
        sub = Section(html_text(entry[0]), [made(child) for child in entry[1]])
        for child in sub.children:
            child.parent = sub
        return sub
    for sections in nested:
        items = nest(children, sections, lambda i: i.file.src_uri if isinstance(i, Page) else None)
        changed = changed or any(isinstance(item, tuple) for item in items)
        children = [made(item) for item in items]
    if not changed:
        return False
    section.children = children
    for child in children:
        child.parent = section
    return True


def _sections(items: list) -> list[Section]:
    """Every section of a nav tree, outermost first."""
    found = [i for i in items if isinstance(i, Section)]
    return found + [s for section in found for s in _sections(section.children)]


def _pages(items: list) -> list[Page]:
    """The pages of a nav tree in reading order (as MkDocs lists ``Navigation.pages``)."""
    return [p for i in items for p in (_pages(i.children) if isinstance(i, Section) else [i] if isinstance(i, Page)
                                       else [])]


def _nav_paths(items: object) -> list[str]:
    """The page paths mkdocs.yml's ``nav`` names (as MkDocs looks them up), at any depth."""
    if isinstance(items, str):
        return [PurePosixPath(items).as_posix()]
    if isinstance(items, dict):
        return [p for value in items.values() for p in _nav_paths(value)]
    if isinstance(items, list):
        return [p for item in items for p in _nav_paths(item)]
    return []
