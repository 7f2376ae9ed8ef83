"""A guessed or ``entry:`` root is applied by a Kustomization outside the repository, whose targetNamespace
flux-wiki does not know: a child Kustomization it leaves without a namespace lands there, not in ``default``.
kustomize-controller resolves a dependsOn without a namespace in the dependent's own namespace
(kustomization_controller.go checkDependencies), so a dependsOn that dangles only because flux-wiki put one end in
``default`` is a limit there; the root ``flux bootstrap`` writes has no targetNamespace, so there it stays a
problem."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import cm, gotk, ks, write


def _unplaced(name: str, path: str, deps: tuple[str, ...] = ()) -> str:
    return ks(name, path, deps=deps).replace("  namespace: flux-system\n", "", 1)


_FILES = {
    "deploy/apps.yaml": "---\n".join((ks("db", "./apps/db"), _unplaced("web", "./apps/web", ("db", "typo")),
                                       _unplaced("cache", "./apps/cache"), ks("api", "./apps/api", deps=("cache",)))),
    "apps/db/cm.yaml": cm("db", "net"), "apps/web/cm.yaml": cm("web", "net"),
    "apps/cache/cm.yaml": cm("cache", "net"), "apps/api/cm.yaml": cm("api", "net"),
}


def _dangling(root: Path, entry: str | None = None) -> dict[str, str]:
    [cluster] = build_model(root, entry=entry).clusters
    return {d.message.split(" depends on ")[1].split(",")[0]: d.cls
            for d in cluster.warnings if d.code == "FW-DEPENDSON-DANGLING"}


def test_a_dependency_dangling_through_a_defaulted_namespace_is_a_limit_under_a_foreign_root(tmp_path: Path) -> None:
    write(tmp_path, _FILES)
    for entry in (None, "./deploy"):
        assert _dangling(tmp_path, entry) == {"default/db": "limit", "default/typo": "repo",
                                              "flux-system/cache": "limit"}


def test_under_the_bootstrap_root_it_stays_a_problem(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {f"clusters/home/{k.split('/', 1)[1]}": v for k, v in _FILES.items()
                              if k.startswith("deploy/")} | {k: v for k, v in _FILES.items() if k.startswith("apps/")})
    assert _dangling(tmp_path) == {"default/db": "repo", "default/typo": "repo", "flux-system/cache": "repo"}


def test_such_a_dependency_leaves_the_dependent_waiting_an_unknown_time(tmp_path: Path) -> None:
    """A limit, not a dependency never there: the dependent is not "never Ready" on the pages."""
    model = build_model(write(tmp_path, _FILES))
    order = model.facts[model.clusters[0].name].order
    assert "flux-system/api" not in order.blocked and order.ready_at("flux-system/api") is None
    assert order.blocked["default/web"].detail == "depends on default/typo, which this cluster never applies"
