"""Where a cluster's layer pages sit in a site's navigation: one flat Layers list, or, for a cluster whose DAG
page shows the overview (more than GROUP_THRESHOLD layers, split into groups), one sub-section per group of
that overview (namespace, parent Kustomization or path folder), so that a reader meets the same groups in
the nav as in the diagram. A cluster of more than MAX_LISTED groups gets one more level: its groups in
ranges of sorted keys, the ranges the overview draws (see :func:`flux_wiki.analysis.views.group_ranges`).

The MkDocs plugin (its nav hook) and ``flux-wiki pages`` (SUMMARY.md, .nav.yml) both nest with this.
"""

from __future__ import annotations

from itertools import count
from typing import Callable, TypeVar, Union

from ..analysis.facts import ClusterFacts
from ..analysis.views import Group, GroupRange
from .pages import PageLayout

Item = TypeVar("Item")
# a section of the Layers nav: (title, page paths) for a group, (title, sections) for a range of groups
NavSection = tuple[str, list[Union[str, "NavSection"]]]
# a nav list as nest() returns it: items, and (section title, nav list) entries
Nested = list[Union[Item, tuple[str, "Nested[Item]"]]]


def layer_sections(facts: ClusterFacts, layout: PageLayout) -> list[NavSection]:
    """The cluster's layer pages in sections per group of the overview, in its order, in sections per range of
    groups when they are more than MAX_LISTED; empty when the cluster keeps a flat list. Titles are the groups'
    and ranges' as the overview labels them, plain text: callers escape them for where they go."""
    if not facts.overview or facts.grouping is None:
        return []

    def section(part: Group | GroupRange) -> NavSection:
        if isinstance(part, GroupRange):
            return (part.title, [section(p) for p in part.parts])
        return (part.title, [layout.layer(facts.cluster, member) for member in part.members])
    return [section(part) for part in facts.grouping.listed]


def nest(items: list[Item], sections: list[NavSection], path: Callable[[Item], str | None]) -> Nested[Item]:
    """``items`` (a nav list, in its order) with those whose ``path`` is in a section moved into one
    (title, entries) entry per section, as deep as the sections go, in the order of ``sections``, where the
    first of them was; each section keeps the order of ``items``, and a section none of them is in is left out."""
    def leaves(section: NavSection) -> list[list[str]]:
        members = section[1]
        if members and isinstance(members[0], tuple):
            return [leaf for sub in members for leaf in leaves(sub)]  # type: ignore[arg-type]
        return [members]  # type: ignore[list-item]
    section_of = {member: index for index, leaf in enumerate(leaf for s in sections for leaf in leaves(s))
                  for member in leaf}
    grouped: dict[int, list[Item]] = {}
    rest: Nested[Item] = []
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
    counter = count()  # the leaves in the order leaves() numbered them

    def build(section: NavSection) -> list[tuple[str, Nested[Item]]]:
        title, members = section
        if members and isinstance(members[0], tuple):
            entries: Nested[Item] = [entry for sub in members for entry in build(sub)]  # type: ignore[arg-type]
        else:
            entries = list(grouped.get(next(counter), []))
        return [(title, entries)] if entries else []
    return rest[:at] + [entry for section in sections for entry in build(section)] + rest[at:]
