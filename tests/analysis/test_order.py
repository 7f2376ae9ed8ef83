"""The effective order: dependsOn, applied-by and gates, as kustomize-controller reconciles them.

Sources read (github.com/fluxcd/kustomize-controller; each citation quotes the code so it can be found):
- KC = internal/controller/kustomization_controller.go @ a9e8f94812e1
- API = api/v1/kustomization_types.go @ ae00400d1269
- MAIN = main.go @ 00f24ff3f456
- INV = internal/inventory/inventory.go @ 186fb3b29138
- RSET = github.com/controlplaneio-fluxcd/flux-operator api/v1/resourceset_types.go @ 4d7f93e08eb9
"""

from __future__ import annotations

import functools
import math
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from flux_wiki.analysis import dag
from flux_wiki.analysis.order import MAX_CYCLES, EffectiveOrder, Edge, Gate, Timing, go_duration
from flux_wiki.engine import build_model
from flux_wiki.flux.entry import explicit_entry
from flux_wiki.flux.simulate import simulate
from flux_wiki.load import Repo
from flux_wiki.model import Cluster, KustomizationNode, SourceInfo

from ..simulate.test_simulate import gotk, ks, write
from ..support import CORPORA

FIXTURES = Path(__file__).parent / "fixtures" / "order"
FS = "flux-system/"


@functools.cache
def order(name: str) -> EffectiveOrder:
    model = build_model(FIXTURES / name)
    [cluster] = model.clusters
    return EffectiveOrder.of(cluster, read_text=Repo(model.repo_root).read_text)


def ids(*names: str) -> list[str]:
    return [n if "/" in n else FS + n for n in names]


def old_roots(cluster: Cluster) -> list[str]:
    """The rule before the effective order: every Kustomization without a dependsOn in the cluster."""
    return [k.id for k in cluster.kustomizations.values() if k.id != cluster.root_id
            and not any(d in cluster.kustomizations for d in k.depends_on)]


def old_levels(cluster: Cluster) -> dict[str, int]:
    """Levels by dependsOn alone (cycles cut), as before the effective order."""
    known = cluster.kustomizations
    graph = {k: {d for d in n.depends_on if d in known} for k, n in known.items()}
    levels: dict[str, int] = {}
    while True:
        try:
            order = list(TopologicalSorter(graph).static_order())
            break
        except CycleError as err:
            graph[err.args[1][1]].discard(err.args[1][0])
    for k in order:
        levels[k] = 1 + max(levels[d] for d in graph[k]) if graph[k] else 0
    return levels


# -- the nested fixture: every edge kind, no problem ------------------------------------------------

def test_edges_are_dependson_and_appliedby_with_the_line_that_declares_them() -> None:
    """dependsOn without a namespace is the Kustomization's own namespace (KC checkDependencies:
    `if depRef.Namespace == "" { depRef.Namespace = obj.GetNamespace() }`); across namespaces it is
    allowed whatever the flags: `NoCrossNamespaceRefs` is checked in `getSource` for sourceRef, never in
    checkDependencies. appliedBy edges point at the child's document."""
    o = order("nested")
    tenant = [e for e in o.edges if e.after == "team/tenant"]
    assert tenant == [
        Edge("appliedBy", FS + "flux-system", "team/tenant", "clusters/home/tenant.yaml", 15),
        Edge("dependsOn", FS + "repos", "team/tenant", "clusters/home/tenant.yaml", 29),
        Edge("dependsOn", "team/tenant-base", "team/tenant", "clusters/home/tenant.yaml", 31),
    ]
    assert [e.cross_namespace for e in tenant] == [True, True, False]
    assert {e.kind for e in o.edges} == {"dependsOn", "appliedBy"}
    assert len([e for e in o.edges if e.kind == "appliedBy"]) == 16  # every Kustomization but the root
    assert not o.dangling and not o.cycles and not o.blocked and not o.suspended


