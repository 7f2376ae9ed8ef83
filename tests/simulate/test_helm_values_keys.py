"""valuesFrom a Secret the repository holds (SOPS-encrypted, or made by a secretGenerator): a key it lacks fails
the release unless the reference is optional; the warning names keys, never values."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_RELEASE = """apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web, namespace: apps}
spec:
  interval: 1h
  chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts}}}
  valuesFrom:
    - {kind: Secret, name: sops-values, valuesKey: values.yaml}
    - {kind: Secret, name: generated-values}
    - {kind: Secret, name: sops-values, valuesKey: extra.yaml, optional: true}
"""
_SOPS = """apiVersion: v1
kind: Secret
metadata: {name: sops-values, namespace: apps}
stringData:
  values.yml: ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]
sops:
  age: []
  version: 3.8.1
"""


def test_missing_secret_keys_are_warnings(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps", extra="\n  decryption: {provider: sops}"),
        "apps/kustomization.yaml": ("resources: [repo.yaml, release.yaml, secret.sops.yaml]\n"
                                    "secretGenerator:\n- name: generated-values\n  namespace: apps\n"
                                    "  files: [values.yaml=plain-values.yaml]\n"
                                    "generatorOptions: {disableNameSuffixHash: true}\n"),
        "apps/repo.yaml": ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, "
                           "namespace: apps}\nspec: {url: https://charts.example.com}\n"),
        "apps/release.yaml": _RELEASE,
        "apps/secret.sops.yaml": _SOPS,
        "apps/plain-values.yaml": "replicas: 2\n",
    })
    [cluster] = build_model(tmp_path).clusters
    found = [w for w in cluster.warnings if w.code == "FW-HELM-VALUES-MISSING"]
    assert [(w.file, w.cls) for w in found] == [("apps/release.yaml", "repo")]
    assert "Secret apps/sops-values has no key 'values.yaml' (its keys: values.yml)" in found[0].message
    assert "c2VjcmV0" not in repr(cluster)
