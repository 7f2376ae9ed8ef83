"""Each kind of change, one commit at a time: the JSON diff pins exactly what changed and nothing else."""

from __future__ import annotations

from typing import Any

from flux_wiki.diff import diff_models
from flux_wiki.diff.report import diff_document
from flux_wiki.engine import build_model

from .conftest import History

EMPTY_SECTIONS = {
    "changes": [],
    "kustomizations": {"added": [], "removed": [], "changed": []},
    "objects": {"added": [], "removed": [], "moved": []},
    "surfaces": {"added": [], "removed": [], "changed": []},
    "duplicateClaims": {"introduced": [], "resolved": []},
    "helmReleases": {"added": [], "removed": [], "changed": []},
    "images": {"added": [], "removed": [], "changed": []},
    "findings": {"problems": {"introduced": [], "resolved": []}},
}


def only(cluster: dict[str, Any], **sections: Any) -> None:
    """The cluster diff has exactly ``sections`` and every other section empty."""
    expected = {**EMPTY_SECTIONS, **sections}
    assert {k: cluster[k] for k in EMPTY_SECTIONS} == expected
    assert cluster["changed"] is True and cluster["status"] == "changed"


def test_adding_a_layer(history: History) -> None:
    c = history.step("add layer")
    only(c,
         kustomizations={"added": [{"id": "flux-system/monitoring", "path": "monitoring", "level": 1,
                                    "appliedBy": "flux-system/flux-system", "dependsOn": ["flux-system/infra"],
                                    "status": "built", "file": "clusters/home/monitoring.yaml", "line": 1}],
                         "removed": [], "changed": []},
         objects={"added": [{"kustomization": "flux-system/flux-system", "kind": "Kustomization",
                             "namespace": "flux-system", "name": "monitoring", "file": "clusters/home/monitoring.yaml",
                             "line": 1},
                            {"kustomization": "flux-system/monitoring", "kind": "Deployment", "namespace": "monitoring",
                             "name": "grafana", "file": "monitoring/grafana.yaml", "line": 1}],
                  "removed": [], "moved": []},
         images={"added": [{"layer": "flux-system/monitoring", "kind": "Deployment", "namespace": "monitoring",
                            "name": "grafana", "image": "grafana/grafana:11.0.0", "file": "monitoring/grafana.yaml",
                            "line": 1}],
                 "removed": [], "changed": []})
    assert c["dependencies"] == [{"dependency": "flux-system/infra", "dependent": "flux-system/monitoring",
                                  "state": "added"}]


def test_changing_a_depends_on_moves_the_level(history: History) -> None:
    c = history.step("change dependsOn")
    only(c, kustomizations={"added": [], "removed": [], "changed": [
        {"id": "flux-system/apps", "file": "clusters/home/apps.yaml", "line": 1, "changes": [
            {"field": "dependsOn", "base": ["flux-system/infra"], "head": ["flux-system/monitoring"]},
            {"field": "level", "base": 1, "head": 2}]}]})
    assert [(e["dependency"], e["state"]) for e in c["dependencies"]] == [
        ("flux-system/infra", "removed"), ("flux-system/monitoring", "added")]


def test_a_load_balancer_ip_changed_through_a_postbuild_variable(history: History) -> None:
    c = history.step("LoadBalancer IP through a postBuild variable")
    only(c, surfaces={"added": [], "removed": [], "changed": [c["surfaces"]["changed"][0]]})
    change = c["surfaces"]["changed"][0]
    assert change["changes"] == [{"field": "address", "base": "10.0.0.10", "head": "10.0.0.20"}]
    assert (change["head"]["object_kind"], change["head"]["name"], change["head"]["port"]) == ("Service", "web", 80)


def test_a_chart_bump(history: History) -> None:
    only(history.step("bump chart"), helmReleases={"added": [], "removed": [], "changed": [
        {"id": "infra/ingress-nginx", "layer": "flux-system/infra", "file": "infra/ingress-nginx.yaml", "line": 1,
         "changes": [{"field": "version", "base": "4.10.0", "head": "4.11.1"}]}]})


def test_an_image_tag_and_digest_change(history: History) -> None:
    only(history.step("bump image"), images={"added": [], "removed": [], "changed": [
        {"layer": "flux-system/apps", "kind": "Deployment", "namespace": "apps", "name": "web", "repository": "nginx",
         "base": "nginx:1.25.0", "head": "nginx:1.25.1@sha256:" + "ab" * 32, "file": "apps/web.yaml", "line": 1}]})


