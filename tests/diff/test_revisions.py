"""Reading revisions with git: a commit's files as Flux would get them, the history of topology changes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from flux_wiki.diff import GitRepo, RevisionInventories, history

from .fixture import BASE, GitFixture, helm_release


def test_a_commit_is_written_as_a_checkout_has_it(tmp_path: Path) -> None:
    repo = GitFixture(tmp_path / "home", BASE | {
        ".gitattributes": "infra/** export-ignore\n",  # git archive would drop these; Flux does not
        "secret-outside.txt": "outside\n",
    })
    os.symlink("../../secret-outside.txt", repo.root / "apps" / "escape.yaml")
    os.symlink("/etc/passwd", repo.root / "apps" / "absolute.yaml")
    os.symlink("web.yaml", repo.root / "apps" / "inside.yaml")
    commit = repo.change("links", {})
    repo.write({"infra/ingress-nginx.yaml": helm_release("9.9.9")})  # the working tree is not the commit
    git = GitRepo(repo.root)
    out = git.materialise(commit, tmp_path / "scratch")
    assert out == tmp_path / "scratch" / "home"  # the folder keeps its name (clusters may be named after it)
    assert "4.10.0" in (out / "infra" / "ingress-nginx.yaml").read_text()
    assert os.readlink(out / "apps" / "absolute.yaml") == "/etc/passwd"  # a link, never followed by the engine
    assert not (out / ".git").exists()
    repo.write({"infra/ingress-nginx.yaml": helm_release("4.10.0")})
    same = RevisionInventories(git).compare(git.revision(commit), git.revision(None))
    assert not same.changed  # the engine refuses the links alike in both revisions: no problem introduced


def test_a_subfolder_is_written_alone(tmp_path: Path) -> None:
    outer = GitFixture(tmp_path / "wiki", {"docs/index.md": "# x\n"} | {f"data/home/{k}": v for k, v in BASE.items()})
    git = GitRepo(outer.root / "data" / "home")
    assert (git.toplevel, git.prefix) == (outer.root.resolve(), "data/home")
    out = git.materialise(git.resolve("HEAD"), tmp_path / "scratch")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(BASE)


def test_history_lists_the_commits_that_changed_the_topology(tmp_path: Path) -> None:
    repo = GitFixture(tmp_path / "home", BASE)
    bump = repo.change("bump chart", {"infra/ingress-nginx.yaml": helm_release("4.11.1")})
    repo.change("comment only", {"infra/ingress-nginx.yaml": "# tuned\n" + helm_release("4.11.1")})
    repo.change("readme only", {"README.md": "hello\n"})
    inventories = RevisionInventories(GitRepo(repo.root))
    found = inventories.history(5)
    assert [c.subject for c, _ in found] == ["bump chart", "base"]
    commit, diff = found[0]
    assert commit.id == bump and diff.head is not None and diff.head.commit == bump
    assert diff.clusters[0].helm_releases.changed[0].changes[0].head == "4.11.1"
    assert found[1][1].clusters[0].status == "added"  # the first commit adds the cluster
    built = dict(inventories._by_tree)
    assert inventories.history(5) is found  # same HEAD: nothing rebuilt, the same answer
    assert inventories.history(1)[0][0].id == bump and dict(inventories._by_tree).keys() == built.keys()
    assert [c.subject for c, _ in history(str(repo.root), 1)] == ["bump chart"]


def test_a_checkout_goes_where_tmpdir_says_and_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitFixture(tmp_path / "home", BASE)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    git = GitRepo(repo.root)
    with git.checkout(git.resolve("HEAD")) as folder:
        assert folder.parent.parent == scratch and (folder / "apps" / "web.yaml").is_file()
    assert list(scratch.iterdir()) == []
