"""A repository's regular expressions (a patch target's name, an image name) run as Go runs them: RE2, in time
linear in the name. Python's backtracking engine took time exponential in a name's length on `(a+)+` (a 22-letter
name: 0.4 s, each letter doubling it; Kubernetes names reach 253): these builds never ended."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from .kustomize_kubectl import KUBECTL, kubectl_build

NAME = "a" * 60 + "b"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def hostile(root: Path) -> Path:
    return write(root, {
        "app/kustomization.yaml": "resources: [cm.yaml, deploy.yaml]\n"
                                  "patches:\n"
                                  "  - target: {kind: ConfigMap, name: '(a+)+'}\n"
                                  "    patch: |\n"
                                  "      - {op: add, path: /data/hit, value: 'yes'}\n"
                                  "  - target: {kind: ConfigMap, name: 'a+b'}\n"
                                  "    patch: |\n"
                                  "      - {op: add, path: /data/plain, value: 'yes'}\n"
                                  "images:\n"
                                  "  - {name: '(a+)+', newTag: v2}\n",
        "app/cm.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {NAME}}}\ndata: {{x: '1'}}\n",
        "app/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
                           "spec:\n  template:\n    spec:\n"
                           f"      containers: [{{name: c, image: '{'a' * 60}!:v1'}}]\n",
    })


def test_hostile_patterns_are_matched_in_one_pass(tmp_path: Path) -> None:
    built = build_kustomize_dir(Repo(hostile(tmp_path)), "app")
    cm, deploy = (r.obj for r in built.resources)
    assert cm["data"] == {"x": "1", "plain": "yes"}  # '(a+)+' does not match NAME whole; 'a+b' does
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "a" * 60 + "!:v1"


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.kubectl
def test_hostile_patterns_build_as_kubectl_does(tmp_path: Path) -> None:
    root = hostile(tmp_path)
    expected, err = kubectl_build(str(root / "app"))
    assert expected is not None, err
    assert [r.obj for r in build_kustomize_dir(Repo(root), "app").resources] == expected
