"""Surfaces read from built Kubernetes objects, one kind at a time."""

from __future__ import annotations

import pytest

from flux_wiki.analysis.redact import HIDDEN
from flux_wiki.analysis.surfaces import LB_IP_ANNOTATIONS, extract_surfaces

LAYER = "flux-system/apps"


def surfaces(*resources, releases=()):
    out, diags = extract_surfaces(LAYER, list(resources), list(releases))
    return out, diags


def lb_service(make_res, name="web", **meta):
    return make_res("v1", "Service", name, {"type": "LoadBalancer", "ports": [
        {"name": "http", "port": 80, "targetPort": 8080}, {"name": "dns", "port": 53, "protocol": "UDP"}]},
        line=7, **meta)


@pytest.mark.parametrize("annotation", LB_IP_ANNOTATIONS)
def test_loadbalancer_address_from_each_ipam_annotation(make_res, annotation):
    out, diags = surfaces(lb_service(make_res, annotations={annotation: "10.0.0.5"}))
    assert diags == []
    assert [(s.kind, s.address, s.port, s.protocol, s.port_name) for s in out] == [
        ("loadbalancer", "10.0.0.5", 53, "UDP", "dns"), ("loadbalancer", "10.0.0.5", 80, "TCP", "http")]
    s = out[1]
    assert (s.layer, s.namespace, s.name, s.object_kind, s.file, s.line) == \
        (LAYER, "apps", "web", "Service", "apps/web.yaml", 7)
    assert "targetPort 8080" in s.detail


def test_loadbalancer_ip_list_class_and_shared_key(make_res):
    svc = make_res("v1", "Service", "dns", {"type": "LoadBalancer", "loadBalancerIP": "10.0.0.9",
                                             "loadBalancerClass": "io.cilium/l2-announcer",
                                             "ports": [{"port": 53, "protocol": "UDP"}]},
                   annotations={"metallb.universe.tf/loadBalancerIPs": "10.0.0.9, 10.0.0.10",
                                "metallb.universe.tf/allow-shared-ip": "dns"})
    (s,), _ = surfaces(svc)
    assert s.address == "10.0.0.9,10.0.0.10"
    assert s.detail == "class io.cilium/l2-announcer; shared-ip dns"


def test_nodeport_headless_externalname(make_res):
    out, _ = surfaces(
        make_res("v1", "Service", "np", {"type": "NodePort", "ports": [{"name": "web", "port": 80, "nodePort": 30080}]}),
        make_res("v1", "Service", "db", {"clusterIP": "None", "ports": [{"port": 5432}]}),
        make_res("v1", "Service", "ext", {"type": "ExternalName", "externalName": "db.example.com"}))
    by_name = {s.name: s for s in out}
    assert (by_name["np"].kind, by_name["np"].port, by_name["np"].detail) == ("nodeport", 80, "nodePort 30080")
    assert (by_name["db"].kind, by_name["db"].port, by_name["db"].detail) == ("clusterip", 5432, "headless")
    assert (by_name["ext"].kind, by_name["ext"].host, by_name["ext"].target, by_name["ext"].detail) == \
        ("externalname", "db.example.com", "db.example.com", "alias of db.example.com")


def test_ingress_with_tls_class_and_backends(make_res):
    ing = make_res("networking.k8s.io/v1", "Ingress", "app", {
        "ingressClassName": "nginx",
        "tls": [{"hosts": ["a.example.com"], "secretName": "a-tls"}],
        "rules": [
            {"host": "a.example.com", "http": {"paths": [
                {"path": "/", "backend": {"service": {"name": "app", "port": {"number": 80}}}},
                {"path": "/api", "backend": {"service": {"name": "api", "port": {"name": "http"}}}}]}},
            {"host": "b.example.com", "http": {"paths": [
                {"path": "/", "backend": {"service": {"name": "app", "port": {"number": 80}}}}]}}]})
    out, _ = surfaces(ing)
    assert [(s.kind, s.host, s.path, s.target, s.detail) for s in out] == [
        ("ingress", "a.example.com", "/", "app:80", "class nginx; tls a-tls"),
        ("ingress", "a.example.com", "/api", "api:http", "class nginx; tls a-tls"),
        ("ingress", "b.example.com", "/", "app:80", "class nginx")]