def test_levels_count_the_waits_before_a_start() -> None:
    """A child starts only after its parent applied it, so after its parent's own dependsOn: cluster
    children are not level 0. Dependents of a parent with `wait: true` come after its children's
    readiness (infra is Ready at level 3, once infra-controllers is; apps starts at 4)."""
    o = order("nested")
    assert o.levels == {n: level for level, names in enumerate([
        ["flux-system", "repos", "team/tenant-base", "gated"],
        ["infra", "platform", "team/tenant", "gated-child", "gated-other"],
        ["infra-crds", "platform-a", "after-gated"],
        ["infra-controllers"],
        ["apps", "platform-b"],
        ["app-db"],
        ["app-web"],
    ]) for n in ids(*names)}
    assert {n: r for n, r in o.ready_levels.items() if r != o.levels[n]} == {FS + "infra": 3, FS + "gated": 1}


def test_roots_are_what_the_entry_root_applies_and_waits_for_nothing() -> None:
    """The old rule (no dependsOn) also named the children of other Kustomizations roots; they start
    only after their parent, which may wait for a lot (app-db waits for all of infra)."""
    o = order("nested")
    assert o.roots == ids("gated", "repos", "team/tenant-base")
    old = old_roots(build_model(FIXTURES / "nested").clusters[0])
    assert sorted(set(old) - set(o.roots)) == ids("app-db", "gated-child", "gated-other", "infra-crds", "platform-a")


def test_waits_for_is_the_parent_and_the_dependencies() -> None:
    """A dependsOn on a Kustomization another parent applies is an ordinary edge: until that parent
    applied it, checkDependencies fails with "dependency '%s' not found" and the dependent requeues (KC
    Reconcile: `RequeueAfter: r.DependencyRequeueInterval`), exactly as for one that is not Ready."""
    o = order("nested")
    assert o.waits_for(FS + "app-web") == set(ids("apps", "app-db"))
    assert o.waits_for(FS + "platform-b") == set(ids("platform", "platform-a", "infra-controllers"))
    assert o.waits_for(FS + "repos") == {FS + "flux-system"}
    assert o.waits_for(FS + "flux-system") == set()


def test_inherited_names_the_parent_a_dependency_comes_through() -> None:
    """"after infra (via parent apps)": app-db has no dependsOn but exists only once apps, which depends
    on infra, applied it. Children whose parent has no dependsOn inherit nothing."""
    o = order("nested")
    assert o.inherited(FS + "app-db") == [(FS + "infra", FS + "apps")]
    assert o.inherited(FS + "app-web") == [(FS + "infra", FS + "apps")]
    assert o.inherited(FS + "infra-crds") == [(FS + "repos", FS + "infra")]
    assert o.inherited(FS + "gated-child") == []
    assert o.inherited(FS + "repos") == []


def test_a_parent_gates_on_children_with_wait_or_health_checks_naming_them() -> None:
    """KC checkHealth: with `wait` every applied object is checked (`if !obj.Spec.Wait { objects =
    ReferenceToObjMetadataSet(obj.Spec.HealthChecks) }`), else only the healthChecks, each until
    `Timeout: obj.GetTimeout()`; without either, Ready follows the apply
    (`if len(obj.Spec.HealthChecks) == 0 && !obj.Spec.Wait { ... return nil }`). A child Kustomization
    is healthy when its Ready condition is (kstatus)."""
    o = order("nested")
    assert o.gates(FS + "infra") == ids("infra-controllers", "infra-crds")
    assert {g.reason for g in o.gate_links(FS + "infra")} == {"wait"}
    assert o.gate_links(FS + "gated") == [
        Gate(FS + "gated", FS + "gated-child", "healthChecks", "clusters/home/gated.yaml", 16)]
    assert o.gates(FS + "apps") == [] and o.gates(FS + "app-db") == []  # no wait; wait but no children


def test_ancestors_reach_through_gates() -> None:
    """Depending on a gating parent is waiting for the children it gates on, not for the others."""
    o = order("nested")
    assert o.ancestors(FS + "apps") == set(ids("flux-system", "repos", "infra", "infra-crds", "infra-controllers"))
    assert FS + "gated-child" in o.ancestors(FS + "after-gated")
    assert FS + "gated-other" not in o.ancestors(FS + "after-gated")
    assert FS + "app-web" not in o.ancestors(FS + "app-web")


