"""The generated wiki as files, for any static site generator (Zensical, MkDocs or ProperDocs without the
plugin, other Markdown readers): what ``flux-wiki pages`` writes.

Under the section folder (``flux/``): the Markdown pages as the plugin adds them, each diagram inline (as the
plugin shows it, for the viewer) and as an SVG file beside its page whose node links are rebased to the file,
the DOT sources the pages link to, the assets the pages use (``assets/``) and the nav in the two forms that
literate-nav-style readers take: ``SUMMARY.md`` (mkdocs-literate-nav, Zensical) and ``.nav.yml``
(mkdocs-awesome-nav, Zensical). Nav titles come from the pages (HTML-escaped, as in their front matter).
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from mkdocs.utils.yaml import yaml_load

from ..compile import CompiledWiki, WikiCompiler, page_url
from ..config import WikiConfig
from ..model import Diagnostic
from ..render.markdown import html_text, md_escape, md_link, relative_link
from ..render.nav import Nested, layer_sections, nest
from ..render.pages import SORTABLE_JS, GeneratedPage
from ..render.svg import DIAGRAM_CSS, SVG_NS, XLINK_NS
from ..render.viewer import VIEWER_CSS, VIEWER_JS
from .hugo import standalone_svg, write_export

MARKER = "# Written by flux-wiki pages: this folder is regenerated, edit the manifests instead."
ASSETS = {  # file below the section folder -> content; extra_css / extra_javascript name them in this order
    "assets/flux-wiki.css": DIAGRAM_CSS,
    "assets/viewer.css": VIEWER_CSS,
    "assets/flux-wiki.js": SORTABLE_JS,
    "assets/viewer.js": VIEWER_JS,
}


class _FileCompiler(WikiCompiler):
    """Renders each diagram inline, as the plugin does, and also as an SVG file beside its page."""

    def __init__(self, use_directory_urls: bool) -> None:
        super().__init__()
        self.use_directory_urls = use_directory_urls
        self.svgs: dict[str, str] = {}  # docs-relative path -> standalone SVG

    def _diagram(self, page: str, name: str, dot: str, source: str | None = None) -> str:
        inline = super()._diagram(page, name, dot)
        result = self.svg.render(dot)  # the render just made, from the cache
        if result.svg is None:
            return inline
        stem = posixpath.basename(page)[:-3]
        file = f"{stem}.{name}.svg"
        self.svgs[posixpath.join(posixpath.dirname(page), file)] = rebased_svg(
            standalone_svg(result.svg), page_url(page, self.use_directory_urls), posixpath.dirname(page))
        links = [md_link("Diagram as SVG", file)] + ([md_link("Graphviz source", source)] if source else [])
        return f"{inline}\n{' · '.join(links)}\n"


def rebased_svg(svg: str, page_url_: str, folder: str) -> str:
    """An SVG whose links were written for the page at URL ``page_url_``, with relative links rebased to the
    file's own place (``folder``, site-relative), so that they work when it is opened on its own."""
    root = ET.fromstring(svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg)
    base = page_url_ if page_url_.endswith("/") or not page_url_ else posixpath.dirname(page_url_) + "/"
    for elem in root.iter(f"{{{SVG_NS}}}a"):
        for attr in (f"{{{XLINK_NS}}}href", "href"):
            href = elem.get(attr)
            if href is not None:
                elem.set(attr, _rebase(href, page_url_, base, folder))
    head = svg[:svg.index("?>") + 2] + "\n" if svg.startswith("<?xml") else ""
    return head + ET.tostring(root, encoding="unicode") + "\n"


def _rebase(href: str, page: str, base: str, folder: str) -> str:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("/"):
        return href
    if parts.path:
        target, trailing = posixpath.normpath(posixpath.join("/", base, parts.path)), parts.path.endswith("/")
    else:  # "#anchor": the page itself
        target, trailing = posixpath.normpath("/" + page), page.endswith("/") or not page
    rel = posixpath.relpath(target, "/" + folder)
    if trailing and not rel.endswith("/"):
        rel += "/"
    return rel + (f"#{parts.fragment}" if parts.fragment else "")


