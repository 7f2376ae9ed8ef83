"""Two HelmReleases that install the same Helm release: the same storage namespace (``spec.storageNamespace``,
else the HelmRelease's) and release name (``spec.releaseName``, else ``[targetNamespace-]name``). helm-controller
finds the release the other installed in storage, not in its own history, takes it for "release not managed by
controller", clears its history and upgrades it (internal/reconcile/state.go DetermineReleaseState,
atomic_release.go ReleaseStatusUnmanaged): each HelmRelease then upgrades the release with its own chart and
values in turn (fluxcd/helm-controller#1348). Only on one cluster, and only while neither is suspended."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_REPO = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: flux-system}
spec: {interval: 1h, url: https://charts.example.com}
"""


def _release(name: str, namespace: str, extra: str = "") -> str:
    return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: {name}, namespace: "
            f"{namespace}}}\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: {name}\n      sourceRef: "
            f"{{kind: HelmRepository, name: charts, namespace: flux-system}}\n{extra}")


def _shared(root: Path, files: dict[str, str]) -> list[tuple[str, int, str, str]]:
    write(root, gotk() | {"clusters/home/apps.yaml": ks("apps", "./apps"), "apps/repo.yaml": _REPO} | files)
    [cluster] = build_model(root).clusters
    return [(w.file, w.line, w.cls, w.message) for w in cluster.warnings if w.code == "FW-HELM-RELEASE-SHARED"]


def test_two_helmreleases_of_one_release_name_and_storage_fight(tmp_path: Path) -> None:
    found = _shared(tmp_path, {
        "apps/cache.yaml": _release("cache", "db", "  releaseName: redis\n"),
        "apps/redis.yaml": _release("redis", "db"),
        "apps/web.yaml": _release("web", "flux-system", "  targetNamespace: team\n"),
        "apps/team-web.yaml": _release("team-web", "apps", "  storageNamespace: flux-system\n"),
    })
    assert found == [
        ("apps/redis.yaml", 1, "repo", "HelmReleases db/cache (apps/cache.yaml:1) and db/redis (apps/redis.yaml:1) "
         "both install Helm release redis in namespace db (its storage): helm-controller takes a release its "
         "HelmRelease did not install for one it does not manage and upgrades it, so each upgrades it with its "
         "own chart and values in turn; give one another spec.releaseName or spec.storageNamespace"),
        ("apps/web.yaml", 1, "repo", "HelmReleases apps/team-web (apps/team-web.yaml:1) and flux-system/web "
         "(apps/web.yaml:1) both install Helm release team-web in namespace flux-system (its storage): "
         "helm-controller takes a release its HelmRelease did not install for one it does not manage and upgrades "
         "it, so each upgrades it with its own chart and values in turn; give one another spec.releaseName or "
         "spec.storageNamespace")]


def test_suspended_remote_or_one_object_applied_twice_is_no_clash(tmp_path: Path) -> None:
    assert _shared(tmp_path, {
        "apps/cache.yaml": _release("cache", "db", "  releaseName: redis\n  suspend: true\n"),
        "apps/redis.yaml": _release("redis", "db"),
        "apps/edge.yaml": _release("edge", "db", "  releaseName: redis\n  kubeConfig: {secretRef: {name: edge}}\n"),
        "clusters/home/again.yaml": ks("again", "./other"),
        "other/redis.yaml": _release("redis", "db"),
    }) == []