def test_critical_path_and_its_worst_case_bound() -> None:
    """KC Reconcile: a Kustomization whose dependencies are not Ready (or not found) returns
    `RequeueAfter: r.DependencyRequeueInterval` (MAIN: `--requeue-dependency`, 30s); a failed
    reconciliation (a health check past its timeout) returns `RequeueAfter: obj.GetRetryInterval()`.
    API: GetTimeout is spec.timeout else `in.Spec.Interval.Duration - 30*time.Second`, never below 30s;
    GetRetryInterval is spec.retryInterval else the interval.

    infra (timeout 5m, retryInterval 2m) starts at 30s, one requeue after repos; its children are Ready at
    150s (crds: 2m health check) and 360s (controllers start one requeue after crds, then 3m). The first
    health check gives up at 330s, the second starts 2m later, at 450s, and may take its whole 5m: infra
    is Ready at 30 + (300 + 120) + 300 = 750s at the latest. app-db waits up to its default timeout 10m - 30s = 570s."""
    o = order("nested")
    cp = o.critical_path()
    assert cp.nodes == ids("flux-system", "repos", "infra", "infra-crds", "infra-controllers", "infra", "apps",
                           "app-db", "app-web")
    assert [(s.event, s.via, s.at) for s in cp.steps] == [
        ("start", "bootstrap", 0), ("start", "appliedBy", 0), ("ready", "reconcile", 0),
        ("start", "dependsOn", 30), ("start", "appliedBy", 30), ("ready", "reconcile", 150),
        ("start", "dependsOn", 180), ("ready", "reconcile", 360), ("ready", "gate", 750),
        ("start", "dependsOn", 780), ("start", "appliedBy", 780), ("ready", "reconcile", 1350),
        ("start", "dependsOn", 1380), ("ready", "reconcile", 1380)]
    assert (cp.target, cp.levels, cp.bound) == (FS + "app-web", 6, 1380)
    assert o.slowest() == FS + "app-web"
    # each layer's own chain from the root
    pb = o.critical_path(FS + "platform-b")
    assert pb.nodes == ids("flux-system", "repos", "infra", "infra-crds", "infra-controllers", "platform-b")
    assert pb.bound == 390  # infra-controllers Ready at 360, one requeue
    assert o.critical_path(FS + "repos").nodes == ids("flux-system", "repos")
    # healthChecks gate the same way: gated-child is Ready at 2m, after gated's 1m check failed; the
    # retry comes an interval (10m) later: 0 + (60 + 600) + 60
    assert (o.ready_at(FS + "gated"), o.start_at(FS + "after-gated")) == (720, 750)
    assert o.critical_path(FS + "after-gated").nodes == ids("flux-system", "gated", "gated-child", "gated",
                                                            "after-gated")


def test_the_bound_follows_the_requeue_interval() -> None:
    o = EffectiveOrder.of(build_model(FIXTURES / "nested").clusters[0], requeue_dependency=5)
    assert o.ready_at(FS + "infra-controllers") == 5 + 120 + 5 + 180  # past the end of infra's first check, 305s
    assert o.ready_at(FS + "app-web") == 5 + (300 + 120) + 300 + 5 + 570 + 5


# -- durations -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "seconds"), [
    ("10m", 600), ("1h30m", 5400), ("1m30.5s", 90.5), ("500ms", 0.5), ("0", 0), ("2h0m0s", 7200),
    ("10", None), ("m", None), ("${INTERVAL}", None), ("1d", None), ("", None), (None, None), (5, None)])
def test_go_durations(text: object, seconds: float | None) -> None:
    assert go_duration(text) == seconds


def _node(name: str, **spec: object) -> KustomizationNode:
    return KustomizationNode("flux-system", name, "./x", None, [], None, dict(spec), "x.yaml", 1)


def test_timing_defaults_follow_the_api() -> None:
    """API GetTimeout: `duration := in.Spec.Interval.Duration - 30*time.Second`, `if duration <
    30*time.Second { return 30 * time.Second }` (an explicit timeout included); GetRetryInterval falls
    back to the interval."""
    assert Timing.of(_node("a", interval="10m")) == Timing(600, 570, 600, False)
    assert Timing.of(_node("a", interval="40s", wait=True)) == Timing(40, 30, 40, True)
    assert Timing.of(_node("a", interval="1h", timeout="10s", retryInterval="1m")) == Timing(3600, 30, 60, False)
    unread = _node("a", interval="${I}", healthChecks=[{"kind": "Deployment"}])
    assert Timing.of(unread) == Timing(None, None, None, True)


