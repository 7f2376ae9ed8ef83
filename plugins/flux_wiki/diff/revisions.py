"""Revisions of a Flux repository read with git itself: refs, merge bases, history, and a commit's files.

Only local plumbing commands run (``rev-parse``, ``merge-base``, ``ls-tree``, ``cat-file``, ``log``):
nothing touches the network, runs hooks or applies filters. A commit's files are read from its tree (by
:class:`GitObjects`, or written into a scratch folder by :meth:`GitRepo.checkout`), so ``.gitattributes``
(``export-ignore``) cannot hide files the way ``git archive`` would.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import selectors
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT = 120
DEFAULT_BRANCHES = ("refs/heads/main", "refs/heads/master", "refs/remotes/origin/main", "refs/remotes/origin/master")
_SYMLINK_MODE = "120000"
_FULL_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # a full object id (SHA-1 or SHA-256), as rev-parse prints one


class GitError(Exception):
    """git cannot answer: not a work tree, an unknown ref, git missing or failing."""


@dataclass(frozen=True)
class Revision:
    """One side of a comparison: a commit, or the working tree (its ``commit`` is then HEAD's, if any)."""

    label: str  # what the user named: a ref, "merge-base with main", or "working tree"
    commit: str | None
    worktree: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"label": self.label, "commit": self.commit, "worktree": self.worktree}


@dataclass(frozen=True)
class Commit:
    """A commit of the history: full id, first parent (None for a root commit), author date, subject."""

    id: str
    parent: str | None
    date: str
    subject: str


