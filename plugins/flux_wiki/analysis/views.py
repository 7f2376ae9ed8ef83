"""Which Kustomizations a diagram of the order shows: the groups of a large cluster's overview, and one layer's
neighbourhood. Both are chosen here, once, from the facts; the renderers only draw them.

A cluster of more than :data:`GROUP_THRESHOLD` shown layers is drawn as an overview: one node per group, by
namespace, by parent (the Kustomization that applies them) or by path (the first folder below the paths'
common prefix), whichever gives the most readable groups (the fewest of "how many groups" and "how many
Kustomizations in the largest"), with the edges between groups counted. A layer page draws the layer's
neighbourhood: its chain of waits up to the Flux root (the middle cut out when it is long) and what waits for
it directly, never the whole cluster.
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from ..model import KustomizationNode
from .order import Edge, EdgeKind, Gate

if TYPE_CHECKING:
    from .facts import ClusterFacts

GROUP_THRESHOLD = 40  # more shown layers than this: the DAG page shows the overview, the full graph on demand
CHAIN_HEAD = 2  # a long upstream chain keeps this many Kustomizations after the Flux root...
CHAIN_TAIL = 6  # ...and this many before the layer, the middle counted in one node
MAX_NEIGHBOURS = 24  # direct dependents (and direct waits) drawn; more are counted in one node
MAX_LISTED = 40
"""The most groups one list puts before a reader: a level of the nav's Layers section, the boxes of the overview.
It is the reading bound the overview already uses (GROUP_THRESHOLD: more layers than this, and the DAG page
shows groups instead). A cluster with more groups than this lists them in contiguous ranges of their sorted
keys ("namespaces cert-manager-r19 – default-r3"), as the indexes of large docs sites split long lists, and
in ranges of ranges when those are too many, so no list outgrows it. Besides readability: a level of a pruned
nav is rendered on every page below it, so bounded levels keep a build linear in its pages. The largest
cluster among the corpora has 28 groups, under it."""

GroupBy = Literal["namespace", "parent", "path"]


@dataclass(frozen=True)
class Group:
    """Layers of one namespace, parent or path folder."""

    key: str
    by: GroupBy
    members: tuple[str, ...]  # node ids, sorted

    @property
    def title(self) -> str:
        if self.by == "namespace":
            return f"namespace {self.key}"
        if self.by == "parent":
            return f"applied by {self.key}"
        return f"path {self.key}" if self.key else "path (top)"


@dataclass(frozen=True)
class GroupEdge:
    """``count`` edges of one kind from Kustomizations of group ``before`` to Kustomizations of group ``after``."""

    kind: EdgeKind
    before: str
    after: str
    count: int


@dataclass
class Grouping:
    """A cluster's shown layers in groups, and the edges between groups (inside one group: ``internal``)."""

    by: GroupBy
    groups: list[Group]
    of: dict[str, str]  # node id -> group key
    edges: list[GroupEdge]
    internal: dict[str, Counter[str]] = field(default_factory=dict)  # group key -> edge kind -> count

    def group(self, key: str) -> Group:
        return next(g for g in self.groups if g.key == key)

    @cached_property
    def listed(self) -> list[Group | GroupRange]:
        """The groups as a list shows them: themselves up to MAX_LISTED, else ranges of them (see there)."""
        return group_ranges(self.groups)


@dataclass(frozen=True)
class GroupRange:
    """Contiguous groups, in key order, that a list shows as one entry when there are more than MAX_LISTED;
    ``parts`` are groups, or smaller ranges when even the ranges are too many. ``first`` and ``last`` are the
    shortest prefixes of its first and last keys that tell them from the neighbouring ranges' keys (whole keys
    at the ends of the list)."""

    by: GroupBy
    first: str
    last: str
    parts: tuple[Group | GroupRange, ...]

    @property
    def groups(self) -> list[Group]:
        """The groups inside, in key order."""
        return [g for part in self.parts for g in (part.groups if isinstance(part, GroupRange) else [part])]

    @property
    def ends(self) -> tuple[str, str]:
        """How the range's first and last keys are written (a path group at the common folder: "(top)")."""
        return self.first or "(top)", self.last or "(top)"

    @property
    def title(self) -> str:
        plural = {"namespace": "namespaces", "parent": "applied by", "path": "paths"}[self.by]
        return f"{plural} {self.ends[0]} – {self.ends[1]}"


def _label_prefix(key: str, other: str) -> str:
    """The shortest prefix of ``key`` that is not one of ``other`` (``key`` whole when ``other`` starts with it)."""
    common = len(posixpath.commonprefix([key, other]))
    return key[:common + 1]