def _cluster(*children: tuple[str, str, dict]) -> Cluster:
    """A cluster built in memory: (name, parent name, spec) under a root that has no wait."""
    root = KustomizationNode("flux-system", "flux-system", ".", None, [], None, {"interval": "10m"}, "r.yaml", 1)
    cluster = Cluster("c", "r.yaml", 1, "explicit", SourceInfo("GitRepository", "flux-system", "flux-system"),
                      root.id, {root.id: root})
    for i, (name, parent, spec) in enumerate(children):
        deps = [FS + d["name"] for d in spec.get("dependsOn", [])]
        cluster.kustomizations[FS + name] = KustomizationNode("flux-system", name, ".", FS + parent, deps, None,
                                                              spec, "k.yaml", i + 2)
    return cluster


def test_an_unreadable_duration_makes_what_follows_unknown() -> None:
    """A substituted interval that was never resolved: the health check's timeout is unknown, so is
    everything that waits for it; without a health check the interval is not needed."""
    o = EffectiveOrder.of(_cluster(
        ("a", "flux-system", {"interval": "${I}", "wait": True}),
        ("b", "flux-system", {"interval": "${I}", "dependsOn": [{"name": "a"}]}),
        ("c", "flux-system", {"interval": "${I}"}),
        ("d", "flux-system", {"interval": "1h", "timeout": "2m", "wait": True})))
    assert [o.ready_at(FS + n) for n in "abcd"] == [None, None, 0, 120]
    assert o.slowest() == FS + "d"
    assert o.critical_path().bound is None  # b: the highest level


# -- the stuck fixture: what never becomes Ready ---------------------------------------------------

def test_suspend_blocks_dependents_and_children() -> None:
    """KC Reconcile: `if obj.Spec.Suspend { log.Info("Reconciliation is suspended for this object");
    return ctrl.Result{}, nil }` before any apply: on a fresh bootstrap a suspended Kustomization never
    creates its children and never becomes Ready, so its dependents wait forever."""
    o = order("stuck")
    assert o.suspended == ids("paused")
    for n in ids("paused", "after-paused", "paused-child"):
        assert (o.blocked[n].cause, o.blocked[n].node) == ("suspended", FS + "paused")
        assert not o.starts(n) and o.ready_at(n) == math.inf
    assert o.blocked[FS + "paused"].line == 22  # spec.suspend
    assert FS + "paused" not in o.roots


def test_a_dangling_dependency_is_never_ready() -> None:
    """KC checkDependencies: `dependency '%s' not found` is an ordinary not-ready result: requeued
    forever, never applied. The edge is listed apart from the graph's edges."""
    o = order("stuck")
    assert o.dangling == [Edge("dependsOn", FS + "nowhere", FS + "orphan", "clusters/home/ks.yaml", 123)]
    assert (o.blocked[FS + "orphan"].cause, o.starts(FS + "orphan")) == ("dangling", False)
    assert FS + "orphan" not in o.roots
    assert o.inherited(FS + "orphan") == []


def test_cycles_through_dependson_appliedby_and_gates_deadlock() -> None:
    """A parent that depends on its own child never starts, so the child never exists; a child that
    depends on a parent with `wait: true` never starts, and the parent's health check waits for it
    forever (KC checkHealth only skips the Kustomization itself: "Guard against deadlock (waiting on
    itself)"). The plain dependsOn loop is the one analysis.dag already reports."""
    o = order("stuck")
    assert [(c.nodes, [type(x).__name__ + ("" if isinstance(x, Gate) else ":" + x.kind) for x in c.links])
            for c in o.cycles] == [
        (tuple(ids("left", "right")), ["Edge:dependsOn", "Edge:dependsOn"]),
        (tuple(ids("loop-child", "loop-parent")), ["Edge:dependsOn", "Edge:appliedBy"]),
        (tuple(ids("waiter", "waiter-child")), ["Edge:dependsOn", "Gate"]),
    ]
    assert o.cycles[2].describe() == ("flux-system/waiter-child depends on flux-system/waiter; flux-system/waiter "
                                      "waits for flux-system/waiter-child to be Ready (wait)")
    assert {n for n, b in o.blocked.items() if b.cause == "cycle"} == set(ids(
        "left", "right", "loop-child", "loop-parent", "waiter", "waiter-child"))
    assert o.starts(FS + "waiter") and not o.starts(FS + "waiter-child")
    assert FS + "waiter-child" in o.ancestors(FS + "waiter-child")
    assert not o.truncated and len(o.levels) == 13  # every node levelled, the closing links left out


