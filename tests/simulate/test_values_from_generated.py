"""A HelmRelease's valuesFrom naming a configMapGenerator's ConfigMap: kustomize gives the ConfigMap a hash suffix
and writes it into the HelmRelease only under a nameReference configuration, so without one helm-controller finds
no ConfigMap of that name (FW-HELM-VALUES-MISSING, which names the generated ConfigMap)."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_RELEASE = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: apps}\n"
            "spec:\n  interval: 1h\n  chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts}}}\n"
            "  valuesFrom:\n    - {kind: ConfigMap, name: web-values}\n")
_REPO = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, namespace: apps}\n"
         "spec: {url: https://charts.example.com}\n")
_GENERATOR = "configMapGenerator:\n  - {name: web-values, namespace: apps, files: [values.yaml]}\n"
_CONFIG = ("configurations: [kustomizeconfig.yaml]\n", "nameReference:\n  - kind: ConfigMap\n    version: v1\n"
           "    fieldSpecs:\n      - {path: spec/valuesFrom/name, kind: HelmRelease}\n")


def _build(tmp_path: Path, configured: bool) -> list[str]:
    write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/kustomization.yaml": "resources: [repo.yaml, release.yaml]\n" + _GENERATOR
                                   + (_CONFIG[0] if configured else ""),
        "apps/kustomizeconfig.yaml": _CONFIG[1],
        "apps/repo.yaml": _REPO,
        "apps/release.yaml": _RELEASE,
        "apps/values.yaml": "replicas: 2\n",
    })
    [cluster] = build_model(tmp_path).clusters
    return [w.message for w in cluster.warnings if w.code == "FW-HELM-VALUES-MISSING"]


def test_a_generated_values_config_map_without_a_name_reference_is_named(tmp_path: Path) -> None:
    [message] = _build(tmp_path, configured=False)
    assert message.startswith("HelmRelease apps/web: valuesFrom ConfigMap apps/web-values not found; this cluster "
                              "applies ConfigMap apps/web-values-")
    assert "nameReference configuration for HelmRelease spec/valuesFrom/name" in message


def test_with_a_name_reference_the_release_finds_it(tmp_path: Path) -> None:
    assert _build(tmp_path, configured=True) == []
