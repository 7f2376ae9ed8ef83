"""A Kustomization whose build has content flux-wiki cannot read (remote kustomize resources) is `partial`
(issue 12 point 7): built, shown with what the repo holds, the remote URLs listed, a limit and never a warning.

kustomize-controller fetches remote resources itself (kustomize's loader clones git URLs and downloads https
ones; fluxcd/kustomize-controller internal/controller builds with the default loader), so the repo is not wrong:
flux-wiki simply cannot know what they add.
"""

from __future__ import annotations

import json
from pathlib import Path

from flux_wiki.engine import build_model
from flux_wiki.render.diagrams import layer_dag_dot, layer_dag_json, layer_dag_mermaid
from flux_wiki.render.inventory import inventory_json
from flux_wiki.render.pages import PageRenderer, RenderOptions

from ..support import build_site, two_cluster_wiki
from .test_simulate import cm, gotk, ks, write

REMOTE = ["https://raw.githubusercontent.com/example/app/v1.2.0/deploy/crds.yaml",
          "github.com/example/operator//config/default?ref=v0.9.1",
          "git::https://gitlab.com/example/addons.git//base?ref=main"]
KUSTOMIZATION = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
                 "  - settings.yaml\n" + "".join(f"  - {url}\n" for url in REMOTE))


def _repo(tmp_path: Path) -> Path:
    return write(tmp_path, {
        **gotk(),
        "clusters/home/vendor.yaml": ks("vendor", "./vendor"),
        "clusters/home/local.yaml": ks("local", "./local", deps=("vendor",)),
        "vendor/kustomization.yaml": KUSTOMIZATION,
        "vendor/settings.yaml": cm("settings", "vendor"),
        "local/cm.yaml": cm("plain"),
    })


def test_remote_resources_make_the_kustomization_partial_and_are_limits(tmp_path: Path) -> None:
    (cluster,) = build_model(_repo(tmp_path)).clusters
    vendor = cluster.kustomizations["flux-system/vendor"]
    assert vendor.status == "partial"
    assert vendor.remote_resources == sorted(REMOTE)
    assert [(r.kind, r.name) for r in vendor.resources] == [("ConfigMap", "settings")]  # what the repo holds
    assert all(url in vendor.reason for url in REMOTE), vendor.reason
    assert cluster.kustomizations["flux-system/local"].status == "built"
    assert cluster.kustomizations["flux-system/local"].reason is None
    # limits (simulation notes) at the kustomization.yaml line of each URL, never repo problems (--strict passes)
    assert not [w for w in cluster.warnings if "remote" in w.message and w.cls != "limit"]
    limits = [(w.file, w.line, w.code, w.cls) for w in cluster.warnings if w.code == "FW-KUSTOMIZE-REMOTE"]
    assert limits == [("vendor/kustomization.yaml", line, "FW-KUSTOMIZE-REMOTE", "limit") for line in (5, 6, 7)]


def test_partial_renders_on_the_layer_page_the_dag_and_the_inventory(tmp_path: Path) -> None:
    model = build_model(_repo(tmp_path))
    (cluster,) = model.clusters
    vendor = cluster.kustomizations["flux-system/vendor"]
    renderer = PageRenderer(model.facts[cluster.name], RenderOptions())
    page = renderer.layer_page(vendor).markdown
    status = next(line for line in page.splitlines() if line.startswith("| Status |"))
    assert status.startswith("| Status | partial: part of what it applies is out of flux-wiki's reach: "
                             "remote content not fetched: ")
    for url in REMOTE:
        assert f"- remote resource `{url}` (recorded, not fetched)" in page
    dag = renderer.dag_page().markdown
    assert "(partial)" in next(line for line in dag.splitlines() if "vendor" in line and line.startswith("|"))
    facts = model.facts[cluster.name]
    dot = layer_dag_dot(facts, lambda node_id: f"{node_id}.md")
    vendor_line = next(line for line in dot.splitlines() if "vendor" in line and "label=" in line)
    assert "partial" in vendor_line and "fw-partial" in vendor_line and "dashed" in vendor_line
    assert {n["id"]: n["status"] for n in layer_dag_json(facts)["nodes"]}["flux-system/vendor"] == "partial"
    mermaid = layer_dag_mermaid(facts)
    assert "classDef partial" in mermaid and "class " in mermaid
    (inv,) = json.loads(inventory_json(model))["clusters"]
    entry = next(k for k in inv["kustomizations"] if k["id"] == "flux-system/vendor")
    assert (entry["status"], entry["remoteResources"]) == ("partial", sorted(REMOTE))
    remote = [w for w in inv["warnings"] if w["code"] == "FW-KUSTOMIZE-REMOTE"]
    assert remote and {(w["file"], w["class"]) for w in remote} == {("vendor/kustomization.yaml", "limit")}


def test_a_remote_resource_does_not_fail_a_strict_mkdocs_build(tmp_path: Path) -> None:
    wiki = two_cluster_wiki(tmp_path / "wiki")
    (wiki / "data/gitops/apps/kustomization.yaml").write_text(
        "resources:\n  - service.yaml\n  - https://example.com/extra.yaml\n")
    (wiki / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - flux-wiki:\n      repo: data/gitops\n")
    site = build_site(wiki, tmp_path / "site")  # strict: a warning would raise
    pages = "\n".join(p.read_text() for p in site.rglob("*.html"))
    assert "https://example.com/extra.yaml" in pages and "partial" in pages