def test_a_health_check_on_a_missing_kustomization_is_never_ready() -> None:
    o = order("stuck")
    b = o.blocked[FS + "checker"]
    assert (b.cause, b.line, o.starts(FS + "checker")) == ("health-check", 139, True)
    assert o.roots == ids("checker", "ok", "waiter")  # they start with the bootstrap, whatever follows
    assert o.critical_path().nodes == ids("flux-system", "ok")  # blocked ones are left out


def test_a_health_check_on_a_missing_helm_release_is_never_ready(tmp_path: Path) -> None:
    """The status poller finds no object of that name, so the health check times out at every retry: a
    Kustomization health-checking a HelmRelease the cluster never applies is never Ready, like one checking a
    missing Kustomization. One the cluster applies is no such problem."""
    check = ("healthChecks:\n  - {apiVersion: helm.toolkit.fluxcd.io/v2, kind: HelmRelease, name: %s, "
             "namespace: default}")
    repo = write(tmp_path, {
        **gotk(), "clusters/home/apps.yaml": ks("apps", "./apps", extra=check % "web")
                                             + "---\n" + ks("typo", "./ok", extra=check % "wbe"),
        "apps/hr.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: "
                        "default}\nspec:\n  interval: 5m\n  chartRef: {kind: OCIRepository, name: web}\n",
        "ok/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y, namespace: default}\n"})
    model = build_model(repo)
    o = model.facts[model.clusters[0].name].order
    assert {n: (b.cause, b.file, b.line) for n, b in o.blocked.items()} == {
        FS + "typo": ("health-check", "clusters/home/apps.yaml", 27)}
    [w] = [w for w in model.clusters[0].warnings if w.code == "FW-HEALTHCHECK-MISSING"]
    assert "health-checks HelmRelease default/wbe, which this cluster never applies" in w.message


def test_a_health_check_without_namespace_is_left_alone() -> None:
    """INV ReferenceToObjMetadataSet: `if c.Namespace != "" { u.SetNamespace(c.Namespace) }`: Flux does
    not default a health check's namespace to the Kustomization's, so such an entry names none of the
    cluster's Kustomizations: it is no gate, and flux-wiki does not guess what the poller makes of it."""
    check = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "name": "b"}
    o = EffectiveOrder.of(_cluster(("a", "flux-system", {"interval": "1m", "healthChecks": [check]}),
                                   ("b", "a", {"interval": "1m"})))
    assert o.gates(FS + "a") == [] and not o.blocked
    with_ns = EffectiveOrder.of(_cluster(("a", "flux-system", {"interval": "1m", "healthChecks": [
        {**check, "namespace": "flux-system"}]}), ("b", "a", {"interval": "1m"})))
    assert with_ns.gates(FS + "a") == [FS + "b"]


def test_past_the_cycle_bound_levels_follow_applied_by_alone() -> None:
    """Each cycle costs a sort of the whole graph; a repo with more than MAX_CYCLES of them gets the first
    ones reported and levels from the applied-by tree, never a long loop."""
    self_loops = [(f"s{i:02}", "flux-system", {"interval": "1m", "dependsOn": [{"name": f"s{i:02}"}]})
                  for i in range(MAX_CYCLES + 5)]
    o = EffectiveOrder.of(_cluster(*self_loops, ("child", "s00", {"interval": "1m"})))
    assert o.truncated and len(o.cycles) == MAX_CYCLES
    assert o.cycles[0].nodes == (FS + "s00",) and o.cycles[0].links[0].kind == "dependsOn"
    assert o.levels[FS + "child"] == 1 and o.levels[FS + "s24"] == 0


# -- generated inputs ------------------------------------------------------------------------------

RESOURCESET = """\
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata: {name: apps, namespace: flux-system}
spec:
  wait: %(wait)s
  inputs: [{name: podinfo}, {name: redis}]
  resourcesTemplate: |
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata: {name: << inputs.name >>, namespace: flux-system}
    spec:
      interval: 10m
      path: ./config
      prune: true
      sourceRef: {kind: GitRepository, name: flux-system}
"""