def group_ranges(parts: list[Group | GroupRange], bound: int = MAX_LISTED) -> list[Group | GroupRange]:
    """``parts`` (groups or ranges, in key order) as they are listed: unchanged up to ``bound``, else split into
    the fewest contiguous ranges of at most ``bound`` parts, of sizes as even as can be (the first ones one
    larger), ranged again while they are more than ``bound``. Each range is labelled by the prefixes of its first
    and last keys that tell them from the keys beside the range; the list's own ends by their whole keys."""
    if len(parts) <= max(bound, 1):
        return parts
    count = -(-len(parts) // bound)
    size, larger = divmod(len(parts), count)
    chunks, at = [], 0
    for index in range(count):
        step = size + (index < larger)
        chunks.append(parts[at:at + step])
        at += step

    def leaves(part: Group | GroupRange) -> list[Group]:
        return part.groups if isinstance(part, GroupRange) else [part]
    ends = [(leaves(chunk[0])[0].key, leaves(chunk[-1])[-1].key) for chunk in chunks]
    ranges: list[Group | GroupRange] = []
    for index, chunk in enumerate(chunks):
        first, last = ends[index]
        start = _label_prefix(first, ends[index - 1][1]) if index else first
        end = _label_prefix(last, ends[index + 1][0]) if index + 1 < count else last
        ranges.append(GroupRange(leaves(chunk[0])[0].by, start, end, tuple(chunk)))
    return group_ranges(ranges, bound)


def _path_keys(nodes: list[KustomizationNode]) -> dict[str, str]:
    """Each layer's first folder below the common folder of all their paths ("" for a path at that folder)."""
    paths = {n.id: posixpath.normpath((n.path or ".").removeprefix("./")).split("/") for n in nodes}
    common = min((len(p) for p in paths.values()), default=0)
    prefix = 0
    while prefix < common and len({tuple(p[:prefix + 1]) for p in paths.values()}) == 1:
        prefix += 1
    return {node_id: "/".join(p[:prefix + 1]) if len(p) > prefix else "/".join(p) for node_id, p in paths.items()}


def group_layers(nodes: list[KustomizationNode], edges: list[Edge], by: GroupBy | None = None) -> Grouping | None:
    """The shown ``nodes`` grouped ``by`` namespace, parent or path (None: the most readable of the three), with
    the ``edges`` between them counted per group pair and kind. None when no grouping splits them in two."""
    candidates: dict[GroupBy, dict[str, str]] = {
        "namespace": {n.id: n.namespace for n in nodes},
        "parent": {n.id: n.parent or "" for n in nodes},
        "path": _path_keys(nodes),
    }

    def score(keys: dict[str, str]) -> tuple[int, int]:
        sizes = Counter(keys.values())
        return (max(len(sizes), max(sizes.values(), default=0)), len(sizes))

    if by is None:
        usable = [b for b in ("namespace", "path", "parent") if len(set(candidates[b].values())) > 1]
        if not usable:
            return None
        by = min(usable, key=lambda b: score(candidates[b]))
    of = candidates[by]
    members: dict[str, list[str]] = defaultdict(list)
    for node_id, key in of.items():
        members[key].append(node_id)
    counts: Counter[tuple[EdgeKind, str, str]] = Counter()
    internal: dict[str, Counter[str]] = defaultdict(Counter)
    for e in edges:
        if e.before not in of or e.after not in of:
            continue
        a, b = of[e.before], of[e.after]
        if a == b:
            internal[a][e.kind] += 1
        else:
            counts[(e.kind, a, b)] += 1
    return Grouping(by, [Group(k, by, tuple(sorted(v))) for k, v in sorted(members.items())], of,
                    [GroupEdge(kind, a, b, n) for (kind, a, b), n in sorted(counts.items())], dict(internal))


@dataclass
class Neighbourhood:
    """What a layer page draws: the layer, its chain of waits up to the Flux root, its direct waits and
    dependents; edges and gates among them. ``cut`` Kustomizations of a long chain are left out between
    ``cut_after`` and ``cut_before``; ``more_waits``/``more_dependents`` direct neighbours are only counted."""

    focus: str
    nodes: list[str]  # ids, the Flux root among them
    edges: list[Edge]
    gates: list[Gate]
    cut: int = 0
    cut_after: str | None = None
    cut_before: str | None = None
    more_waits: int = 0
    more_dependents: int = 0


def neighbourhood(facts: ClusterFacts, node_id: str) -> Neighbourhood:
    """The neighbourhood of ``node_id`` (see :class:`Neighbourhood`): each Kustomization it directly waits for
    (its parent, its dependsOn), the chain from the Flux root to it that decides when it is Ready, and the shown
    Kustomizations that depend on it or that it applies. Built from lookups: never a walk over the cluster."""
    order = facts.order
    layer = facts.layer(node_id)
    chain = [n for n in (layer.chain.nodes if layer.chain else [node_id]) if n != node_id]
    chain = list(dict.fromkeys(chain))  # a gate brings a chain back to a node: each once
    cut, cut_after, cut_before = 0, None, None
    if len(chain) > 1 + CHAIN_HEAD + CHAIN_TAIL:
        kept = chain[:1 + CHAIN_HEAD] + chain[-CHAIN_TAIL:]
        cut, cut_after, cut_before = len(chain) - len(kept), chain[CHAIN_HEAD], chain[-CHAIN_TAIL]
        chain = kept
    waits = sorted(order.waits_for(node_id) - set(chain))
    dependents = sorted(set(layer.dependents) | set(layer.children))
    more_waits = max(0, len(waits) - MAX_NEIGHBOURS)
    more_dependents = max(0, len(dependents) - MAX_NEIGHBOURS)
    nodes = list(dict.fromkeys(chain + waits[:MAX_NEIGHBOURS] + [node_id] + dependents[:MAX_NEIGHBOURS]))
    shown = set(nodes)
    edges = sorted({e for n in nodes for e in facts.edges_into(n) if e.before in shown})
    gates = sorted({g for n in nodes for g in order.gate_links(n) if g.child in shown})
    return Neighbourhood(node_id, nodes, edges, gates, cut, cut_after, cut_before, more_waits, more_dependents)