def test_ingressroute_with_multiple_hosts(make_res):
    ir = make_res("traefik.io/v1alpha1", "IngressRoute", "dash", {
        "entryPoints": ["websecure"],
        "routes": [{"match": "Host(`a.example.com`, `b.example.com`) && PathPrefix(`/ui`)", "kind": "Rule",
                    "middlewares": [{"name": "auth"}],
                    "services": [{"name": "dash", "port": 8080}]}],
        "tls": {"secretName": "wild-tls"}})
    out, _ = surfaces(ir)
    assert [(s.kind, s.host, s.path, s.target) for s in out] == [
        ("ingressroute", "a.example.com", "/ui", "dash:8080"), ("ingressroute", "b.example.com", "/ui", "dash:8080")]
    assert out[0].detail == "entryPoints websecure; middlewares auth; tls wild-tls"


def test_ingressroute_legacy_group_old_host_syntax(make_res):
    ir = make_res("traefik.containo.us/v1alpha1", "IngressRoute", "old", {
        "routes": [{"match": "Host(`x.example.com`) || Host(`y.example.com`)", "services": [{"name": "x", "port": 80}]}]})
    out, _ = surfaces(ir)
    assert [s.host for s in out] == ["x.example.com", "y.example.com"]


def test_ingressroutetcp_hostsni(make_res):
    ir = make_res("traefik.io/v1alpha1", "IngressRouteTCP", "pg", {
        "entryPoints": ["postgres"],
        "routes": [{"match": "HostSNI(`db.example.com`)", "services": [{"name": "pg-rw", "port": 5432}]}],
        "tls": {"passthrough": True}})
    (s,), _ = surfaces(ir)
    assert (s.kind, s.object_kind, s.host, s.target) == ("ingressroute", "IngressRouteTCP", "db.example.com", "pg-rw:5432")
    assert s.detail == "entryPoints postgres; tls passthrough"


def test_gateway_listeners_and_address_from_infrastructure(make_res):
    gw = make_res("gateway.networking.k8s.io/v1", "Gateway", "external", {
        "gatewayClassName": "envoy",
        "infrastructure": {"annotations": {"lbipam.cilium.io/ips": "192.168.1.20"}},
        "listeners": [{"name": "http", "protocol": "HTTP", "port": 80},
                      {"name": "https", "protocol": "HTTPS", "port": 443, "hostname": "*.example.com",
                       "tls": {"certificateRefs": [{"kind": "Secret", "name": "wild-tls"}]}}]})
    out, _ = surfaces(gw)
    assert [(s.kind, s.address, s.port, s.protocol, s.host, s.detail) for s in out] == [
        ("gateway", "192.168.1.20", 80, "HTTP", None, "class envoy"),
        ("gateway", "192.168.1.20", 443, "HTTPS", "*.example.com", "class envoy; tls wild-tls")]


def test_httproute_and_tlsroute(make_res):
    route = make_res("gateway.networking.k8s.io/v1", "HTTPRoute", "app", {
        "hostnames": ["app.example.com"],
        "parentRefs": [{"name": "external", "namespace": "network", "sectionName": "https"}],
        "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                   "backendRefs": [{"name": "app", "port": 80}]}]})
    tls = make_res("gateway.networking.k8s.io/v1alpha2", "TLSRoute", "pt", {
        "hostnames": ["pt.example.com"], "parentRefs": [{"name": "tls-gw"}],
        "rules": [{"backendRefs": [{"name": "pt", "port": 443}]}]})
    out, _ = surfaces(route, tls)
    assert [(s.kind, s.host, s.path, s.target, s.detail) for s in out] == [
        ("httproute", "app.example.com", "/", "app:80", "parent network/external#https"),
        ("tlsroute", "pt.example.com", None, "pt:443", "parent tls-gw")]


def test_an_httproute_rule_without_matches_is_the_catch_all(make_res):
    """Gateway API HTTPRoute defaults (apis/v1/httproute_types.go): a rule without ``matches`` matches
    PathPrefix "/", as does a match without ``path`` and a route without ``rules``; the catch-all is listed
    beside the rules that have a path. Other route kinds have no paths."""
    route = make_res("gateway.networking.k8s.io/v1", "HTTPRoute", "app", {
        "hostnames": ["app.example.com"],
        "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
                   "backendRefs": [{"name": "api", "port": 80}]},
                  {"backendRefs": [{"name": "web", "port": 80}]}]})
    headers_only = make_res("gateway.networking.k8s.io/v1", "HTTPRoute", "hdr", {
        "hostnames": ["hdr.example.com"], "rules": [{"matches": [{"headers": [{"name": "x", "value": "1"}]}]}]})
    no_rules = make_res("gateway.networking.k8s.io/v1", "HTTPRoute", "bare", {"hostnames": ["bare.example.com"]})
    grpc = make_res("gateway.networking.k8s.io/v1", "GRPCRoute", "rpc", {
        "hostnames": ["rpc.example.com"], "rules": [{"backendRefs": [{"name": "rpc", "port": 9090}]}]})
    out, _ = surfaces(route, headers_only, no_rules, grpc)
    assert sorted((s.name, s.host, s.path) for s in out) == [
        ("app", "app.example.com", "/"), ("app", "app.example.com", "/api"), ("bare", "bare.example.com", "/"),
        ("hdr", "hdr.example.com", "/"), ("rpc", "rpc.example.com", None)]


