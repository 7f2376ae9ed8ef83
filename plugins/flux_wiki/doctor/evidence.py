"""Evidence per dependsOn edge: the concrete reasons one Kustomization waits for another.

For ``B dependsOn A``, a reason is something B needs that A provides (direct), or that a Kustomization
A itself waits for provides and that B would not otherwise be ordered after (``through`` A). A need B
provides itself, or that B is already ordered after without this edge, explains nothing about it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..model import Cluster
from .index import DependencyIndex
from .reach import Reach
from .subjects import Need, Provision, Subject


@dataclass(frozen=True)
class Evidence:
    """``consumer`` (in the dependent) needs what ``provider`` makes exist; ``uses`` counts the dependent's
    objects that need it; ``through`` is the layer that provides it when that is not the dependency."""

    provider: Provision
    consumer: Need
    uses: int = 1
    through: str | None = None

    @property
    def type(self) -> str:
        return self.provider.subject.type

    @property
    def subject(self) -> str:
        return self.provider.subject.text()

    @property
    def inferred(self) -> bool:
        return self.provider.inferred


@dataclass
class EdgeEvidence:
    """One dependsOn edge: ``dependent`` (declared at ``file:line``) waits for ``dependency``."""

    dependency: str
    dependent: str
    file: str
    line: int
    evidence: list[Evidence] = field(default_factory=list)
    rationale: str | None = None  # what the author wrote in data/notes.yaml
    implied_by: str | None = None  # a route that already orders the dependent after the dependency

    @property
    def direct(self) -> list[Evidence]:
        return [e for e in self.evidence if e.through is None]

    @property
    def indirect(self) -> list[Evidence]:
        return [e for e in self.evidence if e.through is not None]


def edge_evidence(cluster: Cluster, index: DependencyIndex, reach: Reach, dependency: str, dependent: str,
                  file: str, line: int) -> EdgeEvidence:
    edge = EdgeEvidence(dependency, dependent, file, line)
    without = reach.applied_before_without(dependent, dependency) | reach.ready_before(dependent, without=dependency)
    reachable = ({dependency} | reach.applied_before(dependency) | reach.ready_with(dependency)) - without - {dependent}

    def covered(p: Provision) -> bool:
        """Whether the dependent has ``p`` without this edge: applied before it, or (for what a release
        installs, and a release it dependsOn) Ready before it."""
        release = p.release or (f"{p.subject.namespace}/{p.subject.name}" if p.subject.type == "helmrelease" else None)
        if release:
            return reach.release_ready_before(release, dependent, without=dependency)
        return p.layer in without

    group = _heirs(reach, dependent)
    members = set(group)
    needs_of: dict[Subject, list[Need]] = defaultdict(list)
    for layer in group:
        for subject, needs in index.of(layer).needs.items():
            needs_of[subject].extend(needs)
    for subject, needs in needs_of.items():
        providers = index.providers(subject)
        if not providers or any(p.layer in members and not p.awaited or covered(p) for p in providers):
            continue
        direct = [p for p in providers if p.layer == dependency]
        chosen = direct[0] if direct else next((p for p in providers if p.layer in reachable), None)
        if chosen is not None:
            edge.evidence.append(Evidence(chosen, needs[0], len(needs), None if direct else chosen.layer))
    edge.evidence.sort(key=lambda e: (e.through is not None, e.through or "", e.type, e.subject))
    if dependency in reach.ready_before(dependent, without=dependency):
        edge.implied_by = _route(cluster, reach, dependent, dependency)
    return edge


def _heirs(reach: Reach, dependent: str) -> list[str]:
    """``dependent`` and the Kustomizations it applies, directly or through others, that wait for nothing of their
    own: they start once it applied them, so its dependsOn orders them too and their needs explain it."""
    out, seen, stack = [dependent], {dependent}, list(reach.children.get(dependent, []))
    while stack:
        x = stack.pop()
        if x not in seen and not reach.depends.get(x):
            seen.add(x)
            out.append(x)
            stack.extend(reach.children.get(x, []))
    return out


def _route(cluster: Cluster, reach: Reach, dependent: str, dependency: str) -> str:
    """The other dependsOn (or the parent) through which ``dependent`` already waits for ``dependency``."""
    for other in sorted(reach.depends.get(dependent, [])):
        if other != dependency and dependency in reach.ready_with(other):
            return other
    return reach.parent.get(dependent, "")
