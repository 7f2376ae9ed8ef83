"""A HelmRelease's dependsOn on a HelmRelease the cluster never applies: helm-controller waits for ever, so the
release is never installed (FW-DEPENDSON-DANGLING, at the dependsOn entry's line)."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_REPO = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, namespace: apps}\n"
         "spec: {url: https://charts.example.com}\n")


def _release(name: str, ns: str, deps: str = "") -> str:
    return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
            "spec:\n  interval: 1h\n  chart: {spec: {chart: x, sourceRef: {kind: HelmRepository, name: charts, "
            f"namespace: apps}}}}}}\n{deps}")


def test_dependency_on_a_release_nothing_applies(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/kustomization.yaml": "resources: [repo.yaml, db.yaml, web.yaml]\n",
        "apps/repo.yaml": _REPO,
        "apps/db.yaml": _release("db", "data"),
        "apps/web.yaml": _release("web", "apps", "  dependsOn:\n    - name: cache\n    - name: db\n"
                                                 "    - {name: db, namespace: data}\n"),
    })
    [cluster] = build_model(tmp_path).clusters
    found = sorted((w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-DEPENDSON-DANGLING")
    assert [(f, line) for f, line, _ in found] == [("apps/web.yaml", 10), ("apps/web.yaml", 11)]
    assert "HelmRelease apps/web depends on HelmRelease apps/cache, which this cluster never applies" in found[0][2]
    assert "(this cluster has data/db: set dependsOn's namespace)" in found[1][2]
    assert all(w.cls == "repo" for w in cluster.warnings if w.code == "FW-DEPENDSON-DANGLING")


def test_a_release_without_a_namespace_is_named_as_other_namespace_less_objects(tmp_path: Path) -> None:
    """A HelmRelease with no metadata.namespace (kustomize-controller fails to apply it) is named ``eso``, as the
    namespace-missing warning names it, and so is a dependency it names without a namespace: not ``/eso``."""
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/eso.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: eso}\n"
                         "spec:\n  interval: 1h\n  dependsOn: [{name: other}]\n  chart: {spec: {chart: ./charts/eso, "
                         "sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}}\n",
    })
    [cluster] = build_model(tmp_path).clusters
    messages = {w.code: w.message for w in cluster.warnings}
    assert messages["FW-DEPENDSON-DANGLING"].startswith("HelmRelease eso depends on HelmRelease other, which")
    assert messages["FW-HELM-CHART-MISSING"].startswith("HelmRelease eso: chart path './charts/eso' of GitRepository")
    assert "HelmRelease eso has no namespace" in messages["FW-NAMESPACE-MISSING"]
    assert [(h.ident(), h.depends_on) for h in cluster.helm_releases] == [("eso", ["other"])]


def test_releases_that_depend_on_each_other_are_never_installed(tmp_path: Path) -> None:
    """helm-controller installs a release only once each dependency is Ready, and looks for no cycle
    (checkDependencies): releases that depend on each other wait for ever. A readyExpr entry is not the Ready
    check, so it closes no cycle here."""
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/kustomization.yaml": "resources: [repo.yaml, web.yaml, api.yaml, db.yaml, ui.yaml, a.yaml, b.yaml]\n",
        "apps/repo.yaml": _REPO,
        "apps/web.yaml": _release("web", "apps", "  dependsOn:\n    - name: api\n"),
        "apps/api.yaml": _release("api", "apps", "  dependsOn:\n    - {name: db, namespace: data}\n"),
        "apps/db.yaml": _release("db", "data", "  dependsOn:\n    - {name: web, namespace: apps}\n"),
        "apps/ui.yaml": _release("ui", "apps", "  dependsOn:\n    - name: web\n"),
        "apps/a.yaml": _release("a", "apps", "  dependsOn:\n    - name: b\n"),
        "apps/b.yaml": _release("b", "apps", "  dependsOn:\n    - {name: a, readyExpr: 'true'}\n"),
    })
    [cluster] = build_model(tmp_path).clusters
    [cycle] = [w for w in cluster.warnings if w.code == "FW-DEPENDSON-CYCLE"]
    assert (cycle.file, cycle.line, cycle.cls) == ("apps/api.yaml", 10, "repo")
    assert cycle.message == ("HelmRelease dependsOn cycle: apps/api depends on data/db; data/db depends on apps/web; "
                             "apps/web depends on apps/api; none of them is ever installed")


def test_a_release_waited_for_that_depends_on_a_later_layer_deadlocks(tmp_path: Path) -> None:
    """infra waits (wait: true) for its release, which depends on a release of apps, which depends on infra: apps
    is applied only once infra is Ready, infra is Ready only once its release is, and that release is never
    installed before apps applied its dependency. A layer that does not wait (or a dependency applied earlier)
    makes no deadlock."""
    write(tmp_path, gotk() | {
        "clusters/home/ks.yaml": ks("infra", "./infra", extra="wait: true") + "---\n"
        + ks("apps", "./apps", deps=("infra",)) + "---\n" + ks("loose", "./loose") + "---\n"
        + ks("late", "./late", deps=("loose",)),
        "infra/kustomization.yaml": "resources: [repo.yaml, proxy.yaml]\n",
        "infra/repo.yaml": _REPO,
        "infra/proxy.yaml": _release("proxy", "infra", "  dependsOn:\n    - {name: web, namespace: apps}\n"),
        "apps/web.yaml": _release("web", "apps", "  dependsOn:\n    - {name: db, namespace: data}\n"),
        "apps/db.yaml": _release("db", "data"),
        "loose/ui.yaml": _release("ui", "apps", "  dependsOn:\n    - name: api\n"),
        "late/api.yaml": _release("api", "apps"),
    })
    [cluster] = build_model(tmp_path).clusters
    [deadlock] = [w for w in cluster.warnings if w.code == "FW-DEPENDSON-CYCLE"]
    assert (deadlock.file, deadlock.line) == ("infra/proxy.yaml", 10)
    assert deadlock.message == (
        "reconciliation deadlock: flux-system/infra waits for HelmRelease infra/proxy to be Ready (wait); infra/proxy "
        "depends on apps/web; flux-system/apps applies apps/web only once flux-system/infra is Ready; none of them "
        "ever becomes Ready")


_GENERATING = """\
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata: {name: proxies, namespace: infra}
spec:%(wait)s
  inputs:
    - name: proxy
  resources:
    - apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata: {name: << inputs.name >>, namespace: infra}
      spec:
        interval: 1h
        chart: {spec: {chart: x, sourceRef: {kind: HelmRepository, name: charts, namespace: apps}}}
        dependsOn: [{name: web, namespace: apps}]
