"""kustomize reads its own kustomization file as YAML 1.1 (go-yaml v2): unquoted y, Y, n and N are booleans there.
`kubectl kustomize` is the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.model import InputError
from .kustomize_kubectl import KUBECTL, kubectl_build

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"
GEN = "configMapGenerator:\n- {name: g, literals: [a=1]}\n"

# kustomization.yaml -> the names built, or None when kustomize refuses the file (and the line it names)
CASES = {
    "a folder named y": ("resources:\n- cm.yaml\n- y\n", None, 3),
    "a label value N": ("resources: [cm.yaml]\ncommonLabels:\n  a: N\n", None, 3),
    "a prefix n": ("resources: [cm.yaml]\nnamePrefix: n\n", None, 2),
    "quoted, it is a string": ("resources: [cm.yaml, 'y']\nnamePrefix: \"n-\"\n", ["n-cm", "n-cm-y"], 0),
    "a block scalar is a string": ("resources: [cm.yaml]\nnamePrefix: |-\n  y\n", ["ycm"], 0),
    "y is true where a boolean is asked": (GEN + "generatorOptions: {disableNameSuffixHash: y}\n", ["g"], 0),
    "n is false there": (GEN + "generatorOptions:\n  disableNameSuffixHash: n\n", None, 0),  # hash suffix kept
    "yes and y elsewhere in the file": ("resources: [cm.yaml]\ncommonAnnotations: {note: 'y'}\n", ["cm"], 0),
}


def _write(root: Path, kustomization: str) -> None:
    (root / "cm.yaml").write_text(CM)
    (root / "y").mkdir()
    (root / "y" / "kustomization.yaml").write_text("resources: [../cm.yaml]\nnameSuffix: -y\n")
    (root / "kustomization.yaml").write_text(kustomization)


def _names(root: Path) -> list[str]:
    return sorted(r.name for r in build_kustomize_dir(Repo(root), ".").resources)


@pytest.mark.parametrize("name", CASES)
def test_unquoted_short_booleans(tmp_path: Path, name: str) -> None:
    text, names, line = CASES[name]
    _write(tmp_path, text)
    if name == "n is false there":
        assert [n.startswith("g-") and len(n) > 2 for n in _names(tmp_path)] == [True]
    elif names is None:
        with pytest.raises(InputError, match="expected a string, got true/false") as err:
            _names(tmp_path)
        assert (err.value.file, err.value.line) == ("kustomization.yaml", line)
    else:
        assert _names(tmp_path) == names


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.kubectl
@pytest.mark.parametrize("name", CASES)
def test_kubectl_agrees(tmp_path: Path, name: str) -> None:
    text, names, _ = CASES[name]
    _write(tmp_path, text)
    expected, err = kubectl_build(str(tmp_path))
    if name == "n is false there":
        assert expected is not None and sorted(o["metadata"]["name"] for o in expected) == _names(tmp_path)
    elif names is None:
        assert expected is None and "true/false" not in err and "bool" in err
    else:
        assert expected is not None, err
        assert sorted(o["metadata"]["name"] for o in expected) == names



def test_an_alias_is_read_as_its_anchor(tmp_path: Path) -> None:
    _write(tmp_path, "resources: [cm.yaml]\nopenapi:\n  a: &x [y, 'y']\n  b: *x\n")
    from flux_wiki.flux.kustomize.build import _read_short_booleans
    from flux_wiki.load.yamldocs import parse_documents

    text = (tmp_path / "kustomization.yaml").read_text()
    data = parse_documents(text, "kustomization.yaml")[0].data
    _read_short_booleans(data, text)
    assert data["openapi"] == {"a": [True, "y"], "b": [True, "y"]}
    assert _names(tmp_path) == ["cm"]  # openapi is anything to kustomize
