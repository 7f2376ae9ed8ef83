"""Shared helpers: real MkDocs builds of a wiki folder, the example wiki, corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..support import ROOT, copy_wiki

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def example_wiki(tmp_path: Path) -> Path:
    return copy_wiki(ROOT, tmp_path / "wiki")
