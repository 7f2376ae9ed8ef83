"""Where a cluster's layer pages sit in a site's navigation: one flat Layers list, or, for a cluster whose DAG
page shows the overview (more than GROUP_THRESHOLD layers, split into groups), one sub-section per group of
that overview (namespace, parent Kustomization or path folder), so that a reader meets the same groups in
the nav as in the diagram.

The MkDocs plugin (its nav hook) and ``flux-wiki pages`` (SUMMARY.md, .nav.yml) both nest with this.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from ..analysis.facts import ClusterFacts
from .pages import PageLayout

Item = TypeVar("Item")


def layer_sections(facts: ClusterFacts, layout: PageLayout) -> list[tuple[str, list[str]]]:
    """The cluster's layer pages as (section title, page paths) per group of the overview, in its order; empty
    when the cluster keeps a flat list. Titles are the groups' as the overview labels them, plain text: callers
    escape them for where they go."""
    if not facts.overview or facts.grouping is None:
        return []
    return [(group.title, [layout.layer(facts.cluster, member) for member in group.members])
            for group in facts.grouping.groups]


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