@pytest.mark.parametrize("rset_wait", [True, False])
def test_resourceset_kustomizations_are_applied_by_the_resourcesets_parent(tmp_path: Path, rset_wait: bool) -> None:
    """flux-operator applies what a ResourceSet generates once kustomize-controller applied the
    ResourceSet; a parent's `wait` health-checks the ResourceSet, which waits for what it generated only
    with its own `wait: true` (RSET: "Wait instructs the controller to check the health of all the
    reconciled resources")."""
    files = gotk()
    files["clusters/home/apps.yaml"] = ks("apps", "./apps", extra="wait: true")
    files["apps/resourceset.yaml"] = RESOURCESET % {"wait": str(rset_wait).lower()}
    files["config/cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n"
    [cluster] = build_model(write(tmp_path, files)).clusters
    o = EffectiveOrder.of(cluster)
    assert o.waits_for(FS + "podinfo") == {FS + "apps"}
    assert o.levels[FS + "podinfo"] == o.levels[FS + "apps"] + 1
    assert o.gates(FS + "apps") == (ids("podinfo", "redis") if rset_wait else [])


def test_ready_expr_is_kept_and_marked(tmp_path: Path) -> None:
    """KC checkDependencies: with `depRef.ReadyExpr != ""` the CEL expression replaces the built-in
    Ready check (unless AdditiveCELDependencyCheck); the dependent still waits for it to hold."""
    files = gotk()
    files["clusters/home/a.yaml"] = ks("a", "./a")
    files["clusters/home/b.yaml"] = ks("b", "./b", deps=("a",)).replace(
        "- name: a", "- name: a\n      readyExpr: dep.metadata.generation == dep.status.observedGeneration")
    for d in "ab":
        files[f"{d}/cm.yaml"] = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {d}, namespace: default}}\n"
    [cluster] = build_model(write(tmp_path, files)).clusters
    [edge] = [e for e in EffectiveOrder.of(cluster).edges if e.kind == "dependsOn"]
    assert (edge.before, edge.after) == (FS + "a", FS + "b")
    assert edge.ready_expr == "dep.metadata.generation == dep.status.observedGeneration"


# -- properties on generated trees -----------------------------------------------------------------

@st.composite
def clusters(draw: st.DrawFn) -> Cluster:
    """A random applied-by tree under a root, with random dependsOn and healthChecks (cycles and dangling
    ones too), random wait, suspend and intervals."""
    n = draw(st.integers(1, 14))
    names = [f"k{i}" for i in range(n)]
    children = []
    for i, name in enumerate(names):
        deps = draw(st.lists(st.sampled_from(names + ["ghost"]), max_size=3, unique=True))
        children.append((name, draw(st.sampled_from(["flux-system"] + names[:i])), {
            "interval": draw(st.sampled_from(["1m", "10m", "1h"])), "wait": draw(st.booleans()),
            "dependsOn": [{"name": d} for d in deps], "suspend": draw(st.sampled_from([False] * 9 + [True])),
            "healthChecks": [{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                              "name": c, "namespace": "flux-system"}
                             for c in draw(st.lists(st.sampled_from(names + ["ghost"]), max_size=2, unique=True))]}))
    return _cluster(*children)