def test_istio_gateway_servers(make_res):
    """networking.istio.io Gateway: a surface per server port and host (stefanprodan/gitops-istio's
    public-gateway); no address of its own, a ``ns/`` host prefix names the namespace it binds."""
    gw = make_res("networking.istio.io/v1beta1", "Gateway", "public", {
        "selector": {"istio": "gateway"},
        "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"],
                     "tls": {"httpsRedirect": True}},
                    {"port": {"number": 443, "name": "https", "protocol": "HTTPS"},
                     "hosts": ["prod/app.example.com", "./own.example.com"],
                     "tls": {"mode": "SIMPLE", "credentialName": "app-tls"}}]}, ns="istio-system")
    out, diags = surfaces(gw)
    assert diags == []
    assert [(s.kind, s.address, s.port, s.protocol, s.host, s.detail) for s in out] == [
        ("gateway", None, 80, "HTTP", "*", "selector istio=gateway; redirects to https"),
        ("gateway", None, 443, "HTTPS", "app.example.com",
         "selector istio=gateway; tls SIMPLE app-tls; VirtualServices of prod"),
        ("gateway", None, 443, "HTTPS", "own.example.com",
         "selector istio=gateway; tls SIMPLE app-tls; VirtualServices of istio-system")]


def test_istio_virtualservice_bound_to_a_gateway(make_res):
    """A VirtualService on a Gateway is a route: hosts, uri matches (none: every path) and destinations (a
    Service by short or cluster-local name, else a host as written); one bound only to ``mesh`` exposes nothing
    new."""
    vs = make_res("networking.istio.io/v1beta1", "VirtualService", "web", {
        "hosts": ["web.example.com"], "gateways": ["istio-system/public", "mesh"],
        "http": [{"match": [{"uri": {"prefix": "/api"}}],
                  "route": [{"destination": {"host": "api.backend.svc.cluster.local", "port": {"number": 8080}}}]},
                 {"route": [{"destination": {"host": "web"}}, {"destination": {"host": "web.other"}}]}]})
    mesh = make_res("networking.istio.io/v1beta1", "VirtualService", "internal", {
        "hosts": ["web"], "http": [{"route": [{"destination": {"host": "web"}}]}]})
    out, _ = surfaces(vs, mesh)
    assert [(s.kind, s.host, s.path, s.target, s.detail) for s in out] == [
        ("virtualservice", "web.example.com", "/", "backend/api:8080, web, web.other", "gateway istio-system/public"),
        ("virtualservice", "web.example.com", "/api", "backend/api:8080, web, web.other",
         "gateway istio-system/public")]
    assert [(t.kind, t.name, t.namespace) for t in out[0].targets] == [
        ("Service", "api", "backend"), ("Service", "web", None), (None, None, None)]


def test_flagger_canary_services_and_virtualservice(make_res):
    """What Flagger creates for a Canary (stefanprodan/gitops-istio's frontend and backend): the apex ClusterIP
    Service (named for it, -primary and -canary) on spec.service.port and, with Istio gateways, the
    VirtualService of spec.service.hosts; all point at the Canary's spec.service."""
    frontend = make_res("flagger.app/v1beta1", "Canary", "frontend", {
        "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "frontend"},
        "service": {"port": 9898, "gateways": ["istio-system/public-gateway"], "hosts": ["*"]}}, ns="prod")
    backend = make_res("flagger.app/v1beta1", "Canary", "backend", {
        "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
        "service": {"name": "backend", "port": 80, "targetPort": "http", "portName": "web"}}, ns="prod")
    out, diags = surfaces(frontend, backend)
    assert diags == []
    assert [(s.kind, s.object_kind, s.name, s.port, s.port_name, s.host, s.target, s.detail) for s in out] == [
        ("clusterip", "Canary", "backend", 80, "web", None, None,
         "Flagger Services backend, backend-primary, backend-canary; targetPort http"),
        ("clusterip", "Canary", "frontend", 9898, "http", None, None,
         "Flagger Services frontend, frontend-primary, frontend-canary"),
        ("virtualservice", "Canary", "frontend", None, None, "*", "frontend-primary:9898, frontend-canary:9898",
         "Flagger VirtualService frontend; gateway istio-system/public-gateway")]
    assert surfaces(make_res("flagger.app/v1beta1", "Canary", "bare", {"service": {"port": 80}}))[0] == []


