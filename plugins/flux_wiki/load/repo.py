"""A repository on disk as Flux's source-controller would package it.

One place answers "which file is this path", "may a build read it" and "what
did the build read", so the rest of the engine never touches the filesystem.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from ..model import InputError
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
    """Files of one GitOps repository, with a shared parse cache and a record of what was read."""

    def __init__(self, root: str | os.PathLike[str], cache: ParseCache | None = None,
                 ignore: list[str] | None = None):
        self.root = Path(root).resolve()
        self.cache = cache or ParseCache()
        self.read: set[str] = set()
        self._ignores = [_IgnoreRule.parse(p) for p in self._load_ignores() + list(ignore or [])]
        self._ignored_memo: dict[str, bool] = {}

    def _load_ignores(self) -> list[str]:
        patterns = list(DEFAULT_IGNORES)
        f = self.root / ".sourceignore"
        if f.is_file():
            for line in f.read_text(errors="replace").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    patterns.append(line)
        return patterns

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

    def abspath(self, rel: str) -> Path:
        return self.root / rel

    def exists(self, rel: str) -> bool:
        return (self.root / rel).exists()

    def is_dir(self, rel: str) -> bool:
        return (self.root / rel).is_dir()

    def is_file(self, rel: str) -> bool:
        return (self.root / rel).is_file()

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
        """Sorted (name, is_dir) entries of a folder, without ignored ones."""
        out = []
        base = self.root / rel
        with os.scandir(base) as it:
            for entry in it:
                child = f"{rel}/{entry.name}" if rel not in ("", ".") else entry.name
                is_dir = entry.is_dir()
                if not self.ignored(child, is_dir):
                    out.append((entry.name, is_dir))
        return sorted(out)

    def walk_yaml(self, rel: str = ".") -> list[str]:
        """Every YAML file below ``rel`` (repo-relative, sorted), skipping ignored paths."""
        found: list[str] = []
        for name, is_dir in self.listdir(rel):
            child = f"{rel}/{name}" if rel not in ("", ".") else name
            if is_dir:
                found.extend(self.walk_yaml(child))
            elif name.endswith(YAML_SUFFIXES):
                found.append(child)
        return found

    # -- content ---------------------------------------------------------
    def read_bytes(self, rel: str) -> bytes:
        self.read.add(rel)
        return (self.root / rel).read_bytes()

    def read_text(self, rel: str) -> str:
        return self.read_bytes(rel).decode("utf-8", errors="replace")

    def documents(self, rel: str, *, copy: bool = True) -> list[Document]:
        """Parsed YAML documents of a file; copies unless the caller promises not to mutate."""
        docs = self.cache.get(rel, self.read_bytes(rel))
        if not copy:
            return docs
        return [replace(d, data=copy_data(d.data)) for d in docs]
