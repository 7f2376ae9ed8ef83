"""A kustomization file's apiVersion and kind, as kustomize enforces them (types.Kustomization.EnforceFields):
kind Kustomization (or none) needs kustomize.config.k8s.io/v1beta1, kind Component v1alpha1, an empty
apiVersion takes the default. A wrong one fails the build at the apiVersion line. `kubectl kustomize` is the
reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from flux_wiki.flux.kustomize import build_flux_path, build_kustomize_dir
from flux_wiki.load import Repo
from flux_wiki.model import InputError
from .kustomize_kubectl import KUBECTL, kubectl_build

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"
CASES = {  # the kustomization's head -> whether kustomize builds it
    "v1beta1 Kustomization": ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n", True),
    "no apiVersion": ("kind: Kustomization\n", True),
    "no kind": ("apiVersion: kustomize.config.k8s.io/v1beta1\n", True),
    "empty apiVersion and kind": ("apiVersion: ''\nkind: ''\n", True),
    "v1alpha1 Component": ("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n", True),
    "Component without apiVersion": ("kind: Component\n", True),
    "v1 Kustomization": ("apiVersion: kustomize.config.k8s.io/v1\nkind: Kustomization\n", False),
    "v1alpha1 Kustomization": ("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Kustomization\n", False),
    "Flux's apiVersion": ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n", False),
    "apiVersion without kind": ("apiVersion: v1\n", False),
    "v1beta1 Component": ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\n", False),
    "misspelt kind": ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomisation\n", False),
}


def _write(root: Path, head: str) -> Path:
    (root / "kustomization.yaml").write_text(f"# the app\n{head}resources: [cm.yaml]\n")
    (root / "cm.yaml").write_text(CM)
    return root


@pytest.mark.parametrize("name", CASES)
def test_kustomization_version(tmp_path: Path, name: str) -> None:
    head, builds = CASES[name]
    repo = Repo(_write(tmp_path, head))
    if builds:
        assert [r.name for r in build_kustomize_dir(repo, ".").resources] == ["cm"]
        return
    with pytest.raises(InputError) as err:
        build_kustomize_dir(repo, ".")
    assert (err.value.file, err.value.code) == ("kustomization.yaml", "FW-KUSTOMIZE-INVALID")


def test_wrong_api_version_names_its_line(tmp_path: Path) -> None:
    """Also at a Flux Kustomization's path: kustomize-controller keeps the file's apiVersion when it writes it back."""
    repo = Repo(_write(tmp_path, "kind: Kustomization\napiVersion: kustomize.config.k8s.io/v1\n"))
    with pytest.raises(InputError) as err:
        build_flux_path(repo, ".")
    assert err.value.line == 3
    assert "apiVersion for Kustomization should be kustomize.config.k8s.io/v1beta1" in err.value.message


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.kubectl
@pytest.mark.parametrize("name", CASES)
def test_kubectl_agrees(tmp_path: Path, name: str) -> None:
    head, builds = CASES[name]
    objects, err = kubectl_build(str(_write(tmp_path, head)))
    assert (objects is not None) == builds, err
