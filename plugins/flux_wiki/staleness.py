"""Staleness of hand-written pages: ``flux-wiki stamp`` records what a page's source basis looked like at
review time, ``flux-wiki check`` says which pages' basis changed since, with a diff.

The lock file (``data/flux-wiki.lock``) is JSON with sorted keys, one entry per stamped page: its declared
sources and, per matched file (``root:path``), a SHA-256 of the content and, when the root is inside a git
work tree, the git blob id (computed as git does, so ``git cat-file blob <id>`` can show the stamped text).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import subprocess
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .analysis.redact import redact_texts
from .basis import BasisGraph
from .load.confine import MAX_FILE_BYTES, ConfinedDir, read_config_text
from .model import InputError
from .render.markdown import md_code

if TYPE_CHECKING:
    from .site import WikiConfig

LOCK_VERSION = 1


@dataclass
class FileStamp:
    sha256: str
    git_blob: str | None = None


@dataclass
class PageStamp:
    sources: list[str] = field(default_factory=list)
    files: dict[str, FileStamp] = field(default_factory=dict)  # "root:path" -> stamp


@dataclass
class Lock:
    pages: dict[str, PageStamp] = field(default_factory=dict)


@dataclass
class PageStatus:
    """One page's verdict: fresh, stale (basis changed) or unstamped (never reviewed)."""

    page: str
    state: str
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    diffs: dict[str, str] = field(default_factory=dict)  # changed file -> unified diff ("" when git cannot tell)

    @property
    def stale(self) -> bool:
        return self.state != "fresh"


# -- lock file ------------------------------------------------------------

_SHA256 = re.compile(r"[0-9a-f]{64}")
_GIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 repositories


def load_lock(path: Path) -> Lock:
    """The lock file's stamps ({} when absent); InputError naming the file (and line) when it is not a lock file."""
    text = read_config_text(path)
    if text is None:
        return Lock()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(str(path), err.lineno, f"not a flux-wiki lock file: {err.msg}") from None
    except (ValueError, RecursionError) as err:  # numbers too long to convert, nesting too deep
        raise InputError(str(path), 1, f"not a flux-wiki lock file: {str(err) or type(err).__name__}") from None

    def wrong(where: str, needle: str, expected: str) -> InputError:
        at = text.find(json.dumps(needle))
        return InputError(str(path), text.count("\n", 0, at) + 1 if at >= 0 else 1,
                          f"not a flux-wiki lock file: {where}: expected {expected}")

    if not isinstance(data, dict) or not isinstance(data.get("pages", {}), dict):
        raise wrong("top level", "pages", '{"version": 1, "pages": {...}}')
    if data.get("version", LOCK_VERSION) != LOCK_VERSION:
        raise wrong("version", "version", f"{LOCK_VERSION} (written by a newer flux-wiki?)")
    lock = Lock()
    for page, raw_page in data.get("pages", {}).items():
        if not isinstance(raw_page, dict) or not isinstance(raw_page.get("files", {}), dict):
            raise wrong(f"pages.{page}", page, "a mapping with sources and files")
        sources = raw_page.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise wrong(f"pages.{page}.sources", page, "a list of strings")
        files = {}
        for name, f in raw_page.get("files", {}).items():
            if not isinstance(f, dict) or not isinstance(f.get("sha256"), str) or not _SHA256.fullmatch(f["sha256"]):
                raise wrong(f"pages.{page}.files.{name}", name, "a sha256 (64 hex digits)")
            blob = f.get("git_blob")
            if blob is not None and (not isinstance(blob, str) or not _GIT_ID.fullmatch(blob)):
                raise wrong(f"pages.{page}.files.{name}.git_blob", name, "a git object id (hex digits)")
            files[name] = FileStamp(f["sha256"], blob)
        lock.pages[page] = PageStamp(list(sources), files)
    return lock


def dump_lock(lock: Lock) -> str:
    """Deterministic text: sorted keys, two-space indent, trailing newline."""
    pages = {p: {"sources": s.sources, "files": {k: {kk: vv for kk, vv in asdict(v).items() if vv is not None}
                                                  for k, v in s.files.items()}}
             for p, s in lock.pages.items()}
    return json.dumps({"version": LOCK_VERSION, "pages": pages}, indent=2, sort_keys=True) + "\n"


def save_lock(path: Path, lock: Lock) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dump_lock(lock)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


# -- hashing ----------------------------------------------------------------

