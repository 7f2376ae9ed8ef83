"""Surface targets are structured: the object each leads to, with the text the tables and the JSON show."""

from __future__ import annotations

from flux_wiki.analysis.redact import HIDDEN
from flux_wiki.analysis.surfaces import extract_surfaces
from flux_wiki.model import Target

LAYER = "flux-system/apps"


def by_kind(*resources):
    out, _ = extract_surfaces(LAYER, list(resources), [])
    return {s.object_kind: s for s in out}


def test_a_service_leads_to_the_workloads_it_selects(make_res):
    labels = {"template": {"metadata": {"labels": {"app": "web"}}}}
    found = by_kind(make_res("v1", "Service", "web", {"selector": {"app": "web"}, "ports": [{"port": 80}]}),
                    make_res("apps/v1", "StatefulSet", "web-db", labels),
                    make_res("apps/v1", "Deployment", "web", labels))
    svc = found["Service"]
    assert svc.targets == (Target("deployment/web", "Deployment", "web"),
                           Target("statefulset/web-db", "StatefulSet", "web-db"))
    assert svc.target == "deployment/web, statefulset/web-db"
    assert svc.as_dict()["target"] == svc.target


def test_routes_lead_to_backends_with_namespace_kind_and_port(make_res):
    found = by_kind(
        make_res("gateway.networking.k8s.io/v1", "HTTPRoute", "r", {"hostnames": ["x.example"], "rules": [
            {"backendRefs": [{"name": "web", "namespace": "other", "port": 80}, {"name": "web", "namespace": "other",
                                                                                  "port": 80}]}]}),
        make_res("traefik.io/v1alpha1", "IngressRoute", "t", {"routes": [{"match": "Host(`t.example`)", "services": [
            {"name": "wrr", "kind": "TraefikService"}, {"name": "api", "port": 8080}]}]}),
        make_res("networking.k8s.io/v1", "Ingress", "i", {"rules": [{"host": "i.example", "http": {"paths": [
            {"path": "/", "backend": {"resource": {"kind": "StorageBucket", "name": "static"}}}]}}]}))
    assert found["HTTPRoute"].targets == (Target("other/web:80", "Service", "web", "other", "80"),)  # once
    assert found["IngressRoute"].targets == (Target("TraefikService/wrr", "TraefikService", "wrr"),
                                             Target("api:8080", "Service", "api", None, "8080"))
    assert found["Ingress"].targets == (Target("StorageBucket/static", "StorageBucket", "static"),)


def test_images_and_external_names_are_text_not_objects(make_res):
    found = by_kind(make_res("v1", "Service", "ext", {"type": "ExternalName", "externalName": "db.example.com"}),
                    make_res("batch/v1", "Job", "j", {"template": {"spec": {"containers": [{"image": "busybox:1"}]}}}))
    assert found["Service"].targets == (Target("db.example.com"),)
    assert found["Job"].targets == (Target("busybox:1"),)


def test_a_target_holding_secret_material_is_hidden_whole(make_res):
    pem = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"
    (s,), _ = extract_surfaces(LAYER, [make_res("v1", "Service", "ext", {"type": "ExternalName",
                                                                          "externalName": pem})], [])
    assert s.targets == (Target(HIDDEN),)
