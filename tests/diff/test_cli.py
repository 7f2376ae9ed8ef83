"""`flux-wiki diff` through the command line: defaults, formats, exit codes and errors."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ..support import run_cli
from .fixture import BASE, GitFixture, helm_release


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `flux-wiki diff ARGS`, run in ``cwd``."""
    with contextlib.chdir(cwd or Path.cwd()):
        result = run_cli(["diff", *args])
    return result.exit_code, result.stdout, result.stderr


def run_process(*args: str) -> tuple[int, str, str]:
    """The command as a user runs it: a process of its own, real exit code and streams."""
    done = subprocess.run([sys.executable, "-m", "flux_wiki.cli", "diff", *args], capture_output=True, text=True,
                          timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_default_compares_the_working_tree_with_the_merge_base(git_repo: GitFixture) -> None:
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.change("bump chart", {"infra/ingress-nginx.yaml": helm_release("4.11.1")})
    git_repo.write({"apps/web.conf": "changed, but only the generated ConfigMap's hash follows\n"})
    code, out, err = run_process(str(git_repo.root), "--format", "json", "--exit-code")
    assert code == 1, err
    doc = json.loads(out)
    assert doc["base"]["label"] == "merge-base with main" and doc["head"] == {
        "label": "working tree", "commit": git_repo.git("rev-parse", "HEAD"), "worktree": True}
    assert doc["base"]["commit"] == git_repo.git("rev-parse", "main")
    [cluster] = doc["clusters"]
    assert [h["id"] for h in cluster["helmReleases"]["changed"]] == ["infra/ingress-nginx"]


def test_exit_code_is_zero_without_changes_or_without_the_flag(git_repo: GitFixture) -> None:
    assert run(str(git_repo.root), "--exit-code")[0] == 0
    git_repo.write({"infra/ingress-nginx.yaml": helm_release("4.11.1")})
    code, out, _ = run(str(git_repo.root))
    assert code == 0 and "infra/ingress-nginx: version 4.10.0 → 4.11.1" in out
    code, out, _ = run(str(git_repo.root), "--format", "text", "--exit-code")
    assert code == 1


def test_head_and_base_refs_and_the_repo_as_a_subfolder(tmp_path: Path) -> None:
    """The Flux repo may be a folder of a larger git work tree (a wiki holding its GitOps repo)."""
    outer = GitFixture(tmp_path / "wiki", {f"data/home/{k}": v for k, v in BASE.items()} | {"mkdocs.yml": "site_name: x\n"})
    outer.git("tag", "v1")
    outer.change("bump chart", {"data/home/infra/ingress-nginx.yaml": helm_release("4.11.1"), "README.md": "x\n"})
    result = run_cli(["diff", str(outer.root / "data" / "home"), "--base", "v1", "--head", "HEAD",
                      "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["base"]["label"] == "v1" and doc["head"]["label"] == "HEAD" and doc["head"]["worktree"] is False
    assert [c["name"] for c in doc["clusters"]] == ["home"]
    assert doc["clusters"][0]["helmReleases"]["changed"][0]["changes"] == [
        {"field": "version", "base": "4.10.0", "head": "4.11.1"}]


@pytest.mark.parametrize("args, message", [
    (["--base", "no-such-ref"], "unknown revision 'no-such-ref'"),
    (["--head", "--help"], "unknown revision '--help'"),
    (["--base", "HEAD", "--cluster", "nope"], "no cluster named nope"),
])
def test_unknown_refs_and_clusters_are_exit_2(git_repo: GitFixture, args: list[str], message: str) -> None:
    code, out, err = run(str(git_repo.root), *args)
    assert code == 2 and message in err and out == "" and "Traceback" not in err


def test_a_folder_outside_git_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    code, _, err = run(str(tmp_path / "repo"))
    assert code == 2 and "not inside a git work tree" in err and "Traceback" not in err


def test_no_default_branch_asks_for_base(tmp_path: Path) -> None:
    repo = GitFixture(tmp_path / "home", BASE)
    repo.git("branch", "-m", "main", "trunk")
    code, _, err = run(str(repo.root))
    assert code == 2 and "no default branch" in err and "--base" in err


def test_a_cluster_new_at_head_is_added(git_repo: GitFixture) -> None:
    git_repo.write({"clusters/lab/flux-system/gotk-sync.yaml":
                    BASE["clusters/home/flux-system/gotk-sync.yaml"].replace("clusters/home", "clusters/lab")})
    code, out, _ = run(str(git_repo.root), "--cluster", "lab", "--format", "json", "--exit-code")
    assert code == 1
    [cluster] = json.loads(out)["clusters"]
    assert cluster["name"] == "lab" and cluster["status"] == "added"
    assert [k["id"] for k in cluster["kustomizations"]["added"]] == ["flux-system/flux-system"]


def test_in_a_wiki_the_mkdocs_options_apply(tmp_path: Path) -> None:
    """Run from a wiki folder without REPO: the plugin's repo, clusters and browse_url are used."""
    wiki = GitFixture(tmp_path / "wiki", {f"gitops/{k}": v for k, v in BASE.items()} | {"mkdocs.yml": (
        "site_name: x\nplugins:\n  - flux-wiki:\n      repo: gitops\n      clusters: [home]\n"
        "      browse_url: https://git.example/home/src/\n")})
    wiki.write({"gitops/infra/ingress-nginx.yaml": helm_release("4.11.1")})
    code, out, err = run("--base", "HEAD", "--format", "markdown", cwd=wiki.root)
    assert code == 0, err
    assert "[infra/ingress-nginx.yaml:1](https://git.example/home/src/infra/ingress-nginx.yaml#L1)" in out
    code, _, err = run("--config-file", "missing.yml", cwd=wiki.root)
    assert code == 2 and "missing.yml" in err
