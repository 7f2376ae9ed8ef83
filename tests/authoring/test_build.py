"""Real MkDocs builds: Relationships/Source Basis on hand-written pages, strict failures, the stale banner."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from ..support import build_site, run_cli
from .conftest import MANIFEST


def page(site: Path, name: str) -> str:
    return (site / name / "index.html").read_text()


def test_hand_written_pages_get_live_table_relationships_and_basis(wiki: Path, tmp_path: Path) -> None:
    site = build_site(wiki, tmp_path / "site")
    layers = page(site, "tazlab-k8s-layers")
    assert "flux-wiki:layers" not in layers and "<th>Depends On</th>" in layers
    system_map = page(site, "tazlab-system-map")
    assert 'id="relationships"' in system_map and 'id="source-basis"' in system_map
    assert 'href="../tazlab-k8s-layers/"' in system_map
    assert "Linked from" in system_map and 'href="../tazlab-secret-and-identity-flow/"' in system_map
    assert ('href="https://github.com/tazzo/tazlab-k8s/blob/master/clusters/tazlab-k8s/cluster-vars.yaml"'
            in system_map)
    assert "AGENTS.ctx:cluster/CONTEXT.md" in system_map  # the second root, no browse URL
    assert "may be stale" not in system_map


def test_deleting_a_related_page_fails_the_strict_build(wiki: Path, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    (wiki / "docs" / "tazlab-flux-dag-troubleshooting.md").unlink()
    nav = wiki / "mkdocs.yml"
    nav.write_text(nav.read_text().replace(
        "      - TazLab Flux DAG Troubleshooting: tazlab-flux-dag-troubleshooting.md\n", ""))
    caplog.set_level(logging.WARNING)
    with pytest.raises(Abort):
        build_site(wiki, tmp_path / "site")
    messages = [r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.flux-wiki"]
    assert any("related page 'tazlab-flux-dag-troubleshooting.md' does not exist" in m
               and "source-basis.yaml:" in m for m in messages), messages
    assert any("docs/tazlab-cluster-delivery-flow.md:3:" in m for m in messages), messages


def test_a_basis_glob_that_matches_nothing_fails_the_strict_build(wiki: Path, tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    doc = wiki / "docs" / "tazlab-k8s.md"
    doc.write_text(doc.read_text().replace("AGENTS.ctx:tazlab-k8s/CONTEXT.md", "AGENTS.ctx:nowhere/*.md", 1))
    caplog.set_level(logging.WARNING)
    with pytest.raises(Abort):
        build_site(wiki, tmp_path / "site")
    assert any("tazlab-k8s.md:4:" in r.getMessage() and "matches nothing" in r.getMessage()
               for r in caplog.records)


def test_stale_banner_only_while_serving(git_wiki: Path, tmp_path: Path) -> None:
    assert run_cli(["stamp", "--all", "-f", str(git_wiki / "mkdocs.yml")]).exit_code == 0
    manifest = git_wiki / MANIFEST
    manifest.write_text(manifest.read_text().replace("192.168.1.240", "192.168.1.250"))
    served = build_site(git_wiki, tmp_path / "served", command="serve")
    system_map = page(served, "tazlab-system-map")
    assert "This page may be stale" in system_map and "cluster-vars.yaml" in system_map
    assert "may be stale" not in page(served, "tazlab-secret-and-identity-flow")
    built = build_site(git_wiki, tmp_path / "built")
    assert "may be stale" not in page(built, "tazlab-system-map")
