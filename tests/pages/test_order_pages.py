"""The effective order on the pages and in the inventory JSON: levels, roots, "Depends On", gates, what is never
Ready, the critical path, on fixtures with nested Kustomizations (tests/analysis/fixtures/order: a parent with
and without `wait`, children with and without dependsOn, a dependsOn on a Kustomization another parent applies,
suspended, dangling and cyclic ones), and the corpora invariant on the pages of every corpus.

The Flux rules these pin are cited in tests/analysis/test_order.py (kustomize-controller's sources)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest

from flux_wiki.compile import CompiledWiki, WikiCompiler
from flux_wiki.config import WikiConfig
from flux_wiki.render.inventory import inventory

from ..simulate.test_simulate import cm, gotk, ks, write
from ..support import CORPORA

ORDER = Path(__file__).parents[1] / "analysis" / "fixtures" / "order"


@functools.cache
def compiled(name: str) -> CompiledWiki:
    return WikiCompiler().compile(WikiConfig(repo=ORDER / name, diagrams=False))


def page(name: str, path: str) -> str:
    return next(p.markdown for p in compiled(name).pages if p.path.endswith(path))


def plain(markdown: str) -> str:
    """Markdown links as their text, escapes undone: what a reader sees."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown))


def table(markdown: str) -> dict[str, list[str]]:
    """The DAG Layers table: layer name -> its cells as a reader sees them."""
    section = markdown.split("## DAG Layers", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| [") or line.startswith("| `"):
            cells = [plain(c.strip()) for c in line.strip("|").split(" | ")]
            rows[cells[0].split(" (")[0]] = cells
    return rows


def section(markdown: str, heading: str) -> str:
    return plain(markdown.split(heading + "\n", 1)[1].split("\n#", 1)[0])


def spec(layer_page: str) -> dict[str, str]:
    return {m[0]: plain(m[1]) for m in re.findall(r"^\| ([^|]+) \| (.*) \|$", layer_page, re.M)}


# -- nested: every edge kind, no problem -------------------------------------------------------------

def test_depends_on_says_what_each_layer_waits_for() -> None:
    """A child without dependsOn under a parent that waits for X is "after X (via parent P)", not a root;
    one whose parent waits for nothing is "applied by P"; one with its own dependsOn lists it (what its parent
    waits for is implied when a dependency waits for it too, as platform-b's platform-a does)."""
    rows = table(page("nested", "dag.md"))
    assert {name: cells[1] for name, cells in rows.items()} == {
        "gated": "Flux root only", "repos": "Flux root only", "tenant-base": "Flux root only",
        "gated-child": "applied by gated", "gated-other": "applied by gated",
        "infra": "repos", "platform": "repos", "tenant": "repos, tenant-base", "after-gated": "gated",
        "infra-crds": "after repos (via parent infra)", "platform-a": "after repos (via parent platform)",
        "infra-controllers": "infra-crds", "apps": "infra", "platform-b": "infra-controllers, platform-a",
        "app-db": "after infra (via parent apps)", "app-web": "app-db",
    }
    # rows in level order: apps waits for infra to be Ready, which waits for its children (wait: true)
    assert list(rows) == ["gated", "repos", "tenant-base", "gated-child", "gated-other", "infra", "platform",
                          "tenant", "after-gated", "infra-crds", "platform-a", "infra-controllers", "apps",
                          "platform-b", "app-db", "app-web"]


def test_roots_levels_and_gates_on_the_dag_page() -> None:
    dag = page("nested", "dag.md")
    assert "converges through 16 layers in 7 levels; 3 of them are roots" in dag
    assert re.findall(r"^- (\w[\w-]*): ", section(dag, "### Roots"), re.M) == ["gated", "repos", "tenant-base"]
    gates = section(dag, "### Parents That Wait For Their Children")
    assert ("gated is Ready only once gated-child is Ready (`healthChecks`, `clusters/home/gated.yaml:16`)"
            in gates)
    assert "infra is Ready only once infra-controllers, infra-crds are Ready (`wait: true`" in gates
    downstream = section(dag, "### Downstream Dependencies")
    assert "- app-db waits for infra (via parent apps, which depends on it); `wait: true`" in downstream
    assert "Never Ready" not in dag


def test_layer_pages_state_level_waits_gates_and_their_chain() -> None:
    infra = page("nested", "layers/infra.md")
    fields = spec(infra)
    assert fields["Level"] == "1 (Ready at level 3)"
    assert fields["Applies"] == "infra-controllers, infra-crds"
    order = section(infra, "## Reconciliation Order")
    assert "It starts once the Flux root has applied it and repos is Ready." in order
    assert "It is Ready only once infra-controllers, infra-crds are Ready (`wait: true`" in order
    app_db = page("nested", "layers/app-db.md")
    assert spec(app_db)["Depends on"] == "after infra (via parent apps)"
    assert spec(app_db)["Level"] == "5"
    order = section(app_db, "## Reconciliation Order")
    assert "It starts once apps has applied it; through its parents it also comes after infra (via parent apps)." \
        in order
    # its own chain from the root, with the worst-case times of tests/analysis/test_order.py
    assert "Ready at most 22m 30s after bootstrap" in order
    steps = re.findall(r"^\| (\d+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", order, re.M)
    assert [(name, at) for _, name, _, at in steps] == [
        ("Flux root flux-system", "0s"), ("repos", "0s"), ("repos", "0s"), ("infra", "30s"), ("infra-crds", "30s"),
        ("infra-crds", "2m 30s"), ("infra-controllers", "3m"), ("infra-controllers", "6m"), ("infra", "12m 30s"),
        ("apps", "13m"), ("**app-db**", "13m"), ("**app-db**", "22m 30s")]
    assert steps[8][2] == "is Ready once infra-controllers is Ready (it gates on it)"
    repos = page("nested", "layers/repos.md")
    assert "A root: the Flux root applies it and it waits for nothing else" in repos


def test_the_critical_path_and_its_formula_are_on_the_dag_page() -> None:
    dag = page("nested", "dag.md")
    assert "The longest chain to readiness ends at app-web and takes at most 23m after bootstrap" in plain(dag)
    critical = section(dag, "## Critical Path")
    assert "(6 levels) ends at app-web, Ready at most 23m after bootstrap" in critical
    assert "Ready = start + n × (T + R) + T" in critical and "`--requeue-dependency`" in critical
    assert critical.count("\n| ") == 15  # the header, its rule and 14 steps


# -- stuck: suspended, dangling, cycles -------------------------------------------------------------

def test_suspended_and_blocked_layers_are_flagged() -> None:
    """spec.suspend: Flux never reconciles it (KC Reconcile returns before any apply); its children are never
    created and its dependents never start. Cycles through dependsOn, applied-by and a wait gate deadlock."""
    dag = page("stuck", "dag.md")
    rows = table(dag)
    assert rows["paused"][0] == "paused (suspended)" and rows["paused"][1] == "Flux root only"
    assert rows["after-paused"][0] == "after-paused (never Ready)"
    assert rows["ok"][0] == "ok"
    assert rows["orphan"][1] == "`flux-system/nowhere` (missing)"
    stuck = section(dag, "### Never Ready On A Fresh Bootstrap")
    assert "- paused: spec.suspend is true: it never reconciles (`clusters/home/ks.yaml:22`)." in stuck
    assert "- after-paused: waits for paused, which is suspended (`clusters/home/ks.yaml:22`)." in stuck
    assert ("- waiter: in a cycle: flux-system/waiter-child depends on flux-system/waiter; flux-system/waiter waits "
            "for flux-system/waiter-child to be Ready (wait) (`waiter/child.yaml:15`).") in stuck
    assert re.findall(r"^- (\w[\w-]*): ", section(dag, "### Roots"), re.M) == ["checker", "ok", "waiter"]
    paused = page("stuck", "layers/paused.md")
    assert '!!! warning "Suspended"' in paused and "never becomes Ready, and the Kustomizations it applies" in paused
    orphan = page("stuck", "layers/orphan.md")
    assert "It never becomes Ready: depends on flux-system/nowhere, which this cluster never applies" in orphan
    needs = section(orphan, "## Needs")  # not "It has no dependsOn": it has one, to nothing this cluster applies
    assert "- Its `dependsOn` name only Kustomizations this cluster never applies: `flux-system/nowhere`." in needs
    assert "It has no `dependsOn`" not in needs
    messages = {str(d) for d in compiled("stuck").diagnostics}
    assert ("waiter/child.yaml:15: reconciliation deadlock: flux-system/waiter-child depends on flux-system/waiter; "
            "flux-system/waiter waits for flux-system/waiter-child to be Ready (wait); none of them ever becomes "
            "Ready [FW-DEPENDSON-CYCLE]") in messages
    assert any(m.startswith("clusters/home/ks.yaml:107: dependsOn cycle:") for m in messages)


# -- releases never installed: a HelmRelease dependsOn cycle, a deadlock, a suspended dependency ---------------

_HELM_REPO = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, namespace: apps}\n"
              "spec: {url: https://charts.example.com}\n")


def _release(name: str, ns: str, deps: str = "", suspend: bool = False) -> str:
    return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: {name}, namespace: {ns}}}\n"
            f"spec:\n  interval: 1h\n{'  suspend: true' + chr(10) if suspend else ''}  chart: {{spec: {{chart: x, "
            f"sourceRef: {{kind: HelmRepository, name: charts, namespace: apps}}}}}}\n{deps}")


def test_releases_never_installed_are_shown_as_blocked_layers_are(tmp_path: Path) -> None:
    """A release on a dependsOn cycle (b1b1b6b), one in a deadlock with a later layer (51389b5) and one behind a
    suspended release are never installed (helm-controller's checkDependencies): the DAG page lists them under
    Never Ready, with the layers that wait for them (wait: true) and what depends on those; their layer pages mark
    them; a layer without wait is not held, and a release that installs is not named."""
    write(tmp_path, gotk() | {
        "clusters/home/ks.yaml": "---\n".join([
            ks("infra", "./infra", extra="wait: true"), ks("apps", "./apps", deps=("infra",)),
            ks("ring", "./ring", extra="wait: true"), ks("after-ring", "./after-ring", deps=("ring",)),
            ks("paused", "./paused")]),
        "infra/kustomization.yaml": "resources: [repo.yaml, proxy.yaml]\n",
        "infra/repo.yaml": _HELM_REPO,
        "infra/proxy.yaml": _release("proxy", "infra", "  dependsOn:\n    - {name: web, namespace: apps}\n"),
        "apps/web.yaml": _release("web", "apps"),
        "ring/a.yaml": _release("a", "apps", "  dependsOn:\n    - name: b\n"),
        "ring/b.yaml": _release("b", "apps", "  dependsOn:\n    - name: a\n"),
        "after-ring/cm.yaml": cm("after"),
        "paused/db.yaml": _release("db", "apps", suspend=True),
        "paused/ui.yaml": _release("ui", "apps", "  dependsOn:\n    - name: db\n"),
    })
    wiki = WikiCompiler().compile(WikiConfig(repo=tmp_path, diagrams=False))
    dag = next(p.markdown for p in wiki.pages if p.path.endswith("dag.md"))
    rows = table(dag)
    assert [name for name, cells in rows.items() if cells[0].endswith("(never Ready)")] == [
        "infra", "ring", "after-ring", "apps"]
    assert rows["paused"][0] == "paused"
    stuck = section(dag, "### Never Ready On A Fresh Bootstrap")
    assert ("- infra: in a cycle: flux-system/infra waits for HelmRelease infra/proxy to be Ready (wait); infra/proxy "
            "depends on apps/web; flux-system/apps applies apps/web only once flux-system/infra is Ready "
            "(`infra/proxy.yaml:8`).") in stuck
    assert "- apps: waits for infra, which is in a cycle (`infra/proxy.yaml:8`)." in stuck
    assert ("- ring: waits for HelmRelease apps/a to be Ready (wait), which is never installed: in a cycle: apps/a "
            "depends on apps/b; apps/b depends on apps/a (`ring/a.yaml:8`).") in stuck
    assert "- after-ring: waits for ring, which waits for a HelmRelease that is never installed (`ring/a.yaml:8`)." \
        in stuck
    assert [line for line in stuck.splitlines() if line.startswith("- HelmRelease")] == [
        "- HelmRelease `infra/proxy` of infra, never installed: in a cycle: flux-system/infra waits for HelmRelease "
        "infra/proxy to be Ready (wait); infra/proxy depends on apps/web; flux-system/apps applies apps/web only once "
        "flux-system/infra is Ready (`infra/proxy.yaml:8`).",
        "- HelmRelease `apps/ui` of paused, never installed: it waits for HelmRelease `apps/db`, which is suspended "
        "(`paused/db.yaml:6`).",
        "- HelmRelease `apps/a` of ring, never installed: in a cycle: apps/a depends on apps/b; apps/b depends on "
        "apps/a (`ring/a.yaml:8`).",
        "- HelmRelease `apps/b` of ring, never installed: it waits for HelmRelease `apps/a`, which is in a cycle "
        "(`ring/a.yaml:8`)."]
    paused = plain(next(p.markdown for p in wiki.pages if p.path.endswith("layers/paused.md")))
    assert "| `apps/ui` (`paused/ui.yaml:1`) (never installed) |" in paused
    assert "| `apps/db` (`paused/db.yaml:1`) |" in paused
    assert ("`apps/ui` is never installed on a fresh bootstrap: it waits for HelmRelease `apps/db`, which is "
            "suspended (`paused/db.yaml:6`).") in paused


# -- failing: a build Flux fails ----------------------------------------------------------------------

def test_layers_flux_fails_and_what_waits_for_them_are_never_ready() -> None:
    """A Kustomization whose build fails never becomes Ready (kustomize-controller stops before apply), nor do
    its dependents and a `wait: true` parent gating on it: the pages say so, with the line that fails."""
    dag = page("failing", "dag.md")
    rows = table(dag)
    assert rows["after-after"][0] == "after-after (never Ready)" and rows["fine"][0] == "fine"
    stuck = section(dag, "### Never Ready On A Fresh Bootstrap")
    assert ("- broken: Flux fails it: kustomization path './apps/missing' not found "
            "(`clusters/home/ks.yaml:8`).") in stuck
    assert "- after-after: waits for broken, which Flux fails (`clusters/home/ks.yaml:8`)." in stuck
    assert "- parent: waits for child, which Flux fails (`apps/child/kustomization.yaml:4`)." in stuck
    assert "- bad-subst: Flux fails it: ConfigMap default/painted: variable substitution failed" in stuck
    after = page("failing", "layers/after-broken.md")
    assert ("It waits for broken, which Flux fails: kustomization path './apps/missing' not found "
            "(`clusters/home/ks.yaml:8`).") in plain(after)
    assert "ends at [fine]" in dag.split("## Critical Path", 1)[1]


def test_a_chain_that_never_ends_in_readiness_says_so() -> None:
    """A never-Ready layer's chain has no time bound: its page says it is never Ready, not "Ready at most
    never" (the chain table's "never" cells are the per-step times)."""
    after = page("failing", "layers/after-broken.md")
    assert "1 level of waits before it starts; never Ready, computed as on the DAG page" in plain(after)
    assert all("at most never" not in p.markdown for name in ("failing", "stuck") for p in compiled(name).pages)


def test_the_dag_page_of_a_cluster_where_nothing_becomes_ready(tmp_path: Path) -> None:
    """Every layer waits on a Kustomization that depends on itself (kustomize-controller checkDependencies:
    it is never Ready, so neither is it nor what waits for it): the critical path ends at a layer that never
    becomes Ready, and the DAG page says that instead of a time."""
    repo = write(tmp_path, {**gotk(), "clusters/home/ks.yaml": ks("infra", "./infra", deps=("infra",)) + "---\n"
                            + ks("apps", "./apps", deps=("infra",)),
                            "infra/cm.yaml": cm("a"), "apps/cm.yaml": cm("b")})
    dag = next(p.markdown for p in WikiCompiler().compile(WikiConfig(repo=repo, diagrams=False)).pages
               if p.path.endswith("dag.md"))
    assert "The longest chain of waits ends at apps, which never becomes Ready (Critical Path)." in plain(dag)
    assert "(1 level) ends at apps, which never becomes Ready:" in section(dag, "## Critical Path")
    assert "at most never" not in dag


def test_a_chain_whose_time_cannot_be_computed_says_so(tmp_path: Path) -> None:
    """An ``interval`` substituted from a Secret cannot be read, so the chain's bound is unknown: the pages say
    when it is Ready is unknown, not "Ready at most unknown after bootstrap"."""
    infra = ks("infra", "./infra", extra="wait: true").replace("interval: 10m", "interval: ${INTERVAL}")
    sync = {file: text.replace("name: flux-system}}", "name: flux-system}, "
                                "postBuild: {substituteFrom: [{kind: Secret, name: cluster-secrets}]}}")
            for file, text in gotk().items()}
    repo = write(tmp_path, {**sync, "clusters/home/ks.yaml": infra + "---\n" + ks("apps", "./apps", deps=("infra",)),
                            "infra/cm.yaml": cm("a"), "apps/cm.yaml": cm("b")})
    pages = {p.path: p.markdown for p in WikiCompiler().compile(WikiConfig(repo=repo, diagrams=False)).pages}
    dag, apps = pages["flux/home/dag.md"], pages["flux/home/layers/apps.md"]
    assert ("The longest chain to readiness ends at apps; how long it takes is unknown, as a duration in it "
            "cannot be read (Critical Path).") in plain(dag)
    assert ("(1 level) ends at apps, Ready at an unknown time, as a duration in the chain cannot be read:"
            in plain(section(dag, "## Critical Path")))
    assert ("1 level of waits before it starts; when it is Ready is unknown, as a duration in the chain cannot be "
            "read: see the DAG page):") in plain(apps)
    assert all("at most unknown" not in text for text in pages.values())


# -- the inventory JSON -------------------------------------------------------------------------------

def test_inventory_json_has_both_edge_kinds_gates_roots_and_the_critical_path() -> None:
    data = json.loads(json.dumps(inventory(compiled("nested").model)))
    (cluster,) = data["clusters"]
    assert cluster["roots"] == ["flux-system/gated", "flux-system/repos", "team/tenant-base"]
    edges = {(e["kind"], e["from"], e["to"]): (e["file"], e["line"]) for e in cluster["edges"]}
    assert edges[("appliedBy", "flux-system/apps", "flux-system/app-db")] == ("apps/stack/db.yaml", 1)
    assert edges[("dependsOn", "flux-system/infra-controllers", "flux-system/platform-b")][0] == \
        "platform/stack/b.yaml"  # a dependsOn on a Kustomization another parent applies
    assert edges[("dependsOn", "flux-system/repos", "team/tenant")] == ("clusters/home/tenant.yaml", 29)
    assert {e["kind"] for e in cluster["edges"]} == {"appliedBy", "dependsOn"}
    assert {(g["parent"], g["child"], g["reason"]) for g in cluster["gates"]} == {
        ("flux-system/gated", "flux-system/gated-child", "healthChecks"),
        ("flux-system/infra", "flux-system/infra-controllers", "wait"),
        ("flux-system/infra", "flux-system/infra-crds", "wait")}
    assert cluster["criticalPath"]["target"] == "flux-system/app-web"
    assert cluster["criticalPath"]["boundSeconds"] == 1380
    ks = {k["id"]: k for k in cluster["kustomizations"]}
    # dependsOn and parent are kept as they were; level is the effective level
    assert ks["flux-system/app-db"]["dependsOn"] == [] and ks["flux-system/app-db"]["parent"] == "flux-system/apps"
    assert ks["flux-system/app-db"]["level"] == 5 and ks["flux-system/apps"]["level"] == 4
    stuck = inventory(compiled("stuck").model)["clusters"][0]
    blocked = {b["id"]: (b["cause"], b["node"]) for b in stuck["blocked"]}
    assert blocked["flux-system/after-paused"] == ("suspended", "flux-system/paused")
    assert stuck["criticalPath"]["target"] == "flux-system/ok"


# -- the corpora, through the pages -----------------------------------------------------------------

@pytest.mark.corpora
def test_corpora_pages_name_as_roots_only_what_the_root_applies_and_waits_for_nothing() -> None:
    """Every corpus's DAG page: the Roots list is exactly the order's roots among the shown layers, each applied
    by the entry's root and waiting for nothing; "Flux root only" is said of such layers only."""
    if not CORPORA.is_dir():
        pytest.skip(f"{CORPORA} absent")
    checked = 0
    for path in sorted(p for p in CORPORA.iterdir() if p.is_dir()):
        if path.name in ("ionfury__homelab", "giantswarm__gitops-template"):
            continue  # their entries are given by hand (tests/analysis/test_order.py covers them)
        wiki = WikiCompiler().compile(WikiConfig(repo=path, diagrams=False))
        for c in wiki.model.clusters:
            facts = wiki.model.facts[c.name]
            dag = next(p.markdown for p in wiki.pages if p.kind == "dag" and p.path == wiki.layout.dag(c))
            named = [m for m in re.findall(r"^- (.+?): `", section(dag, "### Roots"), re.M) if m != "None"]
            roots = {facts.layer(n.id).node.name: n for n in facts.roots}
            assert sorted(named) == sorted(roots), (path.name, c.name)
            for node in roots.values():
                assert node.parent == c.root_id and not node.depends_on, node.id
                assert facts.order.waits_for(node.id) == {c.root_id}, node.id
            for name, cells in table(dag).items():
                node = facts.kustomization(name)
                if cells[1] == "Flux root only":
                    assert node is not None and node.parent == c.root_id and not node.depends_on, (path.name, name)
            checked += 1
    assert checked >= 10
