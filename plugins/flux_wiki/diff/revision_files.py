"""A past revision's folder read straight from git objects, answering every question as its checkout would.

:class:`RevisionFiles` is the :class:`~flux_wiki.load.confine.ConfinedDir` of a revision: the engine reads it as
it reads a folder on disk, but nothing is written to a scratch folder, and what is the same object in two
revisions (a file, a whole folder) is read once (:class:`~flux_wiki.diff.revisions.GitObjects`).

It answers as the confinement of the folder :meth:`GitRepo.materialise` writes would (tests/diff/
test_revision_files.py compares the two): the files are the tree's blobs at safe paths (no ``..`` or ``.git``),
folders are the trees holding one, submodules are left out, and a symbolic link is refused with the reason the
checkout's would be, :func:`os.path.realpath` being followed step by step over the tree. The scratch folder of a
checkout holds nothing but it, so a link leading out of it leads nowhere the revision decides: it is refused
as leading outside, and never read.
"""

from __future__ import annotations

import errno
from pathlib import Path

from ..load.confine import MAX_FILE_BYTES, MAX_WALK_ENTRIES, ConfinedDir, Entry, _size
from ..load.repo import YAML_SUFFIXES
from .revisions import _SYMLINK_MODE, GITLINK_MODE, TREE_MODE, GitObjects, TreeEntries

MAX_LINK_DEPTH = 200  # links realpath resolves within one another (it recurses): deeper counts as a loop
MAX_KERNEL_LINKS = 40  # links the kernel follows to find one path (Linux's MAXSYMLINKS)
MAX_LINK_BYTES = 4096  # a longer target is no path (PATH_MAX): the link leads nowhere

Parts = tuple[str, ...]  # a path as its names, from the scratch folder that holds the checkout
Node = tuple[str, str]  # (mode, object id) of a tree entry; ("", "") is the scratch folder


class _Outside(Exception):
    """The path leads out of the scratch folder: nothing there belongs to the revision, nothing leads back."""


def _missing(code: int) -> OSError:
    return OSError(code, errno.errorcode.get(code, "error"))


def _unsafe(name: str) -> bool:
    """A name :meth:`GitRepo.materialise` does not write (its ``_safe_relpath``; git puts no '/' in a name)."""
    return name in ("", ".", "..", ".git") or "/" in name


