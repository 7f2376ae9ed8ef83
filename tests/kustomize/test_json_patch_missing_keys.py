"""JSON 6902 on a key the object lacks, as kustomize's evanphx/json-patch v4 applies it: ``replace`` sets the
key when its parent object exists (a common overlay: "replace resources" on a container that has none), and
``test`` finds a missing key equal to null; ``remove`` of a missing key, ``replace`` of a list index out of
range or below a missing parent still fail. `kubectl kustomize` is the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.model import InputError
from .kustomize_kubectl import KUBECTL, kubectl_build

DEPLOY = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
          "spec:\n  template:\n    spec:\n      containers:\n      - {name: c, image: i}\n")
C0 = "/spec/template/spec/containers/0"
CASES = {  # the operation -> what the container becomes (None: the build fails)
    "replace a missing key": (f"{{op: replace, path: {C0}/resources, value: {{limits: {{cpu: 1}}}}}}",
                              {"name": "c", "image": "i", "resources": {"limits": {"cpu": 1}}}),
    "test a missing key against null": (f"{{op: test, path: {C0}/resources, value: null}}",
                                        {"name": "c", "image": "i"}),
    "test a missing key against a value": (f"{{op: test, path: {C0}/resources, value: {{}}}}", None),
    "remove a missing key": (f"{{op: remove, path: {C0}/resources}}", None),
    "replace past the list's end": ("{op: replace, path: /spec/template/spec/containers/1, value: {name: z}}", None),
    "replace below a missing parent": ("{op: replace, path: /spec/nope/x, value: 1}", None),
    "replace below a scalar": (f"{{op: replace, path: {C0}/image/x, value: 1}}", None),
}


def _write(root: Path, op: str) -> None:
    (root / "deploy.yaml").write_text(DEPLOY)
    (root / "kustomization.yaml").write_text(
        f"resources: [deploy.yaml]\npatches:\n- target: {{kind: Deployment}}\n  patch: |-\n    - {op}\n")


@pytest.mark.parametrize("name", CASES)
def test_json_patch_on_missing_keys(tmp_path: Path, name: str) -> None:
    op, container = CASES[name]
    _write(tmp_path, op)
    if container is None:
        with pytest.raises(InputError) as err:
            build_kustomize_dir(Repo(tmp_path), ".")
        assert err.value.code == "FW-KUSTOMIZE-PATCH"
        return
    (deploy,) = build_kustomize_dir(Repo(tmp_path), ".").resources
    assert deploy.obj["spec"]["template"]["spec"]["containers"] == [container]


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.kubectl
@pytest.mark.parametrize("name", CASES)
def test_kubectl_agrees(tmp_path: Path, name: str) -> None:
    op, container = CASES[name]
    _write(tmp_path, op)
    expected, err = kubectl_build(str(tmp_path))
    assert (expected is not None) == (container is not None), err
    if expected is not None:
        assert expected[0]["spec"]["template"]["spec"]["containers"] == [container]


# kustomize patches objects that always carry its own annotations (removed from its output): under
# /metadata/annotations an object written without any behaves as if the map were there
ANNOTATION_CASES = {  # the operation -> the object's annotations after the build (None: the build fails)
    "add an annotation": ("{op: add, path: /metadata/annotations/a, value: x}", {"a": "x"}),
    "replace an annotation": ("{op: replace, path: /metadata/annotations/a, value: x}", {"a": "x"}),
    "remove a missing annotation": ("{op: remove, path: /metadata/annotations/a}", None),
    "test the annotations against null": ("{op: test, path: /metadata/annotations, value: null}", None),
    "add a label": ("{op: add, path: /metadata/labels/a, value: x}", None),
}


@pytest.mark.parametrize("name", ANNOTATION_CASES)
def test_json_patch_on_annotations_of_an_object_without_any(tmp_path: Path, name: str) -> None:
    op, annotations = ANNOTATION_CASES[name]
    _write(tmp_path, op)
    if KUBECTL is not None:
        expected, err = kubectl_build(str(tmp_path))
        assert (expected is not None) == (annotations is not None), err
    if annotations is None:
        with pytest.raises(InputError):
            build_kustomize_dir(Repo(tmp_path), ".")
        return
    (deploy,) = build_kustomize_dir(Repo(tmp_path), ".").resources
    assert deploy.obj["metadata"] == {"name": "web", "annotations": annotations}
