"""Surfaces read from HelmRelease values of known charts; unknown charts are counted, not guessed."""

from __future__ import annotations

import pytest

from flux_wiki.analysis.chart_values import chart_name, render_release
from flux_wiki.analysis.redact import HIDDEN
from flux_wiki.analysis.surfaces import extract_surfaces

from ..support import gotk_sync

LAYER = "flux-system/apps"


def rows(out):
    return [(s.kind, s.address, s.port, s.port_name, s.host, s.path, s.target, s.detail) for s in out]


# app-template v3/v4 (common library: controllers / service.<id> / ingress.<id> / route.<id>)
V3 = {
    "controllers": {"qbittorrent": {"containers": {"app": {"image": {
        "repository": "ghcr.io/home-operations/qbittorrent", "tag": "5.0.0"}}}}},
    "service": {
        "app": {"ports": {"http": {"port": 8080}}},
        "bittorrent": {"type": "LoadBalancer", "annotations": {"lbipam.cilium.io/ips": "192.168.69.123"},
                       "ports": {"bt-tcp": {"port": 50413, "protocol": "TCP"},
                                 "bt-udp": {"port": 50413, "protocol": "UDP"}}}},
    "ingress": {"app": {"className": "internal", "hosts": [{"host": "{{ .Release.Name }}.example.com", "paths": [
        {"path": "/", "service": {"identifier": "app", "port": "http"}}]}],
        "tls": [{"hosts": ["qb.example.com"], "secretName": "qb-tls"}]}},
    "route": {"app": {"hostnames": ["qb.${SECRET_DOMAIN}"],
                      "parentRefs": [{"name": "envoy-internal", "namespace": "network"}],
                      "rules": [{"backendRefs": [{"identifier": "app", "port": 8080}]}]}},
}


def test_app_template_v3_shape(make_hr):
    rel = make_hr("qbittorrent", "app-template", V3, version="4.2.0")
    out, diags = extract_surfaces(LAYER, [], [rel])
    assert diags == []
    assert all((s.object_kind, s.name, s.file, s.line, s.layer) ==
               ("HelmRelease", "qbittorrent", "apps/qbittorrent/hr.yaml", 3, LAYER) for s in out)
    assert rows(out) == [
        ("clusterip", None, 8080, "http", None, None, "deployment/qbittorrent", "values service.app"),
        ("httproute", None, None, None, "qb.${SECRET_DOMAIN}", "/", "app:8080",
         "values route.app; parent network/envoy-internal"),
        ("ingress", None, None, None, "qbittorrent.example.com", "/", "app:http", "values ingress.app; class internal"),
        ("loadbalancer", "192.168.69.123", 50413, "bt-tcp", None, None, "deployment/qbittorrent",
         "values service.bittorrent"),
        ("loadbalancer", "192.168.69.123", 50413, "bt-udp", None, None, "deployment/qbittorrent",
         "values service.bittorrent"),
        ("workload", None, None, None, None, None, "ghcr.io/home-operations/qbittorrent:5.0.0",
         "values controllers.qbittorrent; container app; service: app, bittorrent"),
    ]
    assert {s.protocol for s in out if s.port_name == "bt-udp"} == {"UDP"}


def test_app_template_disabled_items_and_explicit_controller(make_hr):
    values = {"controllers": {"web": {"containers": {"app": {"image": {"repository": "nginx", "tag": "1"}}}},
                              "worker": {"type": "cronjob", "containers": {"job": {"image": {"repository": "job"}}}},
                              "off": {"enabled": False, "containers": {"x": {"image": {"repository": "x"}}}}},
              "service": {"app": {"controller": "web", "ports": {"http": {"port": 80}, "off": {"enabled": False,
                                                                                           "port": 81}}},
                          "unused": {"enabled": False, "ports": {"x": {"port": 1}}}},
              "ingress": {"app": {"enabled": False, "hosts": [{"host": "x", "paths": [{"path": "/"}]}]}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("site", "app-template", values)])
    assert [(s.kind, s.port, s.target, s.detail) for s in out] == [
        ("clusterip", 80, "deployment/web", "values service.app"),
        ("workload", None, "job", "values controllers.worker; container job"),
        ("workload", None, "nginx:1", "values controllers.web; container app; service: app"),
    ]