def test_an_object_moved_between_layers(history: History) -> None:
    only(history.step("move object"), objects={"added": [], "removed": [], "moved": [
        {"kind": "CronJob", "namespace": "apps", "name": "backup", "baseKustomization": "flux-system/apps",
         "headKustomization": "flux-system/infra", "file": "infra/cron.yaml", "line": 1}]})


def test_order_comments_generator_hashes_and_file_names_are_no_change(history: History) -> None:
    c = history.step("noise only: order, comments, generated content, file names")
    assert c["changed"] is False and c["status"] == "unchanged"
    assert {k: c[k] for k in EMPTY_SECTIONS} == EMPTY_SECTIONS
    assert c["dependencies"] == []


def test_a_duplicate_claim_and_a_dangling_depends_on_are_new_problems(history: History) -> None:
    c = history.step("duplicate claim and a dangling dependsOn")
    assert c["duplicateClaims"]["introduced"] == [
        {"address": "10.0.0.20", "port": 80, "protocol": "TCP", "claimants": [
            {"layer": "flux-system/apps", "kind": "Service", "namespace": "apps", "name": "web",
             "file": "apps/web-app.yaml", "line": 3},
            {"layer": "flux-system/apps", "kind": "Service", "namespace": "apps", "name": "web-alt",
             "file": "apps/web-alt.yaml", "line": 1}]}]
    problems = c["findings"]["problems"]
    assert problems["resolved"] == []
    assert [(p["file"], p["line"]) for p in problems["introduced"]] == [  # the dangling one: its dependsOn entry
        ("apps/web-app.yaml", 3), ("clusters/home/monitoring.yaml", 13)]  # the claim once, at the later file
    assert "depends on flux-system/logging" in problems["introduced"][1]["message"]
    assert [s["name"] for s in c["surfaces"]["added"]] == ["web-alt"]
    assert [o["name"] for o in c["objects"]["added"]] == ["web-alt"]


def test_removing_a_layer(history: History) -> None:
    c = history.step("remove layer")
    assert [k["id"] for k in c["kustomizations"]["removed"]] == ["flux-system/monitoring"]
    assert c["kustomizations"]["changed"][0]["changes"][0] == {
        "field": "dependsOn", "base": ["flux-system/monitoring"], "head": ["flux-system/infra"]}
    assert [(o["kustomization"], o["kind"], o["name"]) for o in c["objects"]["removed"]] == [
        ("flux-system/flux-system", "Kustomization", "monitoring"), ("flux-system/monitoring", "Deployment", "grafana")]
    assert [i["image"] for i in c["images"]["removed"]] == ["grafana/grafana:11.0.0"]
    assert [p["file"] for p in c["findings"]["problems"]["resolved"]] == ["clusters/home/monitoring.yaml"]
    assert c["surfaces"] == EMPTY_SECTIONS["surfaces"] and c["helmReleases"] == EMPTY_SECTIONS["helmReleases"]


def test_a_revision_against_itself_is_no_change(history: History) -> None:
    doc = history.diff("bump chart", "bump chart")
    assert doc["changed"] is False and [c["status"] for c in doc["clusters"]] == ["unchanged"]


def test_models_compare_as_their_inventories(history: History) -> None:
    """diff_models is the comparison the wiki's pages will call with models they already built."""
    git = history.inventories.git
    with git.checkout(history.commits["base"]) as base_folder, git.checkout(history.commits["bump chart"]) as head_folder:
        diff = diff_models(build_model(base_folder), build_model(head_folder))
    assert diff_document(diff)["clusters"] == history.diff("base", "bump chart")["clusters"]


def test_applied_by_is_read_from_an_edge_or_the_parent() -> None:
    from flux_wiki.diff.compare import compare_inventories

    def doc(**ks: object) -> dict:
        return {"clusters": [{"name": "c", "kustomizations": [{"id": "ns/a", **ks}]}]}

    def changes(base: dict, head: dict) -> list:
        return [(c.field, c.base, c.head) for k in compare_inventories(base, head).clusters[0].kustomizations.changed
                for c in k.changes]

    assert changes(doc(parent="ns/root"), doc(appliedBy={"id": "ns/root", "file": "x.yaml", "line": 9})) == []
    assert changes(doc(parent="ns/root"), doc(parent="ns/apps")) == [("appliedBy", "ns/root", "ns/apps")]
    assert changes(doc(appliedBy={"kustomization": "ns/root", "line": 1}),
                   doc(appliedBy={"kustomization": "ns/apps", "line": 1})) == [("appliedBy", "ns/root", "ns/apps")]
