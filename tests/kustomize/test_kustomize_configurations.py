"""How kustomize v5.5 reads a ``configurations:`` file, case by case against ``kubectl kustomize``: both build
the same objects, or both fail.

kustomize decodes the file strictly into builtinconfig.TransformerConfig (api/internal/plugins/builtinconfig,
``yaml.UnmarshalStrict``: an unknown field fails, field names match case-insensitively), merges it into its
defaults (FsSlice.MergeAll refuses a path given twice with a different ``create``; a nameReference's own
``fieldSpecs`` are kept as written) and fails on a field spec with an empty path segment when an object
of its kind is in the build.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.model import InputError
from .kustomize_kubectl import KUBECTL, kubectl_build

OBJECTS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: example.com/v1
kind: Foo
metadata: {name: f}
spec: {ref: a, other: a}
"""
REF = "nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n  - {path: spec/ref, kind: Foo}\n"
CASES = {
    "name-reference": REF,
    "unknown-field": "bogusKey: []\n" + REF,
    "unknown-nested-field": "nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n  - {paths: spec/ref, kind: Foo}\n",
    "unknown-gvk-field": "nameReference:\n- kind: ConfigMap\n  name: x\n  fieldSpecs:\n  - {path: spec/ref, kind: Foo}\n",
    "case-insensitive-field": "NamePrefix:\n- {path: spec/ref, kind: Foo}\n",
    "first-document-only": "---\n" + REF + "---\nnameReference:\n- kind: ConfigMap\n  fieldSpecs:\n"
                           "  - {path: spec/other, kind: Foo}\n",
    "empty-file": "",
    "not-a-mapping": "- a\n- b\n",
    "conflicting-create": "namePrefix:\n- {path: spec/ref, kind: Foo}\n- {path: spec/ref, kind: Foo, create: true}\n",
    "repeated-referrer": REF + "  - {path: spec/ref, kind: Foo, create: true}\n",
    "no-path": "namePrefix:\n- {kind: Foo}\n",
    "empty-path-segment": "nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n  - {path: spec//ref, kind: Foo}\n",
    "no-path-other-kind": "nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n  - {kind: Bar}\n",
    "annotations-spec": "commonAnnotations:\n- {path: spec/notes, kind: Foo, create: true}\n",
}


def _normal(objs: list[dict]) -> list[dict]:
    return list(yaml.safe_load_all(yaml.safe_dump_all(objs)))


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.kubectl
@pytest.mark.parametrize("case", sorted(CASES))
def test_configuration_file_read_as_kustomize_reads_it(tmp_path: Path, case: str) -> None:
    (tmp_path / "objects.yaml").write_text(OBJECTS)
    (tmp_path / "conf.yaml").write_text(CASES[case])
    (tmp_path / "kustomization.yaml").write_text("namePrefix: p-\ncommonAnnotations: {team: t}\n"
                                                 "resources: [objects.yaml]\nconfigurations: [conf.yaml]\n")
    expected, err = kubectl_build(str(tmp_path))
    try:
        got = [r.obj for r in build_kustomize_dir(Repo(tmp_path), ".").resources]
    except InputError as failure:
        assert expected is None, f"native fails ({failure}), kubectl builds"
        return
    assert expected is not None, f"native builds, kubectl fails: {err}"
    assert _normal(got) == _normal(expected)


def test_kustomize_s_own_tables_pass_its_strict_decoding_unchanged() -> None:
    """DEFAULTS is built at import without parse_config's strict decoding and shape check (they are flux-wiki's
    own tables): the tables pass both, and give the same config."""
    from flux_wiki.flux.kustomize.fieldspec import DEFAULTS, _defaults_data, parse_config

    assert DEFAULTS.count() > 100 and parse_config(_defaults_data()) == DEFAULTS
