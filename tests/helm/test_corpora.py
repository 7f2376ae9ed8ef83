"""helm_release_info over every HelmRelease document of the real repos in ../shared/corpora.

The repos are read raw (no simulation): namespaces that kustomize would set are
often missing, so lookups here match on kind and name when the document has no
namespace. What this guards: no exception on real-world input, and chart
resolution works for the common shapes (chart.spec and chartRef/OCIRepository).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from flux_wiki.flux.helm import helm_release_info
from flux_wiki.flux.sources import is_source, source_info
from flux_wiki.load import Repo
from flux_wiki.model import FLUX_HELM_GROUP, InputError, Resource

from ..support import CORPORA


pytestmark = pytest.mark.corpora


def _corpus_dirs() -> list[Path]:
    if not CORPORA.is_dir():
        return []
    return sorted(p for p in CORPORA.iterdir() if p.is_dir())


def _resources(root: Path) -> list[Resource]:
    repo = Repo(root)
    out = []
    for rel in repo.walk_yaml():
        try:
            docs = repo.documents(rel, copy=False)
        except InputError:
            continue
        out.extend(Resource(d.data, d.file, d.line) for d in docs
                   if isinstance(d.data, dict) and isinstance(d.data.get("kind"), str))
    return out


def _finder(resources: list[Resource]):
    index: dict[tuple[str, str], list[Resource]] = defaultdict(list)
    for r in resources:
        index[(r.kind, r.name)].append(r)

    def find(kind: str, ns: str, name: str) -> Resource | None:
        candidates = index.get((kind, name), [])
        exact = [r for r in candidates if r.namespace == ns]
        return (exact or [r for r in candidates if not r.namespace] or [None])[0]
    return find


def test_every_corpus_helm_release() -> None:
    dirs = _corpus_dirs()
    if not dirs:
        pytest.skip("../shared/corpora is absent")
    total = with_chart = with_version = with_url = 0
    for root in dirs:
        resources = _resources(root)
        find = _finder(resources)

        def find_source(kind: str, ns: str, name: str):
            res = find(kind, ns, name)
            return source_info(res) if res is not None and is_source(res) else None

        releases = [r for r in resources if r.group == FLUX_HELM_GROUP and r.kind == "HelmRelease"]
        for res in releases:
            info, diags = helm_release_info(res, find, find_source)
            assert info.file == res.file and all(d.file for d in diags)
            total += 1
            with_chart += info.chart is not None
            with_version += info.version is not None
            with_url += info.source_url is not None
        print(f"{root.name}: {len(releases)} HelmReleases")
    print(f"HelmReleases: {total}, with chart name: {with_chart}, with version: {with_version}, "
          f"with source URL: {with_url}")
    assert total > 0
    assert with_chart >= 0.8 * total