class RevisionFiles(ConfinedDir):
    """The folder of one revision: tree ``tree`` (None: the revision has no such folder, an empty one is read),
    named ``name`` as the checkout names it, confined as :class:`~flux_wiki.load.Repo` confines a checkout (a
    Flux artifact's limits; ``inner_links`` says why a link is never followed)."""

    def __init__(self, objects: GitObjects, tree: str | None, name: str, *, inner_links: str,
                 max_file_bytes: int = MAX_FILE_BYTES, max_walk_entries: int = MAX_WALK_ENTRIES,
                 label: str = "repository root", below: Parts = ()):
        super().__init__("/", label=label, max_file_bytes=max_file_bytes, max_walk_entries=max_walk_entries,
                         inner_links=inner_links, snapshot=True)
        self.objects = objects
        self.tree = tree
        self.name = name
        self._top: Parts = (name, *below)  # this folder, from the scratch folder
        # a path no folder on disk has (Entry.real, Model.root): nothing reads it from the disk by mistake
        self._scratch = f"/.flux-wiki-revision-{tree or 'none'}"
        self.root = Path(self._scratch, *self._top)
        self._root = str(self.root)
        self._prefix = self._root + "/"
        self._nodes: dict[Parts, Node | None] = {}
        if tree is not None:
            _read_tree(objects, tree, max_file_bytes)

    def subfolder(self, rel: str) -> "RevisionFiles":
        return RevisionFiles(self.objects, self.tree, self.name, inner_links=self.inner_links or "",
                             max_file_bytes=self.max_file_bytes, max_walk_entries=self.max_walk_entries,
                             label=self.label, below=(*self._top[1:], *_parts(rel)))

    # -- the checkout as git objects -------------------------------------------------------------------
    def _entries(self, node: Node) -> TreeEntries:
        return self.objects.written[node[1]] if node[1] else {}

    def _node(self, path: Parts) -> Node | None:
        """What ``path`` names itself (no link followed): None when nothing; OSError(ENOTDIR) when a name on the
        way is not a folder. As ``os.lstat`` on a path whose folders are no links (realpath's)."""
        if path in self._nodes:
            return self._nodes[path]
        if not path:
            return ("", "")
        if path[0] != self.name:
            found = None
        else:
            found = (TREE_MODE, self.tree or "")
            for name in path[1:]:
                if found[0] != TREE_MODE:
                    raise _missing(errno.ENOTDIR)
                found = self._entries(found).get(name)
                if found is None:
                    break
        self._nodes[path] = found
        return found

    def _lstat(self, path: Parts) -> Node:
        found = self._node(path)
        if found is None:
            raise _missing(errno.ENOENT)
        return found

    def _target(self, node: Node) -> str | None:
        """Where a link points, None when it is no path (too long, a NUL byte: the checkout could not write it)."""
        if self.objects.sizes[node[1]] > MAX_LINK_BYTES:
            return None
        data = self.objects.blob(node[1])
        return None if not data or b"\0" in data else data.decode("utf-8", "surrogateescape")

    def _realpath(self, path: Parts, rest: list[str], strict: bool, seen: dict[Parts, Parts | None],
                  depth: int = 0) -> tuple[Parts, bool]:
        """posixpath._joinrealpath: ``rest`` joined to ``path``, links resolved; (the path, whether every link
        was). Strict, a name that is not there raises OSError (ENOENT, ENOTDIR, ELOOP for a loop); _Outside
        when the path leads out of the scratch folder."""
        for i, name in enumerate(rest):
            if not name or name == ".":
                continue
            if name == "..":
                if not path:
                    raise _Outside
                path = path[:-1]
                continue
            new = (*path, name)
            try:
                node: Node | None = self._lstat(new)
            except OSError:
                if strict:
                    raise
                node = None
            if node is None or node[0] != _SYMLINK_MODE:
                path = new
                continue
            if new in seen:
                known = seen[new]
                if known is not None:
                    path = known
                    continue
                if strict:
                    raise _missing(errno.ELOOP)
                return (*new, *rest[i + 1:]), False
            if depth >= MAX_LINK_DEPTH:
                raise _missing(errno.ELOOP)
            target = self._target(node)
            if target is None:
                if strict:
                    raise _missing(errno.ENOENT)
                return (*new, *rest[i + 1:]), False
            if target.startswith("/"):  # no absolute path names the scratch folder
                raise _Outside
            seen[new] = None
            path, resolved = self._realpath(path, target.split("/"), strict, seen, depth + 1)
            if not resolved:
                return (*path, *rest[i + 1:]), False
            seen[new] = path
        return path, True

    def _resolve(self, path: list[str], *, last: bool = True,
                 budget: list[int] | None = None) -> tuple[Parts, Node] | None:
        """What the kernel finds at ``path`` (from the scratch folder), links on the way followed (the last one
        too unless ``last`` is False, as ``os.lstat``), at most :data:`MAX_KERNEL_LINKS` in all: (its real path,
        the entry); None when it finds nothing there."""
        budget = [MAX_KERNEL_LINKS] if budget is None else budget
        at: Parts = ()
        node: Node = ("", "")
        for i, name in enumerate(path):
            if not name or name == ".":
                continue
            if name == "..":
                if not at:
                    return None
                at = at[:-1]
                node = self._node(at) or ("", "")
                continue
            try:
                found = self._node((*at, name))
            except OSError:
                return None
            if found is None:
                return None
            if found[0] == _SYMLINK_MODE and (last or i < len(path) - 1):
                budget[0] -= 1
                target = self._target(found)
                if target is None or target.startswith("/") or budget[0] < 0:
                    return None
                reached = self._resolve([*at, *target.split("/")], budget=budget)
                if reached is None:
                    return None
                at, node = reached
                continue
            at, node = (*at, name), found
        return at, node

    # -- ConfinedDir, over the tree ----------------------------------------------------------------------
    def _inside(self, path: Parts) -> bool:
        return path[:len(self._top)] == self._top

    def _classify(self, rel: str) -> Entry:
        """ConfinedDir._classify, with os.path.realpath and os.path.islink answered from the tree."""
        written = [*self._top, *_parts(rel)]
        outside = self._refused(rel, f"is a symbolic link leading outside the {self.label}; not followed")
        try:
            try:
                real, _ = self._realpath((), written, True, {})
            except OSError as err:
                if err.errno == errno.ELOOP:
                    return self._refused(rel, "is a symbolic link loop; skipped")
                loose, _ = self._realpath((), written, False, {})
                if not self._inside(loose):
                    return outside
                found = self._resolve(written, last=False)
                if found is not None and found[1][0] == _SYMLINK_MODE:
                    return self._refused(rel, "is a dangling symbolic link; skipped")
                return Entry("missing")
        except _Outside:
            return outside
        if not self._inside(real):
            return outside
        if self.inner_links is not None and real != _normpath(written):
            return self._refused(rel, f"is a symbolic link (or lies below one): {self.inner_links}")
        node = self._node(real)
        assert node is not None
        return self._typed_node(rel, real, node)

    def _typed_node(self, rel: str, real: Parts, node: Node) -> Entry:
        where = "/".join((self._scratch, *real))
        if node[0] == TREE_MODE:
            return Entry("dir", where)
        size = self.objects.sizes[node[1]]
        if size > self.max_file_bytes:
            return self._refused(rel, f"is {size} bytes, over the {_size(self.max_file_bytes)} limit "
                                      "for one file; not read", "FW-LIMIT-FILE-SIZE")
        return Entry("file", where, size)

    def _listing(self, rel: str) -> list[tuple[str, Entry]]:
        found = self._listings.get(rel)
        if found is None:
            if self.entry(rel).kind != "dir":
                return []
            at = (*self._top, *_parts(rel))
            found = []
            for name, node in sorted(self._entries(self._lstat(at)).items()):
                child = name if rel in ("", ".") else f"{rel}/{name}"
                e = self._memo.get(child)
                if e is None:
                    e = self.entry(child) if node[0] == _SYMLINK_MODE else self._typed_node(child, (*at, name), node)
                    self._memo[child] = e
                found.append((name, e))
            self._listings[rel] = found
        if self.record is not None:
            self.record.listings[rel] = tuple((name, e.kind) for name, e in found)
        return found

    def _file_bytes(self, rel: str, e: Entry) -> bytes:
        return self.objects.blob(self._lstat(_normpath([*self._top, *_parts(rel)]))[1])

    def _scan(self, rel: str) -> list[tuple[str, bool]] | None:
        found = self._resolve([*self._top, *_parts(rel)])
        if found is None or found[1][0] != TREE_MODE:
            return None
        return sorted((name, node[0] == TREE_MODE) for name, node in self._entries(found[1]).items())