def test_app_template_v1_shape_ingress_enabled_flag(make_hr):
    values = {"image": {"repository": "docker.io/jmalloc/echo-server", "tag": "0.3.3"},
              "service": {"main": {"type": "LoadBalancer", "loadBalancerIP": "10.0.0.7",
                                   "ports": {"http": {"port": 8080}}}},
              "ingress": {"main": {"enabled": True, "ingressClassName": "nginx",
                                   "hosts": [{"host": "echo.${SECRET_PUBLIC_DOMAIN}", "paths": [{"path": "/"}]}],
                                   "tls": [{"hosts": ["echo.${SECRET_PUBLIC_DOMAIN}"]}]},
                          "other": {"hosts": [{"host": "never.example.com", "paths": [{"path": "/"}]}]}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("echo-server", "app-template", values, version="0.2.2")])
    assert rows(out) == [
        ("ingress", None, None, None, "echo.${SECRET_PUBLIC_DOMAIN}", "/", "echo-server-app-template:8080",
         "values ingress.main; class nginx; tls"),
        ("loadbalancer", "10.0.0.7", 8080, "http", None, None, "deployment/main", "values service.main"),
        ("workload", None, None, None, None, None, "docker.io/jmalloc/echo-server:0.3.3",
         "values image; container main; service: echo-server-app-template"),
    ]


def test_app_template_found_by_oci_url_and_release_name_from_spec(make_hr, make_res):
    rel = make_hr("atuin", None, {"route": {"app": {"hostnames": ["{{ .Release.Name }}.{{ .Release.Namespace }}.lan"]}}},
                  source_kind="OCIRepository", url="oci://ghcr.io/bjw-s-labs/helm/app-template")
    assert chart_name(rel) == "app-template"
    hr_obj = make_res("helm.toolkit.fluxcd.io/v2", "HelmRelease", "atuin",
                      {"releaseName": "shell-history", "targetNamespace": "tools"})
    out, diags = extract_surfaces(LAYER, [hr_obj], [rel])
    assert diags == []
    assert [s.host for s in out] == ["shell-history.tools.lan"]


def test_traefik_values(make_hr):
    values = {"ports": {"web": {"port": 8000, "exposedPort": 80, "expose": {"default": True}},
                        "websecure": {"port": 8443, "exposedPort": 443, "expose": True},
                        "traefik": {"port": 9000, "expose": False},
                        "dns": {"port": 5353, "exposedPort": 53, "protocol": "UDP", "expose": {"default": True}}},
              "service": {"type": "LoadBalancer", "spec": {"loadBalancerIP": "10.0.0.2"},
                          "annotations": {"metallb.universe.tf/allow-shared-ip": "edge"}},
              "ingressRoute": {"dashboard": {"enabled": True, "matchRule": "Host(`traefik.example.com`)",
                                             "entryPoints": ["websecure"]}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("traefik", "traefik", values)])
    assert [(s.kind, s.address, s.port, s.protocol, s.port_name, s.host, s.target) for s in out] == [
        ("ingressroute", None, None, None, None, "traefik.example.com", "TraefikService/api@internal"),
        ("loadbalancer", "10.0.0.2", 53, "UDP", "dns", None, None),
        ("loadbalancer", "10.0.0.2", 80, "TCP", "web", None, None),
        ("loadbalancer", "10.0.0.2", 443, "TCP", "websecure", None, None),
    ]
    assert out[1].detail == "values service, ports; shared-ip edge; targetPort dns"


def test_traefik_chart_defaults_when_ports_not_given(make_hr):
    out, _ = extract_surfaces(LAYER, [], [make_hr("traefik", "traefik", {
        "service": {"annotations": {"metallb.universe.tf/loadBalancerIPs": "${LB_IP}"}}})])
    assert [(s.kind, s.address, s.port) for s in out] == [("loadbalancer", "${LB_IP}", 80),
                                                         ("loadbalancer", "${LB_IP}", 443)]


