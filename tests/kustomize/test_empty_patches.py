"""A patch that holds nothing (empty file, blanks, comments or ``---`` only, ``[]``, an empty inline ``patch``)
fails the build as kustomize fails it, naming the kustomization entry; the ones kustomize accepts (an empty
file with a target under ``patches``, empty documents beside a real one) still build. `kubectl kustomize` is the
reference for every row."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from flux_wiki.flux.kustomize import build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.model import InputError
from .kustomize_kubectl import KUBECTL, kubectl_build

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n"
TARGET = "  target: {kind: ConfigMap, name: cm}\n"
CONTENTS = {"empty": "", "blank lines": "  \n\n", "newline": "\n", "comment": "# nothing yet\n", "dashes": "---\n",
            "two dashes": "---\n---\n", "comments and dashes": "# a\n---\n# b\n", "null": "null\n", "tilde": "~\n",
            "empty list": "[]\n", "empty mapping": "{}\n",
            "object and empty documents": "---\n" + CM.replace("{a: b}", "{x: y}") + "---\n# c\n"}
FIELDS = {"patches": "patches:\n- path: p.yaml\n", "patches with target": "patches:\n- path: p.yaml\n" + TARGET,
          "patchesStrategicMerge": "patchesStrategicMerge:\n- p.yaml\n",
          "patchesJson6902": "patchesJson6902:\n- path: p.yaml\n" + TARGET,
          "patchesJson6902 without target": "patchesJson6902:\n- path: p.yaml\n"}
BUILDS = {("patches with target", "empty"), ("patches", "object and empty documents"),
          ("patches with target", "object and empty documents"),
          ("patchesStrategicMerge", "object and empty documents")}
INLINE = {"empty": '""', "blanks": '"  "', "comment": '"# c"', "dashes": '"---"', "empty list": '"[]"',
          "null text": '"null"', "yaml null": "null"}
INLINE_FIELDS = {"patches": "patches:\n- patch: {}\n", "patches with target": "patches:\n- patch: {}\n" + TARGET,
                 "patchesJson6902": "patchesJson6902:\n- patch: {}\n" + TARGET}

CASES = {f"{field} / {content}": ({"kustomization.yaml": "resources: [cm.yaml]\n" + kfield, "cm.yaml": CM,
                                   "p.yaml": CONTENTS[content]}, (field, content) in BUILDS)
         for field, kfield in FIELDS.items() for content in CONTENTS}
CASES.update({f"inline {field} / {content}": ({"kustomization.yaml": "resources: [cm.yaml]\n" + kfield.replace("{}", text),
                                               "cm.yaml": CM}, False)
              for field, kfield in INLINE_FIELDS.items() for content, text in INLINE.items()})


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("name", CASES)
def test_empty_patch(tmp_path: Path, name: str) -> None:
    files, builds = CASES[name]
    repo = Repo(_write(tmp_path, files))
    if builds:
        assert [r.name for r in build_kustomize_dir(repo, ".").resources] == ["cm"]
        return
    with pytest.raises(InputError) as err:
        build_kustomize_dir(repo, ".")
    assert err.value.file in ("kustomization.yaml", "p.yaml")
    assert err.value.line >= 1


def test_empty_patch_file_names_the_entry(tmp_path: Path) -> None:
    repo = Repo(_write(tmp_path, {"kustomization.yaml": "resources: [cm.yaml]\npatches:\n- path: p.yaml\n" + TARGET,
                                  "cm.yaml": CM, "p.yaml": "# to do\n---\n"}))
    with pytest.raises(InputError) as err:
        build_kustomize_dir(repo, ".")
    assert (err.value.file, err.value.line, err.value.code) == ("kustomization.yaml", 3, "FW-KUSTOMIZE-PATCH")
    assert "'p.yaml' holds no patch" in err.value.message


def test_flux_kustomization_with_an_empty_patch_is_a_warning(tmp_path: Path) -> None:
    files = {"clusters/home/flux-system/gotk-sync.yaml": (
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: flux-system, namespace: "
        "flux-system}\nspec: {interval: 1m, url: https://example.com/repo, ref: {branch: main}}\n---\n"
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: "
        "flux-system}\nspec: {interval: 10m, path: ./clusters/home, prune: true, sourceRef: {kind: GitRepository, "
        "name: flux-system}}\n"),
        "clusters/home/apps.yaml": (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: "
        "flux-system}\nspec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, "
        "name: flux-system}}\n"),
        "apps/kustomization.yaml": "resources: [cm.yaml]\npatchesStrategicMerge:\n- p.yaml\n",
        "apps/cm.yaml": CM, "apps/p.yaml": "# nothing\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (cluster,) = build_model(tmp_path).clusters
    (warning,) = [w for w in cluster.warnings if w.code == "FW-KUSTOMIZE-PATCH"]
    assert warning.cls == "repo" and "apps/kustomization.yaml:3: patchesStrategicMerge: patch file 'p.yaml'" \
        in warning.message


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.kubectl
@pytest.mark.parametrize("name", CASES)
def test_kubectl_agrees(tmp_path: Path, name: str) -> None:
    files, builds = CASES[name]
    objects, err = kubectl_build(str(_write(tmp_path, files)))
    assert (objects is not None) == builds, err