@settings(max_examples=150, deadline=None)
@given(clusters())
def test_order_properties(cluster: Cluster) -> None:
    """Levels and worst-case times never run backwards along an edge or gate off a cycle; a root is
    exactly a root child that waits for nothing; a Kustomization is blocked exactly when a cause is
    local to it (suspended, dangling dependsOn, cycle) or something it waits for is blocked."""
    o = EffectiveOrder.of(cluster)
    root = cluster.root_id
    in_cycle = {n for c in o.cycles for n in c.nodes}
    # a dense tree can hold more than MAX_CYCLES cycles: then only applied-by orders it (the test above)
    assume(not o.truncated)
    for e in o.edges:
        if {e.before, e.after} & in_cycle:
            continue
        if e.kind == "dependsOn":
            assert o.levels[e.after] >= o.ready_levels[e.before] + 1
            assert o.start_at(e.after) >= o.ready_at(e.before) + 30
        else:
            assert o.levels[e.after] >= o.levels[e.before] + (e.before != root)
            assert o.start_at(e.after) >= o.start_at(e.before)
    for n, node in cluster.kustomizations.items():
        assert o.ready_at(n) >= o.start_at(n)
        assert (n in o.roots) == (node.parent == root and not node.depends_on and not node.spec.get("suspend"))
        if n in o.roots:
            assert o.levels[n] == 0 and o.waits_for(n) == {root}
        for g in o.gates(n):
            if not {n, g} & in_cycle:
                assert o.ready_levels[n] >= o.ready_levels[g] and o.ready_at(n) >= o.ready_at(g)
        deps = [d for d in node.depends_on if d in cluster.kustomizations]
        checks = [] if node.spec.get("wait") else [FS + c["name"] for c in node.spec.get("healthChecks", [])]
        local = (node.spec.get("suspend") or len(deps) < len(node.depends_on) or n in in_cycle
                 or any(c not in cluster.kustomizations for c in checks))
        assert set(o.gates(n)) == ({c for c in checks if c in cluster.kustomizations} - {n} if checks else
                                   {k for k, x in cluster.kustomizations.items() if x.parent == n}
                                   if node.spec.get("wait") else set())
        upstream = ((node.parent is not None and not o.starts(node.parent)) or any(d in o.blocked for d in deps)
                    or any(g in o.blocked for g in o.gates(n)))
        assert (n in o.blocked) == bool(local or upstream), n
        start_cause = (node.spec.get("suspend") or len(deps) < len(node.depends_on) or any(d in o.blocked for d in deps)
                       or (node.parent is not None and not o.starts(node.parent)))
        assert o.starts(n) == (not start_cause) or (n in in_cycle and not o.starts(n)), n


# -- the failing fixture: a build Flux fails is never Ready ------------------------------------------

def test_a_failed_build_is_never_ready_nor_what_waits_for_it() -> None:
    """KC Reconcile: a build error (`kustomize build failed`, a path not found, a substitution error) ends the
    reconciliation before apply with the Ready condition False: nothing is applied, and the Kustomization never
    becomes Ready. Its dependents wait for it (checkDependencies) and a `wait: true` parent health-checks it
    forever, so neither is Ready either."""
    o = order("failing")
    causes = {n: (b.cause, b.node, b.file, b.line) for n, b in o.blocked.items()}
    assert causes == {
        FS + "broken": ("failed", FS + "broken", "clusters/home/ks.yaml", 8),  # spec.path
        FS + "after-broken": ("failed", FS + "broken", "clusters/home/ks.yaml", 8),
        FS + "after-after": ("failed", FS + "broken", "clusters/home/ks.yaml", 8),
        FS + "child": ("failed", FS + "child", "apps/child/kustomization.yaml", 4),
        FS + "parent": ("failed", FS + "child", "apps/child/kustomization.yaml", 4),
        FS + "bad-subst": ("failed", FS + "bad-subst", "apps/bad-subst/cm.yaml", 1),
    }
    assert o.blocked[FS + "broken"].detail == "kustomization path './apps/missing' not found"
    assert o.starts(FS + "broken") and not o.starts(FS + "after-broken")
    assert o.ready_at(FS + "parent") == math.inf
    assert o.critical_path().target not in o.blocked  # never Ready ones are left out
    assert o.slowest() not in o.blocked


def test_an_object_the_api_server_refuses_fails_the_kustomization(tmp_path: Path) -> None:
    """KC applies through server-side apply (dry-run first): an object without a namespace (`namespace not
    specified`) fails the whole apply, so the Kustomization is never Ready and neither is what depends on it."""
    repo = write(tmp_path, {
        **gotk(), "clusters/home/apps.yaml": ks("apps", "./apps"),
        "clusters/home/after.yaml": ks("after", "./ok", deps=("apps",)),
        "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
        "ok/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y, namespace: default}\n"})
    model = build_model(repo)
    o = model.facts[model.clusters[0].name].order
    assert {n: (b.cause, b.node, b.file) for n, b in o.blocked.items()} == {
        FS + "apps": ("failed", FS + "apps", "apps/cm.yaml"), FS + "after": ("failed", FS + "apps", "apps/cm.yaml")}


