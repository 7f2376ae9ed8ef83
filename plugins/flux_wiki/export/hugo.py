"""Export the wiki as a Hugo content section: page bundles with front matter and SVG diagrams.

A MkDocs page ``a/b.md`` becomes the leaf bundle ``a/b/index.md`` and ``a/index.md`` the branch bundle
``a/_index.md``: every page keeps the URL MkDocs gives it with directory URLs, so the relative links
computed for MkDocs (also those inside the diagrams) resolve the same way under Hugo. The output is
deterministic (sorted, no timestamps but the repo's last commit date) so CI can diff a committed export
against a fresh one.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import posixpath
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

import markdown

from ..load.authored import split_front_matter
from ..model import Diagnostic
from ..render.markdown import front_matter, html_text, md_escape, md_link, one_line, slug
from ..render.svg import SVG_NS
from ..compile import WikiCompiler, relative_url
from ..config import WikiConfig

log = logging.getLogger("flux_wiki.export")

MARKER = "flux_wiki"  # front-matter key that marks a page as written by this export
DESCRIPTION_LIMIT = 160
XML_PROLOG = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'

Resolve = Callable[[str], str | None]


@dataclass
class HugoPage:
    """One exported page: where it goes, its front matter, its body and the files of its bundle."""

    src: str  # docs-relative path as MkDocs names it
    kind: str  # dag | layer | surfaces | page | section
    title: str
    body: str
    front: dict[str, Any] = field(default_factory=dict)  # extra keys from the page's own front matter
    resources: dict[str, bytes] = field(default_factory=dict)  # bundle file name -> content

    @property
    def target(self) -> str:
        return bundle_path(self.src)


def bundle_path(src: str) -> str:
    """Hugo content path of the MkDocs page ``src``: ``a/b.md`` -> ``a/b/index.md``, ``a/index.md`` -> ``a/_index.md``."""
    stem = src[:-3] if src.endswith(".md") else src
    if stem == "index":
        return "_index.md"
    if stem.endswith("/index"):
        return stem[: -len("index")] + "_index.md"
    return stem + "/index.md"


class _BundleCompiler(WikiCompiler):
    """Renders each diagram into an SVG file of the page's bundle instead of inlining it."""

    def __init__(self) -> None:
        super().__init__()
        self.svgs: dict[str, dict[str, bytes]] = {}

    def _diagram(self, page: str, name: str, dot: str, source: str | None = None) -> str:
        result = self.svg.render(dot)
        if result.svg is None:
            return super()._diagram(page, name, dot)
        file = f"{slug(name)}.svg"
        self.svgs.setdefault(page, {})[file] = standalone_svg(result.svg).encode("utf-8")
        return (f'<figure class="flux-wiki-diagram">\n'
                f'<object type="image/svg+xml" data="{html_text(file)}" style="max-width: 100%; height: auto;">\n'
                f'<a href="{html_text(file)}">{html_text(name)} diagram</a>\n'
                f'</object>\n</figure>\n')


def standalone_svg(svg: str) -> str:
    """An inline-ready SVG made a file again: XML prolog, a size from the viewBox, links open in the page."""
    root = ET.fromstring(svg)
    box = (root.get("viewBox") or "").split()
    if len(box) == 4:
        root.set("width", f"{box[2]}pt")
        root.set("height", f"{box[3]}pt")
    for elem in root.iter(f"{{{SVG_NS}}}a"):
        elem.set("target", "_top")
    return XML_PROLOG + ET.tostring(root, encoding="unicode") + "\n"


