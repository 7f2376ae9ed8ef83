"""Where a cluster's layer pages sit in a site's navigation: one flat Layers list, or, for a cluster of more
than GROUP_THRESHOLD layers, one sub-section per group of the layer DAG diagram (namespace or parent
Kustomization), so that a reader meets the same groups in the nav as in the diagram.

The MkDocs plugin (its nav hook) and ``flux-wiki pages`` (SUMMARY.md, .nav.yml) both nest with this.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, TypeVar

from ..model import Cluster
from .diagrams import layer_groups
from .pages import PageLayout

Item = TypeVar("Item")


def layer_sections(cluster: Cluster, layout: PageLayout) -> list[tuple[str, list[str]]]:
    """The cluster's layer pages as (section title, page paths) per group, in the diagram's group order; empty
    when the cluster keeps a flat list. Titles are plain text (namespace, or parent Kustomization name, its
    id when two parents share a name); callers escape them for where they go."""
    grouping, groups = layer_groups(cluster)
    if not groups:
        return []

    def parent(key: str) -> str:
        node = cluster.kustomizations.get(key)
        return node.name if node is not None else key or "entry point"
    names = Counter(parent(key) for key in groups)
    sections = []
    for key, nodes in groups.items():
        title = key if grouping == "namespace" else parent(key) if names[parent(key)] == 1 else key
        sections.append((title, [layout.layer(cluster, node.id) for node in nodes]))
    return sections


def nest(items: list[Item], sections: list[tuple[str, list[str]]],
         path: Callable[[Item], str | None]) -> list[Item | tuple[str, list[Item]]]:
    """``items`` (a nav list, in its order) with those whose ``path`` is in a section moved into one
    (title, items) entry per section, in the order of ``sections``, where the first of them was; each section
    keeps the order of ``items``."""
    section_of = {member: index for index, (_, members) in enumerate(sections) for member in members}
    grouped: dict[int, list[Item]] = {}
    rest: list[Item | tuple[str, list[Item]]] = []
    at: int | None = None
    for item in items:
        index = section_of.get(path(item) or "")
        if index is None:
            rest.append(item)
            continue
        if at is None:
            at = len(rest)
        grouped.setdefault(index, []).append(item)
    if at is None:
        return rest
    return rest[:at] + [(sections[i][0], grouped[i]) for i in sorted(grouped)] + rest[at:]
