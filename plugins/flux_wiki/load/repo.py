"""A repository on disk as Flux's source-controller would package it.

One place answers "which file is this path", "may a build read it" and "what
did the build read", so the rest of the engine never touches the filesystem;
every read is confined to the root (see :mod:`flux_wiki.load.confine`) and
filtered as the artifact is (see :mod:`flux_wiki.load.sourceignore`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from ..model import Diagnostic, InputError
from ..problems import problem_class
from .confine import MAX_FILE_BYTES, ConfinedDir, Entry, Record
from .sourceignore import ArtifactFilter
from .yamldocs import Document, ParseCache, copy_data

YAML_SUFFIXES = (".yaml", ".yml")

# fluxcd/pkg artifact storage Archive (and `flux push artifact`) skip everything that is not a regular file
# or a folder ("Ignore anything that is not a file or directories e.g. symlinks"), so Flux never sees a link.
ARTIFACT_LINKS = "source-controller leaves symbolic links out of the artifact, so Flux does not see it"


class Repo:
    """Files of one GitOps repository as one run sees them (each file read once), with a shared parse cache and
    a record of what was read.

    Every access goes through one :class:`ConfinedDir`: nothing outside the root is ever read, and
    what is refused on the way (links leading out, loops, special files, oversized files) is in
    :attr:`problems`.
    """

    def __init__(self, root: str | os.PathLike[str], cache: ParseCache | None = None,
                 ignore: str | None = None, *, max_file_bytes: int = MAX_FILE_BYTES,
                 files: ConfinedDir | None = None):
        self.cache = cache or ParseCache()
        # a cache that keeps builds serves more snapshots of this root (``mkdocs serve`` rebuilds): the folders left
        # alone since the last one are not listed again (ConfinedDir's ``kept``); a single build keeps nothing
        self.files = files or ConfinedDir(root, max_file_bytes=max_file_bytes, inner_links=ARTIFACT_LINKS,
                                          snapshot=True, counts=self.cache.counts,
                                          kept=self.cache.derived.setdefault("folders", {})
                                          if self.cache.keep_builds else None)
        self.root = self.files.root
        self.read: set[str] = set()
        self._spec_ignore = ignore
        self._filter: ArtifactFilter | None = None
        self._ignored_memo: dict[str, bool] = {}
        self._yaml_below: dict[str, list[str]] = {}  # walk_yaml's answers
        self._texts: dict[str, tuple[bytes, str]] = {}  # read_text's answers, each with the bytes it decoded
        # builds of this snapshot kept for the next cluster of a run that simulates several (reuse.py); None: off
        self.builds: dict[tuple[str | None, str, str], object] | None = None
        # what build_model's stages remember for later ones and the clusters of its run for each other (the
        # objects they share), by stage; None: off (outside a run)
        self.run_memo: dict[str, dict[Any, Any]] | None = None

    @property
    def ignore_spec(self) -> str | None:
        """The source's ``spec.ignore`` this view applies (None: the repository's own rules only)."""
        return self._spec_ignore

    def with_ignore(self, ignore: str | None) -> "Repo":
        """This repository as a source with ``spec.ignore`` sees it; shares the files, parse cache, read record,
        kept builds and run memo."""
        if ignore == self._spec_ignore:
            return self
        view = Repo(self.root, self.cache, ignore, files=self.files)
        view.read = self.read
        view._texts = self._texts
        view.builds = self.builds
        view.run_memo = self.run_memo
        return view

    def note(self, rel: str, message: str, code: str = "FW-FILE-REFUSED") -> None:
        """Record a problem with a path of the repo (once per path)."""
        self.files.note(rel, message, code)

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
            raise InputError(referrer, line, f"'{ref}' points outside the repository root", code="FW-PATH-OUTSIDE")
        return joined  # normpath leaves a relative path as PurePosixPath would write it

    def locate(self, base_dir: str, ref: str, *, referrer: str, line: int = 1, what: str = "path") -> tuple[str, Entry]:
        """:meth:`resolve`, then what the path is; InputError at ``referrer:line`` when it is refused."""
        rel = self.resolve(base_dir, ref, referrer=referrer, line=line)
        e = self.files.entry(rel)
        if e.kind == "refused":
            raise InputError(referrer, line, f"{what} '{ref}': {e.reason}", code=e.code, cls=problem_class(e.code))
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
        """True when source-controller would leave ``rel`` out of the artifact (load/sourceignore.py).

        Every path is matched on its own, as source-controller's archive walk does; a folder is out only
        when it is excluded and nothing below it is in (a later ``!`` pattern can bring files back).
        """
        key = f"{rel}/" if is_dir else rel
        memo = self._ignored_memo.get(key)
        if memo is None:
            if self._filter is None:
                self._filter = ArtifactFilter.for_repo(self.files, self._spec_ignore,
                                                       self.cache.derived.setdefault("artifact filters", {})
                                                       if self.cache.keep_builds else None)
            memo = self._filter.excludes(rel, is_dir)
            if memo and is_dir and self._filter.has_inclusions and self.is_dir(rel):
                memo = not self.listdir(rel)
            self._ignored_memo[key] = memo
        if self.files.record is not None:
            self.files.record.ignored[(rel, is_dir)] = memo
        return memo

    def answers(self, record: Record) -> bool:
        """Whether this snapshot answers what ``record`` asked as an earlier one did (see ConfinedDir.recording)."""
        if not (self.files.answers(record) and all(self.ignored(rel, is_dir) == left_out
                                                   for (rel, is_dir), left_out in record.ignored.items())):
            return False
        self.read |= record.read
        return True

    def listdir(self, rel: str) -> list[tuple[str, bool]]:
        """Sorted (name, is_dir) entries of a folder, without ignored or refused ones."""
        return [(name, e.kind == "dir") for name, e in self.files.listdir(rel, self.ignored)]

    def walk(self, rel: str = ".", descend: Callable[[str], bool] | None = None, *, quiet: bool = False
             ) -> Iterator[tuple[str, bool]]:
        """(path, is_dir) of every file and folder below ``rel`` that is neither ignored nor refused (refusals
        noted unless ``quiet``)."""
        for child, e in self.files.walk(rel, skip=self.ignored, descend=descend, quiet=quiet):
            yield child, e.kind == "dir"

    def walk_yaml(self, rel: str = ".") -> list[str]:
        """Every YAML file below ``rel`` (repo-relative, in walk order), skipping ignored and refused paths.

        Walked once per view: a snapshot answers every listing and ignore rule the same each time, so a second
        walk (entry points, then the doctor's helmfiles) finds the same files. While a recording is on, the walk
        is done again so that the recording sees what it asks."""
        found = self._yaml_below.get(rel) if self.files.record is None else None
        if found is None:
            # a search, not a read: a link refused here is a problem only where a build lists it (source-controller
            # leaves links out of the artifact, so Flux never meets one nothing reads)
            found = [child for child, is_dir in self.walk(rel, quiet=True)
                     if not is_dir and child.endswith(YAML_SUFFIXES)]
            if self.files.snapshot:
                self._yaml_below[rel] = found
        return list(found)

    # -- content ---------------------------------------------------------
    def read_bytes(self, rel: str) -> bytes:
        """A file's bytes; InputError naming the file when it is refused (outside, special, over the size cap)."""
        data = self.files.read_bytes(rel)
        self.read.add(rel)
        if self.files.record is not None:
            self.files.record.read.add(rel)
        return data

    def read_text(self, rel: str) -> str:
        """A file's text (undecodable bytes replaced), decoded once per content: a snapshot answers the same bytes
        each time, and the many callers that look up lines of a file (field_line, whose index of lines is keyed by
        the text) get the very same str, which is not hashed and compared again."""
        data = self.read_bytes(rel)
        kept = self._texts.get(rel)
        if kept is None or kept[0] is not data:
            kept = self._texts[rel] = (data, data.decode("utf-8", errors="replace"))
        return kept[1]

    def documents(self, rel: str, *, copy: bool = True) -> list[Document]:
        """Parsed YAML documents of a file; copies unless the caller promises not to mutate."""
        docs = self.cache.get(rel, self.read_bytes(rel))
        if not copy:
            return docs
        return [Document(copy_data(d.data), d.file, d.line, d.duplicates) for d in docs]
