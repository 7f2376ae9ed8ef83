"""Models of a repository at its revisions, built once per commit id, and the history of topology changes."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ..engine import UnknownCluster, build_model
from ..load import ParseCache
from ..render.inventory import inventory
from .compare import TopologyDiff, compare_inventories
from .revisions import Commit, GitRepo, Revision

EMPTY_INVENTORY: dict[str, Any] = {"clusters": [], "warnings": []}


@dataclass(frozen=True)
class BuildOptions:
    """How each revision is modelled (the options of the plugin or the command line)."""

    clusters: tuple[str, ...] = ()
    entry: str | None = None


class RevisionInventories:
    """Inventory documents of one repository's revisions.

    A commit is built once (the result is kept by commit id, up to ``keep`` of them); the working tree
    is built on every call. All builds share one parse cache, so a file identical in two revisions is
    parsed once.
    """

    def __init__(self, git: GitRepo, options: BuildOptions = BuildOptions(), *,
                 parse_cache: ParseCache | None = None, keep: int = 64):
        self.git = git
        self.options = options
        self.parse_cache = parse_cache or ParseCache()
        self.keep = keep
        self._by_commit: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._histories: dict[tuple[str, int, int], list[tuple[Commit, TopologyDiff]]] = {}

    def _build(self, folder: Any) -> dict[str, Any]:
        try:
            model = build_model(folder, clusters=list(self.options.clusters) or None, entry=self.options.entry,
                                cache=self.parse_cache)
        except UnknownCluster:  # the cluster asked for does not exist at this revision
            return EMPTY_INVENTORY
        return inventory(model)

    def of(self, revision: Revision) -> dict[str, Any]:
        if revision.worktree:
            return self._build(self.git.folder)
        if revision.commit is None:
            return EMPTY_INVENTORY
        return self.at(revision.commit)

    def at(self, commit: str) -> dict[str, Any]:
        """The inventory at a commit id (built from its files in a scratch folder the first time)."""
        if commit in self._by_commit:
            self._by_commit.move_to_end(commit)
            return self._by_commit[commit]
        with self.git.checkout(commit) as folder:
            doc = self._build(folder)
        self._by_commit[commit] = doc
        while len(self._by_commit) > self.keep:
            self._by_commit.popitem(last=False)
        return doc

    def compare(self, base: Revision, head: Revision) -> TopologyDiff:
        diff = compare_inventories(self.of(base), self.of(head))
        diff.base, diff.head = base, head
        return diff

    def history(self, n: int = 10, *, scan: int = 100) -> list[tuple[Commit, TopologyDiff]]:
        """The last ``n`` commits (first-parent history of HEAD, at most ``scan`` looked at) that changed the
        topology, newest first, each with its diff against its parent. Kept by HEAD's id: asking again
        without a new commit runs only ``git rev-parse``."""
        head = self.git.head()
        if head is None:
            return []
        key = (head, n, scan)
        if key not in self._histories:
            found: list[tuple[Commit, TopologyDiff]] = []
            for commit in self.git.log(scan, head):
                parent = Revision(commit.parent[:12], commit.parent) if commit.parent else Revision("(none)", None)
                diff = self.compare(parent, Revision(commit.id[:12], commit.id))
                if diff.changed:
                    found.append((commit, diff))
                    if len(found) >= n:
                        break
            self._histories = {key: found}
        return self._histories[key]


def history(repo: str, n: int = 10, *, options: BuildOptions = BuildOptions(),
            cache: RevisionInventories | None = None) -> list[tuple[Commit, TopologyDiff]]:
    """The last ``n`` commits of ``repo`` that changed its topology (see :meth:`RevisionInventories.history`).

    Pass the same ``cache`` on every call (e.g. across ``mkdocs serve`` rebuilds) so each commit is built once.
    """
    inventories = cache or RevisionInventories(GitRepo(repo), options)
    return inventories.history(n)
