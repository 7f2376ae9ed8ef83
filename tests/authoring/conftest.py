from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ..support import ROOT
from ..support import copy_wiki as _copy_wiki

MANIFEST = "data/tazlab-k8s/clusters/tazlab-k8s/cluster-vars.yaml"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout


def copy_wiki(dest: Path) -> Path:
    """The example wiki without its lock file."""
    return _copy_wiki(ROOT, dest, ignore=shutil.ignore_patterns("flux-wiki.lock"))


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