def nav_files(compiled: CompiledWiki, section: str) -> dict[str, str]:
    """``SUMMARY.md`` and ``.nav.yml`` of the section folder: per cluster its DAG page (the cluster's section
    opens on it), the other cluster pages, then a Layers section, in the order the DAG page lists them (nested
    by group on a big cluster, and by range of groups on a very big one, as the plugin's nav)."""
    here = f"{section}/SUMMARY.md"

    def item(page: GeneratedPage, indent: str) -> str:
        return f"{indent}* {md_link(md_escape(page.title), relative_link(here, page.path))}"
    def summary_lines(entries: Nested[GeneratedPage], indent: str) -> list[str]:
        return [line for entry in entries for line in (
            [f"{indent}* {md_escape(entry[0])}", *summary_lines(entry[1], indent + "    ")]
            if isinstance(entry, tuple) else [item(entry, indent)])]

    def nav_entries(entries: Nested[GeneratedPage]) -> list[object]:
        return [{html_text(entry[0]): nav_entries(entry[1])} if isinstance(entry, tuple)
                else posixpath.relpath(entry.path, section) for entry in entries]
    summary, nav = [f"<!-- {MARKER.removeprefix('# ')} -->", ""], []
    for cluster in compiled.model.clusters:
        folder = compiled.layout.cluster_dir(cluster)
        members = [p for p in compiled.pages if p.path.startswith(f"{folder}/")]
        if not members:
            continue
        layers = [p for p in members if p.kind == "layer"]
        others = sorted((p for p in members if p.kind != "layer"), key=lambda p: p.kind != "dag")
        sections = layer_sections(compiled.model.facts[cluster.name], compiled.layout)
        grouped = nest(layers, sections, lambda p: p.path)
        summary.append(f"* {md_link(md_escape(cluster.name), relative_link(here, others[0].path))}")
        summary += [item(p, "    ") for p in others[1:]]
        if layers:
            summary.append("    * Layers")
            summary += summary_lines(grouped, "        ")
        entries: list[object] = [posixpath.relpath(p.path, section) for p in others]
        if layers:
            entries.append({"Layers": nav_entries(grouped)})
        nav.append({html_text(cluster.name): entries})
    return {"SUMMARY.md": "\n".join(summary) + "\n",
            ".nav.yml": f"{MARKER}\n" + yaml.safe_dump({"nav": nav}, sort_keys=False, allow_unicode=True, width=4096)}


def pages_files(cfg: WikiConfig) -> tuple[dict[str, bytes], CompiledWiki]:
    """Every file of the generated wiki, relative to the section folder, and the compilation they come from."""
    compiler = _FileCompiler(cfg.use_directory_urls)
    compiled = compiler.compile(dataclasses.replace(cfg, history=0))  # no Recent Changes in a copy (see hugo.py)
    section = cfg.section
    files: dict[str, str] = {}
    for page in compiled.pages:
        files[page.path] = page.markdown
        for name, dot in page.dot.items():
            files[f"{page.path[:-3]}.{name}.dot"] = dot
    files.update(compiler.svgs)
    files.update({f"{section}/{rel}": text for rel, text in nav_files(compiled, section).items()})
    files.update({f"{section}/{rel}": text for rel, text in ASSETS.items()})
    return {posixpath.relpath(k, section): v.encode("utf-8") for k, v in sorted(files.items())}, compiled


def write_pages_folder(cfg: WikiConfig, out: Path) -> tuple[list[Path], list[Diagnostic], CompiledWiki]:
    """Write the generated wiki into ``out``/<section>; files an earlier run left there and this one does not
    write are removed (only when the folder holds an earlier output: its ``.nav.yml`` starts with the marker)."""
    files, compiled = pages_files(cfg)
    folder = out / cfg.section
    written = write_export(files, folder, owned=_earlier_output)
    return written, compiled.diagnostics, compiled


def _earlier_output(folder: Path) -> bool:
    nav = folder / ".nav.yml"
    try:
        return nav.is_file() and nav.read_text(encoding="utf-8").startswith(MARKER)
    except (OSError, UnicodeDecodeError):
        return False


_ZENSICAL_GENERATOR = re.compile(rb'<meta\s+name="generator"\s+content="zensical[-\s]')


def zensical_signs(config_file: Path) -> list[str]:
    """Why the site of ``config_file`` (a mkdocs.yml) looks built by Zensical, which reads mkdocs.yml but runs no
    MkDocs plugin: a ``zensical.toml`` beside it (Zensical prefers it), or a last build that Zensical made (the
    generator of ``site_dir``'s index.html)."""
    folder = config_file.resolve().parent
    signs = [f"{folder / 'zensical.toml'} is beside it"] if (folder / "zensical.toml").is_file() else []
    try:
        with config_file.open("rb") as fh:
            site_dir = (yaml_load(fh) or {}).get("site_dir") or "site"
        index = folder / str(site_dir) / "index.html"
        with index.open("rb") as fh:
            if _ZENSICAL_GENERATOR.search(fh.read(1 << 16)):
                signs.append(f"{index} was built by Zensical")
    except Exception:  # no build yet, or a mkdocs.yml that other commands report on: no sign
        pass
    return signs
