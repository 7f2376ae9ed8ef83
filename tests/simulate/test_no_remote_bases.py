"""kustomize-controller's ``--no-remote-bases=true`` (kustomize-controller#638): the build runs on a file system
confined to the source artifact (``generator.SecureBuild(workDir, dirPath, !r.NoRemoteBases)``; fluxcd/pkg
kustomize ``MakeFsOnDiskSecure`` instead of ``MakeFsOnDiskSecureBuild``, which allows kustomize's clone folder).
A remote base kustomize clones (a git repository; every remote component) fails the build and the Kustomization
applies nothing: FW-KUSTOMIZE-REMOTE-REFUSED at the remote entry, naming where the flag is set. kustomize loads a
resource as a file first (``accumulateResources``) and fetches an http(s) file URL itself, so such a file is still
only a limit (FW-KUSTOMIZE-REMOTE). Without the flag every remote entry is a limit."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from flux_wiki.flux.kustomize.build import is_remote_base
from tests.simulate.test_flux_instance import instance
from tests.simulate.test_lockdown import CONTROLLERS
from tests.simulate.test_simulate import gotk, ks, write

NO_REMOTE = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [gotk-components.yaml, gotk-sync.yaml]
patches:
  - patch: |
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --no-remote-bases=true
    target:
      kind: Deployment
      name: kustomize-controller
"""

APP = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - cm.yaml
  - %s
"""
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n"
GIT_BASE = "https://github.com/stefanprodan/podinfo//kustomize?ref=6.7.0"
FILE_URL = "https://github.com/fluxcd/flux2/releases/download/v2.4.0/install.yaml"


def repo_with(tmp_path: Path, kustomization: str, remote: str, placeholder: bool = False) -> Path:
    files = gotk()
    files["clusters/home/flux-system/gotk-components.yaml"] = (
        "# This file will be generated automatically by flux boostrap.\n" if placeholder else CONTROLLERS)
    files["clusters/home/flux-system/kustomization.yaml"] = kustomization
    files.update({"clusters/home/apps.yaml": ks("apps", "./apps"), "apps/kustomization.yaml": APP % remote,
                  "apps/cm.yaml": CM})
    return write(tmp_path, files)


def found(cluster) -> list[tuple[str, str, str, int]]:
    return [(d.severity, d.code, d.file, d.line) for d in cluster.warnings
            if d.code.startswith("FW-KUSTOMIZE-REMOTE")]


@pytest.mark.parametrize("placeholder", [False, True])
def test_a_remote_base_fails_the_build_under_the_flag(tmp_path: Path, placeholder: bool) -> None:
    [cluster] = build_model(repo_with(tmp_path, NO_REMOTE, GIT_BASE, placeholder)).clusters
    apps = cluster.kustomizations["flux-system/apps"]
    assert apps.status == "error" and apps.resources == []
    assert found(cluster) == [("warning", "FW-KUSTOMIZE-REMOTE-REFUSED", "apps/kustomization.yaml", 5)]
    [warning] = [w for w in cluster.warnings if w.code == "FW-KUSTOMIZE-REMOTE-REFUSED"]
    assert GIT_BASE in warning.message and "--no-remote-bases=true" in warning.message
    where = ("set by the patch at clusters/home/flux-system/kustomization.yaml:5" if placeholder else
             "Deployment flux-system/kustomize-controller (clusters/home/flux-system/gotk-components.yaml:1)")
    assert where in warning.message
    assert apps.failure is not None and (apps.failure.file, apps.failure.line) == ("apps/kustomization.yaml", 5)


def test_without_the_flag_a_remote_base_is_a_limit(tmp_path: Path) -> None:
    plain = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" \
            "resources: [gotk-components.yaml, gotk-sync.yaml]\n"
    for name, kustomization in (("plain", plain), ("off", NO_REMOTE.replace("=true", "=false"))):
        [cluster] = build_model(repo_with(tmp_path / name, kustomization, GIT_BASE)).clusters
        assert cluster.kustomizations["flux-system/apps"].status == "partial"
        assert found(cluster) == [("warning", "FW-KUSTOMIZE-REMOTE", "apps/kustomization.yaml", 5)]


def test_a_remote_file_is_still_fetched_under_the_flag(tmp_path: Path) -> None:
    [cluster] = build_model(repo_with(tmp_path, NO_REMOTE, FILE_URL)).clusters
    assert cluster.kustomizations["flux-system/apps"].status == "partial"
    assert [d[1] for d in found(cluster)] == ["FW-KUSTOMIZE-REMOTE"]


def test_a_flux_instance_patch_sets_the_flag(tmp_path: Path) -> None:
    sync = "{kind: GitRepository, url: https://example.com/ops.git, ref: refs/heads/main, path: clusters/prod}"
    patches = textwrap.dedent("""\
        kustomize:
          patches:
            - target: {kind: Deployment, name: kustomize-controller}
              patch: |
                - op: add
                  path: /spec/template/spec/containers/0/args/-
                  value: --no-remote-bases=true
        """)
    repo = write(tmp_path, {"clusters/prod/flux.yaml": instance(sync, extra=patches),
                            "clusters/prod/apps.yaml": ks("apps", "./apps"),
                            "apps/kustomization.yaml": APP % "github.com/org/base//deploy?ref=v1", "apps/cm.yaml": CM})
    [cluster] = build_model(repo).clusters
    assert cluster.kustomizations["flux-system/apps"].status == "error"
    [warning] = [w for w in cluster.warnings if w.code == "FW-KUSTOMIZE-REMOTE-REFUSED"]
    assert "set by the patch at clusters/prod/flux.yaml:9" in warning.message


@pytest.mark.parametrize(("ref", "key", "base"), [
    (GIT_BASE, "resources", True),
    ("github.com/org/repo//deploy?ref=v1", "resources", True),
    ("git@github.com:org/repo.git//deploy", "resources", True),
    ("ssh://git@example.org/org/repo.git", "resources", True),
    ("https://example.org/org/repo.git//deploy", "resources", True),
    ("https://dev.azure.com/org/project/_git/repo//deploy", "resources", True),
    (FILE_URL, "resources", False),
    ("https://example.org/manifests", "resources", False),
    ("https://example.org/component.yaml", "components", True)])
def test_remote_bases_are_the_entries_kustomize_clones(ref: str, key: str, base: bool) -> None:
    assert is_remote_base(ref, key) is base
