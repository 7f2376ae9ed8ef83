"""Clusters of one run share the objects of a build, uncopied (flux/kustomize/reuse.py, issue 14): nothing after
the build may change a built object in place. Every build is frozen here (a change raises), whole models are
made from them, and they come out as the unfrozen run makes them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import pytest

from click.testing import CliRunner

from flux_wiki.cli import main
from flux_wiki.flux.kustomize import reuse

from ..support import CORPORA, gotk_sync


class Changed(AssertionError):
    """A built object was changed in place."""


def _refuse(*_: Any, **__: Any) -> NoReturn:
    raise Changed("a built object was changed in place")


class FrozenDict(dict):  # type: ignore[type-arg]
    __setitem__ = __delitem__ = pop = popitem = setdefault = update = clear = __ior__ = _refuse  # type: ignore


class FrozenList(list):  # type: ignore[type-arg]
    __setitem__ = __delitem__ = append = extend = insert = pop = remove = sort = reverse = clear = _refuse  # type: ignore
    __iadd__ = __imul__ = _refuse  # type: ignore


def frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return FrozenDict({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(frozen(v) for v in value)
    return value


def test_the_freezing_catches_a_change() -> None:
    obj = frozen({"metadata": {"labels": {"a": "b"}}, "items": [1]})
    for change in (lambda: obj["metadata"].pop("labels"), lambda: obj["metadata"]["labels"].update(c="d"),
                   lambda: obj["items"].append(2), lambda: obj.setdefault("x", 1)):
        with pytest.raises(Changed):
            change()
    assert json.dumps(obj) == '{"metadata": {"labels": {"a": "b"}}, "items": [1]}'


def outputs(root: Path, out: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[str, dict[str, str]]:
    """The inventory JSON and every generated page (diagrams aside), with every build frozen when ``monkeypatch``."""
    if monkeypatch is not None:
        build = reuse.build_flux_path

        def frozen_build(*args: Any, **kwargs: Any) -> Any:
            result = build(*args, **kwargs)
            return replace(result, resources=[replace(r, obj=frozen(r.obj)) for r in result.resources])

        monkeypatch.setattr(reuse, "build_flux_path", frozen_build)
    runner = CliRunner()
    inventory = runner.invoke(main, ["inventory", str(root), "--format", "json"], catch_exceptions=False)
    pages = runner.invoke(main, ["pages", str(root), "--out", str(out), "--no-diagrams"], catch_exceptions=False)
    assert inventory.exit_code == 0 and pages.exit_code == 0
    return inventory.output, {str(p.relative_to(out)): p.read_text() for p in sorted(out.rglob("*.md"))}


LAYER = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: apps, namespace: flux-system}}
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef: {{kind: GitRepository, name: flux-system}}
  targetNamespace: {target}
  postBuild: {{substitute: {{DOMAIN: {cluster}.example}}}}
"""
APPS = """\
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec: {type: LoadBalancer, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec: {rules: [{host: "web.${DOMAIN}"}]}
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: letsencrypt}
spec: {acme: {server: "https://acme.example"}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web}
spec:
  interval: 1h
  chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts}}}
  values: {service: {type: LoadBalancer, port: 8080}, ingress: {hosts: ["app.${DOMAIN}"]}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts}
spec: {url: "https://charts.example"}
"""


def test_two_clusters_sharing_frozen_builds_come_out_as_unfrozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 ) -> None:
    # a cluster-scoped kind kustomize gives a namespace (the simulation drops it), substituted and unsubstituted
    # objects, a HelmRelease whose values are resolved and read for surfaces
    for cluster in ("home", "lab"):
        (tmp_path / "clusters" / cluster / "flux-system").mkdir(parents=True)
        (tmp_path / "clusters" / cluster / "flux-system" / "gotk-sync.yaml").write_text(gotk_sync(cluster))
        (tmp_path / "clusters" / cluster / "apps.yaml").write_text(LAYER.format(cluster=cluster, target="web"))
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "apps.yaml").write_text(APPS)
    (tmp_path / "apps" / "kustomization.yaml").write_text("resources: [apps.yaml]\nnamespace: web\n")
    expected = outputs(tmp_path, tmp_path / "plain")
    assert outputs(tmp_path, tmp_path / "frozen", monkeypatch) == expected
    assert '"id": "flux-system/apps"' in expected[0] and "web.home.example" in expected[0]


@pytest.mark.parametrize("name", ["angelnu__k8s-gitops", "fluxcd__flux2-multi-tenancy"])
def test_corpora_of_several_clusters_come_out_of_frozen_builds_as_unfrozen(name: str, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = CORPORA / name
    if not root.is_dir():
        pytest.skip("corpus not present")
    expected = outputs(root, tmp_path / "plain")
    assert outputs(root, tmp_path / "frozen", monkeypatch) == expected
