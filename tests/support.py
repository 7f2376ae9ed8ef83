"""Helpers every test concern shares: where things are, the reference DAG, copies of wikis, real builds."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_REPO = ROOT / "data" / "tazlab-k8s"
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()

# The dependsOn edges of ../shared/reference/tazlab-flux-dag.md, which the example must reproduce.
REFERENCE_LAYERS: dict[str, set[str]] = {
    "infrastructure-operators-namespaces": set(),
    "infrastructure-operators-core": set(),
    "infrastructure-operators-data": set(),
    "infrastructure-monitoring": {"infrastructure-operators-namespaces"},
    "infrastructure-bridge": {"infrastructure-operators-core", "infrastructure-operators-namespaces"},
    "infrastructure-configs": {"infrastructure-bridge"},
    "infrastructure-instances": {"infrastructure-configs", "infrastructure-operators-data"},
    "infrastructure-auth": {"infrastructure-instances"},
    "apps-static": {"infrastructure-configs"},
    "apps-data": {"infrastructure-configs"},
}


def corpus(name: str) -> Path:
    """A real repository of ../shared/corpora, or a skip when it is absent."""
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(f"corpus {name} not present at {path}")
    return path


def copy_wiki(src: Path, dest: Path, ignore: Any = None) -> Path:
    """A private copy of a wiki folder (mkdocs.yml, docs/, data/ or repo/) that a test may edit."""
    dest.mkdir(parents=True)
    shutil.copy(src / "mkdocs.yml", dest / "mkdocs.yml")
    for folder in ("docs", "data", "repo"):
        if (src / folder).is_dir():
            shutil.copytree(src / folder, dest / folder, ignore=ignore)
    return dest


def load(wiki: Path, site: Path, **overrides: Any) -> MkDocsConfig:
    return load_config(str(wiki / "mkdocs.yml"), site_dir=str(site), strict=True, **overrides)


def build_site(wiki: Path, site: Path, command: str = "build", **overrides: Any) -> Path:
    """One strict `mkdocs build` of ``wiki`` into ``site``, with the plugin's startup and shutdown events."""
    cfg = load(wiki, site, **overrides)
    cfg.plugins.on_startup(command=command, dirty=False)
    try:
        build(cfg)
    finally:
        cfg.plugins.on_shutdown()
    return site
