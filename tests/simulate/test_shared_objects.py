"""Clusters of one run, and serve's rebuilds, share the objects of a build and of a substitution, uncopied
(flux/kustomize/reuse.py, flux/substitute.py, issue 14): nothing after the build may change a built or
substituted object in place. Every build and every substitution result is frozen here (a change raises), whole
models and wikis are made from them, and they come out as the unfrozen run makes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig
from flux_wiki.flux import substitute
from flux_wiki.flux.kustomize import reuse
from flux_wiki.load import ParseCache

from ..support import CORPORA, Changed, frozen, gotk_sync, run_cli


def test_the_freezing_catches_a_change() -> None:
    obj = frozen({"metadata": {"labels": {"a": "b"}}, "items": [1]})
    for change in (lambda: obj["metadata"].pop("labels"), lambda: obj["metadata"]["labels"].update(c="d"),
                   lambda: obj["items"].append(2), lambda: obj.setdefault("x", 1)):
        with pytest.raises(Changed):
            change()
    assert json.dumps(obj) == '{"metadata": {"labels": {"a": "b"}}, "items": [1]}'


def freeze_builds_and_substitutions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every object a build or a substitution hands on, and every values text a parse cache remembers, is frozen
    from now on."""
    build = reuse.build_flux_path
    substitute_resources = substitute.substitute_resources

    def frozen_build(*args: Any, **kwargs: Any) -> Any:
        result = build(*args, **kwargs)
        return result.replace(resources=[r.replace(obj=frozen(r.obj)) for r in result.resources])

    def frozen_substitution(*args: Any, **kwargs: Any) -> Any:
        result = substitute_resources(*args, **kwargs)
        result.resources = [r.replace(obj=frozen(r.obj)) for r in result.resources]
        return result

    loaded_text = ParseCache.loaded_text

    def frozen_values(self: ParseCache, text: str) -> Any:
        return frozen(loaded_text(self, text))

    monkeypatch.setattr(reuse, "build_flux_path", frozen_build)
    monkeypatch.setattr(substitute, "substitute_resources", frozen_substitution)
    monkeypatch.setattr(ParseCache, "loaded_text", frozen_values)


def outputs(root: Path, out: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[str, dict[str, str]]:
    """The inventory JSON and every generated page (diagrams aside), with builds and substitutions frozen when
    ``monkeypatch``."""
    if monkeypatch is not None:
        freeze_builds_and_substitutions(monkeypatch)
    inventory = run_cli(["inventory", str(root), "--format", "json"], catch_exceptions=False)
    pages = run_cli(["pages", str(root), "--out", str(out), "--no-diagrams"], catch_exceptions=False)
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
  valuesFrom: [{kind: ConfigMap, name: web-values}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-values}
data:
  values.yaml: |
    service: {annotations: {team: web}}
    replicaCount: 2
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts}
spec: {url: "https://charts.example"}
"""


def write_two_clusters(root: Path) -> None:
    """Two clusters applying one ``apps`` folder, each with its own substitution variables."""
    for cluster in ("home", "lab"):
        (root / "clusters" / cluster / "flux-system").mkdir(parents=True)
        (root / "clusters" / cluster / "flux-system" / "gotk-sync.yaml").write_text(gotk_sync(cluster))
        (root / "clusters" / cluster / "apps.yaml").write_text(LAYER.format(cluster=cluster, target="web"))
    (root / "apps").mkdir()
    (root / "apps" / "apps.yaml").write_text(APPS)
    (root / "apps" / "kustomization.yaml").write_text("resources: [apps.yaml]\nnamespace: web\n")


def test_two_clusters_sharing_frozen_builds_come_out_as_unfrozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 ) -> None:
    # a cluster-scoped kind kustomize gives a namespace (the simulation drops it), substituted and unsubstituted
    # objects, a HelmRelease whose values are resolved and read for surfaces
    write_two_clusters(tmp_path)
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


def test_serve_rebuilds_on_kept_frozen_builds_come_out_as_a_cold_build(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Under ``mkdocs serve`` the kept builds and substitution results are handed to the next compilation
    uncopied: three compilations with edits between them, everything frozen, each equal to a cold compilation."""
    write_two_clusters(tmp_path)
    cfg = WikiConfig(repo=tmp_path, diagrams=False)

    def pages(compiler: WikiCompiler) -> dict[str, str]:
        return {p.path: p.markdown for p in compiler.compile(cfg).pages}

    edits = [lambda: None,
             lambda: (tmp_path / "apps" / "apps.yaml").write_text(APPS.replace("port: 80}", "port: 81}")),
             lambda: (tmp_path / "clusters" / "lab" / "apps.yaml").write_text(
                 LAYER.format(cluster="lab", target="web").replace("lab.example", "lab2.example"))]
    cold = []
    for edit in edits:
        edit()
        cold.append(pages(WikiCompiler()))
    (tmp_path / "apps" / "apps.yaml").write_text(APPS)
    (tmp_path / "clusters" / "lab" / "apps.yaml").write_text(LAYER.format(cluster="lab", target="web"))
    freeze_builds_and_substitutions(monkeypatch)
    serve = WikiCompiler(rebuilds=True)
    for edit, expected in zip(edits, cold):
        edit()
        assert pages(serve) == expected
    assert serve.parse_cache.counts["kustomize reused"] > 0
    assert serve.parse_cache.counts["substitution objects seen again"] > 0
    assert any("81" in text for text in cold[1].values()) and any("lab2.example" in t for t in cold[2].values())
