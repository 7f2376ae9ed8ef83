"""What a repository's revisions hold, built once per tree of its folder (and kept on disk), and the history of
topology changes."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..engine import UnknownCluster, build_model
from ..load import ParseCache, Repo
from ..load.confine import ConfinedDir
from ..load.repo import ARTIFACT_LINKS
from ..model import Model
from ..render.inventory import inventory
from ..signed_cache import SignedCache
from .compare import ClusterDiff, TopologyDiff, compare_inventories, compared_facts
from .revision_files import RevisionFiles
from .revisions import Commit, GitObjects, GitRepo, Revision

EMPTY_INVENTORY: dict[str, Any] = {"clusters": [], "warnings": []}
STORE_SUFFIX = ".revision.json"  # entries of the disk cache: the compared facts of one revision
STORE_FORMAT = "1"  # bump when what an entry holds changes shape


@dataclass(frozen=True)
class BuildOptions:
    """How each revision is modelled (the options of the plugin or the command line)."""

    clusters: tuple[str, ...] = ()
    entry: str | None = None


@dataclass
class RecentChanges:
    """The last commits that changed the topology, newest first, each with its diff against its first parent.

    ``complete`` is False when the time budget ran out first (what was found is kept; the next call goes on
    from the commits already built). ``shallow``: the clone is shallow, so its oldest commit, whose parent
    is missing, is left out rather than shown as adding everything.
    """

    entries: list[tuple[Commit, TopologyDiff]] = field(default_factory=list)
    looked_at: int = 0  # commits compared with their parent
    complete: bool = True
    shallow: bool = False

    def of_cluster(self, name: str) -> list[tuple[Commit, ClusterDiff]]:
        """The entries that changed cluster ``name``, with that cluster's diff."""
        return [(commit, c) for commit, diff in self.entries for c in diff.clusters if c.name == name and c.changed]

    def last_changed(self, name: str) -> dict[str, LastChange]:
        """Per Kustomization id of cluster ``name``: the newest listed commit that changed its spec, and the
        newest that changed what it applies (objects, surfaces, HelmReleases, images)."""
        out: dict[str, LastChange] = {}
        for commit, c in reversed(self.of_cluster(name)):  # oldest first: newer commits overwrite
            for ks in [k.id for k in c.kustomizations.added] + [k.id for k in c.kustomizations.changed]:
                out[ks] = LastChange(commit, out.get(ks, LastChange()).objects)
            for ks in _content_changes(c):
                out[ks] = LastChange(out.get(ks, LastChange()).kustomization, commit)
        return dict(sorted(out.items()))


@dataclass(frozen=True)
class LastChange:
    kustomization: Commit | None = None  # the commit that last changed the Kustomization itself
    objects: Commit | None = None  # the commit that last changed what it applies


def _content_changes(c: ClusterDiff) -> set[str]:
    """Kustomizations whose applied objects (or their surfaces, releases, images) a cluster diff changes."""
    ids = {o.kustomization for o in c.objects.added + c.objects.removed}
    ids |= {k for m in c.objects.moved for k in (m.base_kustomization, m.head_kustomization)}
    ids |= {s["layer"] for s in c.surfaces.added + c.surfaces.removed if s.get("layer")}
    ids |= {ch.head["layer"] for ch in c.surfaces.changed if ch.head.get("layer")}
    ids |= {h.layer for h in c.helm_releases.added + c.helm_releases.removed + c.helm_releases.changed}
    ids |= {i.layer for i in c.images.added + c.images.removed + c.images.changed}
    return ids


_GIT_BROUGHT_BACK = re.compile(rb"^[ \t]*!.*\.git", re.MULTILINE)


@dataclass(frozen=True)
class WorktreeBuild:
    """The working tree's model, built with a revision's :class:`BuildOptions` (no ``exclude``, no ``sources``),
    and the snapshot of the folder it read: a revision whose files answer all that was asked of the snapshot as
    it did holds the same facts (:meth:`~flux_wiki.load.confine.ConfinedDir.answered_alike`), so it is not built
    again. A model that read a source's folder of its own (a CI push) read more than the snapshot: none is."""

    files: ConfinedDir
    model: Model

    def facts(self) -> dict[str, Any]:
        return compared_facts(inventory(self.model))

    def same_as(self, files: ConfinedDir) -> bool:
        """Whether the revision ``files`` holds the facts of this build. The working tree's ``.git`` folder (a
        checkout has none) is no difference: source-controller leaves it out of every artifact, unless an ignore
        rule brings it back (``!`` and ``.git`` on one line of what the build read: then it is one)."""
        if self.model.repo_root.name != files.root.name or any(c.source_dirs for c in self.model.clusters):
            return False
        git_back = any(_GIT_BROUGHT_BACK.search(data) for data in self.files.contents.values())
        return self.files.answered_alike(files, None if git_back else lambda name, is_dir: is_dir and name == ".git")


