"""Fixtures every test package may use, and the Hypothesis profiles: `ci` (CI=true) keeps property tests to
~50 examples so the whole suite stays fast; `hunt` (HYPOTHESIS_PROFILE=hunt) runs many more when looking for bugs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from .support import ROOT, copy_wiki

settings.register_profile("ci", max_examples=50, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("hunt", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _fresh_disk_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds keep their disk cache (and its key) in a new user cache directory per test, not the user's own:
    each test sees the renders and past-revision builds its own builds make."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


@pytest.fixture
def example_wiki(tmp_path: Path) -> Path:
    """A private copy of the example wiki (mkdocs.yml, docs/, data/) that a test may edit."""
    return copy_wiki(ROOT, tmp_path / "wiki")