def _parts(rel: str) -> Parts:
    return () if rel in ("", ".") else tuple(rel.split("/"))


def _normpath(parts: list[str]) -> Parts:
    """os.path.normpath of a path below the scratch folder, as names."""
    out: list[str] = []
    for name in parts:
        if name == "..":
            if out:
                out.pop()
        elif name and name != ".":
            out.append(name)
    return tuple(out)


def _read_tree(objects: GitObjects, root: str, max_file_bytes: int) -> None:
    """Read the trees below ``root`` that no revision read yet (one request per level of folders) and their blobs
    (one request: the sizes of all, the contents of the YAML files within the size cap kept, as the engine reads
    every manifest; other files are read again when asked for), and keep, per tree, the entries a checkout
    writes (``objects.written``): the blobs and links at safe names, the folders that hold one, no submodule."""
    level, new, seen = [root], [], set()
    while level:
        todo = [t for t in dict.fromkeys(level) if t not in objects.written and t not in seen]
        seen.update(todo)
        objects.load_trees(todo)
        new.extend(todo)
        level = [oid for t in todo for name, (mode, oid) in objects.trees[t].items()
                 if mode == TREE_MODE and not _unsafe(name)]
    files = [(name, mode, oid) for t in new for name, (mode, oid) in objects.trees[t].items()
             if mode not in (TREE_MODE, GITLINK_MODE) and not _unsafe(name)]
    manifests = {oid for name, mode, oid in files if mode != _SYMLINK_MODE and name.endswith(YAML_SUFFIXES)}
    objects.load_blobs([oid for _, _, oid in files], lambda oid, size: oid in manifests and size <= max_file_bytes)
    stack = [(t, False) for t in new]
    while stack:  # below before above (trees form no cycle: a tree's id is the hash of its entries)
        tree, expanded = stack.pop()
        if tree in objects.written:
            continue
        below = [oid for name, (mode, oid) in objects.trees[tree].items() if mode == TREE_MODE and not _unsafe(name)]
        if not expanded and any(oid not in objects.written for oid in below):
            stack.append((tree, True))
            stack.extend((oid, False) for oid in below if oid not in objects.written)
            continue
        objects.written[tree] = {name: (mode, oid) for name, (mode, oid) in objects.trees[tree].items()
                                 if not _unsafe(name) and mode != GITLINK_MODE
                                 and (mode != TREE_MODE or objects.written[oid])}
