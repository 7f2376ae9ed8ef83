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


def test_each_path_of_an_httproute_leads_to_its_own_rules_backends(make_res):
    """A path is matched by its rule, whose backendRefs serve it: /api reaches api, the catch-all web, and a
    rule that only redirects (RequestRedirect, no backendRefs) reaches no Service (SaschaJohn/flux2-homelab's
    longhorn route showed its redirect path leading to longhorn-frontend). A path two rules match leads to the
    backends of both."""
    (route,) = [make_res("gateway.networking.k8s.io/v1", "HTTPRoute", "r", {"hostnames": ["x.example"], "rules": [
        {"matches": [{"path": {"type": "Exact", "value": "/old"}}],
         "filters": [{"type": "RequestRedirect", "requestRedirect": {"statusCode": 301}}]},
        {"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}], "backendRefs": [{"name": "api", "port": 80}]},
        {"matches": [{"path": {"type": "PathPrefix", "value": "/api"}, "headers": [{"name": "x", "value": "1"}]}],
         "backendRefs": [{"name": "canary", "port": 80}]},
        {"backendRefs": [{"name": "web", "port": 8080}]}]})]
    out, _ = extract_surfaces(LAYER, [route], [])
    assert [(s.path, s.target) for s in out] == [("/", "web:8080"), ("/api", "api:80, canary:80"), ("/old", None)]


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


def test_a_release_route_to_its_own_service_names_no_other_object(make_hr):
    """app-template's `service.identifier: app` is a Service the same HelmRelease renders: the layer diagram
    drew it as a dashed "Service app" placeholder (8 of onedr0p's 69 layers). The backend keeps
    its text; a backend the release does not render stays an object."""
    rel = make_hr("web", "app-template", {
        "controllers": {"web": {"containers": {"app": {"image": {"repository": "nginx", "tag": "1"}}}}},
        "service": {"app": {"ports": {"http": {"port": 80}}}},
        "ingress": {"app": {"hosts": [{"host": "web.example.com", "paths": [
            {"path": "/", "service": {"identifier": "app", "port": "http"}},
            {"path": "/api", "service": {"name": "api", "port": 8080}}]}]}},
        "route": {"app": {"hostnames": ["r.example.com"], "rules": [{"backendRefs": [{"identifier": "app",
                                                                                      "port": 80}]}]}},
    }, version="3.7.3")
    out, _ = extract_surfaces(LAYER, [], [rel])
    routes = {(s.kind, s.path if s.kind == "ingress" else None): s.targets for s in out
              if s.kind in ("ingress", "httproute")}
    assert routes[("ingress", "/")] == (Target("app:http", port="http"),)
    assert routes[("ingress", "/api")] == (Target("api:8080", "Service", "api", None, "8080"),)
    assert [(t.text, t.kind) for t in routes[("httproute", None)]] == [("app:80", None)]


def test_a_release_into_another_namespace_still_routes_to_its_own_service(make_hr, make_res):
    """helm-controller installs the chart into spec.targetNamespace (a HelmRelease kept in flux-system is
    common): the release's Service and route land there together, so the route still leads back into it."""
    values = {"controllers": {"web": {"containers": {"app": {"image": {"repository": "nginx", "tag": "1"}}}}},
              "service": {"app": {"ports": {"http": {"port": 80}}}},
              "ingress": {"app": {"hosts": [{"host": "web.example.com", "paths": [
                  {"path": "/", "service": {"identifier": "app", "port": "http"}}]}]}}}
    built = make_res("helm.toolkit.fluxcd.io/v2", "HelmRelease", "web", {"targetNamespace": "media",
                                                                         "values": values}, ns="flux-system")
    out, _ = extract_surfaces(LAYER, [built], [make_hr("web", "app-template", values, ns="flux-system",
                                                       version="3.7.3")])
    [ingress] = [s for s in out if s.kind == "ingress"]
    assert ingress.targets == (Target("app:http", port="http"),)
