"""A host an overlay's kustomize patch sets or changes points at the patch line that wrote it, not at the base
resource: a strategic-merge patch in a kustomization file, a JSON 6902 patch file, and a JSON 6902 patch in the
Flux Kustomization's own spec.patches (fixtures/patched-hosts; `kubectl kustomize apps/prod` gives the same
hosts). A host the patch left as it was keeps the base's line."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

FIXTURE = Path(__file__).parent / "fixtures" / "patched-hosts"


def test_patched_hosts_point_at_the_patch_line() -> None:
    [cluster] = build_model(FIXTURE).clusters
    assert sorted((s.kind, s.host, s.file, s.line) for s in cluster.surfaces) == [
        ("certificate", "web.prod.example.com", "apps/prod/tls-patch.yaml", 5),  # the JSON 6902 value's line
        ("httproute", "route.prod.example.com", "clusters/home/apps.yaml", 19),  # spec.patches, inside the block
        ("ingress", "static.example.com", "apps/base/ingress.yaml", 1),  # rewritten by the patch, unchanged
        ("ingress", "web.prod.example.com", "apps/prod/kustomization.yaml", 12),  # the inline patch's line
    ]