"""


def test_a_generated_release_deadlocks_only_through_a_resource_set_that_waits(tmp_path: Path) -> None:
    """A parent's wait: true reaches the HelmReleases a ResourceSet generates only when the ResourceSet has wait: true
    itself (flux-operator applies them; without it the ResourceSet is Ready once applied)."""
    found = []
    for wait in ("", "\n  wait: true"):
        root = tmp_path / str(len(found))
        write(root, gotk() | {
            "clusters/home/ks.yaml": ks("infra", "./infra", extra="wait: true") + "---\n"
            + ks("apps", "./apps", deps=("infra",)),
            "infra/proxies.yaml": _GENERATING % {"wait": wait},
            "apps/repo.yaml": _REPO,
            "apps/web.yaml": _release("web", "apps"),
        })
        [cluster] = build_model(root).clusters
        found.append([w.message for w in cluster.warnings if w.code == "FW-DEPENDSON-CYCLE"])
    assert found[0] == []
    assert [m.split(";")[0] for m in found[1]] == [
        "reconciliation deadlock: flux-system/infra waits for HelmRelease infra/proxy to be Ready (wait)"]


def test_a_release_depending_on_a_suspended_release_is_never_installed(tmp_path: Path) -> None:
    """helm-controller returns before anything else for a suspended HelmRelease ("reconciliation is suspended for
    this object"), so on a fresh cluster it never gets a Ready condition, and checkDependencies holds every release
    that depends on it ("dependency ... is not ready", requeued for ever). As a Kustomization that depends on a
    suspended one, that is no warning, but the order says so: web is never installed, nor ui after it; apps, which
    waits for web (wait: true), is never Ready, nor later, which depends on apps. A readyExpr entry is judged by its
    expression, not by Ready: api is not held."""
    write(tmp_path, gotk() | {
        "clusters/home/ks.yaml": ks("apps", "./apps", extra="wait: true") + "---\n"
        + ks("later", "./later", deps=("apps",)) + "---\n" + ks("free", "./free"),
        "apps/kustomization.yaml": "resources: [repo.yaml, db.yaml, web.yaml]\n",
        "apps/repo.yaml": _REPO,
        "apps/db.yaml": _release("db", "data").replace("  interval: 1h\n", "  interval: 1h\n  suspend: true\n"),
        "apps/web.yaml": _release("web", "apps", "  dependsOn:\n    - {name: db, namespace: data}\n"),
        "later/ui.yaml": _release("ui", "apps", "  dependsOn:\n    - name: web\n"),
        "free/api.yaml": _release("api", "apps", "  dependsOn:\n    - {name: db, namespace: data, readyExpr: 'true'}\n"),
    })
    model = build_model(tmp_path)
    [cluster] = model.clusters
    assert [w for w in cluster.warnings if w.code.startswith("FW-DEPENDSON")] == []
    order = model.facts[cluster.name].order
    held = {r: (b.cause, b.node, b.file, b.line) for r, b in order.blocked_releases.items()}
    assert held == {"apps/web": ("suspended", "data/db", "apps/db.yaml", 8),
                    "apps/ui": ("suspended", "data/db", "apps/db.yaml", 8)}
    apps = order.blocked["flux-system/apps"]
    assert (apps.cause, apps.node, apps.file, apps.line) == ("release", "flux-system/apps", "apps/db.yaml", 8)
    assert apps.detail == ("waits for HelmRelease apps/web to be Ready (wait), which is never installed: it waits "
                           "for HelmRelease data/db, which is suspended")
    assert order.blocked["flux-system/later"].node == "flux-system/apps"
    assert "flux-system/free" not in order.blocked