def test_a_flux_object_the_api_server_refuses_fails_the_kustomization_that_applies_it(tmp_path: Path) -> None:
    """The same holds when the refused object is a Flux Kustomization (its CRD requires spec.interval and
    spec.sourceRef) or a HelmRelease: the apply of the Kustomization holding it fails, so that Kustomization is
    never Ready, and the refused Kustomization is never created."""
    repo = write(tmp_path, {
        **gotk(), "clusters/home/tenants.yaml": ks("tenants", "./tenants"),
        "clusters/home/releases.yaml": ks("releases", "./releases"),
        "tenants/team.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
                             "metadata: {name: team, namespace: default}\nspec:\n  path: ./team\n",
        "releases/hr.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
                            "metadata: {name: web, namespace: default}\nspec:\n  interval: 5m\n  suspend: \"no\"\n"
                            "  chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: web}}}\n"})
    model = build_model(repo)
    o = model.facts[model.clusters[0].name].order
    assert {n: (b.cause, b.node, b.file, b.line) for n, b in o.blocked.items()} == {
        FS + "tenants": ("failed", FS + "tenants", "tenants/team.yaml", 4),
        "default/team": ("failed", FS + "tenants", "tenants/team.yaml", 4),
        FS + "releases": ("failed", FS + "releases", "releases/hr.yaml", 6)}
    assert o.blocked[FS + "tenants"].detail.startswith("Kustomization default/team: spec.interval: is required")
    assert "Kustomization flux-system/tenants fails to apply" in o.blocked[FS + "tenants"].detail


# -- the corpora -----------------------------------------------------------------------------------

# entries the corpora README says are given by hand: (path, sync source kind, name, namespace)
HAND_ENTRIES = {
    "ionfury__homelab": ("kubernetes/clusters/live", "OCIRepository", "flux-system", "flux-system"),
    "giantswarm__gitops-template": ("management-clusters/MC_NAME", "GitRepository", "your-repo", "default"),
}


def _corpus_clusters(path: Path) -> tuple[list[Cluster], Repo]:
    if path.name not in HAND_ENTRIES:
        model = build_model(path)
        return model.clusters, Repo(model.repo_root)
    where, kind, name, namespace = HAND_ENTRIES[path.name]
    repo = Repo(path)
    entry = explicit_entry(repo, where)
    entry.source.kind, entry.source.name, entry.source.namespace = kind, name, namespace
    entry.root_spec["sourceRef"].update(kind=kind, name=name, namespace=namespace)
    cluster = simulate(repo, entry)
    dag.apply_order(cluster, repo.read_text)
    return [cluster], repo


def _minutes(t: float | None) -> str:
    return "unknown" if t is None else "never" if t == math.inf else f"{t / 60:.1f}m"


@pytest.mark.corpora
def test_corpora_roots_are_applied_by_the_root_and_wait_for_nothing() -> None:
    """Every corpus: a root is applied by the entry's root and waits for nothing. Prints, per cluster:
    KS count, roots by the old rule (no dependsOn) and the new one, the highest
    level by each, the critical path's levels and worst-case bound, the slowest Kustomization's bound,
    and how many Kustomizations never become Ready and how many cycles there are."""
    if not CORPORA.is_dir():
        pytest.skip(f"{CORPORA} absent")
    rows = []
    for path in sorted(p for p in CORPORA.iterdir() if p.is_dir()):
        clusters, repo = _corpus_clusters(path)
        for cluster in clusters:
            o = EffectiveOrder.of(cluster, read_text=repo.read_text)
            for n in o.roots:
                node = cluster.kustomizations[n]
                assert node.parent == cluster.root_id and not node.depends_on, n
                assert o.waits_for(n) == {cluster.root_id} and not o.ancestors(n) - {cluster.root_id}, n
                assert o.levels[n] == 0
            assert [n for n in o.levels if o.levels[n] == 0 and n != cluster.root_id
                    and cluster.kustomizations[n].parent != cluster.root_id] == []
            cp = o.critical_path()
            slowest = o.slowest()
            rows.append(f"{path.name[:28]:28} {cluster.name[:12]:12} {len(cluster.kustomizations):4} "
                        f"{len(old_roots(cluster)):4} {len(o.roots):4} "
                        f"{max(old_levels(cluster).values()):4} {max(o.levels.values()):3} "
                        f"{cp.levels:3} {_minutes(cp.bound):>8} "
                        f"{_minutes(o.ready_at(slowest) if slowest else None):>8} "
                        f"{len(o.blocked):4} {len(o.cycles):3}")
    print("\ncorpus                       cluster        KS roots:old new lvl:old new  cp    bound  slowest "
          "blocked cycles")
    print("\n".join(rows))
