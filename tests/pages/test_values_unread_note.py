"""A HelmRelease whose values come in part from a Secret (never read) or from a ConfigMap flux-wiki cannot find:
its layer page says which values it did not read, since a Secret's ``values.yaml`` may set the very hosts and
services the page lists from the other values (helm-controller merges ``valuesFrom`` in order, then ``values``).
Names only: the Secret's values never reach the page."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

from ..simulate.test_simulate import gotk, ks, write

_RELEASE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: app-template}
spec: {interval: 1h, url: oci://ghcr.io/bjw-s-labs/helm/app-template, ref: {tag: 4.4.0}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web}
spec:
  interval: 1h
  chartRef: {kind: OCIRepository, name: app-template}
  valuesFrom: %s
  values:
    service: {app: {ports: {http: {port: 8080}}}}
    route: {app: {hostnames: [web.example.com]}}
"""
_SECRET = ("apiVersion: v1\nkind: Secret\nmetadata: {name: web-values}\n"
           "stringData: {values.yaml: 'route: {app: {hostnames: [SECRETHOST-9f3.example.com]}}'}\n")


def _layer(root: Path, values_from: str) -> str:
    write(root, gotk() | {
        "clusters/home/web.yaml": ks("web", "./web", extra="\n            targetNamespace: web"),
        "web/release.yaml": _RELEASE % values_from,
        "web/secret.yaml": _SECRET,
    })
    pages = WikiCompiler().compile(WikiConfig(repo=root, diagrams=False)).pages
    return next(p.markdown for p in pages if p.path.endswith("layers/web.md"))


def test_values_from_a_secret_are_named_as_not_read(tmp_path: Path) -> None:
    page = _layer(tmp_path, "[{kind: Secret, name: web-values}]")
    assert "Values of `web/web` not read: Secret web/web-values \\(hidden\\)." in page
    assert "web.example.com" in page and "SECRETHOST-9f3" not in page


def test_an_optional_configmap_not_found_is_named_too(tmp_path: Path) -> None:
    page = _layer(tmp_path, "[{kind: ConfigMap, name: extra, optional: true}]")
    assert "Values of `web/web` not read: ConfigMap web/extra \\(optional, not found\\)." in page


def test_values_read_in_full_say_nothing(tmp_path: Path) -> None:
    assert "not read:" not in _layer(tmp_path, "[]")
