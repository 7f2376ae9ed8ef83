"""``transformers:``/``generators:`` plugin configs kustomize refuses fail natively too (checked against kubectl);
the built-ins flux-wiki does not simulate are a limit, never a failure.

kustomize-controller builds with built-in plugins only (fluxcd/pkg kustomize.Build sets
``PluginConfig: DisabledPluginConfig()``, as kubectl does), so kubectl's refusals are Flux's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.model import InputError
from .kustomize_kubectl import KUBECTL, ident, kubectl_build

needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: fast}\n"
FIELDS = [{"path": "metadata/labels", "create": True}]


def _write(root: Path, key: str, config: dict) -> Path:
    (root / "cm.yaml").write_text(CM)
    (root / "plugin.yaml").write_text(yaml.safe_dump({"apiVersion": "builtin", "metadata": {"name": "p"}, **config}))
    (root / "kustomization.yaml").write_text(f"resources: [cm.yaml]\n{key}:\n  - plugin.yaml\n")
    return root


REFUSED = [
    ("transformers", {"apiVersion": "example.com/v1", "kind": "MyPlugin"}, "FW-KUSTOMIZE-INVALID"),
    ("transformers", {"kind": "NoSuchTransformer"}, "FW-KUSTOMIZE-INVALID"),
    ("generators", {"kind": "LabelTransformer", "labels": {"a": "b"}, "fieldSpecs": FIELDS},
     "FW-KUSTOMIZE-INVALID"),
    ("transformers", {"kind": "ConfigMapGenerator", "literals": ["a=b"]}, "FW-KUSTOMIZE-INVALID"),
    ("generators", {"kind": "HelmChartInflationGenerator", "name": "chart"}, "FW-KUSTOMIZE-HELM"),
    ("transformers", {"kind": "PrefixSuffixTransformer", "prefix": "p-"}, "FW-KUSTOMIZE-INVALID"),
    ("transformers", {"kind": "NamespaceTransformer", "setRoleBindingSubjects": "bogus"}, "FW-KUSTOMIZE-INVALID"),
    ("transformers", {"kind": "PatchTransformer", "patch": "{}", "path": "p.yaml"}, "FW-KUSTOMIZE-INVALID"),
]


@needs_kubectl
@pytest.mark.kubectl
@pytest.mark.parametrize(("key", "config", "code"), REFUSED, ids=[f"{c[0]}-{c[1]['kind']}" for c in REFUSED])
def test_plugin_configs_kustomize_refuses_fail_at_the_config(tmp_path: Path, key: str, config: dict,
                                                            code: str) -> None:
    root = _write(tmp_path, key, config)
    expected, err = kubectl_build(str(root))
    assert expected is None, "kubectl built it"
    with pytest.raises(InputError) as raised:
        build_kustomize_dir(Repo(root), ".")
    assert (raised.value.file, raised.value.line, raised.value.code) == ("plugin.yaml", 1, code)


NOT_SIMULATED = [
    ("transformers", {"kind": "HashTransformer"}),
    ("transformers", {"kind": "ValueAddTransformer", "value": "v", "targets": [{"fieldPath": "metadata/name"}]}),
    ("validators", {"kind": "LabelTransformer", "labels": {"a": "b"}, "fieldSpecs": FIELDS}),
]


@needs_kubectl
@pytest.mark.kubectl
@pytest.mark.parametrize(("key", "config"), NOT_SIMULATED, ids=[f"{c[0]}-{c[1]['kind']}" for c in NOT_SIMULATED])
def test_built_ins_not_simulated_are_limits(tmp_path: Path, key: str, config: dict) -> None:
    root = _write(tmp_path, key, config)
    result = build_kustomize_dir(Repo(root), ".")
    assert [(d.file, d.line, d.cls, d.code) for d in result.diagnostics] == [
        ("plugin.yaml", 1, "limit", "FW-KUSTOMIZE-UNSUPPORTED")]
    assert [r.name for r in result.resources] == ["settings"]  # the rest of the build is shown
    expected, _ = kubectl_build(str(root))
    if expected is not None:  # the validator case: kubectl refuses a validator that changes objects
        assert len(expected) == 1 and ident(expected[0])[1] == "ConfigMap"