class GitRepo:
    """The git work tree holding a Flux repository folder (the folder may be a subfolder of it)."""

    def __init__(self, folder: str | os.PathLike[str]):
        self.processes = 0  # git processes started
        self.folder = Path(folder).resolve()
        if not self.folder.is_dir():
            raise GitError(f"{folder} is not a folder")
        # HEAD and shallowness come with the top level: the first head_and_shallow() of a build runs no git
        self._primed: tuple[str | None, bool] | None = None
        try:
            top, shallow, head = str(self._run("rev-parse", "--show-toplevel", "--is-shallow-repository", "--verify",
                                               "--quiet", "--end-of-options", "HEAD^{commit}",
                                               cwd=self.folder)).split("\n")[:3]
            self._primed = (head, shallow == "true")
        except (GitError, ValueError):  # no commit yet, or not a work tree (said by the call below)
            top = str(self._run("rev-parse", "--show-toplevel", cwd=self.folder,
                                what=f"{folder} is not inside a git work tree"))
        self.toplevel = Path(top.strip()).resolve()
        rel = os.path.relpath(self.folder, self.toplevel)
        self.prefix = "" if rel == "." else Path(rel).as_posix()

    # -- running git -----------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}

    def _run(self, *args: str, cwd: Path | None = None, what: str | None = None, stdin: bytes | None = None,
             text: bool = True) -> str | bytes:
        self.processes += 1
        try:
            done = subprocess.run(["git", "--literal-pathspecs", "-c", "core.quotePath=false", *args],
                                  cwd=cwd or self.toplevel, input=stdin, capture_output=True, env=self._env(),
                                  timeout=GIT_TIMEOUT, check=False)
        except FileNotFoundError:
            raise GitError("git is not installed (needed to read revisions)") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT}s") from None
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
            raise GitError(what or f"git {args[0]} failed: {detail[-1] if detail else done.returncode}")
        return done.stdout.decode("utf-8", errors="replace") if text else done.stdout

    def _text(self, *args: str, what: str | None = None) -> str:
        out = self._run(*args, what=what)
        assert isinstance(out, str)
        return out.strip()

    # -- refs --------------------------------------------------------------------------------------
    def resolve(self, ref: str) -> str:
        """The full commit id ``ref`` names; GitError naming the ref when there is none."""
        return self._text("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
                          what=f"unknown revision '{ref}' in {self.toplevel}")

    def head(self) -> str | None:
        """HEAD's commit id, None in a repository without commits."""
        try:
            return self.resolve("HEAD")
        except GitError:
            return None

    def head_and_shallow(self) -> tuple[str | None, bool]:
        """:meth:`head` and :meth:`shallow` in one ``git rev-parse`` (None, False in a repository without commits);
        the first call after the repository was opened answers what opening it read."""
        if self._primed is not None:
            primed, self._primed = self._primed, None
            return primed
        try:
            out = self._text("rev-parse", "--is-shallow-repository", "--verify", "--quiet", "--end-of-options",
                             "HEAD^{commit}").split()
        except GitError:
            return None, False
        return (out[1], out[0] == "true") if len(out) == 2 else (None, False)

    def default_branch(self) -> str:
        """origin/HEAD's branch, else the first of main, master, origin/main, origin/master that exists."""
        try:
            ref = self._text("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
        except GitError:
            ref = ""
        for candidate in ([ref] if ref else []) + list(DEFAULT_BRANCHES):
            try:
                self._text("rev-parse", "--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}")
            except GitError:
                continue
            return candidate.removeprefix("refs/heads/").removeprefix("refs/remotes/")
        raise GitError(f"no default branch in {self.toplevel} (origin/HEAD, main, master); name one with --base")

    def default_base(self, head: str | None = None) -> Revision:
        """The merge base of ``head`` (default HEAD) and the default branch: what a pull request is compared with."""
        branch = self.default_branch()
        head = head or self.head()
        if head is None:
            raise GitError(f"{self.toplevel} has no commit yet; name the base with --base")
        commit = self._text("merge-base", head, self.resolve(branch),
                            what=f"{branch} and the head have no common ancestor; name the base with --base")
        return Revision(f"merge-base with {branch}", commit)

    def _optional(self, *args: str) -> str | None:
        try:
            return self._text(*args) or None
        except GitError:
            return None

    def current_branch(self) -> str | None:
        """The branch checked out (None on a detached HEAD)."""
        return self._optional("symbolic-ref", "--quiet", "--short", "HEAD")

    def remote(self) -> tuple[str, str] | None:
        """(name, URL as configured, insteadOf applied) of the remote the current branch tracks, else ``origin``,
        else the only remote; None without one. Read from the configuration: nothing is fetched."""
        branch = self.current_branch()
        names = (self._optional("remote") or "").split()
        tracked = self._optional("config", "--get", f"branch.{branch}.remote") if branch else None
        name = tracked if tracked in names else "origin" if "origin" in names else names[0] if len(names) == 1 else None
        url = self._optional("remote", "get-url", "--", name) if name else None
        return (name, url) if name and url else None

    def remote_default_branch(self, remote: str) -> str | None:
        """The branch ``<remote>/HEAD`` names (the remote's default branch as last cloned or fetched), else the
        branch the current one tracks there, else the current branch."""
        head = self._optional("symbolic-ref", "--quiet", "--short", f"refs/remotes/{remote}/HEAD")
        if head and head.startswith(f"{remote}/"):
            return head[len(remote) + 1:]
        branch = self.current_branch()
        merge = self._optional("config", "--get", f"branch.{branch}.merge") if branch else None
        return merge.removeprefix("refs/heads/") if merge else branch

    def revision(self, ref: str | None) -> Revision:
        """``ref`` as a Revision; None is the working tree."""
        if ref is None:
            return Revision("working tree", self.head(), worktree=True)
        return Revision(ref, self.resolve(ref))

    # -- history -----------------------------------------------------------------------------------
    def shallow(self) -> bool:
        """Whether the clone is shallow: its oldest commits show no parent although they had one."""
        return self._optional("rev-parse", "--is-shallow-repository") == "true"

    def log(self, limit: int, start: str = "HEAD") -> list[Commit]:
        """Up to ``limit`` commits reachable from ``start`` (first parents only) that touch the folder, newest first."""
        fmt = "%H%x1f%P%x1f%aI%x1f%s%x1e"
        commit = start if _FULL_ID.fullmatch(start) else self.resolve(start)  # a commit id: no rev-parse to run
        out = self._text("log", "--first-parent", "--no-show-signature", f"--max-count={int(limit)}",
                         f"--format={fmt}", commit, "--", self.prefix or ".")
        commits = []
        for record in out.split("\x1e"):
            fields = record.strip("\n").split("\x1f")
            if len(fields) == 4:
                parents = fields[1].split()
                commits.append(Commit(fields[0], parents[0] if parents else None, fields[2], fields[3]))
        return commits

    def folder_trees(self, commits: list[str]) -> dict[str, str]:
        """The id of the folder's tree at each of ``commits``, read in one ``git cat-file --batch-check``; a
        commit without the folder is left out. Two commits with the same tree have the same files here."""
        commits = list(dict.fromkeys(commits))
        if not commits or "\n" in self.prefix:
            return {}
        specs = [f"{c}:{self.prefix}" if self.prefix else f"{c}^{{tree}}" for c in commits]
        out = self._run("cat-file", "--batch-check", stdin="".join(f"{s}\n" for s in specs).encode("utf-8"))
        assert isinstance(out, str)
        trees = {}
        for commit, line in zip(commits, out.splitlines()):
            oid, _, kind = line.partition(" ")
            if kind.startswith("tree "):
                trees[commit] = oid
        return trees

    # -- files of a commit ---------------------------------------------------------------------------
    def _tree(self, commit: str) -> list[tuple[str, str, int, str]]:
        """(mode, blob id, size, path below the folder) of every file of the folder at ``commit``."""
        listing = self._run("ls-tree", "-r", "-l", "-z", "--full-tree", commit, "--", self.prefix or ".", text=False)
        assert isinstance(listing, bytes)
        blobs = []
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, _, raw_path = entry.partition(b"\t")
            mode, kind, oid, size = meta.decode("ascii").split()
            path = raw_path.decode("utf-8", errors="surrogateescape")
            rel = posixpath.relpath(path, self.prefix) if self.prefix else path
            if kind == "blob" and _safe_relpath(rel):
                blobs.append((mode, oid, int(size), rel))
        return blobs

    def materialise(self, commit: str, dest: Path, tree: list[tuple[str, str, int, str]] | None = None) -> Path:
        """Write the folder's files at ``commit`` under ``dest`` / <the folder's name>; return that folder.

        The folder keeps its name because a cluster without a ``clusters/<name>`` folder is named after it.
        Symbolic links are written as links, as a checkout has them, so the engine treats them the same in
        both revisions (it follows none: a Flux artifact holds no links); submodules are left out.
        """
        root = Path(dest) / (self.folder.name or "repo")
        root.mkdir(parents=True, exist_ok=True)
        blobs = self._tree(commit) if tree is None else tree
        contents = self._cat_blobs(sorted({oid for _, oid, _, _ in blobs}))
        links = []
        for mode, oid, _, rel in blobs:
            if mode == _SYMLINK_MODE:
                links.append((rel, contents[oid].decode("utf-8", errors="surrogateescape")))
                continue
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(contents[oid])
        for rel, link_target in links:  # after the files: nothing is ever written through a link
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(link_target, root / rel)
        return root

    @contextlib.contextmanager
    def checkout(self, commit: str) -> Iterator[Path]:
        """The folder at ``commit`` in a scratch folder, removed afterwards.

        Written to memory (/dev/shm) when there is room and TMPDIR does not say otherwise: a revision is
        written and deleted file by file, which on a busy disk can cost more than building its model.
        """
        tree = self._tree(commit)
        memory = _memory_scratch(sum(size for _, _, size, _ in tree))
        with contextlib.ExitStack() as cleanup:
            folder, problem = None, None
            for parent in ([memory] if memory else []) + [None]:
                tmp = tempfile.mkdtemp(prefix="flux-wiki-rev-", dir=parent)
                cleanup.callback(shutil.rmtree, tmp, ignore_errors=True)
                try:
                    folder = self.materialise(commit, Path(tmp), tree)
                    break
                except OSError as err:  # memory full: once more on disk
                    problem = err
            if folder is None:
                raise GitError(f"cannot write revision {commit[:12]} to a scratch folder: {problem}")
            yield folder

    def _cat_blobs(self, oids: list[str]) -> dict[str, bytes]:
        """Contents of blobs, read in one ``git cat-file --batch`` call."""
        if not oids:
            return {}
        out = self._run("cat-file", "--batch", stdin="".join(f"{o}\n" for o in oids).encode("ascii"), text=False)
        assert isinstance(out, bytes)
        contents: dict[str, bytes] = {}
        pos = 0
        for oid in oids:
            header_end = out.index(b"\n", pos)
            header = out[pos:header_end].decode("ascii").split(" ")
            if len(header) != 3 or header[1] != "blob":
                raise GitError(f"git cat-file: unexpected answer for {oid}: {' '.join(header)}")
            size = int(header[2])
            contents[oid] = out[header_end + 1:header_end + 1 + size]
            pos = header_end + 1 + size + 1
        return contents

    def objects(self) -> "GitObjects":
        """A reader of this repository's objects (close it, or use it as a context manager)."""
        return GitObjects(self)

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        """A long-lived git process read and written through pipes (``cat-file --batch``)."""
        self.processes += 1
        try:
            return subprocess.Popen(["git", *args], cwd=self.toplevel, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, env=self._env())
        except FileNotFoundError:
            raise GitError("git is not installed (needed to read revisions)") from None


TREE_MODE = "40000"  # the mode of a folder in a tree object
GITLINK_MODE = "160000"  # a submodule: a commit of another repository, not a file
TreeEntries = dict[str, tuple[str, str]]  # name -> (mode, object id) of one tree object


class GitObjects:
    """Trees, blob sizes and blobs of one repository, each read once, through one long-lived ``git cat-file
    --batch`` process: reading any number of revisions starts one process, where a checkout per revision started
    two and wrote every file (``GitRepo.processes`` counts them).

    Revisions share most objects, so what one read the next finds here: a file unchanged across revisions is
    the same blob and the same ``bytes``, which the parse cache recognises without hashing it again."""

    REQUEST_BYTES = 4096  # requests written at once: within any pipe's buffer, so a write never waits on git

    def __init__(self, git: GitRepo) -> None:
        self.git = git
        self.trees: dict[str, TreeEntries] = {}
        self.sizes: dict[str, int] = {}
        self.blobs: dict[str, bytes] = {}
        # tree id -> the entries a checkout writes of it (revision_files.py decides, once per tree)
        self.written: dict[str, TreeEntries] = {}
        self._procs: dict[str, _Answers] = {}

    def __enter__(self) -> "GitObjects":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the git processes (the objects read stay)."""
        for reader in self._procs.values():
            reader.close()
        self._procs = {}

    def _ask(self, mode: str, specs: list[str]) -> list[tuple[str, str, int, bytes | None]]:
        """git's answer to each of ``specs`` (object ids or ``<commit>:<path>``): (id, type, size, contents with
        ``--batch``); type ``missing`` when there is no such object. A write never exceeds
        :data:`REQUEST_BYTES` before the answers to it are read, so neither side waits on the other; a git that
        does not answer for ``GIT_TIMEOUT`` seconds is a GitError."""
        reader = self._procs.get(mode)
        if reader is None:
            reader = self._procs[mode] = _Answers(self.git._start("cat-file", mode))
        out: list[tuple[str, str, int, bytes | None]] = []
        start = 0
        while start < len(specs):
            end, size = start, 0
            while end < len(specs) and (end == start or size + len(specs[end]) + 1 <= self.REQUEST_BYTES):
                size += len(specs[end]) + 1
                end += 1
            reader.send("".join(f"{spec}\n" for spec in specs[start:end]).encode("utf-8", "surrogateescape"))
            for spec in specs[start:end]:
                out.append(reader.answer(spec, mode == "--batch"))
            start = end
        return out

    def load_trees(self, oids: list[str]) -> None:
        """Read the tree objects ``oids`` that are not read yet (one request)."""
        todo = [o for o in dict.fromkeys(oids) if o not in self.trees]
        for oid, (_, kind, _, body) in zip(todo, self._ask("--batch", todo)):
            if kind != "tree" or body is None:
                raise GitError(f"git cat-file: {oid} is not a tree")
            self.trees[oid] = _parse_tree(body, len(oid) // 2)

    def load_blobs(self, oids: list[str], keep: Callable[[str, int], bool]) -> None:
        """Learn the size of each blob of ``oids`` not seen yet, and keep its contents when ``keep(id, size)``
        (one request; what is not kept is read again if :meth:`blob` asks for it)."""
        todo = [o for o in dict.fromkeys(oids) if o not in self.sizes]
        for oid, (_, kind, size, body) in zip(todo, self._ask("--batch", todo)):
            if kind != "blob" or body is None:
                raise GitError(f"git cat-file: {oid} is not a blob")
            self.sizes[oid] = size
            if keep(oid, size):
                self.blobs[oid] = body

    def blob(self, oid: str) -> bytes:
        """A blob's contents (read once; callers check its size first)."""
        data = self.blobs.get(oid)
        if data is None:
            _, kind, size, body = self._ask("--batch", [oid])[0]
            if kind != "blob" or body is None:
                raise GitError(f"git cat-file: {oid} is not a blob")
            data = self.blobs[oid] = body
            self.sizes[oid] = size
        return data

    def folder_trees(self, commits: list[str], prefix: str) -> dict[str, str]:
        """:meth:`GitRepo.folder_trees`, asked of the ``--batch`` process (one request, no new process); the
        trees read are kept."""
        commits = list(dict.fromkeys(commits))
        if not commits or "\n" in prefix:
            return {}
        specs = [f"{c}:{prefix}" if prefix else f"{c}^{{tree}}" for c in commits]
        found = {}
        for commit, (oid, kind, _, body) in zip(commits, self._ask("--batch", specs)):
            if kind == "tree" and body is not None:
                found[commit] = oid
                if oid not in self.trees:
                    self.trees[oid] = _parse_tree(body, len(oid) // 2)
        return found


class _Answers:
    """The pipes of one ``git cat-file`` process: requests written, answers read as they come (never waiting
    more than ``GIT_TIMEOUT`` seconds for git, without a thread)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self.proc = proc
        self._out = proc.stdout.fileno()
        self._ready = selectors.DefaultSelector()
        self._ready.register(self._out, selectors.EVENT_READ)
        self._buffer = bytearray()
        self._pos = 0

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (OSError, ValueError) as err:
            raise GitError(f"git cat-file stopped reading: {err}") from None

    def _more(self) -> None:
        if not self._ready.select(GIT_TIMEOUT):
            self.proc.kill()
            raise GitError(f"git cat-file did not answer in {GIT_TIMEOUT}s")
        chunk = os.read(self._out, 1 << 16)
        if not chunk:
            raise GitError("git cat-file stopped answering")
        if self._pos:
            del self._buffer[:self._pos]
            self._pos = 0
        self._buffer += chunk

    def _line(self) -> bytes:
        while (end := self._buffer.find(b"\n", self._pos)) < 0:
            self._more()
        line = bytes(self._buffer[self._pos:end])
        self._pos = end + 1
        return line

    def _exactly(self, n: int) -> bytes:
        while len(self._buffer) - self._pos < n:
            self._more()
        data = bytes(self._buffer[self._pos:self._pos + n])
        self._pos += n
        return data

    def answer(self, spec: str, contents: bool) -> tuple[str, str, int, bytes | None]:
        header = self._line().decode("utf-8", "surrogateescape").split(" ")
        if len(header) == 2 and header[1] in ("missing", "ambiguous"):
            return "", "missing", 0, None
        if len(header) != 3 or not header[2].isdigit():
            raise GitError(f"git cat-file: unexpected answer for {spec}: {' '.join(header)[:200]}")
        size = int(header[2])
        body = self._exactly(size + 1)[:-1] if contents else None
        return header[0], header[1], size, body

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()  # type: ignore[union-attr]
        try:
            self.proc.wait(timeout=GIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError):
            self.proc.stdout.close()  # type: ignore[union-attr]
        self._ready.close()


def _parse_tree(body: bytes, id_bytes: int) -> TreeEntries:
    """The entries of a raw tree object: ``<mode> <name>\\0<binary id>`` each."""
    entries: TreeEntries = {}
    pos, end = 0, len(body)
    while pos < end:
        space = body.index(b" ", pos)
        nul = body.index(b"\0", space)
        mode = body[pos:space].decode("ascii")
        name = body[space + 1:nul].decode("utf-8", "surrogateescape")
        oid = body[nul + 1:nul + 1 + id_bytes]
        if len(oid) != id_bytes:
            raise GitError("git cat-file: a tree object ends early")
        entries[name] = (mode, oid.hex())
        pos = nul + 1 + id_bytes
    return entries


def _memory_scratch(size: int) -> str | None:
    """/dev/shm when it is a writable folder with room for ``size`` bytes (four times over), unless TMPDIR is set."""
    shm = "/dev/shm"
    if os.environ.get("TMPDIR") or not os.path.isdir(shm) or not os.access(shm, os.W_OK):
        return None
    try:
        return shm if shutil.disk_usage(shm).free > 4 * size + (64 << 20) else None
    except OSError:
        return None


def _safe_relpath(rel: str) -> bool:
    """A path that stays below its folder: relative, no '..' or '.git' component, not the folder itself."""
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and all(p not in ("", ".", "..", ".git") for p in parts)
