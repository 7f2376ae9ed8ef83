"""Stamps of hand-written pages: ``flux-wiki stamp`` records what a page's source basis looked like at review
time, in the lock file.

The lock file (``data/flux-wiki.lock``) is JSON with sorted keys, one entry per stamped page: its declared
sources and, per matched file (``root:path``), a SHA-256 of the content and, when the root is inside a git
work tree, the git blob id (computed as git does, so ``git cat-file blob <id>`` can show the stamped text).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..load.confine import read_config_text
from ..model import InputError
from .basis import BasisGraph

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
        raise InputError(str(path), err.lineno, f"not a flux-wiki lock file: {err.msg}",
                         code="FW-WIKI-FILE") from None
    except (ValueError, RecursionError) as err:  # numbers too long to convert, nesting too deep
        raise InputError(str(path), 1, f"not a flux-wiki lock file: {str(err) or type(err).__name__}",
                         code="FW-WIKI-FILE") from None

    def wrong(where: str, needle: str, expected: str) -> InputError:
        at = text.find(json.dumps(needle))
        return InputError(str(path), text.count("\n", 0, at) + 1 if at >= 0 else 1,
                          f"not a flux-wiki lock file: {where}: expected {expected}", code="FW-WIKI-FILE")

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