# -- Markdown conversion ---------------------------------------------------

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
_ADMONITION = re.compile(r'^(\s*)(?:!!!|\?\?\?\+?)\s+([\w-]+)(?:\s+"(.*)")?\s*$')
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r'(!?)\[((?:\\.|[^\[\]\\]|\[(?:\\.|[^\[\]\\])*\])*)\]\(\s*(<[^>]*>|[^\s()]+)(\s+"[^"]*")?\s*\)')
_ATTR = re.compile(r'\b(href|src|data)="([^"]*)"')
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_TAG = re.compile(r"<[^>]*>")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def convert_admonitions(text: str) -> str:
    """Turn MkDocs admonitions (``!!!``, ``???``) into blockquotes with a bold title, outside code fences."""
    lines = text.split("\n")
    out: list[str] = []
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence) and not line.strip()[len(m.group(2)):]:
                fence = None
            i += 1
            continue
        if m:
            fence = m.group(2)
            out.append(line)
            i += 1
            continue
        a = _ADMONITION.match(line)
        if not a:
            out.append(line)
            i += 1
            continue
        indent, kind, title = a.group(1), a.group(2), a.group(3)
        inner = len(indent) + 4
        body: list[str] = []
        i += 1
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) >= inner):
            body.append(lines[i][inner:] if lines[i].strip() else "")
            i += 1
        trailing = 0
        while body and not body[-1]:
            body.pop()
            trailing += 1
        quoted = [f"{indent}> **{title if title is not None else kind.capitalize()}**"] if title != "" else []
        content = convert_admonitions("\n".join(body)).split("\n") if body else []
        if quoted and content:
            quoted.append(f"{indent}>")
        quoted += [f"{indent}> {c}" if c else f"{indent}>" for c in content]
        out += quoted + [""] * trailing
    return "\n".join(out)


def rewrite_links(text: str, resolve: Resolve) -> str:
    """Rewrite relative link targets outside code; ``resolve`` returns the new target or None to unlink."""
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if m:
            fence = m.group(2)
            out.append(line)
            continue
        if line.startswith("    ") and (not out or not out[-1].strip()):
            out.append(line)  # indented code block
            continue
        out.append(_rewrite_line(line, resolve))
    return "\n".join(out)


def _rewrite_line(line: str, resolve: Resolve) -> str:
    parts: list[str] = []
    pos = 0
    for m in _CODE_SPAN.finditer(line):
        parts.append(_rewrite_segment(line[pos:m.start()], resolve))
        parts.append(m.group(0))
        pos = m.end()
    parts.append(_rewrite_segment(line[pos:], resolve))
    return "".join(parts)


def _rewrite_segment(segment: str, resolve: Resolve) -> str:
    def link(m: re.Match[str]) -> str:
        bang, label, target, title = m.group(1), m.group(2), m.group(3), m.group(4) or ""
        bare = target[1:-1] if target.startswith("<") else target
        new = resolve(bare)
        if new is None:
            return label
        return f"{bang}[{label}]({new}{title})"

    def attr(m: re.Match[str]) -> str:
        new = resolve(m.group(2))
        return m.group(0) if new is None else f'{m.group(1)}="{new}"'

    return _ATTR.sub(attr, _LINK.sub(link, segment))


def is_relative(target: str) -> bool:
    return bool(target) and not target.startswith(("/", "#")) and not _SCHEME.match(target)


def strip_title(body: str) -> tuple[str | None, str]:
    """The leading ``# Title`` line (Hugo layouts print the title themselves) and the body without it."""
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if line.startswith("# "):
            rest = lines[i + 1:]
            while rest and not rest[0].strip():
                rest.pop(0)
            return line[2:].strip(), "\n".join(rest)
        break
    return None, body


def description(body: str) -> str:
    """The first plain paragraph of ``body`` as text, cut at a word near DESCRIPTION_LIMIT characters."""
    para: list[str] = []
    fence = False
    for line in body.split("\n"):
        stripped = line.strip()
        if _FENCE.match(line):
            fence = not fence
            continue
        if fence:
            continue
        if not stripped:
            if para:
                break
            continue
        if not para and (stripped[0] in "#>|-*<!?[" or line.startswith("    ") or stripped[0].isdigit()):
            continue
        para.append(stripped)
    # Markdown -> HTML -> text: markup goes, escaped characters and code come back as written
    rendered = markdown.markdown(" ".join(para))
    text = " ".join(html.unescape(_TAG.sub("", rendered)).split())
    if len(text) > DESCRIPTION_LIMIT:
        text = text[:DESCRIPTION_LIMIT].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


