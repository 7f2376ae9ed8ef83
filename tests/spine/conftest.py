from __future__ import annotations

from pathlib import Path

import pytest

from ..support import ROOT, copy_wiki


@pytest.fixture
def example_wiki(tmp_path: Path) -> Path:
    """A private copy of the example wiki (mkdocs.yml, docs/, data/) that a test may edit."""
    return copy_wiki(ROOT, tmp_path / "wiki")