def test_certificate(make_res):
    cert = make_res("cert-manager.io/v1", "Certificate", "wild", {
        "secretName": "wild-tls", "dnsNames": ["example.com", "*.example.com"],
        "issuerRef": {"kind": "ClusterIssuer", "name": "letsencrypt"}})
    out, _ = surfaces(cert)
    assert [(s.kind, s.host, s.target, s.detail) for s in out] == [
        ("certificate", "*.example.com", "ClusterIssuer/letsencrypt", "secret wild-tls"),
        ("certificate", "example.com", "ClusterIssuer/letsencrypt", "secret wild-tls")]


def _deployment(make_res, name, labels, ns="apps"):
    return make_res("apps/v1", "Deployment", name, {"template": {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "main", "image": f"ghcr.io/x/{name}:1.0",
                                 "ports": [{"name": "http", "containerPort": 8080}]},
                                {"name": "sidecar", "image": "busybox:1"}]}}}, ns=ns)


def test_deployment_linked_to_selecting_services(make_res):
    dep = _deployment(make_res, "app", {"app": "app", "tier": "web"})
    other_ns = _deployment(make_res, "app", {"app": "app"}, ns="other")
    svc = make_res("v1", "Service", "app", {"selector": {"app": "app"}, "ports": [{"port": 80}]})
    wrong = make_res("v1", "Service", "nope", {"selector": {"app": "app", "tier": "db"}, "ports": [{"port": 81}]})
    out, _ = surfaces(dep, other_ns, svc, wrong)
    wl = [s for s in out if s.kind == "workload" and s.namespace == "apps"]
    assert [(s.port, s.port_name, s.target, s.detail) for s in wl] == [
        (None, None, "busybox:1", "container sidecar; service: app"),
        (8080, "http", "ghcr.io/x/app:1.0", "container main; service: app")]
    assert [s.detail for s in out if s.kind == "workload" and s.namespace == "other"] == [
        "container sidecar", "container main"]
    by_name = {s.name: s for s in out if s.kind == "clusterip"}
    assert by_name["app"].target == "deployment/app"
    assert by_name["nope"].target is None


def test_cronjob_image(make_res):
    cj = make_res("batch/v1", "CronJob", "backup", {"schedule": "@daily", "jobTemplate": {"spec": {"template": {
        "spec": {"containers": [{"name": "b", "image": "restic:0.16"}]}}}}})
    (s,), _ = surfaces(cj)
    assert (s.kind, s.target) == ("workload", "restic:0.16")


def test_secrets_are_never_read_and_sops_objects_only_as_far_as_clear(make_res):
    secret = make_res("v1", "Secret", "creds", None, annotations={"lbipam.cilium.io/ips": "10.9.9.9"})
    secret.obj["stringData"] = {"password": "hunter2-hunter2"}
    sops_svc = lb_service(make_res, "enc", annotations={"lbipam.cilium.io/ips": "10.9.9.9"})
    sops_svc.obj["sops"] = {"mac": "ENC[AES256_GCM,data:xx]"}
    sops_svc.obj["spec"]["ports"][0]["name"] = "ENC[AES256_GCM,data:yy,type:str]"  # --encrypted-regex '^name$'
    out, _ = surfaces(secret, sops_svc)
    assert {s.name for s in out} == {"enc"} and {s.address for s in out} == {"10.9.9.9"}
    assert sorted(s.port_name for s in out) == ["(hidden)", "dns"] and "ENC[" not in repr(out)


def test_sops_value_in_a_field_is_hidden(make_res):
    svc = lb_service(make_res, annotations={"lbipam.cilium.io/ips": "ENC[AES256_GCM,data:abc,type:str]"})
    out, _ = surfaces(svc)
    assert {s.address for s in out} == {HIDDEN}


def test_bad_ports_are_a_warning_with_file_and_line(make_res):
    svc = make_res("v1", "Service", "bad", {"ports": "80"}, line=12)
    out, diags = surfaces(svc)
    assert [(d.file, d.line) for d in diags] == [("apps/bad.yaml", 12)]
    assert len(out) == 1 and out[0].port is None


def test_output_is_sorted_and_deterministic(make_res):
    items = [lb_service(make_res, annotations={"lbipam.cilium.io/ips": "10.0.0.5"}),
             make_res("cert-manager.io/v1", "Certificate", "c", {"dnsNames": ["z.example.com", "a.example.com"]}),
             _deployment(make_res, "app", {"app": "app"})]
    first, _ = surfaces(*items)
    second, _ = surfaces(*reversed(items))
    assert first == second
    assert [s.sort_key() for s in first] == sorted(s.sort_key() for s in first)
