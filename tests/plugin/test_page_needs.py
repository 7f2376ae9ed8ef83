"""The plugin carries what its pages need: the Markdown extensions they are written for, the GitOps repo as a
source root, and a nav that MkDocs does not report as missing the pages the plugin places in it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..support import build_site, run_cli, two_cluster_wiki

NOT_IN_NAV = 'not included in the "nav" configuration'


def write_config(wiki: Path, **extra: Any) -> None:
    config = {"site_name": "x", "plugins": [{"flux-wiki": {"repo": "data/gitops", "diagrams": False}}], **extra}
    (wiki / "mkdocs.yml").write_text(yaml.safe_dump(config))


@pytest.fixture
def wiki(tmp_path: Path) -> Path:
    return two_cluster_wiki(tmp_path / "wiki", layers=("apps", "infra"))


def test_admonitions_render_without_markdown_extensions_in_mkdocs_yml(wiki: Path, tmp_path: Path) -> None:
    write_config(wiki)  # no markdown_extensions at all
    site = build_site(wiki, tmp_path / "site")
    html = (site / "flux/home/dag/index.html").read_text()
    assert '<div class="admonition info">' in html and "Generated page" in html
    assert "!!!" not in html


def test_an_extension_named_in_full_is_not_added_twice(wiki: Path, tmp_path: Path) -> None:
    from mkdocs.config import load_config

    write_config(wiki, markdown_extensions=["markdown.extensions.admonition"])
    cfg = load_config(str(wiki / "mkdocs.yml"))
    cfg.plugins.on_startup(command="build", dirty=False)
    cfg = cfg.plugins.on_config(cfg)
    assert [e for e in cfg.markdown_extensions if e.endswith("admonition")] == ["markdown.extensions.admonition"]
    write_config(wiki)
    cfg = load_config(str(wiki / "mkdocs.yml"))
    assert "admonition" in cfg.plugins.on_config(cfg).markdown_extensions


def test_pages_the_plugin_places_in_the_nav_are_not_reported_missing(wiki: Path, tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    write_config(wiki, nav=["index.md", {"Home": ["./flux/home/dag.md", "flux/home/surfaces.md"]}])
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        site = build_site(wiki, tmp_path / "site")
    missing = [r.getMessage() for r in caplog.records if NOT_IN_NAV in r.getMessage()]
    # home's layer pages go after its DAG page; lab's DAG page is not in the nav, so its pages are reported
    assert len(missing) == 1 and "flux/lab/dag.md" in missing[0] and "flux/home/" not in missing[0]
    html = (site / "flux/home/dag/index.html").read_text()
    assert 'href="../layers/apps/"' in html and 'href="../layers/infra/"' in html  # in the nav


def test_the_plugins_repo_is_a_source_root_named_after_its_folder(wiki: Path, tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    write_config(wiki)
    (wiki / "docs/index.md").write_text('---\nsource_basis: ["gitops:clusters/home/*.yaml"]\n---\n# Home\n')
    with caplog.at_level(logging.WARNING):
        site = build_site(wiki, tmp_path / "site")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "gitops:clusters/home/*.yaml" in (site / "index.html").read_text()
    stamp = run_cli(["stamp", "--all", "--config-file", str(wiki / "mkdocs.yml")])
    assert stamp.exit_code == 0, stamp.output
    assert "stamped index.md (2 file(s))" in stamp.output
    check = run_cli(["check", "--config-file", str(wiki / "mkdocs.yml")])
    assert check.exit_code == 0 and "all 1 page(s) fresh" in check.output


def test_a_declared_root_for_the_repo_keeps_its_name(wiki: Path) -> None:
    write_config(wiki)
    (wiki / "data/source-basis.yaml").write_text("roots:\n  ops: {path: gitops}\n")
    (wiki / "docs/index.md").write_text('---\nsource_basis: ["gitops:apps/*"]\n---\n# Home\n')
    stamp = run_cli(["stamp", "--all", "--config-file", str(wiki / "mkdocs.yml")])
    assert stamp.exit_code == 2
    assert "unknown source root 'gitops' (known: ops)" in stamp.output


@pytest.mark.parametrize("command", [["stamp", "--all"], ["stamp", "index.md"], ["check"]])
def test_stamp_and_check_refuse_sources_the_build_warns_about(wiki: Path, command: list[str]) -> None:
    write_config(wiki)
    (wiki / "docs/index.md").write_text('---\nsource_basis:\n  - "gitops:apps/*"\n  - "nope:x.yaml"\n---\n# Home\n')
    result = run_cli([*command, "--config-file", str(wiki / "mkdocs.yml")])
    assert result.exit_code == 2
    assert f"error: {wiki / 'docs/index.md'}:4: index.md: unknown source root 'nope' (known: gitops)" in result.output
    assert not (wiki / "data/flux-wiki.lock").exists()