def test_ingress_nginx_node_ports_and_disabled_ports(make_hr):
    """ingress-nginx templates/controller-service.yaml: a port is written only with enableHttp/enableHttps (on by
    default), with controller.service.targetPorts, and with nodePorts.http/https set on a NodePort or LoadBalancer
    Service."""
    values = {"controller": {"service": {"type": "NodePort", "nodePorts": {"http": 32080, "https": 32443},
                                         "targetPorts": {"https": "http"}}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("ingress-nginx", "ingress-nginx", values)])
    assert [(s.kind, s.port, s.port_name, s.detail) for s in out] == [
        ("nodeport", 80, "http", "values controller.service; nodePort 32080; targetPort http"),
        ("nodeport", 443, "https", "values controller.service; nodePort 32443; targetPort http")]
    values = {"controller": {"service": {"enableHttp": False, "nodePorts": {"https": ""},
                                         "loadBalancerIP": "10.0.0.9"}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("ingress-nginx", "ingress-nginx", values)])
    assert [(s.kind, s.address, s.port, s.detail) for s in out] == [
        ("loadbalancer", "10.0.0.9", 443, "values controller.service; targetPort https")]
    values = {"controller": {"service": {"external": {"enabled": False}, "loadBalancerIP": "10.0.0.9"}}}
    assert extract_surfaces(LAYER, [], [make_hr("ingress-nginx", "ingress-nginx", values)])[0] == []


def test_grafana_subchart_in_kube_prometheus_stack(make_hr):
    values = {"grafana": {"adminPassword": "s3cr3t-value-123",
                          "service": {"type": "LoadBalancer", "loadBalancerIP": "10.0.0.3"},
                          "ingress": {"enabled": True, "ingressClassName": "nginx",
                                      "hosts": ["grafana.example.com"],
                                      "tls": [{"secretName": "grafana-tls", "hosts": ["grafana.example.com"]}]}},
              "prometheus": {"ingress": {"enabled": True, "hosts": ["prom.example.com"], "paths": ["/"]}},
              "alertmanager": {"enabled": False, "ingress": {"enabled": True, "hosts": ["am.example.com"]}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("kube-prometheus-stack", "kube-prometheus-stack", values)])
    assert rows(out) == [
        ("ingress", None, None, None, "grafana.example.com", "/", "kube-prometheus-stack-grafana:80",
         "values grafana.ingress; class nginx; tls grafana-tls"),
        ("ingress", None, None, None, "prom.example.com", "/", "kube-prometheus-stack-prometheus:9090",
         "values prometheus.ingress"),
        ("loadbalancer", "10.0.0.3", 80, "service", None, None, None,
         "values grafana.service; targetPort 3000"),
    ]
    assert "s3cr3t-value-123" not in repr(out)


def test_grafana_standalone_fullname(make_hr):
    out, _ = extract_surfaces(LAYER, [], [make_hr("grafana", "grafana", {
        "ingress": {"enabled": True, "hosts": ["g.example.com"]}})])
    assert [(s.host, s.target) for s in out] == [("g.example.com", "grafana:80")]


