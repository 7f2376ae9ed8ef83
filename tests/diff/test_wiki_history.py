"""Recent changes in the wiki: the Recent Changes page of a cluster and "last changed in" on its layer pages,
from small git repositories written commit by commit; a folder that is not a git checkout gets a note."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig, wiki_config_from_mkdocs
from flux_wiki.diff import RevisionInventories
from flux_wiki.model import InputError

from .fixture import BASE, VARS, GitFixture, helm_release, layer

CHANGES = "flux/home/changes.md"


def compile_pages(repo: Path, history: int = 10, compiler: WikiCompiler | None = None) -> dict[str, str]:
    cfg = WikiConfig(repo=repo, diagrams=False, history=history)
    return {p.path: p.markdown for p in (compiler or WikiCompiler()).compile(cfg).pages}


@pytest.fixture
def repo(tmp_path: Path) -> tuple[GitFixture, dict[str, str]]:
    """BASE, then: a chart bump, a README edit (no topology change), a dependsOn change."""
    fixture = GitFixture(tmp_path / "repo", BASE)
    commits = {"base": fixture.git("rev-parse", "HEAD")}
    commits["bump"] = fixture.change("bump ingress-nginx", {"infra/ingress-nginx.yaml": helm_release("4.11.1")})
    commits["readme"] = fixture.change("docs only", {"README.md": "# home\n"})
    commits["deps"] = fixture.change("apps waits for nothing", {"clusters/home/apps.yaml": layer("apps", "./apps", (), VARS)})
    return fixture, commits


def entries(page: str) -> list[str]:
    return [line.removeprefix("### ") for line in page.splitlines() if line.startswith("### ")]


def test_the_page_lists_the_commits_that_changed_the_topology_newest_first(repo) -> None:
    fixture, commits = repo
    page = compile_pages(fixture.root)[CHANGES]
    assert entries(page) == ["apps waits for nothing", "bump ingress-nginx", "base"]  # not the README edit
    deps = page[page.index(f'<a id="commit-{commits["deps"][:12]}"></a>'):page.index("### bump ingress-nginx")]
    assert f"Commit `{commits['deps'][:12]}`, authored `" in deps
    assert "1 Kustomization changed" in deps and "- [apps](layers/apps.md): changed (`dependsOn`, `level`)" in deps
    assert f"`flux-wiki diff --base {commits['deps'][:12]}^ --head {commits['deps'][:12]}`" in deps
    bump = page[page.index("### bump ingress-nginx"):page.index("### base")]
    assert "1 HelmRelease changed" in bump and "- [infra](layers/infra.md): changed\n" in bump
    assert "The first commit: everything in it is new." in page[page.index("### base"):]


def test_layer_pages_say_which_commit_last_changed_them(repo) -> None:
    fixture, commits = repo
    pages = compile_pages(fixture.root)
    apps, infra = pages["flux/home/layers/apps.md"], pages["flux/home/layers/infra.md"]
    deps, bump, base = (commits[k][:12] for k in ("deps", "bump", "base"))
    assert (f"The Kustomization last changed in [`{deps}`](../changes.md#commit-{deps}) (" in apps
            and f"; what it applies last changed in [`{base}`](../changes.md#commit-{base})" in apps)
    assert (f"The Kustomization last changed in [`{base}`](../changes.md#commit-{base})" in infra
            and f"what it applies last changed in [`{bump}`](../changes.md#commit-{bump}) (" in infra
            and "bump ingress-nginx)." in infra)


def test_the_option_bounds_the_list(repo) -> None:
    fixture, commits = repo
    pages = compile_pages(fixture.root, history=1)
    assert entries(pages[CHANGES]) == ["apps waits for nothing"]
    assert "Not changed by the last 1 [recent changes](../changes.md)." in pages["flux/home/layers/infra.md"]
    assert not any(p.endswith("changes.md") for p in compile_pages(fixture.root, history=0))


def test_a_rebuild_builds_only_new_commits(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Served rebuilds: models are kept by commit id; the same HEAD reads nothing but HEAD's id."""
    fixture, _ = repo
    checkouts: list[str] = []  # the revisions whose files are read (from git objects)
    real = RevisionInventories.files

    def counting(self: RevisionInventories, commit: str):  # type: ignore[no-untyped-def]
        checkouts.append(commit)
        return real(self, commit)
    monkeypatch.setattr(RevisionInventories, "files", counting)
    compiler = WikiCompiler()
    compile_pages(fixture.root, compiler=compiler)
    first = len(checkouts)
    assert first == 4  # base, bump, readme, deps: each commit once, parents reused
    compile_pages(fixture.root, compiler=compiler)
    assert len(checkouts) == first
    new = fixture.change("bump again", {"infra/ingress-nginx.yaml": helm_release("4.12.0")})
    pages = compile_pages(fixture.root, compiler=compiler)
    assert checkouts[first:] == [new] and entries(pages[CHANGES])[0] == "bump again"
    # the layer page kept from the last build is rendered again: what it says of the history changed
    assert f"what it applies last changed in [`{new[:12]}`]" in pages["flux/home/layers/infra.md"]


def _builds(compiler: WikiCompiler) -> int:
    return sum(inventories.builds for inventories in compiler.histories.values())