def git_blob_id(content: bytes) -> str:
    """The id git gives a blob with this content (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def _in_git(folder: Path, cache: dict[Path, bool]) -> bool:
    if folder not in cache:
        try:
            done = subprocess.run(["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
                                  capture_output=True, text=True, timeout=30)
            cache[folder] = done.returncode == 0 and done.stdout.strip() == "true"
        except (OSError, subprocess.TimeoutExpired):
            cache[folder] = False
    return cache[folder]


def current_files(graph: BasisGraph, page: str) -> dict[str, Path]:
    """Every file the page's basis resolves to now, as ``root:path`` -> absolute path."""
    out: dict[str, Path] = {}
    for spec in graph.sources(page):
        r = graph.resolve(spec)
        if r.root in graph.roots:
            for f in r.files:
                out[f"{r.root}:{f}"] = graph.roots[r.root].path / f
    return dict(sorted(out.items()))


def stamp_page(graph: BasisGraph, page: str, git_cache: dict[Path, bool] | None = None) -> PageStamp:
    git_cache = {} if git_cache is None else git_cache
    stamp = PageStamp(sources=graph.sources(page))
    for name in current_files(graph, page):
        root_name, rel = name.split(":", 1)
        try:
            content = graph.read_bytes(root_name, rel)
        except InputError:
            continue  # refused (a link out of the root, over the size cap): never part of a basis
        root = graph.roots[root_name].path
        blob = git_blob_id(content) if _in_git(root, git_cache) else None
        stamp.files[name] = FileStamp(hashlib.sha256(content).hexdigest(), blob)
    return stamp


def stampable(graph: BasisGraph) -> list[str]:
    """Hand-written pages that declare a source basis."""
    return [p for p in graph.hand_written() if graph.sources(p)]


def stamp(graph: BasisGraph, lock: Lock, pages: list[str]) -> Lock:
    """A new lock with ``pages`` stamped as they are now; other pages keep their stamps."""
    cache: dict[Path, bool] = {}
    out = Lock(dict(lock.pages))
    for page in pages:
        out.pages[page] = stamp_page(graph, page, cache)
    out.pages = dict(sorted(out.pages.items()))
    return out


# -- checking ---------------------------------------------------------------

