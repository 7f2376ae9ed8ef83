"""The wording of facts: plurals, counts, addresses and the short phrases of the layer tables."""

from __future__ import annotations

import pytest

from flux_wiki.analysis.layers import Installed, KindGroup
from flux_wiki.model import Resource, Surface, Target
from flux_wiki.render.phrases import (address, count, install_summary, installed_phrases, plural, surface_phrase,
                                      surface_summary)

LAYER = "flux-system/apps"


@pytest.mark.parametrize(("noun", "want"), [("Policy", "Policies"), ("Gateway", "Gateways"), ("Ingress", "Ingresses"),
                                            ("Box", "Boxes"), ("Mesh", "Meshes"), ("health check", "health checks")])
def test_plural(noun: str, want: str) -> None:
    assert plural(noun) == want


def test_count_says_one_without_a_plural() -> None:
    assert (count(1, "object"), count(0, "object"), count(2, "Policy")) == ("1 object", "0 objects", "2 Policies")


def test_address_is_ip_and_port_or_host_and_path() -> None:
    assert address(Surface("loadbalancer", LAYER, "a", "b", "Service", address="10.0.0.1", port=443)) == "10.0.0.1:443"
    assert address(Surface("ingress", LAYER, "a", "b", "Ingress", host="x.example", path="/api")) == "x.example/api"
    assert address(Surface("ingress", LAYER, "a", "b", "Ingress", host="x.example", path="/")) == "x.example"
    assert address(Surface("clusterip", LAYER, "a", "b", "Service", port=80)) == "80"


def test_surface_summary_groups_addresses_by_service_and_sorts_them() -> None:
    surfaces = [Surface("loadbalancer", LAYER, "n", "lb", "Service", address="10.0.0.10", port=443),
                Surface("loadbalancer", LAYER, "n", "lb", "Service", address="10.0.0.9", port=443),
                Surface("loadbalancer", LAYER, "n", "lb", "Service", port=80),
                Surface("clusterip", LAYER, "n", "db", "Service", port=5432),
                Surface("ingress", LAYER, "n", "web", "Ingress", host="b.example"),
                Surface("httproute", LAYER, "n", "web", "HTTPRoute", host="a.example"),
                Surface("workload", LAYER, "n", "web", "Deployment", port=8080),
                Surface("gateway", LAYER, "n", "external", "Gateway", address="10.0.0.5", port=443),
                Surface("gateway", LAYER, "n", "external", "Gateway", address="10.0.0.5", port=80),
                Surface("gateway", LAYER, "n", "internal", "Gateway", port=443)]
    assert surface_summary(surfaces) == ["LoadBalancer lb on 10.0.0.9:443, 10.0.0.10:443, (pending IP):80",
                                         "Gateway external on 10.0.0.5:80, 10.0.0.5:443",
                                         "Gateway internal on (pending IP):443",
                                         "ClusterIP db on 5432", "host a.example", "host b.example"]


def test_install_summary_names_what_readers_look_for_and_counts_the_rest() -> None:
    def group(kind: str, n: int) -> KindGroup:
        return KindGroup(kind, [Resource({"kind": kind, "metadata": {"name": f"{kind.lower()}{i}"}}, "f", 1)
                                for i in range(n)])
    assert install_summary([group("Deployment", 3), group("Service", 1), group("NetworkPolicy", 2)], limit=2) == \
        ["Deployment deployment0, deployment1 and 1 more", "1 Service", "2 NetworkPolicies"]


def test_a_release_lists_each_surface_an_object_each_phrase_once() -> None:
    ports = [Surface("clusterip", LAYER, "n", "x", "HelmRelease", port=80) for _ in range(2)]
    release = Installed("HelmRelease", "n", "x", "hr.yaml", 1, "chart", None, ports)
    service = Installed("Service", "n", "x", "svc.yaml", 1, surfaces=ports)
    assert installed_phrases(release) == ["ClusterIP port 80", "ClusterIP port 80"]
    assert installed_phrases(service) == ["ClusterIP port 80"]


def test_surface_phrase_per_kind() -> None:
    assert surface_phrase(Surface("workload", LAYER, "n", "w", "Deployment", targets=(Target("img:1"),))) == \
        "workload image img:1"
    assert surface_phrase(Surface("certificate", LAYER, "n", "c", "Certificate", host="x.example")) == \
        "certificate for x.example"
    assert surface_phrase(Surface("tlsroute", LAYER, "n", "r", "TLSRoute", host="db.example")) == \
        "TLSRoute host db.example"


def test_a_route_phrase_names_the_route_kind_and_without_host_its_backend() -> None:
    """A TCPRoute has no hostnames (Gateway API): its phrase names the TCPRoute and where it sends traffic,
    never a "TLSRoute host" with nothing after it."""
    tcp = Surface("tlsroute", LAYER, "n", "r", "TCPRoute", targets=(Target("cgit:2222"),))
    assert surface_phrase(tcp) == "TCPRoute to cgit:2222"
    assert surface_phrase(Surface("tlsroute", LAYER, "n", "r", "UDPRoute")) == "UDPRoute"
    assert surface_phrase(Surface("httproute", LAYER, "n", "r", "GRPCRoute", host="g.example")) == \
        "GRPCRoute host g.example"
    assert surface_phrase(Surface("httproute", LAYER, "n", "r", "HelmRelease", host="h.example")) == \
        "HTTPRoute host h.example"


def test_addresses_sort_numerically_ipv4_before_ipv6_before_text() -> None:
    from flux_wiki.model import address_order
    texts = ["fd00::1", "address pending", "10.0.0.10", "10.0.0.9", "9.255.0.1", "10.0.0.9, 10.0.0.1", None]
    assert sorted(texts, key=address_order) == ["9.255.0.1", "10.0.0.9", "10.0.0.9, 10.0.0.1", "10.0.0.10",
                                                "fd00::1", None, "address pending"]


def test_a_nodeport_names_the_port_its_nodes_serve() -> None:
    """AlbertGoma/LFS269-flux-infra exposes the webhook receiver on nodePort 31234 (port 80): nodes listen on 31234,
    so "NodePort ... on 80" was wrong; a node port the cluster picks is said to be assigned."""
    fixed = Surface("nodeport", LAYER, "flux-system", "webhook-receiver", "Service", port=80,
                    detail="nodePort 31234; targetPort http-webhook")
    picked = Surface("nodeport", LAYER, "flux-system", "webhook-receiver", "Service", port=9292,
                     detail="nodePort assigned by cluster")
    assert surface_phrase(fixed) == "NodePort 31234→80"
    assert surface_phrase(picked) == "NodePort (assigned)→9292"
    assert surface_summary([picked, fixed]) == ["NodePort webhook-receiver on 31234→80, (assigned)→9292"]
