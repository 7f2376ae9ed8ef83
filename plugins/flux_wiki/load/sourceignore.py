"""Which files of a repository reach a Flux source artifact: source-controller's ignore rules, ported.

"Which files Flux sees" decides which clusters and Kustomizations exist, so this is a port of the code
source-controller runs, quirks included, not a gitignore look-alike:

- Go's ``path/filepath.Match`` (golang/go ``src/path/filepath/match.go``, the Go 1.16+ form that checks the
  whole pattern): the per-name glob go-git calls. ``[^a]`` negates a class, ``[!a]`` does not, ``[]a]`` and
  ``[a-]`` are malformed, and a malformed glob never matches.
- go-git ``plumbing/format/gitignore`` ``pattern.go`` and ``matcher.go`` at v5.16.4, the copy fluxcd/pkg vendors
  as ``sourceignore/gitignore`` (fluxcd/pkg commit f78daaa7afb29eb2add793a131947f1679710625).
- fluxcd/pkg ``sourceignore/sourceignore.go`` (commit 23cf50f6c9b36a0bc8f725a70db5ddf4236d5956): ``ReadPatterns``
  (``#`` lines and blank lines skipped, nothing else trimmed before go-git parses the line), ``LoadIgnorePatterns``
  (a ``.sourceignore`` in *every* folder except ``.git``, scoped to that folder, root first then folders in
  name order, depth first) and the VCS and default patterns.
- fluxcd/pkg ``artifact/storage`` ``SourceIgnoreFilter`` and ``Archive``, as source-controller's
  ``reconcileArtifact`` calls them (internal/controller/gitrepository_controller.go; OCIRepository does the same):
  ``spec.ignore`` is read after every ``.sourceignore``; the default exclusions (images, archives, CI files,
  ``.sops.yaml``...) apply **only when no pattern was read at all**, the VCS patterns always; and the archive
  walk matches every path on its own, so an excluded folder does not hide a file that a later ``!`` pattern
  includes.

Where go-git and so Flux differ from git (tests/load/test_sourceignore.py lists each case against
``git check-ignore``):

- a trailing ``/**`` adds nothing: ``a/**`` also matches ``a`` itself, ``a/**/`` matches the files directly in
  ``a``, and ``/**`` matches no path at all;
- git never re-includes below an excluded folder; go-git matches each path on its own, and a pattern without
  ``/`` matches any folder on the path, so ``*`` then ``!*.yaml`` keeps every YAML file, and ``!a/`` brings
  back everything below any folder named ``a``;
- Go's glob classes: ``[!a]`` is the class of ``!`` and ``a``, ``[a-]``, ``[]a]`` and ``[]]`` are malformed and
  match nothing;
- lines are split on ``/`` first: ``a//b`` is ``a/b``, ``a\\/b`` and ``a/**b`` match nothing (git: ``a/*b``);
- a UTF-8 byte order mark is part of the first pattern (git skips it).
"""

from __future__ import annotations

import re
import weakref
from collections import namedtuple
from functools import lru_cache
from typing import TYPE_CHECKING

from ..model import InputError

if TYPE_CHECKING:
    from .confine import ConfinedDir

IGNORE_FILE = ".sourceignore"
# fluxcd/pkg sourceignore.go: ExcludeVCS, then ExcludeExt + ExcludeCI + ExcludeExtra.
VCS_PATTERNS = (".git/", ".gitignore", ".gitmodules", ".gitattributes")
DEFAULT_PATTERNS = ("*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
                    ".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml",
                    "cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml",
                    "**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml")

_MAX_LINE = 64 * 1024 - 1  # bufio.Scanner's MaxScanTokenSize: a longer line ends the scan (the error is dropped)
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
            "\u2028\u2029\u202f\u205f\u3000"  # unicode.IsSpace, what strings.TrimSpace removes

NO_MATCH, EXCLUDE, INCLUDE = 0, 1, 2


# -- Go's filepath.Match ------------------------------------------------------
def _class_char(pattern: str, i: int) -> tuple[str, int] | None:
    """getEsc: one possibly escaped class character at ``i``; None when malformed (nothing may end there)."""
    if i >= len(pattern) or pattern[i] in "-]":
        return None
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            return None
    return (pattern[i], i + 1) if i + 1 < len(pattern) else None


