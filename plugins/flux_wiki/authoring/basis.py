"""Source basis and relationships of wiki pages: what each page's truth depends on, and which pages it relates to.

Declarations come from the source-basis index (``data/source-basis.yaml``) and from hand-written pages'
front matter (``source_basis:`` and ``related:``); both are merged per page. A source is ``root:glob``
(optionally ``#L<line>``) inside a named root; it never reaches outside that root. Backlinks are computed
from everyone else's ``related`` declarations.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..load.authored import SourceBasisIndex, SourceRoot, page_title, split_front_matter
from ..load.confine import ConfinedDir
from ..model import Diagnostic
from ..render.markdown import file_url, md_code, md_escape, md_link, relative_link

_LINE = re.compile(r"#L(\d+)$")
_GLOB = re.compile(r"[*?\[]")
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__"}


@dataclass
class Declared:
    """A page's declarations, with where each came from (for warnings that name file and line)."""

    sources: list[tuple[str, str, int]] = field(default_factory=list)  # (spec, file, line)
    related: list[tuple[str, str, int]] = field(default_factory=list)  # (page, file, line)


@dataclass
class ResolvedSource:
    """One declared source, resolved within its root."""

    spec: str
    root: str
    pattern: str
    line: int | None
    matches: list[str] = field(default_factory=list)  # root-relative paths the glob matched (files or folders)
    files: list[str] = field(default_factory=list)  # root-relative files, folders expanded
    error: str | None = None
    skipped: list[str] = field(default_factory=list)  # paths refused on the way (links out, loops, ...), why


@dataclass
class BasisGraph:
    """Every page's merged declarations, and the roots sources resolve in."""

    roots: dict[str, SourceRoot] = field(default_factory=dict)
    pages: dict[str, Declared] = field(default_factory=dict)
    docs_dir: Path | None = None
    _resolved: dict[str, ResolvedSource] = field(default_factory=dict, repr=False, compare=False)
    _trees: dict[str, ConfinedDir] = field(default_factory=dict, repr=False, compare=False)

    def related(self, page: str) -> list[str]:
        return _unique(r for r, _, _ in self.pages.get(page, Declared()).related)

    def backlinks(self, page: str) -> list[str]:
        """Pages that declare ``page`` related, minus those ``page`` already declares."""
        own = set(self.related(page))
        return sorted(p for p, d in self.pages.items()
                      if p != page and p not in own and any(r == page for r, _, _ in d.related))

    def sources(self, page: str) -> list[str]:
        return _unique(s for s, _, _ in self.pages.get(page, Declared()).sources)

    def resolve(self, spec: str) -> ResolvedSource:
        """Resolved once per graph (a graph is built per compile, so a rebuild sees new files)."""
        if spec not in self._resolved:
            self._resolved[spec] = resolve_source(self.roots, spec)
        return self._resolved[spec]

    def read_bytes(self, root: str, rel: str) -> bytes:
        """A file of a source root, read confined to that root (InputError when refused)."""
        if root not in self._trees:
            self._trees[root] = ConfinedDir(self.roots[root].path, label=f"source root '{root}'")
        return self._trees[root].read_bytes(rel)

    def hand_written(self) -> list[str]:
        """Declared pages that exist as files in the docs folder."""
        if self.docs_dir is None:
            return []
        return sorted(p for p in self.pages if (self.docs_dir / p).is_file())


def _unique(items) -> list[str]:  # type: ignore[no-untyped-def]
    return list(dict.fromkeys(items))


def _line_of(path: Path, needle: str) -> int:
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return n
    except OSError:
        pass
    return 1


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def repo_root_name(repo: Path) -> str:
    """The source root name of the GitOps repo when nobody declares it: its folder's name (a ``:`` would end the
    name in a ``root:glob`` source, so it becomes ``-``)."""
    return (repo.name or "repo").replace(":", "-")


