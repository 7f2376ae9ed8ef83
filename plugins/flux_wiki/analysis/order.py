"""The effective reconciliation order of a cluster's Kustomizations, as kustomize-controller runs it.

Two edges decide when a Kustomization can start, and one more when it is Ready:

* ``dependsOn``: it starts only once each dependency is Ready. kustomize-controller checks this at the
  top of every reconciliation (``checkDependencies`` in internal/controller/kustomization_controller.go):
  a missing dependency or one that is not Ready requeues it after ``--requeue-dependency`` (30s) and it
  applies nothing. A dependsOn without a namespace means the Kustomization's own namespace; across
  namespaces it is always allowed (``--no-cross-namespace-refs`` guards ``sourceRef`` in ``getSource``,
  not dependsOn). With ``readyExpr`` (newer releases) a CEL expression replaces the Ready check; the
  edge is kept and marked, as the dependent still waits for the expression.
* applied-by (``appliedBy``): a child Kustomization exists only once its parent's apply created it, so it
  starts after the parent started, and thus after everything the parent waited for.
* gate: a parent with ``wait: true`` health-checks every object it applied, child Kustomizations
  included (kstatus: their Ready condition), so it is Ready only once they are; ``healthChecks`` naming a
  Kustomization do the same for that one (``checkHealth``; ``wait`` makes ``healthChecks`` ignored; a
  Kustomization never waits on itself). A ResourceSet's Kustomizations are applied by flux-operator, so
  a parent's ``wait`` reaches them only through a ResourceSet that has ``wait: true`` itself.

Internally each Kustomization is two events, *start* and *ready*; the three edges join them and a
cycle among events is a deadlock Flux never leaves (a parent that depends on its own child; a child that
depends on a parent that waits for it). A suspended Kustomization never reconciles, so on a fresh
bootstrap it never applies its children and its dependents wait forever; so does anything behind a
dangling dependsOn, a cycle, a health check naming a Kustomization the cluster never applies, or a
Kustomization Flux fails (a build, source or spec error: it applies nothing).
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict, deque, namedtuple
from collections.abc import Callable, Iterable, Iterator
from graphlib import CycleError, TopologicalSorter
from typing import Any, Literal

from ..load.yamldocs import block_scalar_line, field_line
from ..model import (FLUX_HELM_GROUP, FLUX_KUSTOMIZE_GROUP, FLUX_OPERATOR_GROUP, Cluster, Diagnostic, InputError,
                     KustomizationNode, Resource, slots_repr)

DEFAULT_REQUEUE_DEPENDENCY = 30.0  # kustomize-controller --requeue-dependency (main.go), seconds
TIMEOUT_MARGIN = 30.0  # GetTimeout's default is the interval less this (api/v1/kustomization_types.go)
TIMEOUT_FLOOR = 30.0  # and it never answers less
MAX_CYCLES = 20  # cycles found one by one (a sort each); past this, levels follow applied-by alone

EdgeKind = Literal["dependsOn", "appliedBy"]
Event = tuple[str, str]  # ("start" | "ready", Kustomization id)
NEVER = math.inf  # the time of an event that never happens


@functools.total_ordering
class Edge:
    """``before`` must be Ready (dependsOn) or have applied it (appliedBy) before ``after`` can start.

    ``file``/``line`` point at the dependsOn entry, or at the child's document for appliedBy. ``ready_expr``: a
    dependsOn's readyExpr (CEL replaces Ready); edges compare, hash and sort without it.
    """

    __slots__ = ("kind", "before", "after", "file", "line", "ready_expr")

    def __init__(self, kind: EdgeKind, before: str, after: str, file: str, line: int,
                 ready_expr: str | None = None) -> None:
        self.kind = kind
        self.before = before
        self.after = after
        self.file = file
        self.line = line
        self.ready_expr = ready_expr

    __repr__ = slots_repr

    def _key(self) -> tuple[str, str, str, str, int]:
        return self.kind, self.before, self.after, self.file, self.line

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if other.__class__ is Edge else NotImplemented  # type: ignore[attr-defined]

    def __lt__(self, other: object) -> bool:
        return self._key() < other._key() if other.__class__ is Edge else NotImplemented  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def cross_namespace(self) -> bool:
        return self.before.split("/", 1)[0] != self.after.split("/", 1)[0]


class Gate(namedtuple("Gate", "parent child reason file line")):
    """``parent`` is Ready only once ``child`` is Ready: its ``wait: true`` or a ``healthChecks`` entry."""

    __slots__ = ()

    parent: str
    child: str
    reason: Literal["wait", "healthChecks"]
    file: str
    line: int


class Cycle(namedtuple("Cycle", "nodes links")):
    """Kustomizations that wait for each other: ``links[i]`` leads from ``nodes[i]`` to the next one."""

    __slots__ = ()

    nodes: tuple[str, ...]
    links: tuple[Edge | Gate, ...]

    def describe(self) -> str:
        words = []
        for link in self.links:
            if isinstance(link, Gate):
                words.append(f"{link.parent} waits for {link.child} to be Ready ({link.reason})")
            elif link.kind == "appliedBy":
                words.append(f"{link.after} is applied by {link.before}")
            else:
                words.append(f"{link.after} depends on {link.before}")
        return "; ".join(words)


class Blocker(namedtuple("Blocker", "cause node detail file line ref_namespace", defaults=("",))):
    """Why a Kustomization never becomes Ready on a fresh bootstrap, traced back to the first cause."""

    __slots__ = ()

    cause: Literal["suspended", "dangling", "cycle", "health-check", "failed", "release"]
    node: str  # the Kustomization (of a HelmRelease's blocker: the HelmRelease) where the cause is
    detail: str
    file: str
    line: int
    ref_namespace: str  # health-check: the namespace of the Kustomization it names


class ReleaseHolds(namedtuple("ReleaseHolds", "held releases")):
    """What HelmReleases never installed on a fresh bootstrap hold back: ``held`` the Kustomizations that are
    never Ready as they wait for one (their first cause), ``releases`` each such HelmRelease with its first cause."""

    __slots__ = ()

    held: dict[str, Blocker]
    releases: dict[str, Blocker]


class Step(namedtuple("Step", "node event via level at")):
    """One event of a chain: ``node`` starts or becomes Ready, ``via`` how it waited for the step before.

    ``at`` is the worst-case time in seconds after bootstrap (None: a duration is unknown; ``math.inf``:
    never). ``level`` is the event's level (see ``EffectiveOrder.levels``).
    """

    __slots__ = ()

    node: str
    event: Literal["start", "ready"]
    via: Literal["bootstrap", "appliedBy", "dependsOn", "reconcile", "gate"]
    level: int
    at: float | None


class Chain(namedtuple("Chain", "steps")):
    """The waits that lead from bootstrap to one Kustomization's readiness, first to last."""

    __slots__ = ()

    steps: tuple[Step, ...]

    @property
    def target(self) -> str:
        return self.steps[-1].node

    @property
    def nodes(self) -> list[str]:
        """The Kustomizations in order, a node repeated only when the chain comes back to it (a gate)."""
        out: list[str] = []
        for s in self.steps:
            if not out or out[-1] != s.node:
                out.append(s.node)
        return out

    @property
    def levels(self) -> int:
        return self.steps[-1].level

    @property
    def bound(self) -> float | None:
        """Worst-case seconds from bootstrap until the target is Ready (None: unknown, inf: never)."""
        return self.steps[-1].at