# -- The export -------------------------------------------------------------

def repo_date(repo: Path) -> str | None:
    """The commit date (ISO 8601) of the last change to ``repo`` when it is in git, else None."""
    try:
        proc = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%cI", "--", "."],
                              capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    date = proc.stdout.strip()
    return date if proc.returncode == 0 and date else None


def collect_pages(cfg: WikiConfig, *, all_pages: bool = False,
                  compiler: _BundleCompiler | None = None) -> tuple[list[HugoPage], list[Diagnostic]]:
    """The pages of the export, converted for Hugo, in weight order (section index first)."""
    compiler = compiler or _BundleCompiler()
    # no Recent Changes: a committed copy cannot list the commit that holds it (the drift check would never pass)
    cfg = dataclasses.replace(cfg, use_directory_urls=True, history=0)
    compiled = compiler.compile(cfg)
    diagnostics = list(compiled.diagnostics)
    sources: list[tuple[str, str, str, str]] = [(p.path, p.kind, p.title, p.markdown) for p in compiled.pages]
    generated = {p.path for p in compiled.pages}
    docs = cfg.docs_dir if all_pages and cfg.docs_dir and cfg.docs_dir.is_dir() else None
    if docs is not None:
        for file in sorted(docs.rglob("*.md")):
            src = file.relative_to(docs).as_posix()
            if src in generated or any(part.startswith(".") for part in file.relative_to(docs).parts):
                continue
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                diagnostics.append(Diagnostic(str(file), 1, f"not exported: {err}", code="FW-EXPORT-FAILED"))
                continue
            sources.append((src, "page", "", text))
    exported = {src for src, *_ in sources}
    if "index.md" not in exported:
        sources.insert(0, ("index.md", "section", "", _section_index(compiled, cfg)))
        exported.add("index.md")
    else:
        sources.sort(key=lambda s: s[0] != "index.md")

    pages: list[HugoPage] = []
    for src, kind, title, text in sources:
        front, body, problems = split_front_matter(text, str(docs / src) if docs and kind == "page" else src)
        diagnostics += problems
        if kind == "page":  # hand-written: live fragments, Relationships and Source Basis, as the site shows it
            body, problems = compiler.hand_written(cfg, compiled, src, body)
            diagnostics += problems
        heading, body = strip_title(body)
        # a generated page's own title is plain text (its front matter holds it HTML-escaped for MkDocs)
        own = front.pop("title", None)
        page = HugoPage(src=src, kind=kind, title=one_line(title or own or heading or src), body="")
        front.pop(MARKER, None)
        page.front = front
        page.resources.update(compiler.svgs.get(src, {}))
        body = convert_admonitions(body)
        page.body = rewrite_links(body, _resolver(page, exported, docs))
        pages.append(page)
    return pages, diagnostics


def _section_index(compiled: Any, cfg: WikiConfig) -> str:
    lines = ["---", "title: Flux Wiki", "---", "", "# Flux Wiki", "",
             "Pages compiled by flux-wiki from the Flux GitOps repository.", ""]
    dags = {p.path: p for p in compiled.pages if p.kind == "dag"}
    surfaces = {p.path.rsplit("/", 1)[0]: p for p in compiled.pages if p.kind == "surfaces"}
    for path in dags:
        folder = path.rsplit("/", 1)[0]
        lines.append(f"- {md_link(md_escape(dags[path].title), path)}"
                     + (f" and its {md_link(md_escape(surfaces[folder].title), surfaces[folder].path)}"
                        if folder in surfaces else ""))
    return "\n".join(lines) + "\n"


