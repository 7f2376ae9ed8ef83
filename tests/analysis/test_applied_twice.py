"""Two Kustomizations applying one object (analysis/applied_twice.py): different copies flip the object at every
reconciliation (a warning at the second, naming the first and the fields that differ); equal copies only move
its owner labels (a notice); kustomize-controller's own opt-outs and other clusters are no conflict."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_simulate import gotk, ks, write

from ..support import run_cli


def cm(labels: str = "{}", annotations: str = "{}", data: str = "{a: b}") -> str:
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  namespace: apps\n  labels: {labels}\n"
            f"  annotations: {annotations}\ndata: {data}\n")


def repo(tmp_path: Path, first: str, second: str, *, second_extra: str = "") -> Path:
    files = gotk()
    files.update({"clusters/home/one.yaml": ks("one", "./apps/one"),
                  "clusters/home/two.yaml": ks("two", "./apps/two", extra=second_extra),
                  "apps/one/cm.yaml": first, "apps/two/cm.yaml": second})
    return write(tmp_path, files)


def found(root: Path) -> list[tuple[str, str, int, str]]:
    [cluster] = build_model(root).clusters
    return [(d.code, d.file, d.line, d.message) for d in [*cluster.warnings, *cluster.notices]
            if d.code.startswith("FW-OBJECT-")]


def test_different_copies_are_a_warning_at_the_second_naming_the_first_and_the_fields(tmp_path: Path) -> None:
    [(code, file, line, message)] = found(repo(tmp_path, cm("{app: one}"), cm("{app: two}", data="{a: c}")))
    assert (code, file, line) == ("FW-OBJECT-APPLIED-TWICE", "apps/two/cm.yaml", 1)
    assert message == ("ConfigMap apps/shared is also applied by Kustomization flux-system/one (apps/one/cm.yaml:1), "
                       "with other content (metadata.labels.app, data.a): each reconciliation of one undoes the "
                       "other's")
    [cluster] = build_model(tmp_path).clusters
    assert [w.cls for w in cluster.warnings if w.code == "FW-OBJECT-APPLIED-TWICE"] == ["repo"]


def test_equal_copies_are_a_notice(tmp_path: Path) -> None:
    [(code, file, _, message)] = found(repo(tmp_path, cm(), cm()))
    assert (code, file) == ("FW-OBJECT-SHARED", "apps/two/cm.yaml")
    assert "prune it from under the other" in message
    [cluster] = build_model(tmp_path).clusters
    assert not [w for w in cluster.warnings if w.code.startswith("FW-OBJECT-")]


def test_the_text_inventory_counts_and_prints_notices(tmp_path: Path) -> None:
    result = run_cli(["inventory", str(repo(tmp_path, cm(), cm()))])
    assert "0 warnings, 0 notes, 1 notices" in result.stdout
    assert "notice: apps/two/cm.yaml:1: ConfigMap apps/shared is also applied by" in result.stderr


_RELEASE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: apps}
spec: {interval: 1h, url: https://charts.example.com}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: redis, namespace: apps}
spec: {interval: 1h, chart: {spec: {chart: redis, sourceRef: {kind: HelmRepository, name: charts}}}}
"""


def test_the_text_inventory_counts_a_helmrelease_two_kustomizations_apply_once(tmp_path: Path) -> None:
    """One object on one cluster, however many Kustomizations apply it; on another cluster it is another."""
    result = run_cli(["inventory", str(repo(tmp_path, _RELEASE, _RELEASE))])
    assert ", 1 HelmReleases, " in result.stdout
    remote = "kubeConfig: {secretRef: {name: spoke}}"
    result = run_cli(["inventory", str(repo(tmp_path / "hub", _RELEASE, _RELEASE, second_extra=remote))])
    assert ", 2 HelmReleases, " in result.stdout


def test_the_wiki_home_page_counts_a_helmrelease_two_kustomizations_apply_once(tmp_path: Path) -> None:
    run_cli(["init", str(tmp_path / "wiki"), "--repo", str(repo(tmp_path / "repo", _RELEASE, _RELEASE))])
    assert "1 HelmRelease." in (tmp_path / "wiki" / "docs" / "index.md").read_text()


def test_values_never_reach_the_message(tmp_path: Path) -> None:
    [(_, _, _, message)] = found(repo(tmp_path, cm(data="{password: hunter2}"), cm(data="{password: hunter3}")))
    assert "data.password" in message and "hunter" not in message


def test_a_difference_at_a_value_flux_wiki_does_not_know_is_not_a_warning(tmp_path: Path) -> None:
    """A ``${VAR}`` a Secret would fill stays in flux-wiki's copy: the copies may be equal on the cluster."""
    subst = "postBuild: {substituteFrom: [{kind: Secret, name: vars}]}"
    [(code, _, _, _)] = found(repo(tmp_path, cm(data="{host: example.org}"), cm(data="{host: '${HOST}'}"),
                                   second_extra=subst))
    assert code == "FW-OBJECT-SHARED"


def test_kustomize_controller_opt_outs_are_no_conflict(tmp_path: Path) -> None:
    for i, annotation in enumerate(("{kustomize.toolkit.fluxcd.io/ssa: IfNotPresent}",
                                    "{kustomize.toolkit.fluxcd.io/ssa: ignore}",
                                    "{kustomize.toolkit.fluxcd.io/reconcile: disabled}")):
        assert found(repo(tmp_path / str(i), cm(), cm("{app: two}", annotation))) == []


def test_objects_landing_on_other_clusters_are_no_conflict(tmp_path: Path) -> None:
    remote = "kubeConfig: {secretRef: {name: spoke}}"
    assert found(repo(tmp_path, cm("{app: one}"), cm("{app: two}"), second_extra=remote)) == []


def test_a_kustomization_that_fails_applies_nothing(tmp_path: Path) -> None:
    """The API server refuses one of its objects in the dry-run, so kustomize-controller applies none of them."""
    refused = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: r, namespace: apps}\n"
               "spec: {interval: 5x, url: 'https://example.org/r'}\n")
    root = repo(tmp_path, cm("{app: one}"), cm("{app: two}") + "---\n" + refused)
    [cluster] = build_model(root).clusters
    assert cluster.kustomizations["flux-system/two"].failure is not None
    assert found(root) == []


def test_a_kustomization_that_never_reconciles_applies_nothing(tmp_path: Path) -> None:
    """A suspended Kustomization, and one waiting on it, never reconcile: nothing takes the object back."""
    assert found(repo(tmp_path / "s", cm("{app: one}"), cm("{app: two}"), second_extra="suspend: true")) == []
    files = gotk()
    files.update({"clusters/home/one.yaml": ks("one", "./apps/one"),
                  "clusters/home/held.yaml": ks("held", "./apps/held", extra="suspend: true"),
                  "clusters/home/two.yaml": ks("two", "./apps/two", deps=("held",)),
                  "apps/one/cm.yaml": cm("{app: one}"), "apps/two/cm.yaml": cm("{app: two}"),
                  "apps/held/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: apps}\n"})
    assert found(write(tmp_path / "d", files)) == []


def test_one_build_listing_an_object_twice_is_kustomizes_problem_not_this(tmp_path: Path) -> None:
    files = gotk()
    files.update({"clusters/home/one.yaml": ks("one", "./apps/one"), "apps/one/a.yaml": cm(),
                  "apps/one/b.yaml": cm("{app: b}")})
    assert found(write(tmp_path, files)) == []