class Timing(namedtuple("Timing", "interval timeout retry health")):
    """A Kustomization's durations in seconds, with kustomize-controller's defaults (None: unknown)."""

    __slots__ = ()

    interval: float | None
    timeout: float | None
    retry: float | None
    health: bool  # wait: true or healthChecks: its reconciliation waits for health, up to the timeout

    @classmethod
    def of(cls, node: KustomizationNode) -> Timing:
        spec = node.spec
        interval = go_duration(spec.get("interval"))
        timeout = go_duration(spec.get("timeout")) if spec.get("timeout") is not None else (
            None if interval is None else interval - TIMEOUT_MARGIN)
        if timeout is not None:
            timeout = max(timeout, TIMEOUT_FLOOR)
        retry = go_duration(spec.get("retryInterval")) if spec.get("retryInterval") is not None else interval
        checks = spec.get("healthChecks")
        return cls(interval, timeout, retry, spec.get("wait") is True or bool(isinstance(checks, list) and checks))


_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration(value: object) -> float | None:
    """Seconds of a Go duration string (``1h30m``, ``90s``, ``500ms``), as ``time.ParseDuration`` reads it."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    text = value[1:] if value[0] == "+" else value
    if text == "0":
        return 0.0
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNIT[u] for n, u in parts)


def _start(node_id: str) -> Event:
    return ("start", node_id)


def _ready(node_id: str) -> Event:
    return ("ready", node_id)


def _latest(times: list[float | None]) -> float | None:
    """The last of several times: never beats unknown, unknown beats any number."""
    if NEVER in times:
        return NEVER
    if None in times:
        return None
    return max(times, default=0.0)  # type: ignore[type-var]


class EffectiveOrder:
    """When each Kustomization of a cluster can start and become Ready, from dependsOn, applied-by and gates.

    ``levels[k]``: how many waits come before ``k`` can start. The entry's root is the bootstrap (level 0)
    and what it applies starts with it; every other edge into a start adds one: a dependsOn after the
    dependency's *ready* level, applied-by after the parent's start level. A Kustomization's ready level is
    its start level, or that of a child it gates on if higher. Cycles are left out of the levels (their
    closing dependsOn, else gate, else applied-by link is dropped) so every node has a level.
    """

    __slots__ = ("root_id", "edges", "dangling", "cycles", "levels", "ready_levels", "roots", "blocked", "suspended",
                 "truncated", "requeue_dependency", "_parent", "_declared", "_gates", "_preds", "_times",
                 "_event_levels", "_chain_pred", "_never_start", "blocked_releases", "_ancestors")

    def __init__(self, root_id: str, edges: list[Edge], dangling: list[Edge], cycles: list[Cycle],
                 levels: dict[str, int], ready_levels: dict[str, int], roots: list[str], blocked: dict[str, Blocker],
                 suspended: list[str], truncated: bool, requeue_dependency: float, _parent: dict[str, str | None],
                 _declared: dict[str, list[Edge]], _gates: dict[str, list[Gate]],
                 _preds: dict[Event, dict[Event, Edge | Gate | None]], _times: dict[Event, float | None],
                 _event_levels: dict[Event, int], _chain_pred: dict[Event, Event | None], _never_start: set[str],
                 blocked_releases: dict[str, Blocker] | None = None,
                 _ancestors: dict[str, frozenset[str]] | None = None) -> None:
        self.root_id = root_id
        self.edges = edges
        self.dangling = dangling  # dependsOn edges whose ``before`` this cluster never applies
        self.cycles = cycles
        self.levels = levels
        self.ready_levels = ready_levels
        self.roots = roots  # applied by the entry's root, no dependsOn, not suspended: they start with the bootstrap
        self.blocked = blocked  # every Kustomization that never becomes Ready, with the first cause
        self.suspended = suspended
        # more than MAX_CYCLES cycles: levels and times follow applied-by alone, later cycles unlisted
        self.truncated = truncated
        self.requeue_dependency = requeue_dependency
        self._parent = _parent
        self._declared = _declared  # dependsOn entries per node, dangling included
        self._gates = _gates
        self._preds = _preds
        self._times = _times
        self._event_levels = _event_levels
        self._chain_pred = _chain_pred  # the predecessor a chain walks back to
        self._never_start = _never_start
        # HelmReleases never installed on a fresh bootstrap (waiting for ever on a dependsOn), with the first cause
        self.blocked_releases = {} if blocked_releases is None else blocked_releases
        self._ancestors = {} if _ancestors is None else _ancestors

    def state(self) -> dict[str, Any]:
        """Every field by name, the ``_ancestors`` cache of the others left out: what the order is."""
        return {name: getattr(self, name) for name in self.__slots__ if name != "_ancestors"}

    @classmethod
    def of(cls, cluster: Cluster, *, read_text: Callable[[str], str] | None = None,
           requeue_dependency: float | None = None,
           provided: Callable[[str, str], bool] | None = None,
           releases: Callable[[Callable[[str, str], bool]], ReleaseHolds] | None = None) -> EffectiveOrder:
        """The order of ``cluster``. ``read_text`` (a repo's ``read_text``) lets edges point at the exact
        line of their field; without it they point at the Kustomization's document. The requeue interval is
        the one kustomize-controller runs with in the repository (``cluster.requeue_dependency``), else 30s.
        ``provided(after, before)``: whether something flux-wiki does not run may provide the Kustomization
        ``before`` that ``after``'s dangling dependsOn names (Terraform): ``after`` then starts at an unknown
        time, not never. ``releases(starts_after_ready)``: which HelmReleases are never installed and which
        Kustomizations wait Ready for one of them, asked once the edges are known (see ``starts_after_ready``)."""
        if requeue_dependency is None:
            configured = go_duration(cluster.requeue_dependency)
            requeue_dependency = configured if configured else DEFAULT_REQUEUE_DEPENDENCY
        return _Builder(cluster, read_text, requeue_dependency, provided, releases).build()

    # -- the graph ---------------------------------------------------------
    def depends_on(self, node: KustomizationNode) -> list[str]:
        """What ``node`` waits Ready for before it starts, as declared: its dependsOn (``node.depends_on``),
        then what the ResourceSet that generates it waits for (dangling ones included)."""
        more = [e.before for e in self._declared.get(node.id, []) if e.before not in node.depends_on]
        return node.depends_on + more if more else node.depends_on

    def waits_for(self, node_id: str) -> set[str]:
        """What ``node_id`` directly waits for before it can start: its parent and its dependsOn (resolved)."""
        return {e[1] for e in self._preds.get(_start(node_id), {})}

    def ancestors(self, node_id: str) -> set[str]:
        """Every Kustomization with an event that must happen before ``node_id`` can start: its
        dependencies and their gated children, its parents, and theirs in turn. It holds ``node_id``
        itself only when the node is on a cycle."""
        if node_id not in self._ancestors:
            seen: set[Event] = set()
            queue = deque(self._preds.get(_start(node_id), {}))
            while queue:
                ev = queue.popleft()
                if ev in seen:
                    continue
                seen.add(ev)
                queue.extend(self._preds.get(ev, {}))
            self._ancestors[node_id] = frozenset(e[1] for e in seen)
        return set(self._ancestors[node_id])

    def starts_after_ready(self, node_id: str, other: str) -> bool:
        """Whether ``node_id`` can start only once ``other`` is Ready (through any chain of waits)."""
        return _starts_after_ready(self._preds, node_id, other)

    def inherited(self, node_id: str) -> list[tuple[str, str]]:
        """(dependency, via parent) pairs: what ``node_id`` waits for because a parent (or its parent, and
        so on up to the entry's root) declares it in dependsOn; nearest parent first, each dependency once.

        This is the "after X (via parent P)" of a child without its own dependsOn; for a child with its own
        dependsOn the pairs hold as well. Dangling dependencies are included: the parent never starts.
        """
        out: list[tuple[str, str]] = []
        seen = {node_id}
        parent = self._parent.get(node_id)
        visited: set[str] = set()
        while parent and parent not in visited:
            visited.add(parent)
            for edge in self._declared.get(parent, []):
                if edge.before not in seen:
                    seen.add(edge.before)
                    out.append((edge.before, parent))
            parent = self._parent.get(parent)
        return out

    def gates(self, node_id: str) -> list[str]:
        """The Kustomizations ``node_id`` waits for before it is Ready: with ``wait: true`` every child it
        applied, with ``healthChecks`` each Kustomization they name."""
        return sorted({g.child for g in self._gates.get(node_id, [])})

    def gate_links(self, node_id: str) -> list[Gate]:
        return list(self._gates.get(node_id, []))

    def starts(self, node_id: str) -> bool:
        """Whether ``node_id`` ever starts on a fresh bootstrap (it may still never become Ready)."""
        return node_id not in self._never_start

    # -- times ---------------------------------------------------------------
    def start_at(self, node_id: str) -> float | None:
        return self._times.get(_start(node_id))

    def ready_at(self, node_id: str) -> float | None:
        return self._times.get(_ready(node_id))

    def critical_path(self, node_id: str | None = None, among: Iterable[str] | None = None) -> Chain:
        """The chain of waits to ``node_id``'s readiness, or, without it, the cluster's critical path: the
        chain to the Kustomization with the highest ready level (ties: the later worst-case time), among
        those that become Ready at all (and, with ``among``, only among those: the ones a wiki shows).

        The chain walks back from the target's *ready* event, each time to the predecessor with the highest
        level (ties: the later time, then the id). Each step carries its event's worst-case time, and the
        chain's ``bound`` is the target's. Worst case, in seconds after the bootstrap applied the entry's
        root (source artifacts ready, each apply taking no time, every reconciliation succeeding once its
        waits are over), with kustomize-controller's own rules (internal/controller/
        kustomization_controller.go ``Reconcile``, ``checkDependencies``, ``checkHealth``; defaults from
        api/v1/kustomization_types.go ``GetTimeout``/``GetRetryInterval``; ``--requeue-dependency`` from
        main.go)::

            T(k) = spec.timeout, else spec.interval - 30s; never below 30s          (GetTimeout)
            R(k) = spec.retryInterval, else spec.interval                           (GetRetryInterval)
            D    = --requeue-dependency, 30s: how often a Kustomization whose dependencies are not
                   Ready (or do not exist yet) checks them again
            start(root) = 0
            start(k) = max(start(parent),                    k exists once its parent applied it
                           ready(d) + D for each dependsOn d) the next dependency check after d is Ready
            ready(k) = start(k)                              no wait, no healthChecks
            ready(k) = start(k) + n * (T + R) + T            wait or healthChecks, where c = the latest
                                                             ready(g) of the Kustomizations it gates on
                                                             and n = 0 if c <= start(k) + T, else
                                                             ceil((c - start(k) - T) / (T + R))

        A health check waits at most T; when a gated child is Ready later, the attempt fails and the next
        one starts R later, so each failed attempt costs T + R (the last one can take its whole T). A
        duration that cannot be read (a missing or substituted ``interval``) makes the times after it
        unknown; a blocked Kustomization's time is ``inf``.
        """
        if node_id is None:
            pool = list(self.levels) if among is None else [n for n in among if n in self.levels]
            candidates = [n for n in pool if n not in self.blocked] or pool or list(self.levels)
            node_id = max(candidates, key=lambda n: (self.ready_levels[n], _finite(self.ready_at(n)), n))
        return self._chain(_ready(node_id))

    def slowest(self) -> str | None:
        """The Kustomization that becomes Ready last in the worst case (unknown and blocked ones left out)."""
        known = [n for n in self.levels if n not in self.blocked and self.ready_at(n) is not None]
        return max(known, key=lambda n: (self.ready_at(n), self.ready_levels[n], n), default=None)

    def _chain(self, target: Event) -> Chain:
        events = [target]
        while (before := self._chain_pred.get(events[-1])) is not None and len(events) <= len(self._chain_pred):
            events.append(before)
        events.reverse()
        steps = []
        for i, ev in enumerate(events):
            link = self._preds[ev].get(events[i - 1]) if i else None
            if i == 0:
                via = "bootstrap"
            elif isinstance(link, Gate):
                via = "gate"
            elif isinstance(link, Edge):
                via = link.kind
            else:
                via = "reconcile"
            steps.append(Step(ev[1], ev[0], via, self._event_levels[ev], self._times.get(ev)))  # type: ignore[arg-type]
        return Chain(tuple(steps))


def _starts_after_ready(preds: dict[Event, dict[Event, Edge | Gate | None]], node_id: str, other: str) -> bool:
    target, seen = _ready(other), set()
    queue = deque(preds.get(_start(node_id), {}))
    while queue:
        ev = queue.popleft()
        if ev == target:
            return True
        if ev not in seen:
            seen.add(ev)
            queue.extend(preds.get(ev, {}))
    return False


def _weight(before: Event, after: Event, root_id: str) -> int:
    """Levels an edge adds: one into a start, except from the entry's root's start (the bootstrap)."""
    return 1 if after[0] == "start" and before != _start(root_id) else 0


def _finite(t: float | None) -> float:
    return -1.0 if t is None else (1e18 if t == NEVER else t)


class _Builder:
    """Builds an EffectiveOrder in one pass over the cluster, then orders, levels and times the events."""

    def __init__(self, cluster: Cluster, read_text: Callable[[str], str] | None, requeue_dependency: float,
                 provided: Callable[[str, str], bool] | None = None,
                 release_holds: Callable[[Callable[[str, str], bool]], ReleaseHolds] | None = None):
        self.cluster = cluster
        self.provided = provided
        self.release_holds = release_holds
        self.unknown_starts: set[Event] = set()  # behind a dangling dependsOn something outside may provide
        self.nodes = cluster.kustomizations
        self.read_text = read_text
        self.texts: dict[str, str | None] = {}
        self.d = requeue_dependency
        self.preds: dict[Event, dict[Event, Edge | Gate | None]] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        self.declared: dict[str, list[Edge]] = {}
        self.gates: dict[str, list[Gate]] = {}
        self.edges: list[Edge] = []
        self.dangling: list[Edge] = []
        self.seeds: dict[Event, Blocker] = {}
        self.failures: dict[Event, Blocker] = {}  # events a failed Kustomization blocks, unless blocked before
        self._resourcesets: dict[str, Resource] | None = None  # every ResourceSet applied, by namespace/name
        self.unrendered: set[str] = set()  # generated by a ResourceSet that depends on something never applied
        self._releases: set[str] | None = None  # every HelmRelease applied, as namespace/name
        self._warned: set[tuple[str, int]] = set()  # dependsOn entries of ResourceSets already warned about

    def line(self, node: KustomizationNode, path: tuple[str | int, ...]) -> int:
        return self.line_in(node.file, node.line, path)

    @property
    def resourcesets(self) -> dict[str, Resource]:
        """Every ResourceSet the cluster applies, by namespace/name."""
        if self._resourcesets is None:
            self._resourcesets = {f"{r.namespace}/{r.name}": r for n in self.nodes.values() for r in n.resources
                                  if r.kind == "ResourceSet" and r.group == FLUX_OPERATOR_GROUP}
        return self._resourcesets

    @property
    def releases(self) -> set[str]:
        """Every HelmRelease the cluster applies, as namespace/name (read once, when a health check names one)."""
        if self._releases is None:
            self._releases = {h.ident() for h in self.cluster.helm_releases}
        return self._releases

    def line_in(self, file: str, line: int, path: tuple[str | int, ...]) -> int:
        """The line of ``path`` in the document starting at ``file:line`` (that line when unknown)."""
        if self.read_text is None:
            return line
        if file not in self.texts:
            try:
                self.texts[file] = self.read_text(file)
            except (OSError, InputError, ValueError):
                self.texts[file] = None
        text = self.texts[file]
        return line if text is None else field_line(text, line, path)

    def build(self) -> EffectiveOrder:
        ids = sorted(self.nodes)
        for n in ids:
            self.preds[_start(n)] = {}
            self.preds[_ready(n)] = {_start(n): None}
        for n in ids:
            node = self.nodes[n]
            if node.parent in self.nodes and n != self.cluster.root_id:
                self.children[node.parent].append(n)
                edge = Edge("appliedBy", node.parent, n, node.file, node.line)
                self.edges.append(edge)
                self.preds[_start(n)][_start(node.parent)] = edge
        for n in ids:
            self._depends_on(self.nodes[n])
        for n in ids:
            self._gate(self.nodes[n])
        suspended = [n for n in ids if self.nodes[n].spec.get("suspend") is True]
        for n in suspended:
            node = self.nodes[n]
            self.seeds.setdefault(_start(n), Blocker("suspended", n, "spec.suspend is true: it never reconciles",
                                                     node.file, self.line(node, ("spec", "suspend"))))
        holds = self.release_holds(functools.partial(_starts_after_ready, self.preds)) \
            if self.release_holds is not None else ReleaseHolds({}, {})
        for n, blocker in sorted(holds.held.items()):
            self.seeds.setdefault(_ready(n), blocker)
        for n in ids:
            self._failed(self.nodes[n])
        order, cycles, dropped, truncated = self._order()
        for cycle in cycles:
            blocker = Blocker("cycle", cycle.nodes[0], cycle.describe(), *_where(cycle.links[0]))
            for link in cycle.links:
                for ev in _link_events(link):
                    self.seeds.setdefault(ev, blocker)
        blocked_events = self._propagate(order)
        levels = self._levels(order, dropped)
        times = self._times(order, dropped, blocked_events)
        chain_pred = {ev: self._chain_pred(ev, dropped, levels, times) for ev in order}
        root = self.cluster.root_id
        holders = {e.after for e in self.dangling} | self.unrendered
        # a peer of the root (applied with it at bootstrap) is a root too: nothing applies it, it waits for nothing
        roots = [n for n in ids if n != root and n not in holders and n not in suspended
                 and set(self.preds[_start(n)]) == ({_start(root)} if self.nodes[n].parent == root
                                                    else set() if self.nodes[n].bootstrap_peer else None)]
        return EffectiveOrder(
            root_id=root, edges=sorted(self.edges), dangling=sorted(self.dangling), cycles=cycles,
            levels={n: levels[_start(n)] for n in ids}, ready_levels={n: levels[_ready(n)] for n in ids},
            roots=roots, blocked={n: blocked_events[_ready(n)] for n in ids if _ready(n) in blocked_events},
            suspended=suspended, truncated=truncated, requeue_dependency=self.d,
            _parent={n: self.nodes[n].parent for n in ids}, _declared=self.declared, _gates=self.gates,
            _preds=self.preds, _times=times,
            _event_levels=levels, _chain_pred=chain_pred, _never_start={n for n in ids if _start(n) in blocked_events},
            blocked_releases=holds.releases)

    def _failed(self, node: KustomizationNode) -> None:
        """A Kustomization Flux fails (its build, source or spec) applies nothing: it is never Ready, and the
        children it applied as flux-wiki built them (a substitution fails after the build) are never created. The
        cause counts only where nothing before it already blocks: one that never starts never gets to fail."""
        failure = node.failure
        if failure is None:
            return
        blocker = Blocker("failed", node.id, failure.message, failure.file, failure.line)
        self.failures[_ready(node.id)] = blocker
        for child in self.children.get(node.id, []):
            self.failures.setdefault(_start(child), blocker)

    def _depends_on(self, node: KustomizationNode) -> None:
        entries = node.spec.get("dependsOn")
        declared: list[Edge] = []
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict) or not entry.get("name"):
                continue
            dep = f"{entry.get('namespace') or node.namespace}/{entry['name']}"
            expr = entry.get("readyExpr")
            edge = Edge("dependsOn", dep, node.id, *self.entry_at(node, entry, i),
                        expr if isinstance(expr, str) and expr else None)
            self._declare(node, edge, declared)
        for edge in self._generator_waits(node):
            self._declare(node, edge, declared)
        self.declared[node.id] = declared

    def entry_at(self, node: KustomizationNode, entry: dict[str, Any], i: int) -> tuple[str, int]:
        """Where dependsOn entry ``i`` of ``node`` is written: in its own document, or in the patch that added
        it (a patch of the parent's ``spec.patches`` is found in the parent's file, the block's inner line)."""
        at = (node.depends_on_at or {}).get((str(entry["name"]), str(entry.get("namespace") or "")))
        if at is not None and at.spec_patch is None:
            return at.file, at.line
        parent = self.nodes.get(node.parent or "")
        if at is None or parent is None:
            return node.file, self.line(node, ("spec", "dependsOn", i))
        key_line = self.line(parent, ("spec", "patches", at.spec_patch, "patch"))
        text = self.texts.get(parent.file)
        return parent.file, block_scalar_line(text, key_line, at.line) if text else key_line

    def _generator_waits(self, node: KustomizationNode) -> list[Edge]:
        """What the ResourceSet that generates ``node`` waits Ready for (its ``spec.dependsOn`` entries with
        ``ready: true``): flux-operator renders nothing, so ``node`` does not exist, until they are. A Kustomization
        is waited for itself; a ResourceSet is Ready once applied, so only after what it waits for in turn, and with
        ``wait: true`` once the Kustomizations it generates are Ready too. Each edge points at the dependsOn entry of
        ``node``'s ResourceSet."""
        gen, parent = node.generated_by, self.nodes.get(node.parent or "")
        if gen is None or gen.kind != "ResourceSet" or parent is None:
            return []
        rset = next((r for r in parent.resources if r.kind == gen.kind and r.name == gen.name
                     and (r.namespace or "") == (gen.namespace or "")), None)
        if rset is None:
            return []
        self._absent_dependencies(node, rset)
        out: list[Edge] = []
        for i, kind, dep, expr in self._rset_dependencies(rset):
            line = self.line_in(gen.file, gen.line, ("spec", "dependsOn", i))
            if kind == "Kustomization":
                out.append(Edge("dependsOn", dep, node.id, gen.file, line, expr))
            elif kind == "ResourceSet":
                out += [Edge("dependsOn", before, node.id, gen.file, line) for before in self._rset_ready_after(dep)]
            elif kind == "HelmRelease" and (after := self._release_ready_after(dep)) is not None:
                out += [Edge("dependsOn", before, node.id, gen.file, line) for before in after]
            else:
                why = "which this cluster never applies" if kind == "HelmRelease" else \
                    "whose readiness flux-wiki does not model"
                self.cluster.warnings.append(Diagnostic(
                    gen.file, line, f"ResourceSet {gen.namespace}/{gen.name} waits for {kind} {dep} to be Ready, "
                    f"{why}: the order pages do not show that wait of the Kustomizations it generates",
                    code="FW-RSET-WAIT-UNMODELLED", cls="limit"))
        return out

    def _absent_dependencies(self, node: KustomizationNode, rset: Resource) -> None:
        """flux-operator renders a ResourceSet only once every object of its ``spec.dependsOn`` exists, ``ready``
        or not (ResourceSetReconciler.checkDependencies: "dependency ... not found", retried every 5s): a
        ResourceSet, or a Kustomization it does not wait Ready for (one it waits for is a dependsOn edge), that this
        cluster never applies means ``node`` is never created."""
        gen = node.generated_by
        if gen is None:
            return
        entries = rset.spec.get("dependsOn")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
                continue
            kind, group = str(entry.get("kind") or ""), str(entry.get("apiVersion") or "").split("/", 1)[0]
            dep = f"{entry.get('namespace') or rset.namespace}/{entry['name']}"
            if not ((kind, group) == ("ResourceSet", FLUX_OPERATOR_GROUP) and dep not in self.resourcesets
                    or (kind, group) == ("Kustomization", FLUX_KUSTOMIZE_GROUP) and entry.get("ready") is not True
                    and dep not in self.nodes):
                continue
            line = self.line_in(gen.file, gen.line, ("spec", "dependsOn", i))
            missing = f"{kind} {dep}, which this cluster never applies"
            self.unrendered.add(node.id)
            self.seeds.setdefault(_start(node.id), Blocker(
                "dangling", node.id, f"its ResourceSet {gen.namespace}/{gen.name} depends on {missing}", gen.file,
                line, ref_namespace=dep.partition("/")[0]))
            if (gen.file, line) not in self._warned:
                self._warned.add((gen.file, line))
                self.cluster.warnings.append(Diagnostic(
                    gen.file, line, f"ResourceSet {gen.namespace}/{gen.name} depends on {missing}: flux-operator "
                    "never renders it", code="FW-DEPENDSON-DANGLING", ref_namespace=dep.partition("/")[0]))

    @staticmethod
    def _rset_dependencies(rset: Resource) -> Iterator[tuple[int, str, str, str | None]]:
        """(index, kind, namespace/name, readyExpr) of each ``ready: true`` dependency of a ResourceSet: a Flux
        Kustomization, a ResourceSet, a HelmRelease, or any other kind (its ``apiVersion`` and ``kind``)."""
        entries = rset.spec.get("dependsOn")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict) or entry.get("ready") is not True \
                    or not isinstance(entry.get("name"), str) or not entry["name"]:
                continue
            kind, group = str(entry.get("kind") or ""), str(entry.get("apiVersion") or "").split("/", 1)[0]
            if (kind, group) not in (("Kustomization", FLUX_KUSTOMIZE_GROUP), ("ResourceSet", FLUX_OPERATOR_GROUP),
                                     ("HelmRelease", FLUX_HELM_GROUP)):
                kind = f"{entry.get('apiVersion')} {kind}"
            expr = entry.get("readyExpr")
            yield i, kind, f"{entry.get('namespace') or rset.namespace}/{entry['name']}", \
                expr if isinstance(expr, str) and expr else None

    def _release_ready_after(self, release_id: str) -> list[str] | None:
        """The Kustomizations that are Ready before HelmRelease ``release_id`` is (None: the cluster never applies
        it). helm-controller gets it Ready only once the Kustomization applying it has applied it, so after what
        that one and the Kustomizations applying it wait for; and after the HelmReleases it depends on."""
        releases = {h.ident(): h for h in self.cluster.helm_releases}
        if release_id not in releases:
            return None
        out: list[str] = []
        seen, queue, layers = {release_id}, [release_id], set()
        while queue:
            release = releases.get(queue.pop(0))
            if release is None:
                continue
            layer = release.layer
            while layer in self.nodes and layer not in layers:
                layers.add(layer)
                node = self.nodes[layer]
                entries = node.spec.get("dependsOn")
                out += [f"{e.get('namespace') or node.namespace}/{e['name']}" for e in
                        (entries if isinstance(entries, list) else []) if isinstance(e, dict) and e.get("name")]
                layer = node.parent or ""
            for before in release.depends_on:
                if before not in seen:
                    seen.add(before)
                    queue.append(before)
        return list(dict.fromkeys(out))

    def _rset_ready_after(self, rset_id: str) -> list[str]:
        """The Kustomizations that are Ready before ResourceSet ``rset_id`` is: what it waits for (followed through
        the ResourceSets it waits for, each once), and with ``wait: true`` the Kustomizations it generates."""
        out: list[str] = []
        seen, queue = {rset_id}, [rset_id]
        while queue:
            rset = self.resourcesets.get(queue.pop(0))
            if rset is None:
                continue
            if rset.spec.get("wait") is True:
                out += [n.id for n in self.nodes.values() if n.generated_by is not None
                        and (n.generated_by.kind, n.generated_by.namespace, n.generated_by.name)
                        == ("ResourceSet", rset.namespace, rset.name)]
            for _, kind, dep, _ in self._rset_dependencies(rset):
                if kind == "Kustomization":
                    out.append(dep)
                elif kind == "HelmRelease":
                    out += self._release_ready_after(dep) or []
                elif kind == "ResourceSet" and dep not in seen:
                    seen.add(dep)
                    queue.append(dep)
        return list(dict.fromkeys(out))

    def _declare(self, node: KustomizationNode, edge: Edge, declared: list[Edge]) -> None:
        """Record one dependsOn of ``node``: an edge to a Kustomization of the cluster, else a dangling one."""
        dep = edge.before
        if any(d.before == dep for d in declared):
            return
        declared.append(edge)
        if dep in self.nodes:
            self.edges.append(edge)
            self.preds[_start(node.id)].setdefault(_ready(dep), edge)
        else:
            self.dangling.append(edge)
            if self.provided is not None and self.provided(node.id, dep):
                self.unknown_starts.add(_start(node.id))
                return
            self.seeds.setdefault(_start(node.id), Blocker(
                "dangling", node.id, f"depends on {dep}, which this cluster never applies", edge.file, edge.line))

    def _gate(self, node: KustomizationNode) -> None:
        gates: list[Gate] = []
        if node.spec.get("wait") is True:
            line = self.line(node, ("spec", "wait"))
            for child in self.children.get(node.id, []):
                if child != node.id and self._reaches_through_wait(node, self.nodes[child]):
                    gates.append(Gate(node.id, child, "wait", node.file, line))
        else:
            checks = node.spec.get("healthChecks")
            for i, check in enumerate(checks if isinstance(checks, list) else []):
                if not isinstance(check, dict) or (check.get("kind"), str(check.get("apiVersion") or "").split(
                        "/", 1)[0]) not in (("Kustomization", FLUX_KUSTOMIZE_GROUP), ("HelmRelease", FLUX_HELM_GROUP)):
                    continue
                if not check.get("namespace") or not check.get("name"):
                    continue  # Flux does not default it: the check looks for no Kustomization of ours
                target, kind = f"{check['namespace']}/{check['name']}", check["kind"]
                line = self.line(node, ("spec", "healthChecks", i))
                if kind == "Kustomization" and target == node.id:
                    continue  # checkHealth skips the Kustomization itself
                if kind == "Kustomization" and target in self.nodes:
                    gates.append(Gate(node.id, target, "healthChecks", node.file, line))
                elif target not in (self.nodes if kind == "Kustomization" else self.releases):
                    # the status poller finds no such object: the check times out, again at every retry
                    self.seeds.setdefault(_ready(node.id), Blocker(
                        "health-check", node.id, f"health-checks {kind} {target}, which this cluster "
                                                 "never applies", node.file, line, check["namespace"]))
        for gate in gates:
            self.preds[_ready(node.id)].setdefault(_ready(gate.child), gate)
        self.gates[node.id] = gates

    def _reaches_through_wait(self, parent: KustomizationNode, child: KustomizationNode) -> bool:
        """A child the parent applied itself, or one a ResourceSet it applied generates with ``wait: true``."""
        gen = child.generated_by
        if gen is None:
            return True
        for res in parent.resources:
            if res.kind == gen.kind and res.name == gen.name and (res.namespace or "") == (gen.namespace or ""):
                return res.spec.get("wait") is True
        return False

    # -- ordering --------------------------------------------------------------
    def _order(self) -> tuple[list[Event], list[Cycle], set[tuple[Event, Event]], bool]:
        """A topological order of the events, and the cycles found on the way (graphlib reports one at a
        time; its closing link is dropped and the sort tried again, at most MAX_CYCLES times)."""
        dropped: set[tuple[Event, Event]] = set()
        cycles: list[Cycle] = []
        while True:
            graph = {ev: {p for p in preds if (p, ev) not in dropped} for ev, preds in self.preds.items()}
            try:
                return list(TopologicalSorter(graph).static_order()), cycles, dropped, False
            except CycleError as err:
                ring: list[Event] = list(err.args[1])
                if len(cycles) >= MAX_CYCLES:
                    break
                cycle, drop = self._cycle(ring)
                cycles.append(cycle)
                dropped.add(drop)
        # too many cycles to list: order by applied-by alone (a tree), which cannot cycle
        for ev, preds in self.preds.items():
            for p, link in preds.items():
                if not (link is None or (isinstance(link, Edge) and link.kind == "appliedBy")):
                    dropped.add((p, ev))
        graph = {ev: {p for p in preds if (p, ev) not in dropped} for ev, preds in self.preds.items()}
        return list(TopologicalSorter(graph).static_order()), cycles, dropped, True

    def _cycle(self, ring: list[Event]) -> tuple[Cycle, tuple[Event, Event]]:
        """The Kustomizations and links of a graphlib cycle (each event a predecessor of the next), and the
        event pair to drop: the first dependsOn link, else the first gate, else an applied-by link."""
        pairs = [(ring[i], ring[i + 1]) for i in range(len(ring) - 1)]
        links: list[tuple[Event, Event, Edge | Gate]] = [
            (b, a, link) for b, a in pairs if (link := self.preds[a][b]) is not None]
        rank = {"dependsOn": 0, "gate": 1, "appliedBy": 2}
        b, a, _ = min(links, key=lambda x: rank["gate" if isinstance(x[2], Gate) else x[2].kind])
        # rotate so the cycle starts at its first Kustomization in id order, for a stable report
        start = min(range(len(links)), key=lambda i: _link_from(links[i][2]))
        ordered = links[start:] + links[:start]
        return Cycle(tuple(_link_from(x[2]) for x in ordered), tuple(x[2] for x in ordered)), (b, a)

    def _propagate(self, order: list[Event]) -> dict[Event, Blocker]:
        blocked: dict[Event, Blocker] = {}
        for ev in order:
            if ev in self.seeds:
                blocked[ev] = self.seeds[ev]
                continue
            for p in sorted(self.preds[ev]):
                if p in blocked:
                    blocked[ev] = blocked[p]
                    break
            if ev not in blocked and ev in self.failures:
                blocked[ev] = self.failures[ev]
        return blocked

    def _chain_pred(self, ev: Event, dropped: set[tuple[Event, Event]], levels: dict[Event, int],
                    times: dict[Event, float | None]) -> Event | None:
        """The predecessor with the highest level through its edge (ties: the later time, then the id)."""
        root = self.cluster.root_id
        preds = [p for p in self.preds[ev] if (p, ev) not in dropped]
        return max(preds, key=lambda p: (levels[p] + _weight(p, ev, root), _finite(times[p]), p[1], p[0]),
                   default=None)

    def _levels(self, order: list[Event], dropped: set[tuple[Event, Event]]) -> dict[Event, int]:
        levels: dict[Event, int] = {}
        root = self.cluster.root_id
        for ev in order:
            levels[ev] = max((levels[p] + _weight(p, ev, root) for p in self.preds[ev] if (p, ev) not in dropped),
                             default=0)
        return levels

    def _times(self, order: list[Event], dropped: set[tuple[Event, Event]],
               blocked: dict[Event, Blocker]) -> dict[Event, float | None]:
        times: dict[Event, float | None] = {}
        timings = {n: Timing.of(node) for n, node in self.nodes.items()}
        for ev in order:
            kind, n = ev
            preds = {p: link for p, link in self.preds[ev].items() if (p, ev) not in dropped}
            if ev in blocked:
                times[ev] = NEVER
            elif kind == "start":
                times[ev] = _latest([times[p] if isinstance(link, Edge) and link.kind == "appliedBy"
                                     else _plus(times[p], self.d) for p, link in preds.items()]
                                    + ([None] if ev in self.unknown_starts else []))
            else:
                times[ev] = _ready_time(times[_start(n)], timings[n],
                                        [times[p] for p, link in preds.items() if isinstance(link, Gate)])
        return times


def _plus(t: float | None, d: float) -> float | None:
    return None if t is None else t + d


def _ready_time(start: float | None, timing: Timing, gated: list[float | None]) -> float | None:
    """When a Kustomization that started at ``start`` is Ready, at the latest (see critical_path)."""
    if not timing.health or start is None or start == NEVER:
        return start
    c = _latest(gated) if gated else -math.inf
    if c == NEVER:
        return NEVER
    if c is None or timing.timeout is None:
        return None
    t = timing.timeout
    late = c - start - t
    if late <= 0:
        return start + t
    if timing.retry is None:
        return None
    attempts = math.ceil(late / (t + timing.retry))
    return start + attempts * (t + timing.retry) + t


def _link_from(link: Edge | Gate) -> str:
    """The Kustomization a link leaves from, in the direction of waiting."""
    return link.child if isinstance(link, Gate) else link.before


def _link_events(link: Edge | Gate) -> tuple[Event, Event]:
    if isinstance(link, Gate):
        return _ready(link.child), _ready(link.parent)
    if link.kind == "appliedBy":
        return _start(link.before), _start(link.after)
    return _ready(link.before), _start(link.after)


def _where(link: Edge | Gate) -> tuple[str, int]:
    return link.file, link.line
