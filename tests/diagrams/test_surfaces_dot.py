"""Per-layer traffic diagram and the cluster surface map."""

from __future__ import annotations

import re

from flux_wiki.model import Surface, Target
from flux_wiki.render.diagrams import layer_diagram_dot, surface_map_dot

from .conftest import helm_release, make_cluster, ten_layers, url_for

APPS = "flux-system/apps"


def _cluster():
    cluster = make_cluster(ten_layers())
    nginx = helm_release("ingress-nginx", "ingress-nginx", "ingress-nginx", "4.11.0")
    nginx.layer = "flux-system/ingress-nginx"
    web = helm_release("web", "podinfo", "podinfo", None)
    web.layer = APPS
    cluster.helm_releases += [nginx, web]
    return cluster


SURFACES = [
    Surface("loadbalancer", APPS, "web", "web-lb", "Service", address="10.0.0.50", port=443, protocol="TCP",
            targets=(Target.selected("Deployment", "web"),)),
    Surface("clusterip", APPS, "web", "web", "Service", port=80, protocol="TCP",
            targets=(Target.selected("Deployment", "web"), Target.selected("StatefulSet", "cache"))),
    Surface("ingress", APPS, "web", "web", "Ingress", host="www.example.com", path="/",
            targets=(Target.backend("web", "80"),)),
    Surface("ingress", APPS, "web", "web", "Ingress", host="www.example.com", path="/api",
            targets=(Target.backend("api", "8080"),)),
    Surface("httproute", APPS, "web", "docs", "HTTPRoute", host="docs.example.com",
            targets=(Target.backend("web", "80", namespace="web"),)),
    Surface("workload", APPS, "web", "web", "Deployment", port=8080,
            targets=(Target("ghcr.io/example/web:1.2"),)),
    Surface("workload", APPS, "web", "cache", "StatefulSet", targets=(Target("redis:7"),)),
    Surface("certificate", APPS, "web", "www", "Certificate", host="www.example.com",
            targets=(Target.ref("ClusterIssuer", "letsencrypt"),)),
    Surface("loadbalancer", "flux-system/ingress-nginx", "ingress-nginx", "ingress-nginx", "HelmRelease",
            address="10.0.0.50,10.0.0.51", port=80, protocol="TCP"),
    Surface("ingressroute", "flux-system/databases", "db", "pg", "IngressRoute", host="pg.other.org",
            targets=(Target.backend("pg", "5432"),)),
]


def _edges(dot: str) -> set[tuple[str, str]]:
    return set(re.findall(r'^\s*"?([^"\s]+)"? -> "?([^"\s\]]+)"?', dot, re.M))


def test_layer_diagram_follows_entry_route_service_workload():
    dot = layer_diagram_dot(_cluster(), APPS, SURFACES, url_for)
    edges = _edges(dot)
    assert ("entry_10.0.0.50_443/TCP", "obj_service/web/web-lb") in {(a.split("~")[0], b) for a, b in edges}
    assert ("obj_service/web/web-lb", "obj_deployment/web/web") in edges
    assert ("obj_ingress/web/web", "obj_service/web/web") in edges
    assert ("obj_service/web/web", "obj_statefulset/web/cache") in edges
    assert ("obj_httproute/web/docs", "obj_service/web/web") in edges
    assert ("entry_www.example.com/api", "obj_ingress/web/web") in edges
    assert "ghcr.io/example/web:1.2" in dot
    # backend of another layer / unknown: a dashed placeholder, not a crash
    assert re.search(r'"obj_service/web/api" \[[^\]]*dashed', dot)
    # which it says without claiming the layer does not apply it: a chart flux-wiki does not inflate may
    assert "tooltip=\"Service web/api: not in this layer's manifests (a chart or another layer may apply it)\"" in dot
    # the certificate hangs off its host without pulling the layout
    assert re.search(r'"entry_www.example.com" -> "obj_certificate/web/www" \[[^\]]*constraint=false', dot)


def test_layer_diagram_shows_only_its_own_helm_releases_and_surfaces():
    dot = layer_diagram_dot(_cluster(), APPS, SURFACES, url_for)
    assert "HelmRelease podinfo\\nchart podinfo" in dot
    assert "ingress-nginx" not in dot and "pg.other.org" not in dot
    nginx = layer_diagram_dot(_cluster(), "flux-system/ingress-nginx", SURFACES, url_for)
    assert "chart ingress-nginx 4.11.0" in nginx
    assert "10.0.0.50:80, 10.0.0.51:80/TCP" in nginx  # each address of the list with its port


def test_layer_without_surfaces_says_so():
    dot = layer_diagram_dot(_cluster(), "flux-system/crds", SURFACES, url_for)
    assert "no Services, routes, workloads or HelmReleases" in dot


def test_layer_diagram_is_deterministic():
    assert layer_diagram_dot(_cluster(), APPS, SURFACES, url_for) == \
        layer_diagram_dot(_cluster(), APPS, list(reversed(SURFACES)), url_for)


def test_surface_map_groups_by_ip_and_domain_and_links_layers():
    dot = surface_map_dot(_cluster(), SURFACES, url_for)
    titles = re.findall(r'label="([^"]+)" style=rounded', dot)
    assert titles == ["10.0.0.50", "10.0.0.51", "example.com", "other.org"]
    assert dot.count('label="80/TCP ingress-nginx/ingress-nginx"') == 2  # shared by both addresses
    assert 'URL="../layers/flux-system--apps/"' in dot
    assert 'URL="../layers/flux-system--databases/"' in dot
    assert ("ip_10.0.0.50/443/TCP_web/web-lb" in dot.replace(" ", "_"))
    assert surface_map_dot(_cluster(), SURFACES, url_for) == surface_map_dot(_cluster(), SURFACES[::-1], url_for)


def test_surface_map_sorts_ips_and_ports_numerically():
    """Issue 12 point 8: 10.0.0.9 before 10.0.0.10 and port 80 before 443, as on the pages."""
    lbs = [Surface("loadbalancer", APPS, "web", name, "Service", address=ip, port=port, protocol="TCP")
           for name, ip, port in (("a", "10.0.0.10", 443), ("b", "10.0.0.9", 443), ("c", "10.0.0.9", 80),
                                  ("d", None, 8080))]
    dot = surface_map_dot(_cluster(), lbs, url_for)
    assert re.findall(r'label="([^"]+)" style=rounded', dot) == ["10.0.0.9", "10.0.0.10", "address pending"]
    assert dot.index('label="80/TCP web/c"') < dot.index('label="443/TCP web/b"')


def test_surface_map_without_entries():
    assert "no LoadBalancer addresses or hosts" in surface_map_dot(_cluster(), [], url_for)
