"""`flux-wiki init`: a ready wiki for a repository, that `mkdocs build --strict` builds whenever the repository
itself has no problem; existing files left alone; every value from the repository escaped where it lands."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st

from flux_wiki.engine import build_model
from flux_wiki.scaffold import yaml_scalar

from ..support import CORPORA, CliResult, build_site, gotk_sync, run_cli, two_cluster_wiki

WRITTEN = ["mkdocs.yml", "docs/index.md", "data/source-basis.yaml", "data/flux-wiki.lock"]


def init(*args: str) -> CliResult:
    return run_cli(["init", *args])


def cli(wiki: Path, *args: str) -> CliResult:
    return run_cli([*args, "--config-file", str(wiki / "mkdocs.yml")])


@pytest.fixture
def gitops(tmp_path: Path) -> Path:
    return two_cluster_wiki(tmp_path / "src") / "data" / "gitops"


def test_init_writes_a_wiki_and_says_what_next(gitops: Path, tmp_path: Path) -> None:
    result = init(str(tmp_path / "wiki"), "--repo", str(gitops))
    assert result.exit_code == 0, result.output
    wiki = tmp_path / "wiki"
    for rel in WRITTEN:
        assert f"wrote {rel}" in result.output and (wiki / rel).is_file()
    assert "wrote .gitignore (site/, .cache/)" in result.output
    assert "clusters: home, lab" in result.output
    assert f"next: cd {wiki} && mkdocs serve" in result.output
    config = yaml.safe_load((wiki / "mkdocs.yml").read_text())
    assert config["plugins"][1] == {"flux-wiki": {"repo": "../src/data/gitops"}}
    assert config["theme"]["name"] == "material" and "admonition" in config["markdown_extensions"]
    basis = yaml.safe_load((wiki / "data/source-basis.yaml").read_text())
    assert basis["roots"] == {"gitops": {"path": "../../src/data/gitops"}}
    assert basis["pages"]["index.md"]["sources"] == ["gitops:clusters/home/flux-system/gotk-sync.yaml#L6",
                                                    "gitops:clusters/lab/flux-system/gotk-sync.yaml#L6"]


def test_init_says_whether_the_strict_build_fails(tmp_path: Path) -> None:
    """Simulation limits (a remote base) are noted, not announced as failing ``--strict``; a repo problem is."""
    repo = tmp_path / "repo"
    (repo / "clusters" / "home" / "flux-system").mkdir(parents=True)
    (repo / "clusters" / "home" / "flux-system" / "gotk-sync.yaml").write_text(gotk_sync("home"))
    (repo / "clusters" / "home" / "kustomization.yaml").write_text(
        "resources: [flux-system/gotk-sync.yaml, https://example.com/remote.yaml]\n")
    limited = init(str(tmp_path / "wiki"), "--repo", str(repo))
    assert limited.exit_code == 0, limited.output
    assert "note: 1 simulation limit(s) or notice(s), noted in the build (not warnings)" in limited.output
    assert "problem(s)" not in limited.output and "--strict` fails" not in limited.output
    build_site(tmp_path / "wiki", tmp_path / "site")  # strict: no warning
    (repo / "clusters" / "home" / "kustomization.yaml").write_text(
        "resources: [flux-system/gotk-sync.yaml, missing.yaml]\n")
    broken = init(str(tmp_path / "wiki2"), "--repo", str(repo))
    assert broken.exit_code == 0, broken.output
    assert re.search(r"warning: the repository has [1-9]\d* problem\(s\), each a warning in the build "
                     r"\(`mkdocs build --strict` fails\)", broken.output)


def test_existing_files_are_refused_unless_forced(gitops: Path, tmp_path: Path) -> None:
    wiki = tmp_path / "wiki"
    (wiki / "docs").mkdir(parents=True)
    (wiki / "docs/index.md").write_text("# Mine\n")
    (wiki / ".gitignore").write_text("node_modules/\nsite/")
    refused = init(str(wiki), "--repo", str(gitops))
    assert refused.exit_code == 2
    assert f"error: {wiki / 'docs/index.md'} exists (--force overwrites it)" in refused.output
    assert (wiki / "docs/index.md").read_text() == "# Mine\n" and not (wiki / "mkdocs.yml").exists()
    assert init(str(wiki), "--repo", str(gitops)).exit_code == 2
    forced = init(str(wiki), "--repo", str(gitops), "--force")
    assert forced.exit_code == 0, forced.output
    assert "## Clusters" in (wiki / "docs/index.md").read_text()
    assert (wiki / ".gitignore").read_text() == "node_modules/\nsite/\n.cache/\n"  # added to, never replaced
    again = init(str(wiki), "--repo", str(gitops))
    assert again.exit_code == 2 and again.output.count("exists (--force overwrites it)") == len(WRITTEN)


def test_a_wiki_inside_the_repository(gitops: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(gitops)
    result = init("--repo", ".")
    assert result.exit_code == 0, result.output
    assert "next: mkdocs serve" in result.output
    assert yaml.safe_load((gitops / "mkdocs.yml").read_text())["plugins"][1]["flux-wiki"]["repo"] == "."


@pytest.mark.parametrize("browse_url", ["javascript:alert(1)", "https://x.example/a b/", "ftp://x.example/"])
def test_browse_url_must_be_a_plain_http_url(gitops: Path, tmp_path: Path, browse_url: str) -> None:
    result = init(str(tmp_path / "wiki"), "--repo", str(gitops), "--browse-url", browse_url)
    assert result.exit_code == 2 and "is not an http(s) URL" in result.output
    assert not (tmp_path / "wiki").exists()


def test_browse_url_from_the_git_remote(gitops: Path, tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(gitops.parent.parent), "-c", "user.name=t", "-c", "user.email=t@e", *args],
                       check=True, capture_output=True)
    git("init", "-q", "-b", "main")
    git("commit", "-q", "--allow-empty", "-m", "x")
    git("remote", "add", "origin", "https://token:secret@github.com/me/ops.git")
    result = init(str(tmp_path / "wiki"), "--repo", str(gitops))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "wiki/mkdocs.yml").read_text()
    assert "secret" not in text and "token" not in text
    config = yaml.safe_load(text)
    assert config["repo_url"] == "https://github.com/me/ops"
    assert config["plugins"][1]["flux-wiki"]["browse_url"] == "https://github.com/me/ops/blob/main/data/gitops/"
    assert "browse_url: https://github.com/me/ops/blob/main/data/gitops/ (from git remote 'origin'" in result.output
    index = (tmp_path / "wiki/docs/index.md").read_text()
    assert ("[`clusters/home/flux-system/gotk-sync.yaml:6`](https://github.com/me/ops/blob/main/data/gitops/"
            "clusters/home/flux-system/gotk-sync.yaml#L6)") in index


HOSTILE = 'ops <img src=x onerror=alert(1)> "q" #c: [x](javascript:y) *'


def test_repository_values_are_escaped_where_they_land(tmp_path: Path) -> None:
    src = two_cluster_wiki(tmp_path / "src") / "data" / "gitops"
    repo = src.rename(src.parent / HOSTILE)
    (repo / "clusters/home").rename(repo / "clusters" / "<b>home")
    sync = repo / "clusters/<b>home/flux-system/gotk-sync.yaml"
    sync.write_text(sync.read_text().replace("./clusters/home", "'./clusters/<b>home'"))
    site_name = 'My "wiki"\nsite_url: https://evil.example <script>'
    result = init(str(tmp_path / "wiki"), "--repo", str(repo), "--site-name", site_name)
    assert result.exit_code == 0, result.output
    wiki = tmp_path / "wiki"
    config = yaml.safe_load((wiki / "mkdocs.yml").read_text())
    assert "site_url" not in config
    assert html.unescape(config["site_name"]) == 'My "wiki" site_url: https://evil.example <script>'
    assert "<" not in config["site_name"] and '"' not in config["site_name"]
    assert config["plugins"][1]["flux-wiki"]["repo"] == f"../src/data/{HOSTILE}"
    assert list(yaml.safe_load((wiki / "data/source-basis.yaml").read_text())["roots"]) == [HOSTILE.replace(":", "-")]
    site = build_site(wiki, tmp_path / "site")  # strict: the escaped names are valid Markdown, links resolve
    page = (site / "index.html").read_text()
    assert "<img src=x" not in page and "<b>home" not in page and "evil.example <script>" not in page
    assert 'href="javascript' not in page
    assert "&lt;b&gt;home" in page


@given(st.text())
def test_yaml_scalars_read_back_as_written(value: str) -> None:
    dumped = yaml_scalar(value)
    assert "\n" not in dumped
    assert yaml.safe_load(f"key: {dumped}  # comment\n")["key"] == value


def corpora() -> list[str]:
    return sorted(p.name for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.is_dir() else []


@pytest.mark.corpora
@pytest.mark.parametrize("name", corpora() or ["absent"])
def test_init_then_a_strict_build_on_every_clean_corpus(name: str, tmp_path: Path) -> None:
    """A repository with no repo problem (limits are notes, not warnings) gives a wiki that builds strict, whose
    home page is the one init wrote, whose DAG pages render their admonition, and whose roots stamp and check
    agree on."""
    repo = CORPORA / name
    if not repo.is_dir():
        pytest.skip(f"corpora not present at {CORPORA}")
    model = build_model(repo)
    problems = [d for d in [*model.diagnostics, *(w for c in model.clusters for w in c.warnings)]
                if d.cls == "repo" and d.severity != "info"]
    if problems or not model.clusters:
        pytest.skip(f"{name} has {len(problems)} repo problem(s) and {len(model.clusters)} cluster(s): "
                    "its strict build fails on them")
    wiki = tmp_path / "wiki"
    written = init(str(wiki), "--repo", str(repo))
    assert written.exit_code == 0 and "--strict` fails" not in written.output
    site = build_site(wiki, tmp_path / "site")
    home = (site / "index.html").read_text()
    assert 'id="clusters"' in home and "This wiki documents the Flux GitOps repository" in home
    dag_pages = list((site / "flux").glob("*/dag/index.html"))
    assert len(dag_pages) == len(model.clusters)
    for dag in dag_pages:
        text = dag.read_text()
        assert '<div class="admonition info">' in text and "!!!" not in text
        assert f'href="{dag.parent.relative_to(site).as_posix()}/"' in home
    stamp = cli(wiki, "stamp", "--all")
    assert stamp.exit_code == 0, stamp.output
    assert re.search(rf"stamped index\.md \({len(model.clusters)} file\(s\)\)", stamp.output)
    check = cli(wiki, "check")
    assert check.exit_code == 0 and "all 1 page(s) fresh" in check.output