def test_a_new_build_process_builds_no_past_revision_it_has_seen(repo, tmp_path: Path) -> None:
    """`mkdocs build` after `mkdocs build`: what each past revision holds comes from the signed disk cache."""
    fixture, _ = repo
    cfg = WikiConfig(repo=fixture.root, diagrams=False, history=10, cache_dir=tmp_path / "cache")
    first = WikiCompiler()
    pages = {p.path: p.markdown for p in first.compile(cfg).pages}
    assert _builds(first) == 4  # base, bump, readme, deps (the root commit's parent has no folder to build)
    second = WikiCompiler()  # a new process
    assert {p.path: p.markdown for p in second.compile(cfg).pages} == pages and _builds(second) == 0
    fixture.change("bump again", {"infra/ingress-nginx.yaml": helm_release("4.12.0")})
    third = WikiCompiler()
    pages = {p.path: p.markdown for p in third.compile(cfg).pages}
    assert _builds(third) == 1 and entries(pages[CHANGES])[0] == "bump again"  # the new commit alone
    assert {p.path: p.markdown for p in WikiCompiler().compile(dataclasses.replace(cfg, cache_dir=None)).pages} == pages
    other = WikiCompiler()  # other options: other facts, nothing reused
    other.compile(dataclasses.replace(cfg, clusters=["home"]))
    assert _builds(other) == 5


def test_planted_revision_entries_are_not_believed(repo, tmp_path: Path) -> None:
    """A pull request that adds entries under a project cache_dir cannot write the Recent Changes page."""
    fixture, _ = repo
    cfg = WikiConfig(repo=fixture.root, diagrams=False, history=10, cache_dir=tmp_path / "cache")
    pages = {p.path: p.markdown for p in WikiCompiler().compile(cfg).pages}
    entries_on_disk = sorted((tmp_path / "cache").glob("*.revision.json"))
    assert len(entries_on_disk) == 4
    for entry in entries_on_disk:
        entry.write_text('{"clusters": [], "warnings": [{"file": "x", "line": 1, "message": "PLANTED"}]}')
    again = WikiCompiler()
    assert {p.path: p.markdown for p in again.compile(cfg).pages} == pages and _builds(again) == 4


def test_commits_that_leave_the_folder_alone_share_its_build(tmp_path: Path) -> None:
    """The facts of a revision are a function of the folder's tree: a monorepo's commits elsewhere cost nothing."""
    fixture = GitFixture(tmp_path / "mono", {f"gitops/{k}": v for k, v in BASE.items()})
    fixture.change("app code", {"src/main.py": "print(1)\n"})
    fixture.change("bump", {"gitops/infra/ingress-nginx.yaml": helm_release("4.11.1")})
    fixture.change("more app code", {"src/main.py": "print(2)\n"})
    compiler = WikiCompiler()
    pages = {p.path: p.markdown for p in compiler.compile(
        WikiConfig(repo=fixture.root / "gitops", diagrams=False, history=10)).pages}
    assert entries(pages[CHANGES]) == ["bump", "base"] and _builds(compiler) == 2  # not "app code", bump's parent
    assert compiler.parse_cache.counts["kustomize reused"] > 0  # the layers "bump" left alone were not built again


def test_a_folder_that_is_not_a_git_checkout_gets_a_note(repo, tmp_path: Path) -> None:
    fixture, _ = repo
    plain = tmp_path / "plain"
    shutil.copytree(fixture.root, plain, ignore=shutil.ignore_patterns(".git"))
    pages = compile_pages(plain)
    assert '!!! note "No history"' in pages[CHANGES] and "the repository is not a git checkout" in pages[CHANGES]
    assert str(tmp_path) not in pages[CHANGES]  # no local path on a page that may be published
    assert entries(pages[CHANGES]) == []
    assert "last changed" not in pages["flux/home/layers/apps.md"]


def test_a_shallow_clone_leaves_out_its_parentless_commit(repo, tmp_path: Path) -> None:
    fixture, _ = repo
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{fixture.root}", str(clone)], check=True)
    page = compile_pages(clone)[CHANGES]
    assert entries(page) == ["apps waits for nothing"]  # not the boundary commit, shown as "everything added"
    assert '!!! note "Shallow clone"' in page


def test_subjects_are_escaped(tmp_path: Path) -> None:
    fixture = GitFixture(tmp_path / "repo", BASE)
    fixture.change("<script>alert(1)</script> *bold* [x](javascript:y)",
                   {"infra/ingress-nginx.yaml": helm_release("4.11.1")})
    pages = compile_pages(fixture.root)
    for text in (pages[CHANGES], pages["flux/home/layers/infra.md"]):
        assert "<script>" not in text and "[x](javascript" not in text and "*bold*" not in text
    assert "### &lt;script&gt;alert\\(1\\)&lt;/script&gt;" in pages[CHANGES]


def test_the_time_budget_gives_a_partial_list_and_the_next_build_goes_on(repo, monkeypatch: pytest.MonkeyPatch) -> None:
    fixture, _ = repo
    compiler = WikiCompiler()
    monkeypatch.setattr("flux_wiki.compile.HISTORY_SECONDS", 0.0)
    pages = compile_pages(fixture.root, compiler=compiler)
    assert '!!! note "Partial history"' in pages[CHANGES] and entries(pages[CHANGES]) == []
    assert "changed" not in pages["flux/home/layers/infra.md"].split("## Spec")[0]  # no claim from a partial scan
    monkeypatch.setattr("flux_wiki.compile.HISTORY_SECONDS", 20.0)
    assert entries(compile_pages(fixture.root, compiler=compiler)[CHANGES])[0] == "apps waits for nothing"


@pytest.mark.parametrize("value", [-1, 101])
def test_the_option_is_bounded(tmp_path: Path, value: int) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "mkdocs.yml").write_text(f"site_name: x\nplugins:\n  - flux-wiki:\n      repo: repo\n      history: {value}\n")
    with pytest.raises(InputError, match="option 'history'"):
        wiki_config_from_mkdocs(tmp_path / "mkdocs.yml")
