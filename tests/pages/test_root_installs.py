"""What the Flux root applies itself (a HelmRelease, a Service beside ``flux-system/``) is on the DAG page, not
only what its child Kustomizations apply: a small repo whose cluster folder holds its apps has no layers, and
its page must still say what the cluster runs. Flux's own controllers stay in "Flux Root"."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

from ..simulate.test_simulate import gotk, ks, write

_RELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec:
  interval: 1h
  chart: {spec: {chart: podinfo, version: 6.5.0, sourceRef: {kind: HelmRepository, name: podinfo}}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: podinfo, namespace: apps}
spec: {interval: 1h, url: https://stefanprodan.github.io/podinfo}
---
apiVersion: v1
kind: Namespace
metadata: {name: apps}
"""
_COMPONENTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: source-controller, namespace: flux-system}
spec:
  selector: {matchLabels: {app: source-controller}}
  template:
    metadata: {labels: {app: source-controller}}
    spec: {containers: [{name: manager, image: ghcr.io/fluxcd/source-controller:v1.4.1}]}
---
apiVersion: v1
kind: Service
metadata: {name: source-controller, namespace: flux-system}
spec: {selector: {app: source-controller}, ports: [{port: 80}]}
"""


def _dag(root: Path, files: dict[str, str]) -> str:
    gotk_files = gotk()
    gotk_files["clusters/home/flux-system/kustomization.yaml"] = (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources: [gotk-components.yaml, gotk-sync.yaml]\n")
    write(root, gotk_files | {"clusters/home/flux-system/gotk-components.yaml": _COMPONENTS} | files)
    pages = WikiCompiler().compile(WikiConfig(repo=root, diagrams=False)).pages
    return next(p.markdown for p in pages if p.path.endswith("home/dag.md"))


def test_a_root_without_layers_lists_what_it_installs(tmp_path: Path) -> None:
    page = _dag(tmp_path, {"clusters/home/podinfo.yaml": _RELEASE})
    installed = page.split("## Installed Pods And Services", 1)[1]
    assert "HelmRelease `podinfo` in `apps` (chart `podinfo` `6.5.0`)" in installed
    assert "clusters/home/podinfo.yaml" in installed
    assert "source-controller" not in installed  # a Flux controller, listed under "Flux Root"
    assert "every layer waits for another one" not in page
    assert "None: the Flux root applies no other Kustomization." in page


def test_a_root_with_only_layers_adds_no_root_section(tmp_path: Path) -> None:
    page = _dag(tmp_path, {"clusters/home/apps.yaml": ks("apps", "./apps"), "apps/podinfo.yaml": _RELEASE})
    installed = page.split("## Installed Pods And Services", 1)[1]
    assert "Flux root" not in installed
    assert "HelmRelease `podinfo`" in installed