def _translate(pattern: str) -> str | None:
    """The regular expression for Go's glob ``pattern`` (Linux rules), or None when Go calls it malformed.

    Go matches glob chunks left to right with fixed-width items between stars, which is what a regular
    expression with backtracking matches too; tests/load/test_sourceignore.py checks this against a literal
    port of Go's ``Match`` on generated patterns. A star before another chunk takes the text up to that chunk's
    first match and never gives it back (as Go's Match does, and fnmatch's translation): a pattern is
    repository input, and a star backtracking over every split would take time growing as the name's length
    to the power of its stars.
    """
    out: list[str | None] = []  # None: a star
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if not out or out[-1] is not None:  # Go's scanChunk: consecutive stars are one
                out.append(None)
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "\\":
            if i + 1 >= n:
                return None
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "[":
            i += 1
            negated = i < n and pattern[i] == "^"
            if negated:
                i += 1
            ranges, nrange = [], 0
            while not (i < n and pattern[i] == "]" and nrange > 0):
                lo = _class_char(pattern, i)
                if lo is None:
                    return None
                low, i = lo
                high = low
                if pattern[i] == "-":
                    hi = _class_char(pattern, i + 1)
                    if hi is None:
                        return None
                    high, i = hi
                if low <= high:  # Go accepts an empty range; it just never matches
                    ranges.append(f"{re.escape(low)}-{re.escape(high)}")
                nrange += 1
            i += 1
            body = "".join(ranges)
            if negated:
                out.append(f"[^{body}]" if body else ".")
            else:
                out.append(f"[{body}]" if body else "(?!)")
        else:
            out.append(re.escape(c))
            i += 1
    return _atomic_stars(out)


def _atomic_stars(items: list[str | None]) -> str:
    """The expression of glob items (None: a star): each star followed by a chunk matches up to the chunk's
    first match, as an atomic group (a lookahead that captures, then a backreference); the last star takes the
    rest, the chunk after it anchored by ``fullmatch``."""
    chunks: list[str] = []  # chunks[0] before the first star, chunks[i] after star i
    current: list[str] = []
    for item in items:
        if item is None:
            chunks.append("".join(current))
            current = []
        else:
            current.append(item)
    chunks.append("".join(current))
    out = chunks[0]
    for i, chunk in enumerate(chunks[1:], 1):
        out += f"(?=(?P<s{i}>[^/]*?{chunk}))(?P=s{i})" if i < len(chunks) - 1 else f"[^/]*{chunk}"
    return out


@lru_cache(maxsize=4096)
def compile_glob(pattern: str) -> re.Pattern[str] | None:
    """Go's glob as a compiled expression to ``fullmatch`` a name, or None when the glob is malformed."""
    expr = _translate(pattern)
    return None if expr is None else re.compile(expr, re.DOTALL)


def glob_match(pattern: str, name: str) -> bool | None:
    """Go's filepath.Match(pattern, name): True/False, or None when the pattern is malformed."""
    rx = compile_glob(pattern)
    return None if rx is None else rx.fullmatch(name) is not None


# -- go-git's gitignore Pattern and Matcher -----------------------------------
class Pattern(namedtuple("Pattern", "domain parts inclusion dir_only is_glob text origin name_rx literals",
                         defaults=("", "", None, ()))):
    """One ignore line as go-git parses it (``ParsePattern``), scoped to the folder ``domain``. ``name_rx`` and
    ``literals`` are made from the line by :meth:`parse`: equal lines give equal patterns."""

    __slots__ = ()

    domain: tuple[str, ...]
    parts: tuple[str, ...]
    inclusion: bool
    dir_only: bool
    is_glob: bool
    text: str
    origin: str
    name_rx: re.Pattern[str] | None  # name patterns, compiled
    # glob patterns: the parts without glob characters, each of which a matching path must hold as a component
    literals: tuple[str, ...]

    @classmethod
    def parse(cls, line: str, domain: tuple[str, ...] = (), origin: str = "") -> "Pattern":
        p = line
        inclusion = p.startswith("!")
        if inclusion:
            p = p[1:]
        if not p.endswith("\\ "):
            p = p.rstrip(" ")
        dir_only = p.endswith("/")
        if dir_only:
            p = p[:-1]
        is_glob = "/" in p
        parts = tuple(p.split("/"))
        literals = tuple(part for part in parts if part and not any(c in part for c in "*?[\\")) if is_glob else ()
        return cls(tuple(domain), parts, inclusion, dir_only, is_glob, line, origin,
                   None if is_glob else compile_glob(p), literals)

    def match(self, path: tuple[str, ...], is_dir: bool) -> int:
        """NO_MATCH, EXCLUDE or INCLUDE for a path given as its components from the repository root."""
        n = len(self.domain)
        if len(path) <= n or path[:n] != self.domain:
            return NO_MATCH
        rest = path[n:]
        if not (self._glob_match(rest, is_dir) if self.is_glob else self._name_match(rest, is_dir)):
            return NO_MATCH
        return INCLUDE if self.inclusion else EXCLUDE

    def _name_match(self, path: tuple[str, ...], is_dir: bool) -> bool:
        # go-git's simpleNameMatch: any component may match, and the first that does decides
        if self.name_rx is None:
            return False  # filepath.Match's ErrBadPattern: go-git answers "no match"
        for i, name in enumerate(path):
            if self.name_rx.fullmatch(name) is not None:
                return not (self.dir_only and not is_dir and i == len(path) - 1)
        return False

    def _glob_match(self, path: tuple[str, ...], is_dir: bool) -> bool:
        for literal in self.literals:  # each part must match a component below: a quick way to say no
            if literal not in path:
                return False
        matched = can_traverse = False
        pos, last = 0, len(self.parts) - 1
        for i, part in enumerate(self.parts):
            if part == "":
                can_traverse = False
                continue
            if part == "**":
                if i == last:
                    break  # go-git: a trailing "**" adds nothing, so "/**" alone never matches
                can_traverse = True
                continue
            if "**" in part or pos >= len(path):
                return False
            if can_traverse:
                can_traverse = False
                while pos < len(path):
                    m = glob_match(part, path[pos])
                    pos += 1
                    if m is None:
                        return False
                    if m:
                        matched = True
                        break
                    if pos == len(path):
                        matched = False
            else:
                if not glob_match(part, path[pos]):
                    return False
                matched = True
                pos += 1
        if matched and self.dir_only and not is_dir and pos == len(path):
            matched = False
        return matched


