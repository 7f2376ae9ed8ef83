"""Smoke test on real repositories: app-template HelmReleases yield surfaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from flux_wiki.analysis.chart_values import APP_TEMPLATE, chart_name
from flux_wiki.analysis.surfaces import extract_surfaces
from flux_wiki.model import HelmReleaseInfo, Resource

from ..support import CORPORA

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

pytestmark = pytest.mark.corpora


def _documents(root: Path) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for f in sorted(root.rglob("*.yaml")):
        if ".git" in f.parts:
            continue
        try:
            docs = list(yaml.load_all(f.read_text(errors="replace"), Loader=Loader))
        except yaml.YAMLError:
            continue
        out += [(f.relative_to(root).as_posix(), d) for d in docs if isinstance(d, dict)]
    return out


def _release_info(file: str, doc: dict[str, Any], oci_urls: dict[str, str]) -> HelmReleaseInfo:
    """A minimal stand-in for the simulation's HelmReleaseInfo (chart, source URL, inline values)."""
    spec = doc.get("spec") or {}
    md = doc.get("metadata") or {}
    chart_spec = (spec.get("chart") or {}).get("spec") or {}
    ref = spec.get("chartRef") or {}
    url = oci_urls.get(ref.get("name", "")) if ref.get("kind") == "OCIRepository" else None
    return HelmReleaseInfo(namespace=md.get("namespace") or "default", name=md.get("name") or "", chart=chart_spec.get("chart"),
                           version=chart_spec.get("version"), source_kind="OCIRepository" if url else None,
                           source_namespace=None, source_name=ref.get("name"), source_url=url, depends_on=[],
                           values=spec.get("values") if isinstance(spec.get("values"), dict) else {},
                           values_sources=[], unresolved_values=[], file=file, line=1)


@pytest.mark.parametrize("corpus", ["onedr0p__home-ops", "bjw-s-labs__home-ops", "toboshii__home-ops"])
def test_app_template_releases_yield_surfaces(corpus):
    root = CORPORA / corpus
    if not root.is_dir():
        pytest.skip(f"{root} absent")
    docs = _documents(root)
    oci_urls = {(d.get("metadata") or {}).get("name", ""): (d.get("spec") or {}).get("url", "")
                for _, d in docs if d.get("kind") == "OCIRepository"}
    releases = [(f, d, _release_info(f, d, oci_urls)) for f, d in docs if d.get("kind") == "HelmRelease"]
    app_template = [(f, d, i) for f, d, i in releases if chart_name(i) == APP_TEMPLATE]
    assert len(app_template) >= 10
    with_surfaces = unreadable = total = 0
    for f, d, info in app_template:
        surfaces, diags = extract_surfaces("flux-system/test", [Resource(d, f, 1)], [info])
        total += len(surfaces)
        with_surfaces += bool(surfaces)
        unreadable += any(x.severity == "info" for x in diags)
        assert all(s.file == f and s.object_kind == "HelmRelease" for s in surfaces)
    print(f"\n{corpus}: {len(app_template)} app-template releases, {with_surfaces} with surfaces, "
          f"{total} surfaces, {unreadable} unreadable")
    assert unreadable == 0
    assert with_surfaces >= 0.9 * len(app_template)
