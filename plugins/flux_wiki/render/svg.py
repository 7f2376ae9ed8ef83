"""Render DOT to SVG that can be inlined into a wiki page, with a cache.

Engines, in order: the system ``dot`` when it is on PATH, else the
``graphviz-pure`` program (the optional wheel ships it next to the Python
interpreter), else no SVG and a warning so the caller can show the DOT source.

The SVG is rewritten for inlining: no XML prolog, DOCTYPE or comments; Graphviz's width and height (in
pt) stay beside the viewBox, as the natural size the viewer (``assets/viewer.js``) starts from and the size
shown without JavaScript; links carry ``xlink:href`` only (relative or http(s) targets) and never a
``target``: Material's instant navigation assigns the ``href`` property of every ``[href]`` element and
throws on an SVG ``<a href>``, which stops instant navigation for the rest of the visit. The root gets the
class ``flux-wiki-graph`` so :data:`DIAGRAM_CSS` can follow Material's light and dark palettes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .markdown import link_target

log = logging.getLogger("flux_wiki.render.svg")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ROOT_CLASS = "flux-wiki-graph"
# Bump when the post-processing changes so disk caches written by older versions are not reused.
FORMAT_VERSION = "3"
RENDER_TIMEOUT_S = 120

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

DIAGRAM_CSS = """\
.flux-wiki-graph { max-width: 100%; height: auto; font-family: inherit; }
.flux-wiki-graph .graph > polygon, .flux-wiki-graph .graph > g > a > polygon { fill: transparent; }
.flux-wiki-graph text { fill: var(--md-default-fg-color); }
.flux-wiki-graph [stroke="black"] { stroke: var(--md-default-fg-color--light); }
.flux-wiki-graph [fill="black"] { fill: var(--md-default-fg-color--light); }
.flux-wiki-graph .edge path { stroke: var(--md-default-fg-color--light); }
.flux-wiki-graph .cluster > polygon { fill: var(--md-code-bg-color); stroke: var(--md-default-fg-color--lightest); }
.flux-wiki-graph .cluster > text { fill: var(--md-default-fg-color--light); }
.flux-wiki-graph .node > polygon, .flux-wiki-graph .node > ellipse,
.flux-wiki-graph .node a > polygon, .flux-wiki-graph .node a > ellipse,
.flux-wiki-graph .node a > path, .flux-wiki-graph .node > path {
  fill: var(--md-default-bg-color); stroke: var(--md-default-fg-color--light);
}
.flux-wiki-graph .fw-wait polygon { stroke: var(--md-primary-fg-color); }
.flux-wiki-graph .fw-helm polygon, .flux-wiki-graph .fw-helm path { stroke: var(--md-primary-fg-color); }
.flux-wiki-graph .fw-entry ellipse, .flux-wiki-graph .fw-entry polygon { stroke: var(--md-accent-fg-color); }
.flux-wiki-graph .fw-error polygon, .flux-wiki-graph .fw-missing polygon { stroke: #e53935; }
.flux-wiki-graph .fw-error text, .flux-wiki-graph .fw-missing text { fill: #e53935; }
.flux-wiki-graph .fw-skipped polygon { stroke: var(--md-default-fg-color--lighter); }
.flux-wiki-graph .fw-skipped text { fill: var(--md-default-fg-color--light); }
.flux-wiki-graph .fw-note polygon, .flux-wiki-graph .fw-note path { fill: var(--md-code-bg-color); }
.flux-wiki-graph a:hover polygon, .flux-wiki-graph a:focus polygon { stroke: var(--md-accent-fg-color); stroke-width: 2; }
.flux-wiki-graph a:hover text { fill: var(--md-accent-fg-color); }
"""


@dataclass(frozen=True)
class RenderResult:
    """The outcome of one render: SVG text or None plus a warning saying why."""

    svg: str | None
    engine: str | None  # "dot" | "graphviz-pure" | None
    warning: str | None = None
    cached: bool = False


def find_engine() -> tuple[str, str] | None:
    """Return (engine name, executable path) of the best available renderer, or None."""
    dot = shutil.which("dot")
    if dot:
        return "dot", dot
    pure = shutil.which("graphviz-pure")
    if pure:
        return "graphviz-pure", pure
    exe = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        candidate = folder / exe
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return "graphviz-pure", str(candidate)
    return None


class SvgRenderer:
    """Render DOT to inline-ready SVG, caching by sha256 in memory and optionally on disk.

    ``renders`` counts real engine runs; cache hits (memory or disk) do not count.
    """

    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.renders = 0
        self._memory: dict[str, RenderResult] = {}

    def render(self, dot: str) -> RenderResult:
        engine = find_engine()
        if engine is None:
            return RenderResult(
                None,
                None,
                "no Graphviz renderer found: install Graphviz (`dot`) or the `graphviz-pure` "
                "package (pip install mkdocs-flux-wiki[pure]); showing the DOT source instead",
            )
        name, exe = engine
        key = _cache_key(name, dot)
        hit = self._memory.get(key)
        if hit is not None:
            log.debug("svg cache hit (memory) %s engine=%s", key[:12], name)
            return RenderResult(hit.svg, hit.engine, hit.warning, cached=True)
        disk = self._read_disk(key)
        if disk is not None:
            log.debug("svg cache hit (disk) %s engine=%s", key[:12], name)
            result = RenderResult(disk, name, None, cached=True)
            self._memory[key] = result
            return result
        result = self._run(name, exe, dot)
        self.renders += 1
        log.debug("svg rendered %s engine=%s ok=%s", key[:12], name, result.svg is not None)
        self._memory[key] = result
        if result.svg is not None:
            self._write_disk(key, result.svg)
        return result

    def _run(self, name: str, exe: str, dot: str) -> RenderResult:
        try:
            proc = subprocess.run(
                [exe, "-Tsvg"],
                input=dot.encode("utf-8"),
                capture_output=True,
                timeout=RENDER_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return RenderResult(None, name, f"{name} failed to run: {exc}")
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            first = err[0] if err else f"exit status {proc.returncode}"
            return RenderResult(None, name, f"{name} could not render the diagram: {first}")
        try:
            svg = postprocess_svg(proc.stdout.decode("utf-8", "replace"))
        except ET.ParseError as exc:
            return RenderResult(None, name, f"{name} produced SVG that is not well-formed XML: {exc}")
        return RenderResult(svg, name, None)

    def _read_disk(self, key: str) -> str | None:
        if self.cache_dir is None:
            return None
        path = self.cache_dir / f"{key}.svg"
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            return None

    def _write_disk(self, key: str, svg: str) -> None:
        if self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_dir / f".{key}.{os.getpid()}.tmp"
            tmp.write_text(svg, encoding="utf-8")
            tmp.replace(self.cache_dir / f"{key}.svg")
        except OSError as exc:
            log.debug("svg disk cache not written: %s", exc)


def _cache_key(engine: str, dot: str) -> str:
    return hashlib.sha256(f"{FORMAT_VERSION}\0{engine}\0{dot}".encode("utf-8")).hexdigest()


def postprocess_svg(svg: str) -> str:
    """Make Graphviz SVG inlineable: parse, drop prolog, comments, targets and unsafe links, add the class.

    Raises ``xml.etree.ElementTree.ParseError`` when the input is not well-formed.
    """
    root = ET.fromstring(svg)
    classes = root.get("class", "").split()
    if ROOT_CLASS not in classes:
        classes.insert(0, ROOT_CLASS)
    root.set("class", " ".join(classes))
    xlink_href = f"{{{XLINK_NS}}}href"
    for elem in root.iter():
        if elem.tag != f"{{{SVG_NS}}}a":
            continue
        elem.attrib.pop("target", None)
        elem.attrib.pop(f"{{{XLINK_NS}}}target", None)
        plain = elem.attrib.pop("href", None)  # SVG2 href: Material's instant navigation throws on it
        href = elem.get(xlink_href, plain)
        if href is not None:
            elem.set(xlink_href, href)
        if href is not None and link_target(href) is None:  # javascript:, data:, …: never a link
            elem.attrib.pop(xlink_href)
    return ET.tostring(root, encoding="unicode")
