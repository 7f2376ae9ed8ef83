"""A revision read from git objects answers as its checkout does (RevisionFiles against the confinement of the
folder GitRepo.materialise writes), links and limits included; and reading history costs few git processes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig
from flux_wiki.diff import GitRepo, RevisionInventories
from flux_wiki.diff.history import WorktreeBuild
from flux_wiki.diff.revision_files import RevisionFiles
from flux_wiki.load import ParseCache
from flux_wiki.load.confine import ConfinedDir
from flux_wiki.load.repo import ARTIFACT_LINKS
from flux_wiki.load.sourceignore import load_ignore_patterns
from flux_wiki.model import InputError

from .fixture import BASE, GitFixture, helm_release

CAP = 64  # a small size cap, so that the refusal of a big file is compared too


def _answers(files: ConfinedDir, probes: list[str]) -> dict[str, object]:
    """Everything the engine can ask of a folder, with its root left out of the answers."""
    root = str(files.root)

    def entry(rel: str) -> tuple[str, str, int, str, str]:
        e = files.entry(rel)
        return (e.kind, os.path.relpath(e.real, root) if e.real else "", e.size, e.reason, e.code)

    out: dict[str, object] = {"walk": [(rel, entry(rel)) for rel, _ in files.walk()]}
    for rel in probes:
        out[f"entry {rel}"] = entry(rel)
        out[f"listdir {rel}"] = [(name, e.kind) for name, e in files.listdir(rel)]
        if files.entry(rel).kind == "dir":  # the ignore-file walk scans folders only, never through a link
            scanned = files.scan(rel)
            out[f"scan {rel}"] = sorted(scanned) if scanned is not None else None
        try:
            out[f"read {rel}"] = files.read_bytes(rel)
        except InputError as err:
            out[f"read {rel}"] = (err.message, err.code)
    out["ignore"] = load_ignore_patterns(files)
    out["problems"] = [(d.file, d.message, d.code) for d in files.problems]
    return out


def _compare(git: GitRepo, commit: str, probes: list[str], tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    folder = git.materialise(commit, scratch)
    checkout = ConfinedDir(folder, max_file_bytes=CAP, inner_links=ARTIFACT_LINKS, snapshot=True)
    with git.objects() as objects:
        tree = objects.folder_trees([commit], git.prefix).get(commit)
        revision = RevisionFiles(objects, tree, git.folder.name, inner_links=ARTIFACT_LINKS, max_file_bytes=CAP)
        assert revision.root.name == folder.name
        assert _answers(revision, probes) == _answers(checkout, probes)


LINKS = {  # link -> target: inside, outside, absolute, dangling, loops, through a linked folder, out and back in
    "apps/inside.yaml": "web.yaml",
    "apps/escape.yaml": "../../secret.txt",
    "apps/absolute.yaml": "/etc/passwd",
    "apps/dangling.yaml": "nothing.yaml",
    "apps/loop-a": "loop-b",
    "apps/loop-b": "loop-a",
    "apps/self": "self",
    "linked-apps": "apps",
    "back-in.yaml": "../home/apps/web.yaml",
    "around.yaml": "../elsewhere/../home/apps/web.yaml",
    "up-and-out.yaml": "../../../../../../tmp",
    "file-as-folder.yaml": "apps/web.yaml/x",
    "chain-1": "chain-2",
    "chain-2": "linked-apps/inside.yaml",
}
PROBES = [".", "apps", "apps/web.yaml", "apps/big.yaml", "apps/nothing.yaml", "linked-apps", "linked-apps/web.yaml",
          "linked-apps/inside.yaml", "apps/web.yaml/x", "sub", "sub/deeper", "only-a-submodule", "missing/x",
          *LINKS]


def test_a_revision_read_from_git_answers_as_its_checkout(tmp_path: Path) -> None:
    repo = GitFixture(tmp_path / "home", BASE | {
        "apps/big.yaml": "x" * (CAP + 1), "secret.txt": "outside\n", "sub/deeper/.sourceignore": "*.txt\n",
        "sub/deeper/a.yaml": "a: 1\n", ".sourceignore": "/secret.txt\n"})
    for link, target in LINKS.items():
        os.symlink(target, repo.root / link)
    repo.git("add", "-A")
    # a submodule (a commit of another repository) is no file: a folder holding only one is not written
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},only-a-submodule/module")
    commit = repo.change("links", {})
    _compare(GitRepo(repo.root), commit, PROBES, tmp_path)


def test_a_subfolder_and_a_commit_without_it(tmp_path: Path) -> None:
    outer = GitFixture(tmp_path / "wiki", {"docs/index.md": "# x\n"})
    first = outer.git("rev-parse", "HEAD")
    outer.change("data", {f"data/home/{k}": v for k, v in BASE.items()} | {"data/outside.yaml": "a: 1\n"})
    os.symlink("../outside.yaml", outer.root / "data" / "home" / "up.yaml")  # out of the folder, into the repo
    commit = outer.change("link", {})
    git = GitRepo(outer.root / "data" / "home")
    _compare(git, commit, [".", "up.yaml", "apps", "infra/namespace.yaml"], tmp_path)
    _compare(git, first, [".", "apps"], tmp_path)  # the folder does not exist yet: an empty one


NAMES = ["a", "b", "home", "..", "."]
FILES = {"f.yaml": "a: 1\n", "d/f.yaml": "b: 2\n", "d/e/f.yaml": "c: 3\n"}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["a", "b", "d/a", "d/b", "d/e/a"]),
                       st.lists(st.sampled_from(NAMES), min_size=1, max_size=4).map("/".join), max_size=5))
def test_any_links_are_refused_alike(tmp_path: Path, links: dict[str, str]) -> None:
    """Links between a few names in a few folders, to files, folders, each other and out: every path of the
    revision is what it is in the checkout (or refused for the same reason). One repository, a tree per case."""
    root = tmp_path / "home"
    repo = GitFixture(root, FILES) if not root.exists() else GitFixture.__new__(GitFixture)
    repo.root = root
    for path in [root / link for link in ("a", "b", "d/a", "d/b", "d/e/a")]:
        if path.is_symlink():
            path.unlink()
    for link, target in links.items():
        if not (root / link).parent.is_symlink():
            os.symlink(target, root / link)
    repo.git("add", "-A")
    tree = repo.git("write-tree")  # what a commit of it would hold
    probes = sorted({".", "d", "d/e", *FILES, *links, *(f"{link}/f.yaml" for link in links)})
    _compare(GitRepo(root), tree, probes, tmp_path)


def test_history_reads_each_file_once_and_starts_few_git_processes(tmp_path: Path) -> None:
    """N revisions: the git processes do not grow with N, and a file the same in all of them is parsed once."""
    counts = []
    for n in (2, 6):
        repo = GitFixture(tmp_path / f"home-{n}", BASE)
        for i in range(n):
            repo.change(f"bump {i}", {"infra/ingress-nginx.yaml": helm_release(f"4.{i}.0")})
        git = GitRepo(repo.root)
        parses = ParseCache()
        inventories = RevisionInventories(git, parse_cache=parses)
        found = inventories.recent(10, scan=50)
        assert len(found.entries) == n + 1 and inventories.builds == n + 1  # and the base
        counts.append(git.processes)
        # one parse per distinct content: BASE's files once, the changed file once per revision
        assert parses.misses == len([f for f in BASE if f.endswith(".yaml")]) + n
    assert counts[0] == counts[1] == 3  # rev-parse (top level, HEAD, shallow), log, cat-file --batch


def _recent_changes(root: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[str, RevisionInventories]:
    compiler = WikiCompiler()
    if monkeypatch is not None:  # every revision built, none taken from the working tree
        monkeypatch.setattr(WorktreeBuild, "same_as", lambda self, files: False)
    pages = {p.path: p.markdown for p in compiler.compile(WikiConfig(repo=root, diagrams=False, history=10)).pages}
    return pages["flux/home/changes.md"], next(iter(compiler.histories.values()))


@pytest.mark.parametrize("edit", [None, {"apps/web.conf": "listen 9090;\n"}, {"apps/notes.txt": "new\n"},
                                  {"infra/ingress-nginx.yaml": helm_release("9.9.9")}])
def test_head_takes_the_working_trees_facts_only_when_it_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    edit: dict[str, str] | None) -> None:
    """A clean checkout's HEAD is not built again; a working tree with any change (a file the build reads, an
    untracked file) is no stand-in for it. Either way the page is the one building every revision gives."""
    repo = GitFixture(tmp_path / "home", BASE)
    repo.change("bump", {"infra/ingress-nginx.yaml": helm_release("4.11.1")})
    repo.change("vars", {"clusters/home/cluster-vars.yaml": BASE["clusters/home/cluster-vars.yaml"] + "  X: y\n"})
    if edit:
        repo.write(edit)
    page, inventories = _recent_changes(repo.root)
    assert inventories.from_worktree == (0 if edit else 1) and inventories.builds == 3
    assert page == _recent_changes(repo.root, monkeypatch)[0]


def test_a_file_the_working_tree_could_not_read_is_never_alike(tmp_path: Path) -> None:
    repo = GitFixture(tmp_path / "home", BASE)
    files = ConfinedDir(repo.root, snapshot=True, inner_links=ARTIFACT_LINKS)
    files.read_bytes("apps/web.yaml")
    git = GitRepo(repo.root)
    with git.objects() as objects:
        commit = git.resolve("HEAD")
        revision = RevisionFiles(objects, objects.folder_trees([commit], "").get(commit), "home",
                                 inner_links=ARTIFACT_LINKS)
        assert files.answered_alike(revision)
        (repo.root / "apps" / "web.yaml").chmod(0)
        unreadable = ConfinedDir(repo.root, snapshot=True, inner_links=ARTIFACT_LINKS)
        try:
            unreadable.read_bytes("apps/web.yaml")
        except InputError:
            assert not unreadable.answered_alike(revision)
        (repo.root / "apps" / "web.yaml").chmod(0o644)
        files.read_bytes("apps/web.conf")
        (repo.root / "apps" / "web.conf").write_text("changed\n")
        changed = ConfinedDir(repo.root, snapshot=True, inner_links=ARTIFACT_LINKS)
        changed.read_bytes("apps/web.conf")
        assert not changed.answered_alike(revision)


def test_a_git_folder_an_ignore_rule_brings_back_is_a_difference(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitFixture(tmp_path / "home", BASE | {".sourceignore": "# nothing\n"})
    assert _recent_changes(repo.root)[1].from_worktree == 1
    repo.change("see .git", {".sourceignore": "!.git/\n"})  # the working tree's .git is then in its artifact
    page, inventories = _recent_changes(repo.root)
    assert inventories.from_worktree == 0 and page == _recent_changes(repo.root, monkeypatch)[0]
