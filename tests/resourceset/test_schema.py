"""The API server validates a ResourceSet and a ResourceSetInputProvider against flux-operator's CRDs
(api/v1 resourceset_types.go, resourcesetinputprovider_types.go): a mistyped dependsOn, inputsFrom or
commonMetadata, or a provider without its required type, is refused and the Kustomization applying it fails."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from tests.simulate.test_simulate import gotk, ks, write

_BAD = """\
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata: {name: bad, namespace: apps}
spec:
  dependsOn: helmreleases.helm.toolkit.fluxcd.io
  commonMetadata:
    labels: [team-a]
  inputs: [{tenant: a}]
  resources:
    - apiVersion: v1
      kind: ConfigMap
      metadata: {name: << inputs.tenant >>, namespace: apps}
---
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSetInputProvider
metadata: {name: untyped, namespace: apps}
spec:
  defaultValues: {tenant: b}
"""

_GOOD = """\
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSet
metadata: {name: good, namespace: apps}
spec:
  dependsOn:
    - {apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, name: helmreleases.helm.toolkit.fluxcd.io}
  inputsFrom:
    - kind: ResourceSetInputProvider
      selector: {matchExpressions: [{key: team, operator: In, values: [a]}]}
  inputStrategy: {name: Flatten}
  commonMetadata: {labels: {team: a}}
  wait: true
  serviceAccountName: flux
  resources:
    - apiVersion: v1
      kind: ConfigMap
      metadata: {name: << inputs.tenant >>, namespace: apps}
---
apiVersion: fluxcd.controlplane.io/v1
kind: ResourceSetInputProvider
metadata: {name: static, namespace: apps, labels: {team: a}}
spec:
  type: Static
  defaultValues: {tenant: a}
  schedule: [{cron: "0 8 * * 1-5", timeZone: UTC, window: 8h}]
"""


def _rejected(root: Path, text: str) -> list[tuple[int, str]]:
    write(root, gotk() | {"clusters/home/apps.yaml": ks("apps", "./apps"), "apps/rset.yaml": text})
    cluster = build_model(root).clusters[0]
    return [(w.line, w.message) for w in cluster.warnings if w.code == "FW-SCHEMA-REJECTED"]


def test_mistyped_resourceset_and_provider_fields_are_refused(tmp_path: Path) -> None:
    found = _rejected(tmp_path, _BAD)
    assert [(line, message.split(" (")[0]) for line, message in found] == [
        (5, "ResourceSet apps/bad: spec.dependsOn: expected a list of mappings, got a string"),
        (7, "ResourceSet apps/bad: spec.commonMetadata.labels: expected a mapping of strings, got a list"),
        (17, "ResourceSetInputProvider apps/untyped: spec.type: is required")]
    assert all("Kustomization flux-system/apps fails to apply" in message for _, message in found)


def test_the_documented_fields_pass(tmp_path: Path) -> None:
    assert _rejected(tmp_path, _GOOD) == []