def matcher_match(patterns: list[Pattern] | tuple[Pattern, ...], path: tuple[str, ...], is_dir: bool) -> bool:
    """go-git's Matcher.Match: the last pattern that matches decides; True means excluded."""
    for p in reversed(patterns):
        r = p.match(path, is_dir)
        if r != NO_MATCH:
            return r == EXCLUDE
    return False


# -- fluxcd/pkg sourceignore ----------------------------------------------------
def _scan_lines(data: bytes) -> list[str]:
    """bufio.Scanner with ScanLines: lines without their "\\n" or one trailing "\\r"; stops at an over-long line."""
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    out = []
    for raw in lines:
        if len(raw) > _MAX_LINE:
            break
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        out.append(raw.decode("utf-8", errors="surrogateescape"))
    return out


def read_patterns(data: bytes | str, domain: tuple[str, ...] = (), origin: str = "") -> list[Pattern]:
    """sourceignore.ReadPatterns: every line but comments and blank ones, parsed as go-git does."""
    raw = data.encode("utf-8", errors="surrogateescape") if isinstance(data, str) else data
    out = []
    for number, line in enumerate(_scan_lines(raw), start=1):
        if not line.startswith("#") and line.strip(_GO_SPACE):
            out.append(Pattern.parse(line, domain, f"{origin}:{number}" if origin else ""))
    return out


def _read_ignore_file(files: "ConfinedDir", domain: tuple[str, ...]) -> list[Pattern]:
    rel = "/".join(domain + (IGNORE_FILE,))
    if files.entry(rel).kind == "missing":
        return []
    try:
        return read_patterns(files.read_bytes(rel), domain, rel)
    except InputError as err:  # a link leading out, a FIFO, a folder by that name, over the size cap
        if files.entry(rel).kind != "dir":  # a folder by that name gives no patterns in source-controller either
            files.note(rel, err.message, err.code)
        return []


def load_ignore_patterns(files: "ConfinedDir") -> list[Pattern]:
    """sourceignore.LoadIgnorePatterns: every ``.sourceignore`` below the root, root first, folders in name order.

    Like ``os.ReadDir`` + ``DirEntry.IsDir``, symlinked folders are not entered; ``.git`` is skipped. Files
    are read through the confinement, so an ignore file that is a link out of the root is never read.
    """
    out: list[Pattern] = []
    stack: list[tuple[str, ...]] = [()]
    visited = 0
    while stack and visited < files.max_walk_entries:
        domain = stack.pop()
        visited += 1
        listed = files.scan("/".join(domain))
        if listed is None:
            out.extend(_read_ignore_file(files, domain))
            continue
        # a folder without an entry of that name has no ignore file: only a recording must see it asked
        if files.record is not None or any(name == IGNORE_FILE for name, _ in listed):
            out.extend(_read_ignore_file(files, domain))
        subdirs = sorted(name for name, is_dir in listed if name != ".git" and is_dir)
        stack.extend(domain + (name,) for name in reversed(subdirs))
    return out


_SNAPSHOT_PATTERNS: "weakref.WeakKeyDictionary[ConfinedDir, list[Pattern]]" = weakref.WeakKeyDictionary()
MAX_KEPT_FILTERS = 16  # filters a store of kept filters holds (one per source of a repository, in practice)
MAX_KEPT_DECISIONS = 200_000  # paths one filter remembers the answer for (then it forgets them all)


