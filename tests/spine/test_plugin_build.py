"""Drive the plugin through a real MkDocsConfig and a real `mkdocs build`."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from ..support import build_site
from ..support import ROOT


def test_strict_build_of_example(tmp_path: Path) -> None:
    site = build_site(ROOT, tmp_path / "site")
    dag = (site / "flux" / "tazlab-k8s" / "dag" / "index.html").read_text()
    assert "TazLab Flux DAG" in dag
    assert "192.168.1.241:5432" in dag
    for layer in ("infrastructure-instances", "apps-static", "apps-data"):
        assert (site / "flux" / "tazlab-k8s" / "layers" / layer / "index.html").is_file()
    assert not (site / "flux" / "tazlab-k8s" / "layers" / "apps-openclaw").exists()
    assert not (ROOT / "docs" / "flux").exists(), "generated pages must stay virtual"


def test_generated_pages_follow_the_repo(example_wiki: Path, tmp_path: Path) -> None:
    ks = example_wiki / "data" / "tazlab-k8s" / "clusters" / "tazlab-k8s" / "infrastructure-auth.yaml"
    ks.write_text(ks.read_text().replace("name: infrastructure-auth", "name: infrastructure-gatekeeper", 1))
    site = build_site(example_wiki, tmp_path / "site")
    dag = (site / "flux" / "tazlab-k8s" / "dag" / "index.html").read_text()
    assert "infrastructure-gatekeeper" in dag
    assert (site / "flux" / "tazlab-k8s" / "layers" / "infrastructure-gatekeeper" / "index.html").is_file()


def test_broken_manifest_is_a_warning_naming_file_and_line(example_wiki: Path, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    bad = example_wiki / "data" / "tazlab-k8s" / "apps" / "base" / "hugo-blog" / "service.yaml"
    bad.write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n")
    caplog.set_level(logging.WARNING, logger="mkdocs.plugins.flux-wiki")
    with pytest.raises(Abort):
        build_site(example_wiki, tmp_path / "site")
    messages = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.flux-wiki"]
    assert any("apps/base/hugo-blog/service.yaml:" in m for m in messages), messages
    # not strict: the rest of the wiki still builds, the broken layer says why
    site = tmp_path / "site2"
    cfg = load_config(str(example_wiki / "mkdocs.yml"), site_dir=str(site), strict=False)
    build(cfg)
    layer = (site / "flux" / "tazlab-k8s" / "layers" / "apps-static" / "index.html").read_text()
    assert "error" in layer and "service.yaml" in layer
    assert (site / "flux" / "tazlab-k8s" / "layers" / "infrastructure-auth" / "index.html").is_file()


@pytest.mark.parametrize("name", ["onedr0p__home-ops", "bjw-s-labs__home-ops", "toboshii__home-ops", "tazlab-k8s",
                                  "fluxcd__flux2-kustomize-helm-example", "fluxcd__flux2-multi-tenancy"])
def test_every_corpus_builds_a_wiki(name: str, tmp_path: Path) -> None:
    from ..support import corpus

    repo = corpus(name)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(f"# {name}\n")
    (tmp_path / "mkdocs.yml").write_text(f"site_name: {name}\nplugins:\n  - flux-wiki:\n      repo: {repo}\n")
    site = tmp_path / "site"
    build(load_config(str(tmp_path / "mkdocs.yml"), site_dir=str(site)))
    dags = sorted(site.glob("flux/*/dag/index.html"))
    assert dags, "every corpus has at least one cluster"
    assert all("Flux DAG" in d.read_text() for d in dags)


def test_a_broken_user_template_is_a_clear_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "dag.md.j2").write_text("# {{ title }}\n{% for x in %}\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# x\n")
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: x\nplugins:\n  - flux-wiki:\n      repo: {ROOT / 'data' / 'tazlab-k8s'}\n      templates_dir: templates\n")
    with pytest.raises(Abort):
        build(load_config(str(tmp_path / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    assert any("dag.md.j2:2: template does not render" in r.getMessage() for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records), "a clear message, not a traceback"