def collect(index: SourceBasisIndex, docs_dir: Path | None, repo: Path | None = None) -> BasisGraph:
    """Merge the index and every hand-written page's front matter into one graph.

    ``repo`` (the plugin's GitOps repo) is a source root named after its folder unless a declared root already
    is that folder or has that name: sources can name it without declaring it, in the build and the CLI alike.
    """
    graph = BasisGraph(roots=dict(index.roots), docs_dir=docs_dir)
    if repo is not None and not any(r.path == repo.resolve() for r in graph.roots.values()):
        graph.roots.setdefault(repo_root_name(repo), SourceRoot(repo_root_name(repo), repo.resolve()))
    if index.file is not None:
        for page, basis in index.pages.items():
            d = graph.pages.setdefault(page, Declared())
            d.sources += [(s, str(index.file), _line_of(index.file, s)) for s in basis.sources]
            d.related += [(r, str(index.file), _line_of(index.file, r)) for r in basis.related]
    if docs_dir is not None and docs_dir.is_dir():
        for path in sorted(docs_dir.rglob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            meta, _, _ = split_front_matter(text, str(path))
            sources, related = _strings(meta.get("source_basis")), _strings(meta.get("related"))
            if not sources and not related:
                continue
            page = path.relative_to(docs_dir).as_posix()
            d = graph.pages.setdefault(page, Declared())
            d.sources += [(s, str(path), _line_of(path, s)) for s in sources]
            d.related += [(r, str(path), _line_of(path, r)) for r in related]
    return graph


def _glob_match(segs: list[str], parts: list[str], is_dir: bool) -> bool:
    """pathlib's glob on split paths: ``*``/``?``/``[..]`` within one name, ``**`` any number of folders."""
    memo: dict[tuple[int, int], bool] = {}

    def match(i: int, j: int) -> bool:
        key = (i, j)
        if key not in memo:
            if i == len(segs):
                memo[key] = j == len(parts)
            elif segs[i] == "**":
                # '**' stands for folders only: a file can be consumed only by a later segment
                memo[key] = match(i + 1, j) or (j < len(parts) and (j < len(parts) - 1 or is_dir) and match(i, j + 1))
            else:
                memo[key] = j < len(parts) and fnmatch.fnmatchcase(parts[j], segs[i]) and match(i + 1, j + 1)
        return memo[key]
    return match(0, 0)


def _skip(rel: str, is_dir: bool) -> bool:
    return rel.rpartition("/")[2] in SKIP_DIRS


def declaration_error(roots: dict[str, SourceRoot], spec: str) -> str | None:
    """What is wrong with a declared source whatever the files are (an unknown root, a path leaving its root)."""
    root_name, sep, rest = spec.partition(":")
    m = _LINE.search(rest)
    pattern = rest[:m.start()] if m else rest
    if not sep or root_name not in roots:
        return f"unknown source root '{root_name}' (known: {', '.join(sorted(roots)) or 'none'})"
    if not pattern or pattern.startswith("/") or ".." in pattern.split("/"):
        return f"'{pattern}' must be a relative path inside root '{root_name}'"
    return None


def declaration_errors(graph: BasisGraph, pages: list[str]) -> list[Diagnostic]:
    """The sources of ``pages`` that no file can satisfy (unknown roots, paths out of the root), naming where
    each is declared: the build warns about them, and ``stamp``/``check`` refuse them."""
    return [Diagnostic(file, line, f"{page}: {error}", code="FW-WIKI-SOURCE-INVALID") for page in pages
            for spec, file, line in graph.pages.get(page, Declared()).sources
            for error in [declaration_error(graph.roots, spec)] if error]


def resolve_source(roots: dict[str, SourceRoot], spec: str) -> ResolvedSource:
    """Resolve ``root:glob[#L<n>]``; folders expand to the files under them; nothing escapes the root.

    The root is a confinement boundary (:class:`ConfinedDir`): a link leading out of it, a loop or a special
    file is never read; those met on the way are listed in ``skipped``.
    """
    root_name, _, rest = spec.partition(":")
    m = _LINE.search(rest)
    pattern = rest[:m.start()] if m else rest
    out = ResolvedSource(spec, root_name, pattern, int(m.group(1)) if m else None)
    out.error = declaration_error(roots, spec)
    if out.error:
        return out
    tree = ConfinedDir(roots[root_name].path, label=f"source root '{root_name}'")
    segs = [s for s in pattern.split("/") if s not in ("", ".")]
    fixed = segs[:next((i for i, s in enumerate(segs) if _GLOB.search(s)), len(segs))]
    prefix = "/".join(fixed) or "."
    top = tree.entry(prefix)
    if top.kind == "refused":
        tree.note(prefix, top.reason, top.code)
    if any(part in SKIP_DIRS for part in fixed) or not top.usable:
        candidates: list[tuple[str, bool]] = []
    elif len(fixed) == len(segs):  # no wildcard: the path itself
        candidates = [(prefix, top.kind == "dir")]
    else:
        depth = None if "**" in segs else len(segs) - len(fixed)
        base = len(fixed)
        candidates = [(prefix, True)] if top.kind == "dir" else []
        candidates += [(rel, e.kind == "dir") for rel, e in tree.walk(
            prefix, skip=_skip, descend=lambda d: depth is None or d.count("/") + 1 - base < depth)]
    matched: list[tuple[str, bool]] = [(rel, is_dir) for rel, is_dir in candidates
                                       if _glob_match(segs, rel.split("/") if rel != "." else [], is_dir)]
    files: set[str] = set()
    for rel, is_dir in matched:
        out.matches.append(rel)
        if is_dir:
            files.update(f for f, e in tree.walk(rel, skip=_skip) if e.kind == "file")
        else:
            files.add(rel)
    out.files = sorted(files)
    folders = [rel for rel, is_dir in matched if is_dir]

    def below(path: str, folder: str) -> bool:
        return folder == "." or path.startswith(f"{folder}/")

    def concerns(path: str) -> bool:  # the source would have used this path (or looked into it) had it been readable
        return (path == prefix or _glob_match(segs, path.split("/"), True) or ("**" in segs and below(path, prefix))
                or any(below(path, rel) for rel in folders))
    out.skipped = [p.message for p in tree.problems if concerns(p.file)]
    if not out.matches:
        out.error = f"source '{spec}' matches nothing in {tree.root}"
    return out


def problems(graph: BasisGraph, existing_pages: set[str]) -> list[Diagnostic]:
    """Related pages that do not exist and sources that match nothing: warnings naming file and line."""
    out: list[Diagnostic] = []
    for page, d in sorted(graph.pages.items()):
        for target, file, line in d.related:
            if target not in existing_pages:
                out.append(Diagnostic(file, line, f"{page}: related page '{target}' does not exist",
                                      code="FW-WIKI-RELATED-MISSING"))
        for spec, file, line in d.sources:
            r = graph.resolve(spec)
            if r.error:
                out.append(Diagnostic(file, line, f"{page}: {r.error}", code="FW-WIKI-SOURCE-MISSING"))
    return out + refused_sources(graph)


def refused_sources(graph: BasisGraph) -> list[Diagnostic]:
    """Paths a declared source reached but did not read (links leading out of the root, loops, special files)."""
    out: list[Diagnostic] = []
    for page, d in sorted(graph.pages.items()):
        for spec, file, line in d.sources:
            out += [Diagnostic(file, line, f"{page}: source '{spec}': {why}",
                               code="FW-WIKI-SOURCE-MISSING") for why in graph.resolve(spec).skipped]
    return out


BrowseUrl = Callable[[str, str, int | None], str | None]  # (root, path, line) -> URL


def browse_url(roots: dict[str, SourceRoot], fallback: dict[str, str] | None = None) -> BrowseUrl:
    """URL of a file in a root: the root's ``url`` (or a fallback per root) + path + ``#L<line>``."""
    def url(root: str, path: str, line: int | None) -> str | None:
        base = roots[root].url if root in roots and roots[root].url else (fallback or {}).get(root)
        return file_url(str(base) if base else None, path, line)
    return url


def _label(root: str, path: str, line: int | None) -> str:
    return f"{root}:{path}" + (f"#L{line}" if line else "")


def _folder(pattern: str) -> str:
    """The fixed folder part of a glob (``a/b/*.yaml`` -> ``a/b``)."""
    parts = pattern.split("/")
    fixed = [p for p in parts[:next((i for i, p in enumerate(parts) if _GLOB.search(p)), len(parts))]]
    return "/".join(fixed)


MAX_LISTED = 12


def source_items(graph: BasisGraph, page: str, url: BrowseUrl) -> list[tuple[str, str | None]]:
    """(label, URL) per declared source: a file (with ``#L<line>``) or, for a glob, its folder."""
    items: list[tuple[str, str | None]] = []
    for spec in graph.sources(page):
        r = graph.resolve(spec)
        target = _folder(r.pattern) if _GLOB.search(r.pattern) else r.pattern
        items.append((_label(r.root, r.pattern, r.line), url(r.root, target, r.line) if target else None))
    return list(dict.fromkeys(items))


def _source_lines(graph: BasisGraph, page: str, url: BrowseUrl) -> list[str]:
    lines = []
    for (label, href), spec in zip(source_items(graph, page, url), graph.sources(page)):
        head = md_link(md_code(label), href)
        r = graph.resolve(spec)
        if _GLOB.search(r.pattern) and r.matches:
            if len(r.matches) > MAX_LISTED:
                head += f": {len(r.matches)} matches"
            else:
                links = [(posixpath.basename(m), url(r.root, m, None)) for m in r.matches]
                head += ": " + ", ".join(md_link(md_code(n), u) for n, u in links)
        lines.append(f"- {head}")
    return lines


def default_title(page: str) -> str:
    return posixpath.splitext(posixpath.basename(page))[0].replace("-", " ")


def relationships_markdown(graph: BasisGraph, page: str, url: BrowseUrl,
                           titles: Callable[[str], str | None] | None = None) -> str:
    """The Relationships and Source Basis sections of a hand-written page (empty when it declares nothing)."""
    def title(p: str) -> str:
        found = titles(p) if titles else None
        if found is None and graph.docs_dir is not None:
            found = page_title(graph.docs_dir / p)
        return found or default_title(p)

    related, back, sources = graph.related(page), graph.backlinks(page), source_items(graph, page, url)
    parts: list[str] = []
    if related or back:
        parts.append("## Relationships\n")
        parts += [f"- {md_link(md_escape(title(p)), relative_link(page, p))}" for p in related]
        if back:
            parts.append("")
            parts.append("Linked from: " + ", ".join(md_link(md_escape(title(p)), relative_link(page, p))
                                                   for p in back))
        parts.append("")
    if sources:
        parts.append("## Source Basis\n")
        parts += _source_lines(graph, page, url)
        parts.append("")
    return "\n".join(parts)
