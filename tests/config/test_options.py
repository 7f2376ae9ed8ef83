"""One option schema: every command that reads mkdocs.yml (check, stamp, export hugo, diff) reads the flux-wiki
options as `mkdocs build` does, so a value MkDocs rejects is rejected everywhere with MkDocs' message, and a
value it accepts means the same thing everywhere."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, strategies as st
from mkdocs.config.defaults import MkDocsConfig

from flux_wiki.config import wiki_config_from_mkdocs
from flux_wiki.model import InputError

from ..support import CliResult, build_site, run_cli, two_cluster_wiki

BASIS = """\
roots:
  gitops: {path: gitops}
pages:
  index.md:
    sources: ["gitops:clusters/home/*.yaml"]
"""


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-cluster wiki of :func:`two_cluster_wiki` under git, with a page that declares a source basis."""
    root = two_cluster_wiki(tmp_path_factory.mktemp("wiki"))
    (root / "data" / "source-basis.yaml").write_text(BASIS)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "wiki")
    return root


def write_config(wiki: Path, options: str, top: str = "") -> Path:
    """mkdocs.yml with the flux-wiki options ``options`` (YAML lines under the plugin) and top-level ``top``."""
    lines = "".join(f"      {line}\n" for line in options.splitlines())
    config = wiki / "mkdocs.yml"
    config.write_text(f"site_name: x\n{top}plugins:\n  - flux-wiki:\n      repo: data/gitops\n{lines}")
    return config


def mkdocs_errors(config: Path) -> list[str]:
    """The configuration errors `mkdocs build` reports (and aborts on), worded as it logs them."""
    cfg = MkDocsConfig(config_file_path=str(config))
    cfg.load_dict(yaml.safe_load(config.read_text()))
    errors, _ = cfg.validate()
    return [f"Config value '{key}': {err}" for key, err in errors]


def cli(wiki: Path, *args: str) -> CliResult:
    return run_cli([*args, "--config-file", str(wiki / "mkdocs.yml")])


COMMANDS = {  # every command that reads mkdocs.yml
    "stamp": ("stamp", "--all"),
    "check": ("check",),
    "export": ("export", "hugo", "--out", "{out}"),
    "diff": ("diff", "--base", "HEAD", "--format", "json"),
}


def run_all(wiki: Path, out: Path) -> dict[str, CliResult]:
    return {name: cli(wiki, *(a.format(out=out) for a in args)) for name, args in COMMANDS.items()}


@pytest.mark.parametrize("options, top", [
    ("clusters: home", ""),  # a string is not a list: never the four clusters h, o, m, e
    ("diagrams: 'false'", ""),  # a string is not a boolean, however it reads
    ("exclude: flux-system/apps", ""),
    ("clusters: [1]", ""),
    ("section: [a, b]", ""),
    ("enabled: 'no'", ""),  # MkDocs' own switch for any plugin
    ("sources: {infra: ../infra}", ""),  # a source is Kind/namespace/name or a URL
    ("sources: [../infra]", ""),
    ("", "use_directory_urls: 'false'\n"),
])
def test_what_mkdocs_rejects_every_command_rejects_with_its_message(wiki: Path, tmp_path: Path, options: str,
                                                                    top: str) -> None:
    config = write_config(wiki, options, top)
    [message] = mkdocs_errors(config)
    for name, result in run_all(wiki, tmp_path / "out").items():
        assert result.exit_code == 2, (name, result.output)
        assert isinstance(result.exception, SystemExit), (name, result.exception)  # no traceback
        assert f"error: {config}:" in result.output and message in result.output, (name, result.output)
    assert not (tmp_path / "out").exists()


def built_clusters(site: Path) -> set[str]:
    return {p.parent.parent.name for p in (site / "flux").glob("*/dag/index.html")}


def exported_clusters(out: Path) -> set[str]:
    return {p.parent.name for p in (out / "flux").glob("*/dag")}


@pytest.mark.parametrize("options, clusters, diagrams", [
    ("clusters: [home]", {"home"}, True),
    ("clusters: []\ndiagrams: false", {"home", "lab"}, False),
    ("clusters: [lab, home]\ndiagrams: true", {"home", "lab"}, True),
])
def test_what_mkdocs_accepts_means_the_same_to_every_command(wiki: Path, tmp_path: Path, options: str,
                                                             clusters: set[str], diagrams: bool) -> None:
    config = write_config(wiki, options)
    assert mkdocs_errors(config) == []
    results = run_all(wiki, tmp_path / "out")
    for name, result in results.items():
        assert result.exit_code == 0, (name, result.output)
    assert "stamped index.md" in results["stamp"].output and "all 1 page(s) fresh" in results["check"].output
    site = build_site(wiki, tmp_path / "site")
    assert built_clusters(site) == exported_clusters(tmp_path / "out") == clusters
    dag = (site / "flux" / sorted(clusters)[0] / "dag" / "index.html").read_text()
    assert ("flux-wiki-diagram" in dag) is diagrams
    assert bool(list((tmp_path / "out").rglob("*.svg"))) is diagrams


def test_unrecognised_options_are_warnings_as_in_mkdocs(wiki: Path, tmp_path: Path) -> None:
    write_config(wiki, "cluster: [home]")
    result = cli(wiki, "check")
    assert result.exit_code == 0, result.output
    assert ("warning: " in result.output and "mkdocs.yml:5: Config value 'plugins': Plugin 'flux-wiki' option "
            "'cluster': Unrecognised configuration name: cluster" in result.output), result.output


def test_a_problem_names_the_line_of_its_option(wiki: Path) -> None:
    config = write_config(wiki, "clusters: [home]\ndiagrams: 'no'")
    result = cli(wiki, "check")
    assert f"error: {config}:6: Config value 'plugins': Plugin 'flux-wiki' option 'diagrams'" in result.output


VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                  max_size=2), max_leaves=6)
OPTIONS = ["clusters", "entry", "exclude", "section", "notes", "source_basis", "templates_dir", "browse_url",
           "diagrams", "lock_file", "enabled", "sources"]


@given(values=st.dictionaries(st.sampled_from(OPTIONS), VALUES, min_size=1, max_size=3),
       use_directory_urls=st.none() | st.booleans() | st.text(max_size=4))
def test_any_option_value_is_judged_as_mkdocs_judges_it(tmp_path_factory: pytest.TempPathFactory,
                                                       values: dict[str, Any], use_directory_urls: Any) -> None:
    wiki = tmp_path_factory.mktemp("any")
    (wiki / "docs").mkdir()
    (wiki / "gitops").mkdir()
    config = wiki / "mkdocs.yml"
    config.write_text(yaml.safe_dump({"site_name": "x", "use_directory_urls": use_directory_urls,
                                      "plugins": [{"flux-wiki": {"repo": "gitops", **values}}]}))
    expected = mkdocs_errors(config)
    try:
        cfg = wiki_config_from_mkdocs(config)
    except InputError as err:
        assert expected and err.message == "\n".join(expected), (err.message, expected)
        return
    assert expected == [], expected
    assert cfg.clusters == (values.get("clusters") or [])  # null is the default, as in MkDocs
    assert cfg.diagrams is (True if values.get("diagrams") is None else values["diagrams"])
