"""A kustomization file holding more than one YAML document: kustomize (and kustomize-controller, which rewrites the
file at a Kustomization's path) reads the first only, so the others silently do nothing (larsdbr/k8s-platform's
tenants/staging: a second document adding the red-team tenant). Flux does not fail: a notice, never a warning."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import gotk, ks, write

_TENANTS = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - blue.yaml
---
# the red team
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - red.yaml
"""


def _namespace(name: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}}}\n"


def test_documents_after_the_first_are_a_notice(tmp_path: Path) -> None:
    write(tmp_path, gotk() | {
        "clusters/home/tenants.yaml": ks("tenants", "./tenants"),
        "tenants/kustomization.yaml": _TENANTS,
        "tenants/blue.yaml": _namespace("blue"),
        "tenants/red.yaml": _namespace("red"),
        "base/kustomization.yaml": _TENANTS.replace("blue.yaml", "../tenants/blue.yaml").replace(
            "red.yaml", "../tenants/red.yaml"),
        "clusters/home/base.yaml": ks("base", "./overlay"),
        "overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: x-\n",
    })
    cluster = build_model(tmp_path).clusters[0]
    built = {r.name for r in cluster.kustomizations["flux-system/tenants"].resources}
    assert built == {"blue"}
    found = sorted((w.file, w.line, w.severity, w.cls) for w in cluster.notices
                   if w.code == "FW-KUSTOMIZE-DOCUMENTS-IGNORED")
    assert found == [("base/kustomization.yaml", 7, "info", "limit"),
                     ("tenants/kustomization.yaml", 7, "info", "limit")]
    [notice] = [w for w in cluster.notices if w.file == "tenants/kustomization.yaml"]
    assert "2 YAML documents" in notice.message and "kustomize reads the first only" in notice.message
    assert not [w for w in cluster.warnings if w.cls == "repo"]
