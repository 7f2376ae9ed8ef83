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
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..signed_cache import SignedCache
from .markdown import link_target

log = logging.getLogger("flux_wiki.render.svg")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ROOT_CLASS = "flux-wiki-graph"
# Bump when the post-processing changes so disk caches written by older versions are not reused.
FORMAT_VERSION = "3"
RENDER_TIMEOUT_S = 120
# An engine run renders at most this many characters of DOT and this many graphs: a run's input and output are in
# memory at once (the SVG is a few times the DOT), so a large wiki's diagrams go to a few runs of a few MB each,
# which keeps the start-up saving of batching (one process, not one per diagram) without a peak that grows with
# the wiki. A graph larger than the bound runs in a batch of its own.
BATCH_DOT_CHARS = 1_000_000
BATCH_GRAPHS = 500

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

    :meth:`render_many` renders what the caches miss in as few engine runs as the output allows: Graphviz
    lays out each graph of its input in turn and writes one SVG document per graph, so the diagrams go to one
    process (one per :data:`BATCH_DOT_CHARS` of DOT or :data:`BATCH_GRAPHS` graphs), split apart after. Only
    where that would change a drawing does a diagram need a fresh process: older Graphviz (2.42/2.43, still what
    Debian and Ubuntu ship) orders named subgraphs by where their names sit in memory, so a graph with two or
    more clusters is laid out differently after another graph than alone. The first graph of a run is laid out
    as alone, so each batch starts with one such graph; those left over get a process each (run side by side).
    A batch that fails is halved until the failing graph runs alone, so its warning is the engine's own.
    ``renders`` counts diagrams an engine rendered, ``processes`` the engine runs; cache hits (memory or
    disk) count in neither. With :attr:`hold` off (a one-off build), SVG that the disk cache holds is read
    back from it when asked for instead of kept in memory (:meth:`prepare`).
    """

    def __init__(self, cache_dir: Path | None = None):
        self._disk: SignedCache | None = None
        self.cache_dir = cache_dir
        self.renders = 0
        self.processes = 0
        self._lock = threading.Lock()
        self._memory: dict[str, RenderResult] = {}
        self.hold = True  # keep in memory what the disk cache holds too (:meth:`_fill`)

    def render(self, dot: str) -> RenderResult:
        return self.render_many([dot])[0]

    def forget(self) -> None:
        """Drop the SVG kept in memory (the disk cache stays): for a process that renders no more pages."""
        self._memory = {}

    def render_many(self, dots: list[str]) -> list[RenderResult]:
        """The result of each DOT of ``dots``, in order; what no cache holds is rendered (:meth:`_render`)."""
        return self._fill(dots, collect=True) or []

    def prepare(self, dots: list[str]) -> None:
        """Render what the caches miss of ``dots`` for the :meth:`render` calls to come, as :meth:`render_many`
        does, without returning (and so holding) every result at once."""
        self._fill(dots, collect=False)

    def _fill(self, dots: list[str], *, collect: bool) -> list[RenderResult] | None:
        """Render what the caches miss of ``dots``; with ``collect``, the result of each, in order.

        Unless :attr:`hold`, what the disk cache holds (read from it or written to it) is not kept in memory: it
        is read again when asked for, so that a one-off build, which renders a large wiki's diagrams together
        before its pages inline them one by one, never has all of their SVG in memory."""
        if not dots:
            return []
        engine = find_engine()
        if engine is None:
            missing = RenderResult(
                None,
                None,
                "no Graphviz renderer found: install Graphviz (`dot`) or the `graphviz-pure` "
                "package (pip install mkdocs-flux-wiki[pure]); showing the DOT source instead",
            )
            return [missing for _ in dots]
        name, exe = engine
        version = _engine_version(exe)
        keys = [_cache_key(name, version, dot) for dot in dots]
        loose: dict[str, RenderResult] = {}  # with ``collect``: this call's results that memory does not keep
        todo: dict[str, str] = {}  # key -> DOT, each distinct DOT once
        for key, dot in zip(keys, dots):
            if key in self._memory or key in todo or key in loose:
                continue
            disk = self._read_disk(key)
            if disk is not None:
                log.debug("svg cache hit (disk) %s engine=%s", key[:12], name)
                if self.hold:
                    self._memory[key] = RenderResult(disk, name, None, cached=True)
                elif collect:
                    loose[key] = RenderResult(disk, name, None, cached=True)
                continue
            todo[key] = dot
        fresh: set[str] = set()
        todo_keys = list(todo)

        def rendered(index: int, result: RenderResult) -> None:
            key = todo_keys[index]
            self.renders += 1
            log.debug("svg rendered %s engine=%s ok=%s", key[:12], name, result.svg is not None)
            fresh.add(key)
            if result.svg is None or not self._write_disk(key, result.svg) or self.hold:
                self._memory[key] = result
            elif collect:
                loose[key] = result

        if todo:
            self._render(name, exe, list(todo.values()), rendered)
        if not collect:
            return None
        out = []
        for key in keys:
            hit = self._memory.get(key) or loose[key]
            if key in fresh:
                fresh.discard(key)  # the first use of a fresh render is not a hit; a repeat in ``dots`` is
                out.append(hit)
                continue
            log.debug("svg cache hit (memory) %s engine=%s", key[:12], name)
            out.append(RenderResult(hit.svg, hit.engine, hit.warning, cached=True))
        return out

    def _render(self, name: str, exe: str, dots: list[str], rendered: Callable[[int, RenderResult], None]) -> None:
        """Render ``dots``, handing each result to ``rendered`` (with its index) as soon as it is made: in bounded
        batches (:func:`_batches`), one after another, those whose drawing cannot depend on what the process drew
        before, each batch led by one whose drawing can (a run's first graph is drawn as alone); meanwhile each
        other one in a process of its own, side by side.
        The batches, which make nearly all of a large wiki's SVG, run in the calling thread: memory that a worker
        thread allocates stays with it (its own malloc arena), and a build would carry it through its pages."""
        together = [i for i, dot in enumerate(dots) if name == "graphviz-pure" or _order_free(dot)]
        leads = sorted(set(range(len(dots))) - set(together))
        batches = _batches(together, dots, leads)
        led = {batch[0] for batch in batches}
        alone = [i for i in leads if i not in led]
        if not batches and len(alone) == 1:
            rendered(alone[0], self._run(name, exe, dots[alone[0]]))
            return
        with ThreadPoolExecutor(max_workers=max(1, min(len(alone), (os.cpu_count() or 1) - 1))) as pool:
            separate = [(i, pool.submit(self._engine, name, exe, dots[i])) for i in alone]
            for batch in batches:
                for i, result in zip(batch, self._run_batch(name, exe, [dots[i] for i in batch])):
                    rendered(i, result)
            for i, future in separate:  # the SVG (and its parse) made here too
                output = future.result()
                rendered(i, _inline(name, output) if isinstance(output, str) else output)

    def _run_batch(self, name: str, exe: str, dots: list[str]) -> list[RenderResult]:
        """Render ``dots`` in one engine run; when it fails, halves in turn until the bad graph runs alone.
        A batch that times out is rendered one graph per run, each with the single-graph time limit."""
        if len(dots) == 1:
            return [self._run(name, exe, dots[0])]
        with self._lock:
            self.processes += 1
        try:
            proc = subprocess.run(
                [exe, "-Tsvg"],
                input="\n".join(dots).encode("utf-8"),
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # a failing batch is halved: the graph alone says what is wrong
                timeout=RENDER_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return [self._run(name, exe, dot) for dot in dots]
        except OSError as exc:
            return [RenderResult(None, name, f"{name} failed to run: {exc}") for _ in dots]
        output, failed = proc.stdout, proc.returncode != 0
        del proc
        bounds = _document_bounds(output)
        if failed or len(bounds) != len(dots):
            del output
            half = len(dots) // 2
            return self._run_batch(name, exe, dots[:half]) + self._run_batch(name, exe, dots[half:])
        view = memoryview(output)  # each document decoded (and post-processed) in turn: no full copy of the output
        return [_inline(name, _as_alone(str(view[a:b], "utf-8", "replace"))) for a, b in bounds]

    def _run(self, name: str, exe: str, dot: str) -> RenderResult:
        output = self._engine(name, exe, dot)
        return _inline(name, output) if isinstance(output, str) else output

    def _engine(self, name: str, exe: str, dot: str) -> str | RenderResult:
        """The SVG the engine writes for ``dot`` alone, or why there is none."""
        with self._lock:
            self.processes += 1
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
        return proc.stdout.decode("utf-8", "replace")

    @property
    def cache_dir(self) -> Path | None:
        return self._disk.folder if self._disk is not None else None

    @cache_dir.setter
    def cache_dir(self, folder: Path | None) -> None:
        """The folder of the disk cache (None: none); its entries are signed (:mod:`flux_wiki.signed_cache`), so
        SVG that this user's flux-wiki did not render there (a file a repository planted) is never inlined."""
        if folder is None:
            self._disk = None
        elif self._disk is None or self._disk.folder != Path(folder):
            self._disk = SignedCache(Path(folder), ".svg")

    def _read_disk(self, key: str) -> str | None:
        data = self._disk.get(key) if self._disk is not None else None
        return data.decode("utf-8") if data is not None else None  # signed: what _write_disk encoded

    def _write_disk(self, key: str, svg: str) -> bool:
        """Store ``svg`` in the disk cache; whether it is there now."""
        if self._disk is None:
            return False
        written = self._disk.written
        self._disk.put(key, svg.encode("utf-8"))
        return self._disk.written > written


_PROLOG = re.compile(rb"^<\?xml ", re.MULTILINE)


def _document_bounds(output: bytes) -> list[tuple[int, int]]:
    """Where each SVG document of an engine run over several graphs starts and ends in its output: each starts
    with an XML declaration on a line of its own (text from the repo is escaped, so ``<?xml`` appears nowhere
    else). An ASCII boundary, so decoding each document alone decodes what the whole output holds."""
    starts = [m.start() for m in _PROLOG.finditer(output)]
    return list(zip(starts, starts[1:] + [len(output)]))


def _batches(indexes: list[int], dots: list[str], leads: Sequence[int] = ()) -> list[list[int]]:
    """``indexes`` (of ``dots``) in order, cut into batches of at most :data:`BATCH_GRAPHS` graphs and
    :data:`BATCH_DOT_CHARS` characters of DOT (a larger graph gets a batch of its own). Each batch starts with the
    next of ``leads`` while they last (graphs only a fresh process draws as alone: a batch is one process, and
    its first graph is drawn as alone); those left over are not in any batch, nor are leads without ``indexes``."""
    waiting = iter(leads)
    batches: list[list[int]] = []
    size = 0
    for i in indexes:
        length = len(dots[i]) + 1  # and the newline between graphs
        if not batches or len(batches[-1]) >= BATCH_GRAPHS or size + length > BATCH_DOT_CHARS:
            lead = next(waiting, None)
            batches.append([] if lead is None else [lead])
            size = 0 if lead is None else len(dots[lead]) + 1
            if lead is not None and (BATCH_GRAPHS < 2 or size + length > BATCH_DOT_CHARS):
                batches.append([])  # the lead alone: the next graph does not fit beside it
                size = 0
        batches[-1].append(i)
        size += length
    return batches


_NAMED_SUBGRAPH = re.compile(r"\bsubgraph\s*[^\s{]", re.IGNORECASE)
_PAGE_ID = re.compile(r'\bid="(a_)?page\d+,\d+_')


def _order_free(dot: str) -> bool:
    """Whether the layout of ``dot`` is the same in any process: older Graphviz keeps named subgraphs
    in the order of their names' memory addresses, which only a fresh process makes the order they are
    written in; with at most one named subgraph there is no order to get wrong. (A label that says
    "subgraph" only costs the graph a process of its own.)"""
    return len(_NAMED_SUBGRAPH.findall(dot)) <= 1


def _as_alone(document: str) -> str:
    """An SVG document of a batch as the engine writes it for the graph alone: Graphviz 2.4x numbers the
    pages of a run across its graphs, so a one-page graph after the first gets ``page0,1_`` before its ids."""
    pages = re.search(r" Pages: (\d+) -->", document)
    return _PAGE_ID.sub(r'id="\1', document) if pages and pages.group(1) == "1" else document


def _inline(name: str, svg: str) -> RenderResult:
    try:
        return RenderResult(postprocess_svg(svg), name, None)
    except ET.ParseError as exc:
        return RenderResult(None, name, f"{name} produced SVG that is not well-formed XML: {exc}")


def _engine_version(exe: str) -> str:
    """What tells one build of the engine from another without running it: its path, size and mtime (so an
    upgraded Graphviz does not reuse SVG that the disk cache holds from the old one)."""
    try:
        st = os.stat(exe)
    except OSError:
        return exe
    return f"{exe}:{st.st_size}:{st.st_mtime_ns}"


def _cache_key(engine: str, version: str, dot: str) -> str:
    return hashlib.sha256(f"{FORMAT_VERSION}\0{engine}\0{version}\0{dot}".encode("utf-8")).hexdigest()


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
