"""Shared helpers: real MkDocs builds of a wiki folder, the example wiki, corpora."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()


def load(wiki: Path, site: Path, **overrides) -> MkDocsConfig:
    return load_config(str(wiki / "mkdocs.yml"), site_dir=str(site), strict=True, **overrides)


def build_site(wiki: Path, site: Path, **overrides) -> Path:
    """One strict `mkdocs build` of ``wiki`` into ``site``, with the plugin's startup and shutdown events."""
    cfg = load(wiki, site, **overrides)
    cfg.plugins.on_startup(command="build", dirty=False)
    try:
        build(cfg)
    finally:
        cfg.plugins.on_shutdown()
    return site


def copy_wiki(src: Path, dest: Path) -> Path:
    """A private copy of a wiki folder (mkdocs.yml, docs/, data/ or repo/) that a test may edit."""
    dest.mkdir(parents=True)
    shutil.copy(src / "mkdocs.yml", dest / "mkdocs.yml")
    for folder in ("docs", "data", "repo"):
        if (src / folder).is_dir():
            shutil.copytree(src / folder, dest / folder)
    return dest


@pytest.fixture
def example_wiki(tmp_path: Path) -> Path:
    return copy_wiki(ROOT, tmp_path / "wiki")


def corpus(name: str) -> Path:
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(f"corpus {name} not present at {path}")
    return path
