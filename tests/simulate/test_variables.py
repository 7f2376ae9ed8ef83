"""postBuild variables are recorded on the node by the simulation, and the layer page states those, no others."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.model import SubstitutionVar
from flux_wiki.render.pages import PageRenderer, RenderOptions

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {url: https://example.org/r, ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {path: ./clusters/home, sourceRef: {kind: GitRepository, name: flux-system}, interval: 10m}
"""
APPS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  path: ./apps
  sourceRef: {kind: GitRepository, name: flux-system}
  interval: 10m
  postBuild:
    substitute: {DOMAIN: example.org, API_TOKEN: not-shown}
    substituteFrom:
      - {kind: ConfigMap, name: cluster-vars}
      - {kind: Secret, name: tunnel}
"""
VARS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-vars, namespace: flux-system}
data: {DOMAIN: overridden.example, REGION: eu}
"""
# applied by no Kustomization: the bootstrap created it; Flux (and the simulation) still read it
TUNNEL = """\
apiVersion: v1
kind: Secret
metadata: {name: tunnel, namespace: flux-system}
stringData: {TUNNEL_ID: abc}
"""
APP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: default}
data: {url: "https://${DOMAIN}/${TUNNEL_ID}"}
"""


def repo(root: Path) -> Path:
    files = {"clusters/home/flux-system/gotk-sync.yaml": SYNC, "clusters/home/apps.yaml": APPS,
             "clusters/home/vars.yaml": VARS, "bootstrap/tunnel.yaml": TUNNEL, "apps/app.yaml": APP}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_the_simulation_records_each_variable_by_name_origin_and_secrecy(tmp_path: Path) -> None:
    model = build_model(repo(tmp_path))
    node = model.clusters[0].kustomizations["flux-system/apps"]
    assert node.variables == [
        SubstitutionVar("API_TOKEN", "inline", True),
        SubstitutionVar("DOMAIN", "inline", False),  # the inline map wins over the ConfigMap
        SubstitutionVar("REGION", "ConfigMap flux-system/cluster-vars", False),
        SubstitutionVar("TUNNEL_ID", "Secret flux-system/tunnel", True),
    ]
    assert node.secret_vars == ["TUNNEL_ID"]


def test_the_layer_page_lists_the_variables_the_model_substituted(tmp_path: Path) -> None:
    """A Secret no layer applies is still read by Flux (the page once said 'none found' for it)."""
    model = build_model(repo(tmp_path))
    cluster = model.clusters[0]
    page = PageRenderer(model.facts[cluster.name], RenderOptions()).layer_page(
        cluster.kustomizations["flux-system/apps"]).markdown
    row = next(line for line in page.splitlines() if line.startswith("| Substitution variables"))
    assert row == ("| Substitution variables (names only) | `API_TOKEN` (hidden), `DOMAIN`, `REGION`, "
                   "`TUNNEL_ID` (hidden) |")
    assert "Variables from Secrets" not in page
    assert "abc" not in page and "not-shown" not in page
