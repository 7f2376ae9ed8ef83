"""``spec.ignoreMissingComponents`` (Flux 2.6): kustomize-controller's generator leaves out of the kustomization the
``spec.components`` that are not in the artifact (fluxcd/pkg kustomize ``Test_IgnoreMissingComponents``), so the
Kustomization builds; without it, or for a component listed in the folder's own kustomization.yaml, a missing
component fails the build."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from flux_wiki.engine import build_model
from flux_wiki.flux.kustomize import flux_kustomization
from flux_wiki.flux.objects import FluxOverrides
from flux_wiki.load import Repo

from ..kustomize.kustomize_kubectl import KUBECTL
from .test_simulate import gotk, ks, write

COMPONENTS = """\
components:
  - ../../components/monitoring
  - ../../components/not-yet
"""


def _repo(root: Path, ignore: str = "ignoreMissingComponents: true\n", own: str = "") -> Path:
    return write(root, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps/prod", extra=ignore + COMPONENTS),
        "apps/prod/kustomization.yaml": f"resources: [cm.yaml]\n{own}",
        "apps/prod/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: default}\n",
        "components/monitoring/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\n"
                                                    "kind: Component\nresources: [mon.yaml]\n",
        "components/monitoring/mon.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mon, namespace: default}\n",
    })


def test_missing_components_are_left_out(tmp_path: Path) -> None:
    cluster = build_model(_repo(tmp_path)).clusters[0]
    apps = cluster.kustomizations["flux-system/apps"]
    assert apps.status == "built" and sorted(r.name for r in apps.resources) == ["app", "mon"]
    assert not [w for w in cluster.warnings if w.cls == "repo"]


@pytest.mark.parametrize("ignore, own", [
    ("", ""),  # the field unset: Flux appends every component and kustomize fails on the missing one
    ("ignoreMissingComponents: true\n", "components: [../../components/gone]\n"),  # the folder's own list is kept
])
def test_other_missing_components_still_fail(tmp_path: Path, ignore: str, own: str) -> None:
    cluster = build_model(_repo(tmp_path, ignore, own)).clusters[0]
    assert cluster.kustomizations["flux-system/apps"].status == "error"
    [w] = [w for w in cluster.warnings if w.code == "FW-KUSTOMIZE-MISSING"]
    assert w.cls == "repo" and ("not-yet" in w.message or "gone" in w.message)


@pytest.mark.kubectl
def test_the_kustomization_flux_writes_builds_with_kubectl(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kfile, data = flux_kustomization(Repo(repo), "./apps/prod", FluxOverrides(
        components=["../../components/monitoring", "../../components/not-yet"], ignore_missing_components=True))
    assert data["components"] == ["../../components/monitoring"]
    (repo / kfile).write_text(yaml.safe_dump(data))
    out = subprocess.run([KUBECTL, "kustomize", str(repo / "apps/prod")], capture_output=True, text=True, check=True)
    assert sorted(o["metadata"]["name"] for o in yaml.safe_load_all(out.stdout)) == ["app", "mon"]
