"""A repository on disk as Flux's source-controller would package it.

One place answers "which file is this path", "may a build read it" and "what
did the build read", so the rest of the engine never touches the filesystem;
every read is confined to the root (see :mod:`flux_wiki.load.confine`).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..model import Diagnostic, InputError
from .confine import MAX_FILE_BYTES, ConfinedDir, Entry
from .yamldocs import Document, ParseCache, copy_data

# source-controller's default exclusions (pkg/sourceignore VCSPatterns + default excludes)
DEFAULT_IGNORES = [".git/", ".gitignore", ".gitmodules", ".gitattributes", "*.jpg", "*.jpeg", "*.gif",
                   "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip", ".github/", ".circleci/",
                   ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml", "cloudbuild.yaml",
                   "codeship-services.yml", "codeship-steps.yml", "**/.goreleaser.yml", "**/.sops.yaml",
                   "**/.flux.yaml"]

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class _IgnoreRule:
    """One .sourceignore line compiled once (a small gitignore subset)."""

    regex: re.Pattern[str]
    negate: bool
    dir_only: bool
    anchored: bool

    @classmethod
    def parse(cls, pattern: str) -> "_IgnoreRule":
        negate = pattern.startswith("!")
        pat = pattern[1:] if negate else pattern
        dir_only = pat.endswith("/")
        pat = pat.rstrip("/")
        anchored = pat.startswith("/") or "/" in pat.rstrip("*")
        pat = pat.lstrip("/")
        if pat.startswith("**/"):
            pat, anchored = pat[3:], False
        return cls(re.compile(fnmatch.translate(pat)), negate, dir_only, anchored)

    def matches(self, rel: str, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        return bool(self.regex.match(rel if self.anchored else rel.rsplit("/", 1)[-1]))


class Repo:
    """Files of one GitOps repository, with a shared parse cache and a record of what was read.

    Every access goes through one :class:`ConfinedDir`: nothing outside the root is ever read, and
    what is refused on the way (links leading out, loops, special files, oversized files) is in
    :attr:`problems`.
    """

    def __init__(self, root: str | os.PathLike[str], cache: ParseCache | None = None,
                 ignore: list[str] | None = None, *, max_file_bytes: int = MAX_FILE_BYTES):
        self.files = ConfinedDir(root, max_file_bytes=max_file_bytes)
        self.root = self.files.root
        self.cache = cache or ParseCache()
        self.read: set[str] = set()
        self._ignores = [_IgnoreRule.parse(p) for p in self._load_ignores() + list(ignore or [])]
        self._ignored_memo: dict[str, bool] = {}

    def _load_ignores(self) -> list[str]:
        return list(DEFAULT_IGNORES) + self._ignore_file(".sourceignore")

    def _ignore_file(self, rel: str) -> list[str]:
        """The patterns of one ignore file (none when it is absent or refused, with a note)."""
        e = self.files.entry(rel)
        if e.kind == "missing":
            return []
        try:
            text = self.files.read_bytes(rel).decode("utf-8", errors="replace")
        except InputError as err:
            self.note(rel, err.message)
            return []
        return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]

    def note(self, rel: str, message: str) -> None:
        """Record a problem with a path of the repo (once per path)."""
        self.files.note(rel, message)

    @property
    def problems(self) -> list[Diagnostic]:
        """Paths refused while walking or reading (each a warning naming the path)."""
        return self.files.problems

    # -- paths -----------------------------------------------------------
    def rel(self, path: str | os.PathLike[str]) -> str:
        """Repo-relative POSIX path of an absolute or relative path."""
        p = Path(path)
        if not p.is_absolute():
            p = self.root / p
        return PurePosixPath(os.path.relpath(os.path.normpath(p), self.root)).as_posix()

    def resolve(self, base_dir: str, ref: str, *, referrer: str, line: int = 1) -> str:
        """Join ``ref`` to the repo-relative ``base_dir``; refuse to leave the repo (Flux's rule)."""
        joined = os.path.normpath(os.path.join(base_dir or ".", ref))
        if joined == ".." or joined.startswith("../") or os.path.isabs(joined):
            raise InputError(referrer, line, f"'{ref}' points outside the repository root")
        return PurePosixPath(joined).as_posix() if joined != "." else "."

    def locate(self, base_dir: str, ref: str, *, referrer: str, line: int = 1, what: str = "path") -> tuple[str, Entry]:
        """:meth:`resolve`, then what the path is; InputError at ``referrer:line`` when it is refused."""
        rel = self.resolve(base_dir, ref, referrer=referrer, line=line)
        e = self.files.entry(rel)
        if e.kind == "refused":
            raise InputError(referrer, line, f"{what} '{ref}': {e.reason}")
        return rel, e

    def entry(self, rel: str) -> Entry:
        return self.files.entry(rel)

    def exists(self, rel: str) -> bool:
        return self.files.exists(rel)

    def is_dir(self, rel: str) -> bool:
        return self.files.is_dir(rel)

    def is_file(self, rel: str) -> bool:
        return self.files.is_file(rel)

    def ignored(self, rel: str, is_dir: bool = False) -> bool:
        """True when source-controller would leave ``rel`` out of the artifact."""
        key = f"{rel}/" if is_dir else rel
        memo = self._ignored_memo.get(key)
        if memo is None:
            parent, _, _ = rel.rpartition("/")
            memo = bool(parent) and self.ignored(parent, True)
            if not memo:
                for rule in self._ignores:
                    if rule.matches(rel, is_dir):
                        memo = not rule.negate
            self._ignored_memo[key] = memo
        return memo

    def listdir(self, rel: str) -> list[tuple[str, bool]]:
        """Sorted (name, is_dir) entries of a folder, without ignored or refused ones."""
        return [(name, e.kind == "dir") for name, e in self.files.listdir(rel, self.ignored)]

    def walk(self, rel: str = ".", descend: Callable[[str], bool] | None = None) -> Iterator[tuple[str, bool]]:
        """(path, is_dir) of every file and folder below ``rel`` that is neither ignored nor refused."""
        for child, e in self.files.walk(rel, skip=self.ignored, descend=descend):
            yield child, e.kind == "dir"

    def walk_yaml(self, rel: str = ".") -> list[str]:
        """Every YAML file below ``rel`` (repo-relative, in walk order), skipping ignored and refused paths."""
        return [child for child, is_dir in self.walk(rel) if not is_dir and child.endswith(YAML_SUFFIXES)]

    # -- content ---------------------------------------------------------
    def read_bytes(self, rel: str) -> bytes:
        """A file's bytes; InputError naming the file when it is refused (outside, special, over the size cap)."""
        data = self.files.read_bytes(rel)
        self.read.add(rel)
        return data

    def read_text(self, rel: str) -> str:
        return self.read_bytes(rel).decode("utf-8", errors="replace")

    def documents(self, rel: str, *, copy: bool = True) -> list[Document]:
        """Parsed YAML documents of a file; copies unless the caller promises not to mutate."""
        docs = self.cache.get(rel, self.read_bytes(rel))
        if not copy:
            return docs
        return [Document(copy_data(d.data), d.file, d.line) for d in docs]
