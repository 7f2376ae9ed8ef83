"""Where a repository's files can be browsed on the web, guessed from its git remote with git itself (no network).

A remote URL in any form git takes (``https://``, ``ssh://``, ``git://``, scp-like ``git@host:owner/repo``)
names a host and a path; the host says which forge serves it and so how a file URL is made:

| forge | file URL | hosts |
|---|---|---|
| GitHub | ``https://host/owner/repo/blob/<branch>/<path>`` | github.com, github.* (Enterprise) |
| GitLab | ``https://host/group/…/repo/-/blob/<branch>/<path>`` | hosts with ``gitlab`` in their name |
| Gitea, Forgejo | ``https://host/owner/repo/src/branch/<branch>/<path>`` | codeberg.org, hosts with ``gitea`` or ``forgejo`` |

Each of them anchors line N as ``#L<N>``, as flux-wiki's links do. Other hosts (Bitbucket's anchors differ)
get no guess. Credentials in a remote URL are never copied into the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..diff.revisions import GitError, GitRepo

_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_SCP = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^@/:]+):(?P<path>(?!/).+)$")  # git@host:owner/repo, not C:/ or /path
_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
_FORGES = {  # forge -> the path between the repository and the branch
    "github": "blob",
    "gitlab": "-/blob",
    "gitea": "src/branch",
}


@dataclass(frozen=True)
class Forge:
    """A repository on a forge: which one, and its web page."""

    kind: str  # github | gitlab | gitea
    web: str  # https://host/owner/repo

    def file_base(self, branch: str, folder: str = "") -> str:
        """The browse URL of the repository's ``folder`` at ``branch``, ending in ``/`` (file paths are appended)."""
        parts = [self.web, _FORGES[self.kind], quote(branch, safe="/")] + ([quote(folder, safe="/")] if folder else [])
        return "/".join(parts) + "/"


def forge_of(remote_url: str) -> Forge | None:
    """The forge repository a git remote URL points at; None for a local path or a host flux-wiki does not know."""
    url = remote_url.strip()
    scp = _SCP.match(url) if "://" not in url else None
    port = None
    if scp:
        host, path, scheme = scp.group("host"), scp.group("path"), "https"
    else:
        try:
            parts = urlsplit(url)
            host, scheme = parts.hostname or "", parts.scheme.lower()
            if scheme in ("https", "http"):  # the web server's port; an ssh or git port is not the web side's
                port = parts.port
        except ValueError:  # a malformed port or bracket
            return None
        if scheme not in ("https", "http", "ssh", "git", "git+ssh", "ssh+git"):
            return None
        path = parts.path
        scheme = "http" if scheme == "http" else "https"
    host = host.lower()
    segments = [s for s in path.strip("/").removesuffix(".git").split("/") if s]
    if not _HOST.match(host) or not segments or not all(_SEGMENT.match(s) and s not in (".", "..") for s in segments):
        return None
    kind = _kind(host)
    if kind is None or (kind != "gitlab" and len(segments) != 2) or len(segments) < 2:
        return None
    return Forge(kind, f"{scheme}://{host}{f':{port}' if port else ''}/{'/'.join(segments)}")


def _kind(host: str) -> str | None:
    if host == "github.com" or host.startswith("github."):
        return "github"
    if "gitlab" in host:
        return "gitlab"
    if host == "codeberg.org" or "gitea" in host or "forgejo" in host:
        return "gitea"
    return None


@dataclass(frozen=True)
class BrowseGuess:
    """The guessed browse URL of a folder's files (None when there is none) and what it was guessed from."""

    url: str | None
    repo_url: str | None  # the repository's web page
    reason: str


def guess_browse_url(folder: Path) -> BrowseGuess:
    """The browse URL of ``folder``'s files from its git work tree: the remote the current branch tracks (else
    ``origin``), that remote's default branch, and the folder's path inside the work tree."""
    try:
        git = GitRepo(folder)
    except GitError:
        return BrowseGuess(None, None, f"{folder} is not in a git work tree")
    remote = git.remote()
    if remote is None:
        return BrowseGuess(None, None, "the git work tree has no remote")
    name, url = remote
    forge = forge_of(url)
    if forge is None:
        return BrowseGuess(None, None, f"remote '{name}' is not a GitHub, GitLab or Gitea repository URL")
    branch = git.remote_default_branch(name)
    if branch is None:
        return BrowseGuess(None, forge.web, f"no default branch known for remote '{name}'")
    return BrowseGuess(forge.file_base(branch, git.prefix), forge.web,
                       f"from git remote '{name}' ({forge.web}), branch {branch}")
