"""An on-disk cache that serves only what this user's flux-wiki wrote into it.

A cache folder may sit where a repository (an untrusted pull request) can put files: an entry planted there
must never reach a page. So each entry carries an HMAC-SHA256 of its kind, its name and its bytes, keyed by a
secret that never leaves the user's private cache folder (created 0700, the key file 0600, both checked to be
the user's own and not links, as Jinja keeps its bytecode cache). An entry is read without following a
symbolic link and only when it is a regular file of bounded size; one that fails any check (planted, a
link, tampered, signed with another key, cut short) is a miss, logged at debug level, and the caller writes
it anew. What the cache can never do is give back bytes it did not write itself.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import stat
from pathlib import Path

log = logging.getLogger("flux_wiki.signed_cache")

APP = "flux-wiki"
KEY_FILE = "key"
KEY_BYTES = 32
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # an entry larger than this is not read (the largest SVG seen is ~3 MiB)
_MAGIC = b"flux-wiki-cache/1 "  # then the hex HMAC and a newline, then the payload
_NAME = re.compile(r"[0-9a-f]{16,128}")  # entries are named by hex digests: never a path
_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def user_cache_dir() -> Path:
    """flux-wiki's folder in the user's cache directory (``$XDG_CACHE_HOME/flux-wiki``, ``~/.cache/flux-wiki``, …)."""
    import platformdirs  # imported when a build needs it: commands that cache nothing start faster

    return platformdirs.user_cache_path(APP, appauthor=False)


def private_dir(path: Path) -> Path:
    """``path`` as a folder only its owner can use: created 0700 if missing; OSError when it is a link, not a
    folder or someone else's. A group- or world-accessible one of ours is made private (as Jinja does)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or not _owned(st):
        raise OSError(f"{path} is not a private folder of this user")
    if hasattr(os, "getuid") and stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(path, 0o700, follow_symlinks=False)
        if stat.S_IMODE(os.lstat(path).st_mode) & 0o077:
            raise OSError(f"{path} cannot be made private")
    return path


def _owned(st: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def _read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a link, FIFO or device) of at most ``limit`` bytes."""
    try:
        fd = os.open(path, _READ)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        parts, total = [], 0
        while total <= limit:
            chunk = os.read(fd, max(st.st_size + 1 - total, 65536))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        return b"".join(parts) if total <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _write_new(folder: Path, name: str, data: bytes) -> None:
    """Write ``data`` to ``folder``/``name`` at once: a private temporary file (created, never opened through a
    link) renamed over the name, so a reader sees the old entry or the new one, never half of one."""
    tmp = folder / f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    fd = os.open(tmp, _CREATE, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, folder / name)  # replaces a link at the name itself, never what it points to
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_key(folder: Path | None = None) -> bytes:
    """The secret that signs entries, kept in ``folder`` (default :func:`user_cache_dir`), made on first use.

    The key file must be a regular file of this user, not a link, readable by no one else; a file that is not
    (or is not a key) is replaced by a new key, which only makes existing entries misses. OSError when the
    folder is not private (no disk cache then).
    """
    folder = private_dir(folder or user_cache_dir())
    path = folder / KEY_FILE
    for _ in range(2):
        if os.path.lexists(path):
            key = _read_regular(path, 4096)  # None: a link, or not a regular file
            st = os.lstat(path)
            if key is not None and _owned(st) and not stat.S_IMODE(st.st_mode) & 0o077 and len(key) == KEY_BYTES:
                return key
            log.debug("flux-wiki cache key %s is not a private key file: making a new one", path)
            _write_new(folder, KEY_FILE, os.urandom(KEY_BYTES))
            continue
        tmp = folder / f".{KEY_FILE}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        fd = os.open(tmp, _CREATE, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(os.urandom(KEY_BYTES))
        try:
            os.link(tmp, path)  # never over a key another process made meanwhile: entries it signed stay valid
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    raise OSError(f"cannot read or make the cache key in {folder}")


def linked_below(base: Path, folder: Path) -> Path | None:
    """The first part of ``folder`` below ``base`` (a folder a repository may fill) that is a symbolic
    link, else None: a cache folder reached through one would be written wherever the repository points it."""
    try:
        rel = Path(os.path.abspath(folder)).relative_to(os.path.abspath(base))
    except ValueError:
        return None  # not below base: a folder the configuration names outside the project
    part = Path(os.path.abspath(base))
    for name in rel.parts:
        part = part / name
        if os.path.islink(part):
            return part
    return None


class SignedCache:
    """Entries ``<folder>/<name><suffix>`` (``name`` a hex digest) that only a holder of the key can write.

    The key is loaded on first use (:func:`load_key`); when it cannot be, or the folder is a link or not a
    folder, the cache is off (every get a miss, every put a no-op) with a debug message. Counters: ``hits``,
    ``misses`` (no entry), ``rejected`` (an entry that failed verification) and ``written``.
    """

    def __init__(self, folder: Path, suffix: str, *, key: bytes | None = None, key_dir: Path | None = None):
        self.folder = Path(folder)
        self.suffix = suffix
        self.hits = self.misses = self.rejected = self.written = 0
        self._key = key
        self._key_dir = key_dir
        self._off = False

    def _signer(self) -> bytes | None:
        if self._key is None and not self._off:
            try:
                if os.path.islink(self.folder):
                    raise OSError(f"{self.folder} is a symbolic link")
                self._key = load_key(self._key_dir)
            except OSError as exc:
                log.debug("flux-wiki disk cache off: %s", exc)
                self._off = True
        return None if self._off else self._key

    def _mac(self, key: bytes, name: str, payload: bytes) -> bytes:
        head = f"{self.suffix}\0{name}\0".encode("utf-8")
        return hmac.new(key, head + payload, hashlib.sha256).hexdigest().encode("ascii")

    def get(self, name: str) -> bytes | None:
        """The payload stored under ``name`` if this cache wrote it, else None."""
        key = self._signer()
        if key is None or not _NAME.fullmatch(name):
            return None
        path = self.folder / f"{name}{self.suffix}"
        data = _read_regular(path, MAX_ENTRY_BYTES)
        if data is None:
            if os.path.lexists(path):
                self.rejected += 1
                log.debug("flux-wiki cache entry %s ignored: not a regular file this cache can read", path)
            else:
                self.misses += 1
            return None
        header, newline, payload = data.partition(b"\n")
        mac = header[len(_MAGIC):] if header.startswith(_MAGIC) else b""
        if not newline or not hmac.compare_digest(mac, self._mac(key, name, payload)):
            self.rejected += 1
            log.debug("flux-wiki cache entry %s ignored: not signed by this user's flux-wiki", path)
            return None
        self.hits += 1
        return payload

    def put(self, name: str, payload: bytes) -> None:
        """Store ``payload`` under ``name`` (replacing what is there); a folder that cannot be written is logged."""
        key = self._signer()
        if key is None or not _NAME.fullmatch(name):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if os.path.islink(self.folder) or not self.folder.is_dir():
                raise OSError(f"{self.folder} is not a folder")
            _write_new(self.folder, f"{name}{self.suffix}", _MAGIC + self._mac(key, name, payload) + b"\n" + payload)
            self.written += 1
        except OSError as exc:
            log.debug("flux-wiki cache entry not written: %s", exc)
