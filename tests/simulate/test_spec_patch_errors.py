"""A build that fails on an entry of the Flux Kustomization's own spec.patches names that entry's file and line;
it named the folder's kustomization file (where kustomize-controller merges the patches), which the user never
wrote that patch in."""

from __future__ import annotations

import textwrap
from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import cm, gotk, ks, write

PATCHES = textwrap.dedent("""
      patches:
        - patch: |
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: default}
            data: {a: b}
        - patch: |
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: nothere, namespace: default}
            data: {a: b}""")


def test_a_failing_spec_patch_is_named_at_its_line(tmp_path: Path) -> None:
    repo = write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps", extra=PATCHES),
        "apps/kustomization.yaml": "resources: [cm.yaml]\npatches:\n  - path: own.yaml\n",
        "apps/own.yaml": cm("settings"),
        "apps/cm.yaml": cm("settings"),
    })
    node = build_model(repo).clusters[0].kustomizations["flux-system/apps"]
    lines = (repo / "clusters/home/apps.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "- patch:" in text and "nothere" in "".join(lines[i:i + 4]))
    assert node.status == "error"
    assert node.reason.startswith(f"clusters/home/apps.yaml:{line}: patch: no resource matches"), node.reason


def test_a_failing_patch_of_the_folder_keeps_its_own_file(tmp_path: Path) -> None:
    repo = write(tmp_path, gotk() | {
        "clusters/home/apps.yaml": ks("apps", "./apps"),
        "apps/kustomization.yaml": "resources: [cm.yaml]\npatches:\n  - path: own.yaml\n",
        "apps/own.yaml": cm("nothere"),
        "apps/cm.yaml": cm("settings"),
    })
    node = build_model(repo).clusters[0].kustomizations["flux-system/apps"]
    assert node.status == "error" and node.reason.startswith("apps/own.yaml:1: patch: no resource matches"), node.reason