def _stamped_text(root: Path, blob: str) -> str | None:
    """The stamped version of a file from git, when git has it and it is within the size cap."""
    git = ["git", "-C", str(root), "cat-file"]
    try:
        size = subprocess.run(git + ["-s", blob], capture_output=True, text=True, timeout=30)
        if size.returncode != 0 or not size.stdout.strip().isdigit() or int(size.stdout) > MAX_FILE_BYTES:
            return None
        done = subprocess.run(git + ["blob", blob], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def unified_diff(old: str, new: str, name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{name} (stamped)", f"b/{name}"))


def check_page(graph: BasisGraph, page: str, stamped: PageStamp | None) -> PageStatus:
    if stamped is None:
        return PageStatus(page, "unstamped", added=list(current_files(graph, page)))
    now = stamp_page(graph, page)
    status = PageStatus(page, "fresh")
    status.added = sorted(set(now.files) - set(stamped.files))
    status.removed = sorted(set(stamped.files) - set(now.files))
    status.changed = sorted(n for n in set(now.files) & set(stamped.files)
                            if now.files[n].sha256 != stamped.files[n].sha256)
    for name in status.changed:
        root_name, rel = name.split(":", 1)
        blob = stamped.files[name].git_blob
        old = _stamped_text(graph.roots[root_name].path, blob) if blob else None
        new = graph.read_bytes(root_name, rel).decode("utf-8", "replace") if old is not None else ""
        shown = None if old is None else redact_texts(old, new)
        if old is not None and shown is None:
            status.diffs[name] = f"  (diff of {name} not shown: it holds a Secret)"
        else:
            status.diffs[name] = "" if shown is None else unified_diff(*shown, rel)
    if status.added or status.removed or status.changed:
        status.state = "stale"
    return status


def check(graph: BasisGraph, lock: Lock) -> list[PageStatus]:
    """The verdict for every hand-written page with a source basis."""
    return [check_page(graph, page, lock.pages.get(page)) for page in stampable(graph)]


def stale_pages(graph: BasisGraph, lock: Lock) -> dict[str, PageStatus]:
    """Pages whose stamped basis changed (unstamped pages are not flagged: nobody reviewed them yet)."""
    return {page: s for page in stampable(graph) if page in lock.pages
            for s in [check_page(graph, page, lock.pages[page])] if s.stale}


# -- reports ----------------------------------------------------------------

def with_stale_banner(markdown: str, page: str, status: PageStatus) -> str:
    """The page with a "may be stale" admonition under its title (at the top when it has no `# ` title)."""
    changed = ", ".join(md_code(f) for f in status.changed + status.added + status.removed)
    banner = ('!!! warning "This page may be stale"\n    Its source basis changed since it was last '
              f"reviewed: {changed}. Review the page, then run {md_code(f'flux-wiki stamp {page}')}.\n\n")
    first, _, rest = markdown.partition("\n")
    return f"{first}\n\n{banner}{rest}" if first.startswith("# ") else banner + markdown


def report_text(statuses: list[PageStatus]) -> str:
    lines: list[str] = []
    shown: set[str] = set()  # a file stamped at the same version for several pages: its diff once
    for s in statuses:
        if not s.stale:
            continue
        if s.state == "unstamped":
            lines.append(f"{s.page}: never stamped (run `flux-wiki stamp {s.page}` once it is reviewed)")
            continue
        lines.append(f"{s.page}: stale, its source basis changed since it was stamped")
        lines += [f"  changed: {f}" for f in s.changed]
        lines += [f"  added:   {f}" for f in s.added]
        lines += [f"  removed: {f}" for f in s.removed]
        for f in s.changed:
            diff = s.diffs.get(f)
            if not diff:
                lines.append(f"  (no diff for {f}: the stamped version is not in git)")
            elif diff in shown:
                lines.append(f"  (diff of {f} shown above)")
            else:
                shown.add(diff)
                lines.append(diff.rstrip("\n"))
    stale = sum(1 for s in statuses if s.stale)
    lines.append(f"{stale} of {len(statuses)} page(s) stale" if stale else f"all {len(statuses)} page(s) fresh")
    return "\n".join(lines) + "\n"


def report_json(statuses: list[PageStatus]) -> str:
    return json.dumps({"stale": any(s.stale for s in statuses),
                       "pages": [asdict(s) for s in statuses]}, indent=2, sort_keys=True) + "\n"


# -- committed copies of generated output (terraform-docs --output-check) -----

@dataclass
class CopyDrift:
    """Generated output that differs from its committed copy."""

    path: str
    state: str  # changed | missing (generated, not committed) | extra (committed, no longer generated)
    diff: str = ""


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` and its bytes, read confined to the folder (a committed copy is repo content)."""
    tree = ConfinedDir(folder, label="export folder")
    out: dict[str, bytes] = {}
    for rel, e in tree.walk():
        if e.kind == "file":
            try:
                out[rel] = tree.read_bytes(rel)
            except InputError:
                continue
    return out


def compare_trees(fresh: Path, committed: Path) -> list[CopyDrift]:
    """Every file that differs between a fresh generation and the committed copy, with a unified diff.

    A committed file that is not read (a link out of the folder, a FIFO, over the size cap) is "missing".
    """
    new, old = _tree(fresh), _tree(committed)
    out: list[CopyDrift] = []

    def text(data: bytes) -> str:
        return data.decode("utf-8", "replace")
    for rel in sorted(set(new) | set(old)):
        if rel not in old:
            out.append(CopyDrift(rel, "missing", unified_diff("", text(new[rel]), rel)))
        elif rel not in new:
            out.append(CopyDrift(rel, "extra"))
        elif new[rel] != old[rel]:
            out.append(CopyDrift(rel, "changed", unified_diff(text(old[rel]), text(new[rel]), rel)))
    return out


def drift_text(drift: list[CopyDrift], committed: Path) -> str:
    if not drift:
        return f"{committed}: committed copy is current\n"
    lines = [f"{committed}: committed copy is out of date ({len(drift)} file(s))"]
    for d in drift:
        lines.append(f"  {d.state}: {d.path}")
    lines += [d.diff.rstrip("\n") for d in drift if d.diff]
    return "\n".join(lines) + "\n"


def regenerate(cfg: WikiConfig, out: Path, kind: str, *, all_pages: bool = False) -> None:
    """Write a fresh generation into ``out``: the Hugo export (with ``all_pages`` the hand-written pages too),
    or the generated Markdown pages (as `flux-wiki pages`)."""
    if kind == "hugo":
        from .export.hugo import export_hugo

        export_hugo(cfg, out, all_pages=all_pages)
        return
    from .site import WikiCompiler

    for page in WikiCompiler().compile(replace(cfg, diagrams=False)).pages:
        target = out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.markdown, encoding="utf-8")
