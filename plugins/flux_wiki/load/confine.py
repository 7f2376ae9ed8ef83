"""A folder whose files are read without ever leaving it: the one way the engine touches the disk.

A path is confined the way kustomize-controller's secure file system confines a build (fluxcd/pkg
``kustomize/filesys``: the real path, symbolic links resolved, must be in or below the root): a link that
leads out is refused; one that stays inside is followed, unless the folder is a Flux artifact, which holds no
links at all (``inner_links``). Only regular files and folders are used (never a
device, FIFO or socket), a file over the size cap is not read, and a walk neither loops through a link to
an ancestor nor grows without bound. What is refused is a :class:`~flux_wiki.model.Diagnostic` naming the
path; it is never read, so nothing from outside the root can reach an output.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
import time
from collections import Counter, namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..model import Diagnostic, InputError, slots_repr
from ..problems import problem_class

MAX_FILE_BYTES = 16 * 1024 * 1024  # one file; the largest manifest in the test corpora is 0.4 MiB
MAX_WALK_ENTRIES = 200_000  # files and folders one walk visits (links inside the root can multiply them)
# a folder whose mtime is this close to the start of a snapshot may change again within the same timestamp (coarse
# clocks; FAT keeps 2 s), so its listing is not kept for the next snapshot (git's "racy" entries, the same way)
SETTLE_NS = 2_000_000_000
MAX_KEPT_ROOTS = 8  # roots (with their limits) whose folder listings a store of kept listings holds

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 and n % (1024 * 1024) == 0 else f"{n} bytes"


class Record:
    """What a computation asked of a :class:`ConfinedDir` (see :meth:`ConfinedDir.recording`): asking the same of
    a later snapshot and getting the same answers means the computation would give the same result."""

    __slots__ = ("entries", "listings", "contents", "ignored", "notes", "read")

    def __init__(self, entries: dict[str, str] | None = None,
                 listings: dict[str, tuple[tuple[str, str], ...]] | None = None,
                 contents: dict[str, bytes] | None = None, ignored: dict[tuple[str, bool], bool] | None = None,
                 notes: dict[str, tuple[str, str]] | None = None, read: set[str] | None = None) -> None:
        self.entries = {} if entries is None else entries  # path -> kind
        self.listings = {} if listings is None else listings  # folder -> (name, kind)
        self.contents = {} if contents is None else contents  # file -> the bytes read
        self.ignored = {} if ignored is None else ignored  # (path, is_dir) -> left out
        self.notes = {} if notes is None else notes  # path -> (message, code) noted on the way
        self.read = set() if read is None else read  # files read through a Repo (its record of what a run read)


class Entry(namedtuple("Entry", "kind real size reason code", defaults=("", 0, "", ""))):
    """What a root-relative path is: ``file``, ``dir``, ``missing`` or ``refused`` (with the reason)."""

    __slots__ = ()

    kind: str
    real: str  # the real path (links resolved) of a file or folder
    size: int
    reason: str
    code: str  # the problem code of a refused path (flux_wiki.problems)

    @property
    def usable(self) -> bool:
        return self.kind in ("file", "dir")


_MISSING = Entry("missing")


def _read_fd(fd: int, size: int, limit: int) -> bytes:
    """Up to ``limit`` bytes of an open regular file of ``size`` bytes (as stat saw it), read to its end.

    The first read asks for the size seen and one byte more, so a file that did not change is read at
    once; asking for ``limit`` bytes instead would allocate a buffer of the size cap for every file,
    which costs more than reading most manifests.
    """
    parts = []
    total = 0
    want = min(size + 1, limit)
    while total < limit:
        chunk = os.read(fd, want)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = min(limit - total, 1 << 16)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _join(base: str, name: str) -> str:
    return f"{base}/{name}" if base not in ("", ".") else name


# a folder as stat sees it: (st_dev, st_ino, st_mtime_ns, st_ctime_ns); adding, removing or renaming an entry in it
# changes its mtime and ctime (POSIX), so the same identity means the same names of the same types
Identity = tuple[int, int, int, int]
# how a kept listing answers a name again: a link is classified again (what it leads to may have changed), a regular
# file is stat'ed again (its size may have changed: the size cap), anything else (a folder, a special file) is kept
_LINK, _FILE, _FIXED = 0, 1, 2


class KeptFolders:
    """What the snapshots of a root listed (:meth:`ConfinedDir._listing`) and scanned (:meth:`ConfinedDir.scan`),
    kept for the later ones, by root-relative folder, with the folder's :data:`Identity` then. A folder that is
    no longer there is never answered from it (its identity is asked first); at most :data:`MAX_WALK_ENTRIES`
    folders of each kind are kept (then all are forgotten: the next snapshot lists them again)."""

    __slots__ = ("listings", "scans")

    def __init__(self, listings: dict[str, tuple[str, Identity, list[tuple[str, str, int, Entry]]]] | None = None,
                 scans: dict[str, tuple[Identity, tuple[tuple[str, bool], ...]]] | None = None) -> None:
        self.listings = {} if listings is None else listings
        self.scans = {} if scans is None else scans

    __repr__ = slots_repr

    @staticmethod
    def keep(store: dict[str, Any], rel: str, found: Any) -> None:
        if len(store) >= MAX_WALK_ENTRIES and rel not in store:
            store.clear()
        store[rel] = found


class ConfinedDir:
    """Files and folders below ``root``; every path is checked once (real path inside, type, size)."""

    def __init__(self, root: str | os.PathLike[str], *, label: str = "repository root",
                 max_file_bytes: int = MAX_FILE_BYTES, max_walk_entries: int = MAX_WALK_ENTRIES,
                 inner_links: str | None = None, snapshot: bool = False,
                 kept: dict[tuple[str, str, str | None, int], KeptFolders] | None = None,
                 counts: Counter[str] | None = None):
        """``inner_links``: None follows links that stay inside the root; otherwise links are never followed
        and this text says why (a Flux artifact holds no links: source-controller packages regular files only).
        ``snapshot``: the instance serves one run, so each file and folder listing is read from disk once.

        ``kept`` (with ``snapshot``): a store the snapshots of this root share, one after the other (``mkdocs serve``
        rebuilds): a folder listed by the last one and unchanged since (:meth:`_kept_listing`) is not listed from disk
        again. ``counts`` counts folders listed and scanned from disk and listings and scans kept
        (``folders listed``, ``folders scanned``, ``folder listings kept``, ``folder scans kept``)."""
        self.root = Path(root).resolve()
        self.label = label
        self.inner_links = inner_links
        self.max_file_bytes = max_file_bytes
        self.max_walk_entries = max_walk_entries
        self._root = str(self.root)
        self._prefix = self._root.rstrip(os.sep) + os.sep
        self._memo: dict[str, Entry] = {}
        self._problems: dict[str, Diagnostic] = {}
        self.snapshot = snapshot
        self._content: dict[str, bytes] = {}  # with snapshot: each file and listing as first read
        self._listings: dict[str, list[tuple[str, Entry]]] = {}
        self._scans: dict[str, list[tuple[str, bool]] | None] = {}
        self._unread: set[str] = set()  # files that could not be read (no answer to compare: answered_alike)
        self.reads = 0  # files read from disk
        self.record: Record | None = None  # while set, what is asked of this folder is written down in it
        self.counts: Counter[str] = Counter() if counts is None else counts
        self._kept: KeptFolders | None = None  # what the snapshots of this root listed and scanned
        self._identities: dict[str, Identity | None] = {}
        self._started = time.time_ns()
        if kept is not None and snapshot:
            # kept by root and limits: a listing answers with reasons naming root-relative paths and the size cap
            key = (self._root, label, inner_links, max_file_bytes)
            self._kept = kept.pop(key, None) or KeptFolders()
            kept[key] = self._kept  # the most recent root last: the oldest is forgotten first
            while len(kept) > MAX_KEPT_ROOTS:
                del kept[next(iter(kept))]

    # -- what a path is --------------------------------------------------------
    def inside(self, real: str) -> bool:
        return real == self._root or real.startswith(self._prefix)

    def entry(self, rel: str) -> Entry:
        """What ``rel`` is, symbolic links followed only while they stay inside the root."""
        rel = rel or "."
        found = self._memo.get(rel)
        if found is None:
            found = self._memo[rel] = self._missing_from_listing(rel) or self._classify(rel)
        if self.record is not None:
            self.record.entries[rel] = found.kind
        return found

    def _missing_from_listing(self, rel: str) -> Entry | None:
        """``missing`` when a snapshot listed the folder of ``rel`` and found no such name, else None.

        Listing a folder classifies (and remembers) every name in it, so a name not remembered is not there:
        the answer :meth:`_classify` would give after resolving the path (a kustomization file looked for under
        each of its three names costs a dictionary lookup instead of two real-path walks)."""
        if not self.snapshot:
            return None
        if rel == "." or posixpath.normpath(rel) != rel:  # a listing remembers its names as normalised paths
            return None
        parent, _, name = rel.rpartition("/")
        if name == ".." or parent.startswith("..") or rel.startswith("/"):  # outside: _classify refuses it
            return None
        return _MISSING if (parent or ".") in self._listings else None

    @contextmanager
    def recording(self) -> Iterator[Record]:
        """Write down every entry, listing, content and note asked for inside the block (blocks may nest)."""
        outer, self.record = self.record, Record()
        try:
            yield self.record
        finally:
            inner, self.record = self.record, outer
            if outer is not None:
                for name in ("entries", "listings", "contents", "ignored", "notes", "read"):
                    getattr(outer, name).update(getattr(inner, name))

    def answers(self, record: Record) -> bool:
        """Whether this folder answers everything ``record`` asked as it was answered then (and notes its notes)."""
        for rel, kind in record.entries.items():
            if self.entry(rel).kind != kind:
                return False
        for rel, listed in record.listings.items():
            if tuple((name, e.kind) for name, e in self._listing(rel)) != listed:
                return False
        for rel, content in record.contents.items():
            try:
                if self.read_bytes(rel) != content:
                    return False
            except InputError:
                return False
        for rel, (message, code) in record.notes.items():
            self.note(rel, message, code)
        return True

    def _refused(self, rel: str, why: str, code: str = "FW-FILE-REFUSED") -> Entry:
        return Entry("refused", reason=f"'{rel}' {why}", code=code)

    def _classify(self, rel: str) -> Entry:
        path = self._root if rel == "." else os.path.join(self._root, rel)
        try:
            real = os.path.realpath(path, strict=True)
        except OSError as err:
            if err.errno in (errno.ENOENT, errno.ENOTDIR):
                # outside is refused whether or not the target exists: no probing the machine
                if not self.inside(os.path.realpath(path)):
                    return self._refused(rel, f"is a symbolic link leading outside the {self.label}; not followed")
                if os.path.islink(path):
                    return self._refused(rel, "is a dangling symbolic link; skipped")
                return _MISSING
            if err.errno == errno.ELOOP:
                return self._refused(rel, "is a symbolic link loop; skipped")
            return self._refused(rel, f"cannot be read ({err.strerror}); skipped", "FW-FILE-UNREADABLE")
        if not self.inside(real):
            return self._refused(rel, f"is a symbolic link leading outside the {self.label}; not followed")
        if self.inner_links is not None and real != os.path.normpath(path):
            return self._refused(rel, f"is a symbolic link (or lies below one): {self.inner_links}")
        return self._typed(rel, real, None)

    def _typed(self, rel: str, real: str, st: os.stat_result | None) -> Entry:
        try:
            st = st or os.stat(real)
        except OSError as err:
            return self._refused(rel, f"cannot be read ({err.strerror}); skipped", "FW-FILE-UNREADABLE")
        if stat.S_ISDIR(st.st_mode):
            return Entry("dir", real)
        if not stat.S_ISREG(st.st_mode):
            return self._refused(rel, "is not a regular file or folder (a device, FIFO or socket); not read")
        if st.st_size > self.max_file_bytes:
            return self._refused(rel, f"is {st.st_size} bytes, over the {_size(self.max_file_bytes)} limit "
                                      "for one file; not read", "FW-LIMIT-FILE-SIZE")
        return Entry("file", real, st.st_size)

    def exists(self, rel: str) -> bool:
        return self.entry(rel).usable

    def is_dir(self, rel: str) -> bool:
        return self.entry(rel).kind == "dir"

    def is_file(self, rel: str) -> bool:
        return self.entry(rel).kind == "file"

    @contextmanager
    def unnoted(self) -> Iterator[None]:
        """Problems met inside the block are not kept: a check that asks what a build of this folder may not."""
        kept = dict(self._problems)
        try:
            yield
        finally:
            self._problems = kept

    @property
    def contents(self) -> dict[str, bytes]:
        """The files this snapshot read, with their bytes (read-only)."""
        return self._content

    def answered_alike(self, other: "ConfinedDir", unseen: Callable[[str, bool], bool] | None = None) -> bool:
        """Whether ``other`` answers every question this snapshot was asked (what a path is, with the reason of a
        refusal; folder listings and scans; file contents) as this one did. A computation that asked this snapshot
        only then gives the same result from ``other``: it asks the same questions in the same order. A file this
        snapshot could not read has no answer to compare: never alike. Problems ``other`` meets are not kept.

        ``unseen(name, is_dir)``: entries the caller knows no computation looks at beyond seeing them listed (and
        would have asked about what is below them if it had); they are left out of the comparison."""
        if not self.snapshot or self._unread:
            return False

        def same(a: Entry, b: Entry) -> bool:
            return a.kind == b.kind and a.reason == b.reason and a.code == b.code

        def seen(listing: list[tuple[str, Entry]]) -> list[tuple[str, Entry]]:
            return listing if unseen is None else [(n, e) for n, e in listing if not unseen(n, e.kind == "dir")]

        def seen_names(scanned: list[tuple[str, bool]] | None) -> list[tuple[str, bool]] | None:
            return scanned if unseen is None or scanned is None else [(n, d) for n, d in scanned if not unseen(n, d)]

        with other.unnoted():
            if not all(same(other.entry(rel), e) for rel, e in self._memo.items()
                       if unseen is None or not unseen(rel.rpartition("/")[2], e.kind == "dir")):
                return False
            for rel, found in self._listings.items():
                mine, theirs = seen(found), seen(other._listing(rel))
                if len(theirs) != len(mine) or not all(n == m and same(a, b) for (n, a), (m, b) in zip(mine, theirs)):
                    return False
            if any(seen_names(other.scan(rel)) != seen_names(found) for rel, found in self._scans.items()):
                return False
            for rel, data in self._content.items():
                try:
                    if other.read_bytes(rel) != data:
                        return False
                except InputError:
                    return False
        return True

    # -- problems met on the way -------------------------------------------------
    def note(self, rel: str, message: str, code: str = "FW-FILE-REFUSED") -> None:
        """Record a problem with ``rel`` once (a diagnostic that names the path; its class is the code's)."""
        self._problems.setdefault(rel, Diagnostic(rel, 1, message, code=code, cls=problem_class(code)))
        if self.record is not None:
            self.record.notes.setdefault(rel, (message, code))

    @property
    def problems(self) -> list[Diagnostic]:
        return sorted(self._problems.values())

    # -- content -----------------------------------------------------------------
    def read_bytes(self, rel: str) -> bytes:
        """The content of a regular file inside the root; InputError naming the file otherwise.

        With ``snapshot`` a file is read from disk once: later calls answer the same bytes."""
        data = self._content.get(rel) if self.snapshot else None
        if data is None:
            data = self._read(rel)
            if self.snapshot:
                self._content[rel] = data
        if self.record is not None:
            self.record.contents[rel] = data
        return data

    def _read(self, rel: str) -> bytes:
        e = self.entry(rel)
        if e.kind != "file":
            raise InputError(rel, 1, e.reason or (f"'{rel}' is a folder, not a file" if e.kind == "dir"
                                                  else f"'{rel}' not found"),
                             code=e.code or "FW-FILE-MISSING", cls=problem_class(e.code))
        try:
            data = self._file_bytes(rel, e)
        except InputError:
            self._unread.add(rel)
            raise
        self.reads += 1
        if len(data) > self.max_file_bytes:
            self._unread.add(rel)
            raise InputError(rel, 1, f"'{rel}' is over the {_size(self.max_file_bytes)} limit for one file; "
                                     "not read", code="FW-LIMIT-FILE-SIZE", cls="limit")
        return data

    def _file_bytes(self, rel: str, e: Entry) -> bytes:
        """Up to the size cap and one byte more of the regular file ``e`` (InputError when it cannot be read)."""
        try:
            fd = os.open(e.real, _OPEN_FLAGS)
        except OSError as err:
            raise InputError(rel, 1, f"'{rel}' cannot be read ({err.strerror})", code="FW-FILE-UNREADABLE",
                             cls="limit") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise InputError(rel, 1, f"'{rel}' is not a regular file; not read", code="FW-FILE-REFUSED")
            return _read_fd(fd, st.st_size, self.max_file_bytes + 1)
        finally:
            os.close(fd)

    # -- folders -----------------------------------------------------------------
    def scan(self, rel: str) -> list[tuple[str, bool]] | None:
        """(name, is a folder) of every entry of a folder, sorted, unchecked, links not followed, as ``os.ReadDir``
        and ``DirEntry.IsDir`` see it (source-controller's ignore-file walk); None when it cannot be listed. Only
        names: what is read below it goes through :meth:`entry` and :meth:`read_bytes`."""
        if rel in self._scans:
            return self._scans[rel]
        found = self._scan(rel)
        if self.snapshot:
            self._scans[rel] = found
        return found

    def _scan(self, rel: str) -> list[tuple[str, bool]] | None:
        path = os.path.join(self._root, rel)
        identity = None
        if self._kept is not None:  # names and types of entries only: kept while the folder is unchanged
            identity = self._identity(os.path.normpath(path))
            before = self._kept.scans.get(rel)
            if before is not None and before[0] == identity:
                self.counts["folder scans kept"] += 1
                return list(before[1])
        try:
            with os.scandir(path) as it:
                listed = list(it)
        except OSError:
            return None
        self.counts["folders scanned"] += 1
        found = sorted((e.name, e.is_dir(follow_symlinks=False)) for e in listed)
        if self._kept is not None and self._settled(identity):
            self._kept.keep(self._kept.scans, rel, (identity, tuple(found)))
        return found

    def subfolder(self, rel: str) -> "ConfinedDir":
        """The folder ``rel`` (a folder :meth:`entry` accepts) confined on its own, with the same limits: what
        leads out of it is refused, even into the rest of this root."""
        return ConfinedDir(self.root / rel, label=self.label, max_file_bytes=self.max_file_bytes,
                           max_walk_entries=self.max_walk_entries, inner_links=self.inner_links,
                           snapshot=self.snapshot)

    def listdir(self, rel: str, skip: Callable[[str, bool], bool] | None = None, *, quiet: bool = False
                ) -> list[tuple[str, Entry]]:
        """Sorted usable entries of a folder; refused ones are noted (unless ``skip(child, is_dir)`` drops them, or
        ``quiet``: a listing only looks, nothing will read them)."""
        out = []
        for name, e in self._listing(rel):
            child = _join(rel, name)
            if skip is not None and skip(child, e.kind == "dir"):
                continue
            if e.usable:
                out.append((name, e))
            elif not quiet:
                self.note(child, e.reason, e.code)
        return out

    def _listing(self, rel: str) -> list[tuple[str, Entry]]:
        """Every entry of a folder, by name, each classified (with ``snapshot``, listed from disk once)."""
        found = self._listings.get(rel) if self.snapshot else None
        if found is not None:
            if self.record is not None:
                self.record.listings[rel] = tuple((name, e.kind) for name, e in found)
            return found
        folder = self.entry(rel)
        if folder.kind != "dir":
            return []
        found = self._kept_listing(rel, folder.real) if self._kept is not None else None
        if found is None:
            found = self._list(rel, folder.real)
            if found is None:
                return []
        if self.snapshot:
            self._listings[rel] = found
        if self.record is not None:
            self.record.listings[rel] = tuple((name, e.kind) for name, e in found)
        return found

    def _list(self, rel: str, real: str) -> list[tuple[str, Entry]] | None:
        """The entries of the folder ``rel`` (at ``real``) from disk; None, noted, when it cannot be listed."""
        identity = self._identity(real) if self._kept is not None else None
        try:
            with os.scandir(real) as it:
                listed = sorted(it, key=lambda d: d.name)
        except OSError as err:
            self.note(rel, f"'{rel}' cannot be listed ({err.strerror}); skipped", "FW-FILE-UNREADABLE")
            return None
        self.counts["folders listed"] += 1
        found = []
        kept: list[tuple[str, str, int, Entry]] | None = [] if self._settled(identity) else None
        for de in listed:
            child = _join(rel, de.name)
            e = self._memo.get(child)
            if e is None:
                if de.is_symlink():
                    e = self.entry(child)
                else:
                    e = self._memo[child] = self._unlinked(child, de.path, de)  # folder.real/name
            found.append((de.name, e))
            if kept is not None:
                how = _LINK if de.is_symlink() else _FILE if de.is_file(follow_symlinks=False) else _FIXED
                if how == _FIXED and not (e.kind == "dir" or (e.kind == "refused" and e.code == "FW-FILE-REFUSED")):
                    kept = None  # a folder or special file that could not be stat'ed: try again next time
                else:
                    kept.append((de.name, de.path, how, e))
        if kept is not None and self._kept is not None:
            self._kept.keep(self._kept.listings, rel, (real, identity, kept))
        return found

    def _kept_listing(self, rel: str, real: str) -> list[tuple[str, Entry]] | None:
        """The listing of the folder ``rel`` the last snapshot of this root kept, when the folder is the same one
        (same real path, device and inode) and unchanged since (same mtime and ctime): the same names of the same
        types. Each name is answered as :meth:`_list` answers it: a link is classified again (its target may have
        changed without its folder changing), a regular file stat'ed again (its size, for the cap), a folder or a
        special file is what it was (its type cannot change without its folder changing). None otherwise."""
        before = self._kept.listings.get(rel)
        if before is None or before[0] != real or before[1] != self._identity(real):
            return None
        found = []
        for name, path, how, e in before[2]:
            child = _join(rel, name)
            memo = self._memo.get(child)
            if memo is not None:
                e = memo
            elif how == _LINK:
                e = self.entry(child)
            else:
                self._memo[child] = e = self._unlinked(child, path) if how == _FILE else e
            found.append((name, e))
        self.counts["folder listings kept"] += 1
        return found

    def _unlinked(self, child: str, path: str, de: os.DirEntry[str] | None = None) -> Entry:
        """What the entry ``child`` at ``path``, not a link, is (stat'ed through its DirEntry when given)."""
        try:
            return self._typed(child, path, de.stat(follow_symlinks=False) if de is not None
                               else os.stat(path, follow_symlinks=False))
        except OSError as err:
            return self._refused(child, f"cannot be read ({err.strerror}); skipped", "FW-FILE-UNREADABLE")

    def _identity(self, path: str) -> Identity | None:
        """The folder at ``path`` as stat sees it (links followed), once per snapshot; None when it cannot be."""
        if path in self._identities:
            return self._identities[path]
        try:
            st = os.stat(path)
            found: Identity | None = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
        except OSError:
            found = None
        if self.snapshot:
            self._identities[path] = found
        return found

    def _settled(self, identity: Identity | None) -> bool:
        """Whether a listing of a folder of this identity may be kept: its last change is older than the start of
        this snapshot by :data:`SETTLE_NS`, so any later change gives it a later mtime. A change in that window
        might share the timestamp of the one before: such a folder is listed again next time."""
        return identity is not None and identity[2] < self._started - SETTLE_NS

    def walk(self, rel: str = ".", *, skip: Callable[[str, bool], bool] | None = None,
             descend: Callable[[str], bool] | None = None, quiet: bool = False) -> Iterator[tuple[str, Entry]]:
        """Every usable file and folder below ``rel``, depth first in name order.

        A folder is entered when ``descend(folder)`` allows it, never when it is (through a link) one of its
        own ancestors; the walk stops after ``max_walk_entries`` entries with a note on ``rel``. Refused entries
        and link loops are noted unless ``quiet`` (see :meth:`listdir`).
        """
        top = self.entry(rel)
        if top.kind != "dir":
            return
        parts = [] if rel in ("", ".") else rel.split("/")
        above = tuple(self.entry("/".join(parts[:i]) or ".").real for i in range(len(parts)))
        count = 0

        def children(folder: str, ancestors: tuple[str, ...]) -> list[tuple[str, Entry, tuple[str, ...]]]:
            return [(_join(folder, name), e, ancestors) for name, e in reversed(self.listdir(folder, skip, quiet=quiet))]

        pending = [children(rel, above + (top.real,))]
        while pending:
            level = pending[-1]
            if not level:
                pending.pop()
                continue
            child, e, ancestors = level.pop()
            count += 1
            if count > self.max_walk_entries:
                self.note(rel, f"'{rel}' holds more than {self.max_walk_entries} files and folders "
                               "(links inside the root can multiply them); the rest is not read", "FW-LIMIT-WALK")
                return
            if e.kind == "dir" and e.real in ancestors:
                if not quiet:
                    self.note(child, f"'{child}' is a symbolic link to a folder that contains it (a loop); "
                                     "not followed", "FW-FILE-REFUSED")
                continue
            yield child, e
            if e.kind == "dir" and (descend is None or descend(child)):
                pending.append(children(child, ancestors + (e.real,)))


def read_config_file(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> bytes | None:
    """An author file named by the configuration (source-basis index, notes, lock file): None when absent.

    The configuration chose the path, so a link is followed; what is read must still be a regular file
    within the size cap (never a device such as /dev/zero): InputError naming the file otherwise.
    """
    name = str(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as err:
        if err.errno == errno.ENOTDIR:
            return None
        raise InputError(name, 1, f"cannot be read ({err.strerror})", code="FW-WIKI-FILE") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(name, 1, "is a folder, not a file", code="FW-WIKI-FILE")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(name, 1, "is not a regular file (a device, FIFO or socket); not read",
                             code="FW-WIKI-FILE")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(name, 1, f"is over the {_size(max_bytes)} limit for one file; not read",
                         code="FW-WIKI-FILE")
    return data


def read_config_text(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """:func:`read_config_file` as UTF-8 text; InputError naming the line of the first byte that is not."""
    raw = read_config_file(path, max_bytes)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(str(path), raw[:err.start].count(b"\n") + 1, f"not UTF-8 text ({err.reason})",
                         code="FW-WIKI-FILE") from None
