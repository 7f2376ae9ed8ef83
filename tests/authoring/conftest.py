from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()
MANIFEST = "data/tazlab-k8s/clusters/tazlab-k8s/cluster-vars.yaml"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout


def copy_wiki(dest: Path) -> Path:
    dest.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copytree(ROOT / "data", dest / "data", ignore=shutil.ignore_patterns("flux-wiki.lock"))
    return dest


@pytest.fixture
def wiki(tmp_path: Path) -> Path:
    """A private copy of the example wiki (no lock file), not under git."""
    return copy_wiki(tmp_path / "wiki")


@pytest.fixture
def git_wiki(tmp_path: Path) -> Path:
    """A private copy of the example wiki in a fresh git repository with one commit."""
    dest = copy_wiki(tmp_path / "wiki")
    git(dest, "init", "-q")
    git(dest, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git(dest, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "wiki")
    return dest
