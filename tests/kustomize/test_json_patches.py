"""A patch that starts with ``[`` is JSON to kustomize (PatchTransformer's jsonPatchFromBytes): strict JSON, not
YAML. An inline patch is trimmed first, a patch file is read as it is. `kubectl kustomize` is the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.model import InputError
from .kustomize_kubectl import KUBECTL, kubectl_build

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: x}\n"
TARGET = "- target: {kind: ConfigMap, name: cm}\n"

CASES = {
    "inline JSON": ({"kustomization.yaml": "resources: [cm.yaml]\npatches:\n" + TARGET +
                     "  patch: ' [{\"op\": \"copy\", \"from\": \"/data/a\", \"path\": \"/data/b\"}]'\n"}, True),
    "inline YAML flow list": ({"kustomization.yaml": "resources: [cm.yaml]\npatches:\n" + TARGET +
                               "  patch: '[{op: copy, from: /data/a, path: /data/b}]'\n"}, False),
    "inline YAML block list": ({"kustomization.yaml": "resources: [cm.yaml]\npatches:\n" + TARGET +
                                "  patch: |\n    - {op: copy, from: /data/a, path: /data/b}\n"}, True),
    "JSON file": ({"kustomization.yaml": "resources: [cm.yaml]\npatches:\n" + TARGET + "  path: p.json\n",
                   "p.json": '[{"op": "add", "path": "/data/n", "value": 1e3}, {"op": "add", "path": "/data/m", "value": 1.50}]\n'}, True),
    "YAML flow list file": ({"kustomization.yaml": "resources: [cm.yaml]\npatches:\n" + TARGET + "  path: p.yaml\n",
                             "p.yaml": "[{op: add, path: /data/n, value: v}]\n"}, False),
    "legacy patchesJson6902, flow list": ({"kustomization.yaml": "resources: [cm.yaml]\npatchesJson6902:\n- target:"
                                           " {version: v1, kind: ConfigMap, name: cm}\n  path: p.yaml\n",
                                           "p.yaml": "[{op: add, path: /data/n, value: v}]\n"}, False),
    "NaN is not JSON": ({"kustomization.yaml": "resources: [cm.yaml]\npatches:\n" + TARGET +
                         "  patch: '[{\"op\": \"add\", \"path\": \"/data/n\", \"value\": NaN}]'\n"}, False),
}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in {"cm.yaml": CM, **files}.items():
        (root / rel).write_text(text)


@pytest.mark.parametrize("name", CASES)
def test_a_patch_starting_with_a_bracket_is_json(tmp_path: Path, name: str) -> None:
    files, builds = CASES[name]
    _write(tmp_path, files)
    if builds:
        objs = build_kustomize_dir(Repo(tmp_path), ".").resources
        assert len(objs) == 1
    else:
        with pytest.raises(InputError, match="not JSON") as err:
            build_kustomize_dir(Repo(tmp_path), ".")
        assert err.value.code == "FW-KUSTOMIZE-PATCH"
        assert err.value.file in files and err.value.line >= 1


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.kubectl
@pytest.mark.parametrize("name", CASES)
def test_kubectl_agrees(tmp_path: Path, name: str) -> None:
    files, builds = CASES[name]
    _write(tmp_path, files)
    expected, err = kubectl_build(str(tmp_path))
    assert (expected is not None) == builds, err
    if builds:
        ours = build_kustomize_dir(Repo(tmp_path), ".").resources
        assert [repr(sorted(r.obj["data"].items())) for r in ours] == [repr(sorted(o["data"].items())) for o in expected]
