"""A repository on disk as Flux's source-controller would package it.

One place answers "which file is this path", "may a build read it" and "what
did the build read", so the rest of the engine never touches the filesystem.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from ..model import InputError
from .sourceignore import ArtifactFilter
from .yamldocs import Document, ParseCache, copy_data

YAML_SUFFIXES = (".yaml", ".yml")


class Repo:
    """Files of one GitOps repository, with a shared parse cache and a record of what was read."""

    def __init__(self, root: str | os.PathLike[str], cache: ParseCache | None = None,
                 ignore: str | None = None):
        self.root = Path(root).resolve()
        self.cache = cache or ParseCache()
        self.read: set[str] = set()
        self._spec_ignore = ignore
        self._filter: ArtifactFilter | None = None
        self._ignored_memo: dict[str, bool] = {}

    def with_ignore(self, ignore: str | None) -> "Repo":
        """This repository as a source with ``spec.ignore`` sees it; shares the parse cache and the read record."""
        if ignore == self._spec_ignore:
            return self
        view = Repo(self.root, self.cache, ignore)
        view.read = self.read
        return view

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
        """True when source-controller would leave ``rel`` out of the artifact (load/sourceignore.py).

        Every path is matched on its own, as source-controller's archive walk does; a folder is out only
        when it is excluded and nothing below it is in (a later ``!`` pattern can bring files back).
        """
        key = f"{rel}/" if is_dir else rel
        memo = self._ignored_memo.get(key)
        if memo is None:
            if self._filter is None:
                self._filter = ArtifactFilter.for_repo(self.root, self._spec_ignore)
            memo = self._filter.excludes(rel, is_dir)
            if memo and is_dir and self._filter.has_inclusions and self.is_dir(rel):
                memo = not self.listdir(rel)
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
        return [Document(copy_data(d.data), d.file, d.line) for d in docs]
