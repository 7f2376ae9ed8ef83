"""Marker injection: ``<!-- flux-wiki:NAME key=value -->`` in a hand-written page expands to a generated fragment.

Markers: ``layers`` (the DAG layer table), ``surfaces`` (the surface table, ``layer=NAME`` for one layer),
``graph`` (the layer DAG diagram), ``controllers`` (the Flux controllers). ``cluster=NAME`` picks a cluster
when the wiki has several. Fragments come from the page renderer and its templates
(``render/templates/fragments/``), so they match the generated pages and a user's template overrides.
Markers inside fenced code blocks are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..analysis.facts import ClusterFacts
from ..model import Cluster, Diagnostic
from ..render.diagrams import layer_dag_dot
from ..render.pages import PageRenderer, RenderOptions, TemplateProblem

MARKER = re.compile(r"<!--\s*flux-wiki:([A-Za-z_-]+)((?:\s+[A-Za-z_-]+=\S+?)*)\s*-->")
_FENCE = re.compile(r"^\s*(```+|~~~+)")
NAMES = ("layers", "surfaces", "graph", "controllers")

LinkUrl = Callable[[str, str], str]  # (from page, to page) -> URL for raw HTML (diagram links)


@dataclass
class Marker:
    name: str
    attrs: dict[str, str]
    line: int


def find_markers(markdown: str) -> list[tuple[int, re.Match[str]]]:
    """(line number, match) of every marker outside fenced code blocks."""
    found: list[tuple[int, re.Match[str]]] = []
    fence: str | None = None
    for n, line in enumerate(markdown.splitlines(), 1):
        m = _FENCE.match(line)
        if m:
            token = m.group(1)[0] * 3
            fence = None if fence == token else (fence or token)
            continue
        if fence is None:
            found += [(n, mm) for mm in MARKER.finditer(line)]
    return found


class MarkerExpander:
    """Expands the markers of hand-written pages against the facts of compiled clusters."""

    def __init__(self, facts: dict[str, ClusterFacts], options: RenderOptions, link_url: LinkUrl):
        self.facts = facts  # cluster name -> its facts (Model.facts)
        self.clusters = [f.cluster for f in facts.values()]
        self.options = options
        self.link_url = link_url
        self._renderers: dict[str, PageRenderer] = {}

    def expand(self, markdown: str, page: str, file: str | None = None) -> tuple[str, list[Diagnostic]]:
        """The page with every marker replaced; unknown markers stay (invisible comments) and are warnings."""
        diags: list[Diagnostic] = []
        markers = find_markers(markdown)
        if not markers:
            return markdown, diags
        lines = markdown.splitlines(keepends=True)
        by_line: dict[int, list[re.Match[str]]] = {}
        for n, m in markers:
            by_line.setdefault(n, []).append(m)
        for n, matches in by_line.items():
            text = lines[n - 1]
            for m in reversed(matches):
                attrs = dict(a.split("=", 1) for a in m.group(2).split())
                marker = Marker(m.group(1), {k: v.strip("'\"") for k, v in attrs.items()}, n)
                try:
                    fragment, problem = self._fragment(marker, page)
                except TemplateProblem as err:
                    fragment, problem = "", f"{err.file}:{err.line}: {err.message}"
                if problem:
                    diags.append(Diagnostic(file or page, n, f"marker flux-wiki:{marker.name}: {problem}",
                                            code="FW-WIKI-MARKER"))
                    continue
                text = text[:m.start()] + fragment.rstrip("\n") + text[m.end():]
            lines[n - 1] = text
        return "".join(lines), diags

    def _cluster(self, marker: Marker) -> tuple[Cluster | None, str | None]:
        name = marker.attrs.get("cluster")
        if name:
            found = next((c for c in self.clusters if c.name == name), None)
            return (found, None) if found else (None, f"no cluster '{name}'")
        if len(self.clusters) == 1:
            return self.clusters[0], None
        return None, f"the wiki has {len(self.clusters)} clusters: add cluster=NAME"

    def _renderer(self, cluster: Cluster) -> PageRenderer:
        if cluster.name not in self._renderers:
            self._renderers[cluster.name] = PageRenderer(self.facts[cluster.name], self.options)
        return self._renderers[cluster.name]

    def _fragment(self, marker: Marker, page: str) -> tuple[str, str | None]:
        if marker.name not in NAMES:
            return "", f"unknown marker (known: {', '.join(NAMES)})"
        cluster, problem = self._cluster(marker)
        if cluster is None:
            return "", problem
        r = self._renderer(cluster)
        layer = None
        if marker.name == "surfaces" and "layer" in marker.attrs:
            wanted = marker.attrs["layer"]
            node = r.facts.kustomization(wanted)
            if node is None:
                return "", f"no layer '{wanted}' in cluster {cluster.name}"
            layer = node.id
        if marker.name == "graph":
            dot = layer_dag_dot(r.facts, lambda i: self.link_url(page, r.layout.layer(cluster, i)), view="full")
            if self.options.diagram is None:
                return "```dot\n" + dot.rstrip("\n") + "\n```\n", None
            return self.options.diagram(page, "layer-dag", dot, None), None
        return r.fragment(marker.name, page, layer), None