def test_pgadmin4_hosts_with_paths(make_hr):
    out, _ = extract_surfaces(LAYER, [], [make_hr("pgadmin", "pgadmin4", {
        "service": {"type": "ClusterIP", "port": 80},
        "ingress": {"enabled": True, "ingressClassName": "traefik",
                    "hosts": [{"host": "pg.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}]}})])
    assert [(s.kind, s.port, s.host, s.path, s.target) for s in out] == [
        ("clusterip", 80, None, None, None), ("ingress", None, "pg.example.com", "/", "pgadmin-pgadmin4:80")]


def test_podinfo_http_route(make_hr):
    """podinfo's templates/httproute.yaml: each rule sends to the release's service on service.externalPort."""
    out, _ = extract_surfaces(LAYER, [], [make_hr("podinfo", "podinfo", {
        "service": {"externalPort": 9000},
        "httpRoute": {"enabled": True, "hostnames": ["podinfo.local"],
                      "parentRefs": [{"name": "envoy", "namespace": "envoy-gateway-system", "sectionName": "http"}],
                      "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}]}]}})])
    assert [(s.kind, s.host, s.path, s.target, s.detail) for s in out if s.kind == "httproute"] == [
        ("httproute", "podinfo.local", "/api", "podinfo:9000",
         "values httpRoute; parent envoy-gateway-system/envoy#http")]


def test_podinfo_http_route_off_by_default(make_hr):
    out, _ = extract_surfaces(LAYER, [], [make_hr("podinfo", "podinfo", {"httpRoute": {"hostnames": ["p.local"]}})])
    assert [s for s in out if s.kind == "httproute"] == []


ISTIO = "https://istio-release.storage.googleapis.com/charts"


def test_istio_gateway_chart_service(make_hr):
    """stefanprodan/gitops-istio's istio-gateway release: the chart's LoadBalancer Service, named after the
    release, on its default ports; `name` renames it, `networkGateway` swaps the ports, type None drops it."""
    lb = {"service": {"type": "LoadBalancer", "annotations": {"lbipam.cilium.io/ips": "10.0.0.7"}}}
    out, diags = extract_surfaces(LAYER, [], [make_hr("istio-gateway", "gateway", lb, url=ISTIO)])
    assert diags == []
    assert [(s.kind, s.name, s.address, s.port, s.port_name) for s in out] == [
        ("loadbalancer", "istio-gateway", "10.0.0.7", 80, "http2"),
        ("loadbalancer", "istio-gateway", "10.0.0.7", 443, "https"),
        ("loadbalancer", "istio-gateway", "10.0.0.7", 15021, "status-port")]
    [(obj, _)], _ = render_release(make_hr("gw", "gateway", {"name": "ingress", "networkGateway": "net1"},
                                           url="oci://gcr.io/istio-release/charts/gateway"))
    assert obj["metadata"]["name"] == "ingress" and [p["port"] for p in obj["spec"]["ports"]] == [
        15021, 15443, 15012, 15017]
    assert render_release(make_hr("gw", "gateway", {"service": {"type": "None"}}, url=ISTIO)) == ([], [])


def test_a_chart_named_gateway_from_elsewhere_is_not_read_as_istios(make_hr):
    rendered, diags = render_release(make_hr("gw", "gateway", {}, url="https://charts.example.com"))
    assert rendered == [] and [d.code for d in diags] == ["FW-CHART-VALUES-UNREAD"]


def test_unknown_chart_is_an_info_diagnostic_not_a_guess(make_hr):
    rel = make_hr("kromgo", "kromgo", {"httpRoute": {"enabled": True, "hostnames": ["kromgo.example.com"]}})
    out, diags = extract_surfaces(LAYER, [], [rel])
    assert out == []
    assert [(d.file, d.line, d.severity) for d in diags] == [("apps/kromgo/hr.yaml", 3, "info")]
    assert "kromgo" in diags[0].message


def test_values_that_do_not_fit_the_schema_do_not_raise(make_hr):
    values = {"controllers": ["not", "a", "map"], "service": {"app": {"ports": {"http": "eighty"}}},
              "ingress": {"app": {"hosts": "nope"}}, "route": "x"}
    out, diags = extract_surfaces(LAYER, [], [make_hr("odd", "app-template", values)])
    assert all(d.severity in ("info", "warning") for d in diags)
    assert [s.kind for s in out] == ["clusterip", "ingress"]


def test_secret_value_never_reaches_a_surface(make_hr):
    values = {"controllers": {"app": {"containers": {"app": {"image": {"repository": "app"},
                                                              "env": {"API_TOKEN": "tok-abcdef123456"}}}}},
              "ingress": {"app": {"hosts": [{"host": "tok-abcdef123456.example.com", "paths": [{"path": "/"}]}]}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("app", "app-template", values)])
    assert "tok-abcdef123456" not in repr([s.as_dict() for s in out])
    assert HIDDEN in {s.host for s in out}


def test_render_release_without_chart():
    from flux_wiki.model import HelmReleaseInfo
    rel = HelmReleaseInfo("a", "b", None, None, None, None, None, None, [], {}, [], [], "f.yaml", 2)
    objs, diags = render_release(rel)
    assert objs == [] and [d.severity for d in diags] == ["info"]


def test_secret_references_do_not_hide_plain_fields(make_hr):
    """toboshii-style values: reloader annotations, secretKeyRef env and topologyKey name things, hold no secrets."""
    values = {"image": {"repository": "ghcr.io/x/prowlarr", "tag": "1"},
              "env": {"PROWLARR__POSTGRES_PASSWORD": {"valueFrom": {"secretKeyRef": {"name": "prowlarr-postgres",
                                                                                     "key": "POSTGRES_PASSWORD"}}}},
              "podAnnotations": {"secret.reloader.stakater.com/reload": "prowlarr"},
              "topologySpreadConstraints": [{"topologyKey": "kubernetes.io/hostname"}],
              "ingress": {"main": {"enabled": True, "hosts": [{"host": "prowlarr.example.com",
                                                               "paths": [{"path": "/"}]}]}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("prowlarr", "app-template", values, version="0.2.2")])
    assert {s.host for s in out if s.kind == "ingress"} == {"prowlarr.example.com"}
    assert {s.target for s in out if s.kind == "workload"} == {"ghcr.io/x/prowlarr:1"}


_HR = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: apps
spec:
  interval: 1h
  chart:
    spec:
      chart: app-template
      sourceRef: {kind: HelmRepository, name: bjw-s, namespace: flux-system}
  values:
    controllers:
      web:
        containers:
          app:
            image: {repository: nginx, tag: "1.27"}
    service:
      app:
        controller: web
        type: LoadBalancer
        ports:
          http: {port: 80}
"""


def test_a_values_derived_surface_points_at_its_values_line(tmp_path):
    """A surface rendered from a HelmRelease's values points at the values key it comes from (here
    ``spec.values.service.app`` on line 18), not at the HelmRelease's first line, so a reader lands on it."""
    from flux_wiki.engine import build_model

    (tmp_path / "clusters/home/flux-system").mkdir(parents=True)
    (tmp_path / "clusters/home/flux-system/gotk-sync.yaml").write_text(gotk_sync())
    (tmp_path / "clusters/home/web.yaml").write_text(_HR)
    model = build_model(tmp_path)
    [lb] = [s for c in model.clusters for s in c.surfaces if s.kind == "loadbalancer"]
    assert (lb.file, lb.line, lb.detail) == ("clusters/home/web.yaml", _HR.split("\n").index("    service:") + 2,
                                             "values service.app")


K8S_GATEWAY = "https://ori-edge.github.io/k8s_gateway"


def test_k8s_gateway_chart_service(make_hr):
    """ori-edge's chart renders one DNS Service (templates/service.yaml): UDP on service.port, TCP too with
    useTcp; loadBalancerIP only for a LoadBalancer; the zone it serves is `domain`."""
    values = {"fullnameOverride": "k8s-gateway", "domain": "home.example.com", "service": {
        "type": "LoadBalancer", "loadBalancerIP": "fd00::53", "port": 53, "useTcp": True,
        "annotations": {"metallb.io/allow-shared-ip": "dns"}}}
    out, diags = extract_surfaces(LAYER, [], [make_hr("k8s-gateway", "k8s-gateway", values, url=K8S_GATEWAY)])
    assert diags == []
    assert [(s.kind, s.name, s.address, s.port, s.protocol, s.port_name, s.detail) for s in out] == [
        ("loadbalancer", "k8s-gateway", "fd00::53", 53, "TCP", "dns-tcp",
         "values service, DNS for home.example.com; shared-ip dns; targetPort dns-tcp"),
        ("loadbalancer", "k8s-gateway", "fd00::53", 53, "UDP", "dns-udp",
         "values service, DNS for home.example.com; shared-ip dns; targetPort dns-udp")]
    [(obj, _)], _ = render_release(make_hr("dns", "k8s-gateway", {"service": {"type": "ClusterIP",
                                                                             "loadBalancerIP": "10.0.0.5"}},
                                           url=K8S_GATEWAY))
    assert obj["metadata"]["name"] == "dns-k8s-gateway" and "loadBalancerIP" not in obj["spec"]
    assert [(p["port"], p["protocol"]) for p in obj["spec"]["ports"]] == [(53, "UDP")]


K8S_GATEWAY_FORK = "oci://ghcr.io/k8s-gateway/charts/k8s-gateway"


def test_k8s_gateway_fork_chart_3_service(make_hr):
    """The k8s-gateway/k8s_gateway fork's chart 3.x keeps ori-edge's service.* values (samip5/k8s_gateway
    charts/k8s-gateway/templates/service.yaml at 3.0.0: dns-udp, dns-tcp with useTcp, loadBalancerIP for a
    LoadBalancer, externalTrafficPolicy, externalIPs; loadBalancerClass from 3.2.8): its LoadBalancer address, set
    or asked of Cilium's LB IPAM by annotation, is read, from its OCI registry or its Helm repository."""
    values = {"domain": "home.example.com", "service": {
        "type": "LoadBalancer", "loadBalancerIP": "10.0.0.53", "useTcp": True, "externalTrafficPolicy": "Local",
        "loadBalancerClass": "io.cilium/l2-announcer"}}
    out, diags = extract_surfaces(LAYER, [], [make_hr("k8s-gateway", "k8s-gateway", values, version="3.2.8",
                                                      url=K8S_GATEWAY_FORK)])
    assert diags == []
    assert [(s.kind, s.name, s.address, s.port, s.protocol) for s in out] == [
        ("loadbalancer", "k8s-gateway", "10.0.0.53", 53, "TCP"), ("loadbalancer", "k8s-gateway", "10.0.0.53", 53, "UDP")]
    [(obj, _)], _ = render_release(make_hr("k8s-gateway", "k8s-gateway", values, version="3.2.8",
                                           url=K8S_GATEWAY_FORK))
    assert (obj["spec"]["externalTrafficPolicy"], obj["spec"]["loadBalancerClass"]) == (
        "Local", "io.cilium/l2-announcer")
    [(older, _)], _ = render_release(make_hr("k8s-gateway", "k8s-gateway", values, version="3.2.7",
                                             url="https://k8s-gateway.github.io/k8s_gateway/"))
    assert "loadBalancerClass" not in older["spec"]
    annotated = {"service": {"annotations": {"lbipam.cilium.io/ips": "10.0.0.54"}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("dns", "k8s-gateway", annotated, version="3.0.0",
                                                  url=K8S_GATEWAY_FORK)])
    assert [(s.kind, s.name, s.address, s.port, s.protocol) for s in out] == [
        ("loadbalancer", "dns", "10.0.0.54", 53, "UDP")]


def test_the_k8s_gateway_fork_is_read_only_in_versions_of_that_layout(make_hr):
    """Later releases of the fork's chart changed its values (``scheme`` from 3.4; a CoreDNS-chart layout with
    ``servers`` after that): a version outside 3.0 to 3.3, or none flux-wiki can read, is not read."""
    for version in (None, "3.4.1", "3.7.2", "^3.2.0", "sha256:3783b0b4"):
        rendered, diags = render_release(make_hr("dns", "k8s-gateway", {"service": {"port": 53}}, version=version,
                                                 url=K8S_GATEWAY_FORK))
        assert rendered == [] and [d.code for d in diags] == ["FW-CHART-VALUES-UNREAD"], version


FLUX_OPERATOR = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator"


def test_flux_operator_web_ui(make_hr):
    """The operator's Service: metrics on 8080 and the web UI on 9080 (web.enabled defaults to true); the
    Ingress and HTTPRoute the web settings ask for lead to port http-web / 9080."""
    values = {"web": {"ingress": {"enabled": True, "className": "nginx", "hosts": [
                  {"host": "flux.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}],
                  "tls": [{"hosts": ["flux.example.com"], "secretName": "flux-web-tls"}]},
              "httpRoute": {"enabled": True, "hostnames": ["flux.example.org"],
                            "parentRefs": [{"name": "internal", "namespace": "network"}]}}}
    out, diags = extract_surfaces(LAYER, [], [make_hr("flux-operator", "flux-operator", values, version="0.58.1",
                                                      source_kind="OCIRepository", url=FLUX_OPERATOR)])
    assert diags == []
    assert [(s.kind, s.name, s.port, s.port_name, s.host, s.target, s.detail) for s in out] == [
        ("clusterip", "flux-operator", 8080, "http", None, None, "values web; targetPort http-metrics"),
        ("clusterip", "flux-operator", 9080, "http-web", None, None, "values web; targetPort http-web"),
        ("httproute", "flux-operator", None, None, "flux.example.org", "flux-operator:9080",
         "values web.httpRoute; parent network/internal"),
        ("ingress", "flux-operator", None, None, "flux.example.com", "flux-operator:http-web",
         "values web.ingress; class nginx; tls flux-web-tls")]
    [(svc, _)], _ = render_release(make_hr("flux-operator", "flux-operator", {"web": {"enabled": False}},
                                           version="0.58.1", url=FLUX_OPERATOR))
    assert [p["port"] for p in svc["spec"]["ports"]] == [8080]


def test_a_flux_operator_chart_before_the_web_ui_is_not_read(make_hr):
    rendered, diags = render_release(make_hr("flux-operator", "flux-operator", {"web": {"enabled": True}},
                                             version="0.28.0", url=FLUX_OPERATOR))
    assert rendered == [] and "0.36.0" in diags[0].message and diags[0].code == "FW-CHART-VALUES-UNREAD"


AUTHENTIK = "https://charts.goauthentik.io"


def test_authentik_server_service_ingress_and_route(make_hr):
    """goauthentik/helm's authentik chart (templates/server/service.yaml, ingress.yaml, route.yaml): the server
    Service `<release>-server` (the release name holds the chart name) with http 80 -> 9000 and https 443 -> 9443;
    server.ingress.hosts are strings, each with the `paths` (`/`), to the http port; server.route.<name>."""
    values = {"server": {"ingress": {"enabled": True, "ingressClassName": "nginx",
                                     "hosts": ["auth.example.com"],
                                     "tls": [{"hosts": ["auth.example.com"], "secretName": "auth-tls"}]},
                         "route": {"main": {"enabled": True, "hostnames": ["sso.example.org"],
                                            "parentRefs": [{"name": "internal", "namespace": "network"}]}}}}
    out, diags = extract_surfaces(LAYER, [], [make_hr("authentik", "authentik", values, version="2026.8.0",
                                                      url=AUTHENTIK)])
    assert diags == []
    assert [(s.kind, s.port, s.port_name, s.host, s.target, s.detail) for s in out] == [
        ("clusterip", 80, "http", None, None, "values server.service; targetPort 9000"),
        ("clusterip", 443, "https", None, None, "values server.service; targetPort 9443"),
        ("httproute", None, None, "sso.example.org", "authentik-server:80",
         "values server.route.main; parent network/internal"),
        ("ingress", None, None, "auth.example.com", "authentik-server:80",
         "values server.ingress; class nginx; tls auth-tls")]


def test_authentik_names_and_ports_as_its_helpers_make_them(make_hr):
    values = {"global": {"fullnameOverride": "sso"}, "server": {
        "service": {"type": "LoadBalancer", "loadBalancerIP": "10.0.0.9"},
        "ingress": {"enabled": True, "https": True, "hosts": ["a.example.com"]}}}
    rendered, diags = render_release(make_hr("idp", "authentik", values, url=AUTHENTIK))
    assert diags == []
    [(svc, _), (ing, _)] = rendered
    assert svc["metadata"]["name"] == "sso-server" and svc["spec"]["loadBalancerIP"] == "10.0.0.9"
    assert ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] == {"number": 443}
    [(svc, _)], _ = render_release(make_hr("idp", "authentik", {}, url=AUTHENTIK))
    assert svc["metadata"]["name"] == "idp-authentik-server"


def test_authentik_from_elsewhere_or_before_the_server_layout_is_not_read(make_hr):
    rendered, diags = render_release(make_hr("authentik", "authentik", {}, url="https://charts.truecharts.org"))
    assert rendered == [] and [d.code for d in diags] == ["FW-CHART-VALUES-UNREAD"]
    rendered, diags = render_release(make_hr("authentik", "authentik", {"ingress": {"enabled": True}},
                                             version="2023.10.7", url=AUTHENTIK))
    assert rendered == [] and "2024.x" in diags[0].message


def test_app_template_routes_and_paths_default_to_the_only_service(make_hr):
    """With one enabled Service the common library fills what the values leave out: a route without rules, a
    backendRef without name or identifier, an ingress path without service go to that Service (route.json:
    "Defaults to the primary service"; lib route/ingress autoDetectService), on its primary port when none
    is given (classes/_route.tpl, _ingress.tpl)."""
    values = {"controllers": {"echo": {"containers": {"app": {"image": {"repository": "echo"}}}}},
              "service": {"app": {"ports": {"metrics": {"port": 9090}, "http": {"port": 8080, "primary": True}}}},
              "route": {"app": {"hostnames": ["echo.example.org"]},
                        "int": {"hostnames": ["int.example.org"], "rules": [{"backendRefs": [{"port": 9090}]}]}},
              "ingress": {"app": {"hosts": [{"host": "ing.example.org", "paths": [
                  {"path": "/"}, {"path": "/m", "service": {"identifier": "app"}}]}]}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("echo", "app-template", values, version="4.4.0")])
    assert [(s.kind, s.host, s.path, s.target) for s in out if s.kind in ("httproute", "ingress")] == [
        ("httproute", "echo.example.org", "/", "app:8080"),
        ("httproute", "int.example.org", "/", "app:9090"),
        ("ingress", "ing.example.org", "/", "app:8080"),
        ("ingress", "ing.example.org", "/m", "app:8080"),
    ]


def test_app_template_backends_stay_unset_with_two_services(make_hr):
    """With two Services the chart cannot pick one (lib route/validate.tpl fails the render): nothing is guessed."""
    values = {"controllers": {"echo": {"containers": {"app": {"image": {"repository": "echo"}}}}},
              "service": {"app": {"ports": {"http": {"port": 8080}}}, "other": {"ports": {"http": {"port": 81}}}},
              "route": {"app": {"hostnames": ["echo.example.org"], "rules": [{"backendRefs": [{"port": 8080}]}]}},
              "ingress": {"app": {"hosts": [{"host": "ing.example.org", "paths": [{"path": "/"}]}]}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("echo", "app-template", values, version="4.4.0")])
    assert [(s.kind, s.target) for s in out if s.kind in ("httproute", "ingress")] == [
        ("httproute", None), ("ingress", None)]


def test_app_template_v1_services_and_default_backend_as_common_1x_names_them(make_hr):
    """common 1.x (app-template before 2.0) renders only the services and ports set ``enabled`` (its defaults
    enable ``main`` and its ``http`` port, both primary), names the primary Service fullname and another
    fullname-<nameOverride or key> (_service.tpl, classes/_service.tpl), and an ingress path's ``service.name``
    and ``service.port`` each default to the primary Service's name and primary port (classes/_ingress.tpl).
    fullname (lib/chart/_names.tpl): global.fullnameOverride, else fullnameOverride, else the release name when it
    contains global.nameOverride/nameOverride/the chart name, else release-name."""
    values = {"global": {"nameOverride": "media"}, "image": {"repository": "owncast", "tag": "1"},
              "service": {"main": {"ports": {"http": {"port": 8080}, "metrics": {"port": 9090},
                                             "admin": {"enabled": True, "port": 8081}}},
                          "rtmp": {"enabled": True, "ports": {"rtmp": {"enabled": True, "port": 1935}}},
                          "unset": {"ports": {"x": {"enabled": True, "port": 1}}}},
              "ingress": {"main": {"enabled": True, "hosts": [{"host": "m.example.org", "paths": [
                  {"path": "/"}, {"path": "/admin", "service": {"port": 8081}},
                  {"path": "/live", "service": {"name": "media-server-rtmp", "port": 1935}}]}]}}}
    out, _ = extract_surfaces(LAYER, [], [make_hr("media-server", "app-template", values, version="1.5.1")])
    assert [(s.kind, s.port, s.path, s.target, s.detail) for s in out if s.kind != "workload"] == [
        ("clusterip", 1935, None, "deployment/main", "values service.rtmp"),
        ("clusterip", 8080, None, "deployment/main", "values service.main"),
        ("clusterip", 8081, None, "deployment/main", "values service.main"),
        ("ingress", None, "/", "media-server:8080", "values ingress.main"),
        ("ingress", None, "/admin", "media-server:8081", "values ingress.main"),
        ("ingress", None, "/live", "media-server-rtmp:1935", "values ingress.main"),
    ]
    assert {s.detail for s in out if s.kind == "workload"} == {
        "values image; container main; service: media-server, media-server-rtmp"}


@pytest.mark.parametrize(("extra", "name"), [
    ({}, "echo-app-template"),
    ({"global": {"nameOverride": "ech"}, "nameOverride": "web"}, "echo"),
    ({"fullnameOverride": "web"}, "web"),
    ({"global": {"fullnameOverride": "site"}, "fullnameOverride": "web"}, "site"),
    ({"service": {"main": {"nameOverride": "http", "ports": {"http": {"port": 80}}}}}, "echo-app-template-http"),
])
def test_app_template_v1_fullname_and_service_name_overrides(make_hr, extra, name):
    """The chart name joins a release name that does not contain it; global overrides win over the chart's own;
    fullnameOverride replaces the whole; a Service's own nameOverride suffixes even the primary one, and the
    default ingress backend with it."""
    values = {"image": {"repository": "echo"}, "service": {"main": {"ports": {"http": {"port": 80}}}},
              "ingress": {"main": {"enabled": True, "hosts": [{"host": "e.example.org", "paths": [{"path": "/"}]}]}},
              **extra}
    rendered, _ = render_release(make_hr("echo", "app-template", values, version="0.2.2"))
    assert [o["metadata"]["name"] for o, _ in rendered if o["kind"] == "Service"] == [name]
    [ing] = [o for o, _ in rendered if o["kind"] == "Ingress"]
    assert ing["spec"]["rules"][0]["http"]["paths"][0]["backend"] == {"service": {"name": name,
                                                                                  "port": {"number": 80}}}