class ArtifactFilter:
    """source-controller's SourceIgnoreFilter for one source: which repository paths its artifact leaves out."""

    def __init__(self, patterns: list[Pattern]):
        defaults = () if patterns else DEFAULT_PATTERNS
        self.patterns = tuple(Pattern.parse(p, (), "source-controller default") for p in VCS_PATTERNS + defaults)
        self.patterns += tuple(patterns)
        self.has_inclusions = any(p.inclusion for p in self.patterns)
        self._folder_memo: dict[tuple[str, ...], int] = {}
        # by rank, highest first: the name patterns (that can match) and the glob patterns
        ranked = range(len(self.patterns) - 1, -1, -1)
        self._name_ranks = tuple(i for i in ranked if not self.patterns[i].is_glob
                                 and self.patterns[i].name_rx is not None)
        self._glob_ranks = tuple(i for i in ranked if self.patterns[i].is_glob)
        self._names_memo: dict[str, tuple[int, ...]] = {}  # a name -> the name patterns it matches, by rank
        # path ("path/" for a folder) -> excluded, for a filter kept across rebuilds (asked about the same paths again)
        self._decisions: dict[str, bool] | None = None

    @classmethod
    def for_repo(cls, files: "ConfinedDir", spec_ignore: str | None = None,
                 kept: dict[tuple[Pattern, ...], "ArtifactFilter"] | None = None) -> "ArtifactFilter":
        """The filter for a repository: its ``.sourceignore`` files, then the source's ``spec.ignore``.

        A snapshot's ``.sourceignore`` files are found once for all its sources (each source with its own
        ``spec.ignore`` has a filter of its own); while a recording is on they are looked for again, so the
        recording sees what they depend on.

        ``kept``: filters made before (``mkdocs serve`` rebuilds), by their patterns; one with the same patterns
        (each with its folder, text and origin) is returned with what it remembers, since what a filter answers
        depends on its patterns alone.
        """
        if files.snapshot and files.record is None:
            found = _SNAPSHOT_PATTERNS.get(files)
            if found is None:
                found = _SNAPSHOT_PATTERNS[files] = load_ignore_patterns(files)
            patterns = list(found)
        else:
            patterns = load_ignore_patterns(files)
        if spec_ignore is not None:
            patterns += read_patterns(spec_ignore, (), "spec.ignore")
        if kept is None:
            return cls(patterns)
        key = tuple(patterns)
        found = kept.pop(key, None) or cls(patterns)
        if found._decisions is None:
            found._decisions = {}
        kept[key] = found  # the most recent last: the oldest is forgotten first
        while len(kept) > MAX_KEPT_FILTERS:
            del kept[next(iter(kept))]
        return found

    def excludes(self, rel: str, is_dir: bool) -> bool:
        """True when go-git's matcher excludes the repository-relative POSIX path ``rel``."""
        if rel in ("", "."):
            return False
        decisions = self._decisions
        key = f"{rel}/" if is_dir else rel
        found = decisions.get(key) if decisions is not None else None
        if found is None:
            i = self.deciding(tuple(rel.split("/")), is_dir)
            found = i >= 0 and not self.patterns[i].inclusion
            if decisions is not None:
                if len(decisions) >= MAX_KEPT_DECISIONS:
                    decisions.clear()
                decisions[key] = found
        return found

    def deciding(self, path: tuple[str, ...], is_dir: bool) -> int:
        """Index of the pattern that decides ``path`` (the last one matching), or -1; same answer as
        ``matcher_match`` but cheaper on a tree walk.

        Every go-git pattern that matches a folder matches everything below it, so below a folder only
        patterns ranked above the folder's deciding one can change the answer, and among those a name pattern
        (no "/") can only match the last component: any other component would have matched the folder.
        """
        if is_dir and path in self._folder_memo:
            return self._folder_memo[path]
        start = self.deciding(path[:-1], True) if len(path) > 1 else -1
        found = start
        name = path[-1]
        ranks = self._names_memo.get(name)
        if ranks is None:  # names repeat across folders (kustomization.yaml): each is matched once
            ranks = self._names_memo[name] = tuple(i for i in self._name_ranks
                                                   if self.patterns[i].name_rx.fullmatch(name) is not None)
        for i in ranks:
            if i <= start:
                break
            p = self.patterns[i]
            n = len(p.domain)
            if len(path) > n and (not n or path[:n] == p.domain) and (is_dir or not p.dir_only):
                found = i
                break
        for i in self._glob_ranks:
            if i <= found:
                break
            if self.patterns[i].match(path, is_dir) != NO_MATCH:
                found = i
                break
        if is_dir:
            self._folder_memo[path] = found
        return found