def _resolver(page: HugoPage, exported: set[str], docs: Path | None) -> Resolve:
    here = posixpath.dirname(page.src)

    def resolve(target: str) -> str | None:
        if not is_relative(target):
            return target
        path, hash_, anchor = target.partition("#")
        path = unquote(path.split("?", 1)[0])
        if not path:
            return target
        to = posixpath.normpath(posixpath.join(here, path))
        if to.startswith("../"):
            return target
        if to.endswith(".md"):
            if to not in exported:
                return None  # the page is not part of this export: keep the text
            url = relative_url(page.src, to, True) or "./"
            if url.endswith(".") and not url.endswith("/"):
                url += "/"  # a section index: "../.." -> "../../"
            return url + (hash_ + anchor if anchor else "")
        asset = docs / to if docs is not None else None
        if asset is not None and asset.is_file():
            name = to.replace("/", "-")
            page.resources[name] = asset.read_bytes()
            return name + (hash_ + anchor if anchor else "")
        return target
    return resolve


def render_page(page: HugoPage, weight: int, date: str | None) -> str:
    """The page's Markdown with Hugo front matter (title, weight, date, description) in a fixed key order."""
    front: dict[str, Any] = {"title": page.title, "weight": weight}
    if date:
        front["date"] = date
    text = description(page.body)
    if text:
        front["description"] = text
    for key in sorted(page.front):
        if key not in front and key not in ("date", "weight", "description"):
            front[key] = page.front[key]
    front[MARKER] = {"kind": page.kind, "source": page.src}
    return f"{front_matter(inert_shortcodes(front))}\n{inert_shortcodes(page.body.strip())}\n"


_SHORTCODE_OPEN = re.compile(r"\{\{(?=[<%])")


def inert_shortcodes(value: Any) -> Any:
    """Text (or front matter data) in which Hugo finds no shortcode: a zero-width space after every ``{{``
    that would open one.

    Hugo looks for ``{{<`` and ``{{%`` everywhere in a page, code spans and blocks included, and its own
    escape (``{{</* … */>}}``) passes what it wraps through as raw HTML. The wiki never calls a
    shortcode, so every opening is broken; the reader sees the same characters.
    """
    if isinstance(value, str):
        return _SHORTCODE_OPEN.sub("{{\u200b", value)
    if isinstance(value, dict):
        return {inert_shortcodes(k): inert_shortcodes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [inert_shortcodes(v) for v in value]
    return value


def export_files(cfg: WikiConfig, *, all_pages: bool = False) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Every file of the export (path relative to the output folder -> bytes), and the problems found."""
    pages, diagnostics = collect_pages(cfg, all_pages=all_pages)
    date = repo_date(cfg.repo)
    files: dict[str, bytes] = {}
    for weight, page in enumerate(pages, start=1):
        files[page.target] = render_page(page, weight, date).encode("utf-8")
        folder = posixpath.dirname(page.target)
        for name, data in sorted(page.resources.items()):
            files[posixpath.join(folder, name) if folder else name] = data
    return dict(sorted(files.items())), diagnostics


def export_hugo(cfg: WikiConfig, out: Path, *, all_pages: bool = False) -> list[Path]:
    """Write the wiki as a Hugo content section into ``out`` (e.g. ``content/wiki``); return the files, sorted.

    Files of an earlier export that are no longer produced are removed; other files in ``out`` are
    left alone unless ``out`` holds an earlier export (its ``_index.md`` carries the flux_wiki key).
    Unchanged files are not rewritten.
    """
    files, diagnostics = export_files(cfg, all_pages=all_pages)
    for d in diagnostics:
        log.warning("%s", d)
    return write_export(files, Path(out))


def write_export(files: dict[str, bytes], out: Path,
                 owned: Callable[[Path], bool] | None = None) -> list[Path]:
    """Write ``files`` under ``out``, drop what an earlier export left there, return the files written.

    ``owned(out)`` says whether ``out`` holds an earlier export (default: a Hugo one) whose other files go.
    """
    previous = (owned or _previous_export)(out)
    written: list[Path] = []
    for rel, data in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
        written.append(target)
    if previous:
        keep = set(written)
        for stale in sorted(p for p in out.rglob("*") if p.is_file() and p not in keep):
            stale.unlink()
        for folder in sorted((p for p in out.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    return written


def _previous_export(out: Path) -> bool:
    index = out / "_index.md"
    if not index.is_file():
        return False
    front, _, _ = split_front_matter(index.read_text(encoding="utf-8", errors="replace"), str(index))
    return MARKER in front