@functools.cache
def code_digest() -> str:
    """A digest of flux-wiki's own files: what a past revision is found to hold changes with the engine, so an
    entry kept on disk is used only by the very code that wrote it (~2 ms, once per process; with the Python
    and PyYAML versions, it is the "version" part of an entry's key)."""
    root = str(Path(__file__).resolve().parents[1])
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        below = os.path.relpath(folder, root).replace(os.sep, "/")
        for name in sorted(f for f in files if not f.endswith((".pyc", ".pyo"))):
            digest.update(f"{name if below == '.' else f'{below}/{name}'}\0".encode("utf-8"))
            with open(os.path.join(folder, name), "rb") as source:
                digest.update(hashlib.sha256(source.read()).digest())
    return digest.hexdigest()


class RevisionInventories:
    """The compared facts (:func:`~flux_wiki.diff.compare.compared_facts` of the inventory) of one repository's
    revisions.

    A revision is built once per tree of the folder (commits that leave the folder alone share it; the result
    is kept, up to ``keep`` of them), and with a ``store`` once per user and version of flux-wiki: the facts go
    to that signed disk cache, keyed by the tree, the folder's name, the options and flux-wiki's code, so a
    later process builds no revision it has seen. The working tree is built on every call. A revision's files are
    read straight from git objects (:class:`~flux_wiki.diff.revision_files.RevisionFiles`), through one reader
    per call of :meth:`recent` or :meth:`compare`, so a file the same in two revisions is read once, and all
    builds share one parse cache, so it is parsed once. A revision the same as the working tree in all its build
    read (:attr:`worktree`; HEAD, in a clean checkout) takes its facts. ``builds`` counts the revisions whose
    facts were made (built, or the working tree's: ``from_worktree``), not kept or read from disk.
    """

    def __init__(self, git: GitRepo, options: BuildOptions = BuildOptions(), *,
                 parse_cache: ParseCache | None = None, keep: int = 64, store: SignedCache | None = None):
        self.git = git
        self.options = options
        self.parse_cache = parse_cache or ParseCache()
        self.keep = keep
        self.store = store
        self.builds = 0
        self._by_tree: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._trees: dict[str, str] = {}  # commit id -> tree id of the folder (read for a whole log at once)
        self._histories: dict[tuple[str, int, int], RecentChanges] = {}
        self._objects: GitObjects | None = None  # while a call reads revisions: git's objects, read once
        self.worktree: WorktreeBuild | None = None  # the working tree's build of this compilation, if any
        self.from_worktree = 0  # revisions whose facts were the working tree's (counted in ``builds`` too)
        self._worktree_tree: str | None = None  # HEAD's tree: the one revision the working tree is likely to be

    @contextlib.contextmanager
    def _reading(self) -> Iterator[GitObjects]:
        """The reader of git objects of the outermost call (its processes end, and its objects go, with it)."""
        if self._objects is not None:
            yield self._objects
            return
        self._objects = self.git.objects()
        try:
            yield self._objects
        finally:
            self._objects.close()
            self._objects = None

    def _build(self, folder: Path | Repo) -> dict[str, Any]:
        """The inventory of ``folder``. Kustomization builds are kept on the shared parse cache meanwhile (as
        ``mkdocs serve`` keeps them): consecutive revisions differ in a few files, so each reuses the builds of
        the one before whose inputs are the same (flux/kustomize/reuse.py)."""
        keep = self.parse_cache.keep_builds
        self.parse_cache.keep_builds = True
        try:
            model = build_model(folder, clusters=list(self.options.clusters) or None, entry=self.options.entry,
                                cache=self.parse_cache)
        except UnknownCluster:  # the cluster asked for does not exist at this revision
            return EMPTY_INVENTORY
        finally:
            self.parse_cache.keep_builds = keep
        return inventory(model)

    def of(self, revision: Revision) -> dict[str, Any]:
        if revision.worktree:
            return compared_facts(self._build(self.git.folder))
        if revision.commit is None:
            return EMPTY_INVENTORY
        return self.at(revision.commit)

    def _identity(self, commit: str) -> str:
        """What the facts of ``commit`` are a function of, in git's terms: the folder's tree, else the commit."""
        if commit not in self._trees:
            with self._reading() as objects:
                self._trees.update(objects.folder_trees([commit], self.git.prefix))
        tree = self._trees.get(commit)
        return f"tree {tree}" if tree else f"commit {commit}"

    def _entry_name(self, identity: str) -> str:
        what = [STORE_FORMAT, code_digest(), sys.version, yaml.__version__, self.git.folder.name, identity,
                list(self.options.clusters), self.options.entry]
        return hashlib.sha256(json.dumps(what).encode("utf-8")).hexdigest()

    def at(self, commit: str) -> dict[str, Any]:
        """The compared facts at a commit id: kept, else from the disk cache, else built from its files, read from
        git objects. They always go through JSON, so what was built and what was read are alike."""
        identity = self._identity(commit)
        if identity in self._by_tree:
            self._by_tree.move_to_end(identity)
            return self._by_tree[identity]
        name = self._entry_name(identity) if self.store is not None else ""
        data = self.store.get(name) if self.store is not None else None
        if data is None:
            with self._reading():
                files, worktree, tree = self.files(commit), self.worktree, self._trees.get(commit)
                if worktree is not None and tree is not None and tree == self._worktree_tree \
                        and worktree.same_as(files):
                    facts = worktree.facts()
                    self.from_worktree += 1
                else:
                    facts = compared_facts(self._build(Repo(files.root, self.parse_cache, files=files)))
                data = json.dumps(facts, separators=(",", ":")).encode("utf-8")
            self.builds += 1
            if self.store is not None:
                self.store.put(name, data)
        doc = json.loads(data)
        self._by_tree[identity] = doc
        while len(self._by_tree) > self.keep:
            self._by_tree.popitem(last=False)
        return doc

    def files(self, commit: str) -> RevisionFiles:
        """The folder's files at ``commit`` as a checkout has them (an empty folder if it has none), read from git
        objects by the reader of the call that asks (:meth:`recent`, :meth:`compare`)."""
        assert self._objects is not None, "read inside `with self._reading()`"
        return RevisionFiles(self._objects, self._trees.get(commit), self.git.folder.name or "repo",
                             inner_links=ARTIFACT_LINKS)

    def compare(self, base: Revision, head: Revision) -> TopologyDiff:
        with self._reading():
            diff = compare_inventories(self.of(base), self.of(head))
        diff.base, diff.head = base, head
        return diff

    def history(self, n: int = 10, *, scan: int = 100) -> list[tuple[Commit, TopologyDiff]]:
        """The last ``n`` commits (first-parent history of HEAD, at most ``scan`` looked at) that changed the
        topology, newest first, each with its diff against its parent. Kept by HEAD's id: asking again
        without a new commit runs only ``git rev-parse``."""
        return self.recent(n, scan=scan).entries

    def recent(self, n: int = 10, *, scan: int = 100, seconds: float | None = None) -> RecentChanges:
        """:meth:`history` with what the wiki says about it: stops after ``seconds`` (an incomplete answer is
        not kept, so the next call resumes from the commits already built), and leaves out a shallow clone's
        parentless oldest commit."""
        head, shallow = self.git.head_and_shallow()
        if head is None:
            return RecentChanges()
        key = (head, n, scan)
        if key in self._histories:
            return self._histories[key]
        with self._reading():
            return self._recent(head, shallow, n, scan, seconds)

    def _recent(self, head: str, shallow: bool, n: int, scan: int, seconds: float | None) -> RecentChanges:
        key = (head, n, scan)
        deadline = None if seconds is None else time.monotonic() + seconds
        found = RecentChanges(shallow=shallow)
        log = self.git.log(scan, head)
        assert self._objects is not None
        self._trees.update(self._objects.folder_trees([head] + [c for commit in log for c in (commit.id, commit.parent)
                                                                if c], self.git.prefix))
        self._worktree_tree = self._trees.get(head)
        for commit in log:
            if deadline is not None and time.monotonic() > deadline:
                found.complete = False
                return found
            if shallow and commit.parent is None:
                continue
            parent = Revision(commit.parent[:12], commit.parent) if commit.parent else Revision("(none)", None)
            diff = self.compare(parent, Revision(commit.id[:12], commit.id))
            found.looked_at += 1
            if diff.changed:
                found.entries.append((commit, diff))
                if len(found.entries) >= n:
                    break
        self._histories = {key: found}
        return found


def history(repo: str, n: int = 10, *, options: BuildOptions = BuildOptions(),
            cache: RevisionInventories | None = None) -> list[tuple[Commit, TopologyDiff]]:
    """The last ``n`` commits of ``repo`` that changed its topology (see :meth:`RevisionInventories.history`).

    Pass the same ``cache`` on every call (e.g. across ``mkdocs serve`` rebuilds) so each commit is built once.
    """
    inventories = cache or RevisionInventories(GitRepo(repo), options)
    return inventories.history(n)
