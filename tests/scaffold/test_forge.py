"""The browse URL `flux-wiki init` guesses from a repository's git remote: every URL form git takes, the
forges whose file links flux-wiki knows, the remote's default branch and the folder inside the work tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from flux_wiki.scaffold.forge import Forge, forge_of, guess_browse_url


@pytest.mark.parametrize("remote, web", [
    ("https://github.com/fluxcd/flux2-kustomize-helm-example.git", "https://github.com/fluxcd/flux2-kustomize-helm-example"),
    ("https://github.com/o/r", "https://github.com/o/r"),
    ("https://github.com/o/r/", "https://github.com/o/r"),
    ("https://x-access-token:ghp_SECRET@github.com/o/r.git", "https://github.com/o/r"),  # credentials never kept
    ("git@github.com:o/r.git", "https://github.com/o/r"),
    ("github.com:o/r", "https://github.com/o/r"),
    ("ssh://git@github.com/o/r.git", "https://github.com/o/r"),
    ("ssh://git@github.com:22/o/r.git", "https://github.com/o/r"),
    ("git://github.com/o/r.git", "https://github.com/o/r"),
    ("https://github.example.com/team/ops.git", "https://github.example.com/team/ops"),
    ("git@gitlab.com:group/sub/ops.git", "https://gitlab.com/group/sub/ops"),
    ("https://gitlab.internal.example/ops/home.git", "https://gitlab.internal.example/ops/home"),
    ("ssh://git@codeberg.org/me/homelab.git", "https://codeberg.org/me/homelab"),
    ("http://gitea.lan:3000/me/homelab.git", "http://gitea.lan:3000/me/homelab"),  # the web server's port
])
def test_remote_forms_name_the_repository_web_page(remote: str, web: str) -> None:
    forge = forge_of(remote)
    assert forge is not None and forge.web == web


@pytest.mark.parametrize("remote", [
    "/srv/git/ops.git", "../ops", "file:///srv/git/ops.git", "C:\\git\\ops",
    "https://bitbucket.org/o/r.git",  # its line anchors are not #L<n>
    "https://example.com/o/r.git",  # an unknown forge
    "https://github.com/o", "https://github.com/o/r/extra", "https://github.com/o/%3Cscript%3E",
    "https://github.com:99999/o/r", "https://[::1/o/r", "javascript:alert(1)//github.com/o/r",
])
def test_no_guess_for_what_is_not_a_known_forge_repository(remote: str) -> None:
    assert forge_of(remote) is None


def test_file_links_of_each_forge() -> None:
    assert Forge("github", "https://github.com/o/r").file_base("main") == "https://github.com/o/r/blob/main/"
    assert (Forge("gitlab", "https://gitlab.com/g/s/r").file_base("feature/x", "k8s")
            == "https://gitlab.com/g/s/r/-/blob/feature/x/k8s/")
    assert (Forge("gitea", "https://codeberg.org/o/r").file_base("main", "a b/#c")
            == "https://codeberg.org/o/r/src/branch/main/a%20b/%23c/")


@given(st.text(max_size=80))
def test_any_remote_gives_a_clean_web_url_or_none(remote: str) -> None:
    forge = forge_of(remote)
    if forge is not None:
        scheme, _, rest = forge.web.partition("://")
        assert scheme in ("http", "https")
        assert "@" not in rest and all(c.isalnum() or c in "._~-/:" for c in rest)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def work_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "ops"
    (tree / "k8s/clusters/home").mkdir(parents=True)
    (tree / "k8s/clusters/home/x.yaml").write_text("a: 1\n")
    git(tree, "init", "-q", "-b", "work")
    git(tree, "commit", "-q", "--allow-empty", "-m", "x")
    return tree


def test_the_remotes_default_branch_and_the_folder_inside_the_work_tree(work_tree: Path) -> None:
    git(work_tree, "remote", "add", "origin", "git@github.com:me/ops.git")
    git(work_tree, "update-ref", "refs/remotes/origin/trunk", "HEAD")
    git(work_tree, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    guess = guess_browse_url(work_tree / "k8s")
    assert guess.url == "https://github.com/me/ops/blob/trunk/k8s/"
    assert guess.repo_url == "https://github.com/me/ops"
    assert "origin" in guess.reason and "trunk" in guess.reason


def test_without_origin_head_the_tracked_then_the_current_branch(work_tree: Path) -> None:
    git(work_tree, "remote", "add", "upstream", "https://gitlab.com/g/ops.git")
    assert guess_browse_url(work_tree).url == "https://gitlab.com/g/ops/-/blob/work/"
    git(work_tree, "config", "branch.work.remote", "upstream")
    git(work_tree, "config", "branch.work.merge", "refs/heads/main")
    assert guess_browse_url(work_tree).url == "https://gitlab.com/g/ops/-/blob/main/"


def test_no_guess_without_a_work_tree_or_a_remote(tmp_path: Path, work_tree: Path) -> None:
    assert guess_browse_url(tmp_path).url is None
    guess = guess_browse_url(work_tree)
    assert guess.url is None and "no remote" in guess.reason
    git(work_tree, "remote", "add", "origin", "/srv/git/ops.git")
    assert guess_browse_url(work_tree).url is None
