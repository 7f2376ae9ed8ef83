from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_REPO = ROOT / "data" / "tazlab-k8s"
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()


@pytest.fixture
def example_wiki(tmp_path: Path) -> Path:
    """A private copy of the example wiki (mkdocs.yml, docs/, data/) that a test may edit."""
    dest = tmp_path / "wiki"
    dest.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copytree(ROOT / "data", dest / "data")
    return dest


def corpus(name: str) -> Path:
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(f"corpus {name} not present at {path}")
    return path
