"""No quadratic traps on the page path, proved by counting (never by timing): rendering a cluster of n layers
walks the cluster's Kustomizations, surfaces and HelmReleases a fixed number of times, whatever n is; the
layout plans page paths once per cluster; the MkDocs plugin's hooks never walk the generated pages per page."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from flux_wiki.analysis.facts import ClusterFacts
from flux_wiki.engine import build_model
from flux_wiki.render.pages import PageLayout, RenderOptions, render_cluster
from flux_wiki.compile import WikiCompiler, diagram_dots

from ..support import build_site

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {url: https://example.org/r, ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {path: ./clusters/home, sourceRef: {kind: GitRepository, name: flux-system}, interval: 10m, prune: true}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: vars, namespace: flux-system}
data: {DOMAIN: example.org}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: flux-system}
spec: {url: https://charts.example.org, interval: 1h}
"""
KS = """\
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: app-{i}, namespace: flux-system}}
spec:
  path: ./apps/app-{i}
  sourceRef: {{kind: GitRepository, name: flux-system}}
  interval: 10m
  prune: true
  postBuild: {{substituteFrom: [{{kind: ConfigMap, name: vars}}]}}
{depends}"""
APP = """\
apiVersion: v1
kind: Service
metadata: {{name: app-{i}, namespace: ns-{ns}}}
spec: {{type: LoadBalancer, loadBalancerIP: 10.0.{ns}.{i}, ports: [{{port: 80}}]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: app-{i}, namespace: ns-{ns}}}
spec: {{rules: [{{host: "app-{i}.${{DOMAIN}}"}}]}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: chart-{i}, namespace: ns-{ns}}}
spec: {{interval: 10m, chart: {{spec: {{chart: podinfo, sourceRef: {{kind: HelmRepository, name: charts, namespace: flux-system}}}}}}}}
"""


def chain_repo(root: Path, n: int) -> Path:
    """n Kustomizations, each dependsOn the previous one, each with a Service, an Ingress and a HelmRelease."""
    (root / "clusters/home/flux-system").mkdir(parents=True)
    (root / "clusters/home/flux-system/gotk-sync.yaml").write_text(SYNC)
    specs = []
    for i in range(n):
        specs.append(KS.format(i=i, depends=f"  dependsOn: [{{name: app-{i - 1}}}]\n" if i else ""))
        (root / f"apps/app-{i}").mkdir(parents=True)
        (root / f"apps/app-{i}/app.yaml").write_text(APP.format(i=i, ns=i % 3))
    (root / "clusters/home/apps.yaml").write_text("".join(specs))
    return root


class CountingList(list):  # type: ignore[type-arg]
    """A list that counts how often it is walked from start to end."""

    def __init__(self, items: Any, walks: Counter[str], name: str):
        super().__init__(items)
        self.walks, self.name = walks, name

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.walks[self.name] += 1
        return super().__iter__()


class CountingDict(dict):  # type: ignore[type-arg]
    """A dict that counts walks over its keys, values or items; lookups by key are free."""

    def __init__(self, items: Any, walks: Counter[str], name: str):
        super().__init__(items)
        self.walks, self.name = walks, name

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.walks[self.name] += 1
        return super().__iter__()

    def values(self):  # type: ignore[no-untyped-def]
        self.walks[self.name] += 1
        return super().values()

    def items(self):  # type: ignore[no-untyped-def]
        self.walks[self.name] += 1
        return super().items()

    def keys(self):  # type: ignore[no-untyped-def]
        self.walks[self.name] += 1
        return super().keys()


def walks_to_render(repo: Path) -> tuple[Counter[str], PageLayout, int]:
    """Walks over the cluster's collections while every page of the cluster (and its diagrams' DOT) is made."""
    (cluster,) = build_model(repo).clusters
    walks: Counter[str] = Counter()
    cluster.kustomizations = CountingDict(cluster.kustomizations, walks, "kustomizations")
    cluster.surfaces = CountingList(cluster.surfaces, walks, "surfaces")
    cluster.helm_releases = CountingList(cluster.helm_releases, walks, "helm_releases")
    layout = PageLayout("flux", [cluster])
    facts = ClusterFacts(cluster)
    pages = render_cluster(facts, RenderOptions(layout=layout), diagram_dots(layout, True, facts))
    return walks, layout, len(pages)


def test_rendering_walks_the_cluster_a_fixed_number_of_times(tmp_path: Path) -> None:
    small, small_layout, small_pages = walks_to_render(chain_repo(tmp_path / "small", 12))
    large, large_layout, large_pages = walks_to_render(chain_repo(tmp_path / "large", 36))
    assert (small_pages, large_pages) == (14, 38)
    assert small["surfaces"] and small["kustomizations"] and small["helm_releases"]
    # three times the layers, the same number of walks: each row and link is a lookup, not a scan
    assert large == small
    assert small_layout.plans == large_layout.plans == 1


@pytest.fixture
def counted_pages(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count walks over the compiled pages list during a build (the plugin's hooks run once per page)."""
    walks: Counter[str] = Counter()
    compile_ = WikiCompiler.compile

    def compile(self, cfg, **options):  # type: ignore[no-untyped-def]
        compiled = compile_(self, cfg, **options)
        compiled.pages = CountingList(compiled.pages, walks, "pages")
        return compiled
    monkeypatch.setattr(WikiCompiler, "compile", compile)
    return walks


def wiki(root: Path, n: int) -> Path:
    chain_repo(root / "repo", n)
    (root / "docs").mkdir()
    (root / "docs/index.md").write_text("# Home\n\n<!-- flux-wiki:layers -->\n")
    (root / "mkdocs.yml").write_text("site_name: Scale\nplugins:\n  - flux-wiki:\n      repo: repo\n      diagrams: false\n"
                                     "nav: [index.md, flux/home/dag.md]\n")
    return root


def test_plugin_hooks_walk_the_generated_pages_a_fixed_number_of_times(tmp_path: Path,
                                                                       counted_pages: Counter[str]) -> None:
    build_site(wiki(tmp_path / "small", 6), tmp_path / "small-site")
    small = counted_pages["pages"]
    counted_pages.clear()
    site = build_site(wiki(tmp_path / "large", 18), tmp_path / "large-site")
    assert (site / "flux/home/layers/app-17/index.html").is_file()
    assert counted_pages["pages"] == small > 0
