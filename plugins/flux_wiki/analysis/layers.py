"""What a layer (Flux Kustomization) installs and where it can be reached, summarised for tables."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..model import Cluster, KustomizationNode, Resource, Surface

# Kinds listed by name in "What It Installs" (in this order); every other kind is counted.
NAMED_KINDS = ("HelmRelease", "Namespace", "Deployment", "StatefulSet", "DaemonSet", "CronJob",
               "PostgresCluster", "Cluster", "IngressClass", "ClusterIssuer", "Issuer", "Certificate",
               "Ingress", "IngressRoute", "IngressRouteTCP", "Middleware", "Gateway", "HTTPRoute",
               "TLSRoute", "Service", "ExternalSecret", "Kustomization")

_ROUTE_KINDS = {"ingress", "ingressroute", "httproute", "tlsroute"}


@dataclass
class KindGroup:
    """All objects of one kind a layer applies."""

    kind: str
    resources: list[Resource] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return sorted({r.name for r in self.resources})


def group_by_kind(node: KustomizationNode) -> list[KindGroup]:
    """The layer's objects grouped by kind: named kinds first in NAMED_KINDS order, then the rest by name."""
    groups: dict[str, KindGroup] = {}
    for res in node.resources:
        groups.setdefault(res.kind, KindGroup(res.kind)).resources.append(res)
    order = {k: i for i, k in enumerate(NAMED_KINDS)}
    return sorted(groups.values(), key=lambda g: (order.get(g.kind, len(order)), g.kind))


def address(surface: Surface) -> str:
    """`ip:port` of an address surface, or the host(+path) of a route/certificate."""
    if surface.host:
        return surface.host + (surface.path if surface.path and surface.path != "/" else "")
    if surface.address and surface.port:
        return f"{surface.address}:{surface.port}"
    if surface.address:
        return surface.address
    return str(surface.port) if surface.port is not None else ""


def surface_summary(surfaces: list[Surface]) -> list[str]:
    """One short phrase per reachable thing: LoadBalancer addresses, ClusterIP ports, hosts."""
    lb: dict[str, list[str]] = defaultdict(list)
    cluster_ip: dict[str, list[int]] = defaultdict(list)
    node_port: dict[str, list[int]] = defaultdict(list)
    hosts: dict[str, set[str]] = defaultdict(set)
    for s in surfaces:
        if s.kind == "loadbalancer":
            lb[s.name].append(f"{s.address or '(pending IP)'}:{s.port}")
        elif s.kind == "clusterip" and s.port is not None:
            cluster_ip[s.name].append(s.port)
        elif s.kind == "nodeport" and s.port is not None:
            node_port[s.name].append(s.port)
        elif s.kind in _ROUTE_KINDS and s.host:
            hosts[s.host].add(s.kind)
    out = []
    for name in sorted(lb):
        out.append(f"LoadBalancer {name} on {', '.join(sorted(set(lb[name]), key=_address_key))}")
    for name in sorted(node_port):
        out.append(f"NodePort {name} on {', '.join(str(p) for p in sorted(set(node_port[name])))}")
    for name in sorted(cluster_ip):
        out.append(f"ClusterIP {name} on {', '.join(str(p) for p in sorted(set(cluster_ip[name])))}")
    for host in sorted(hosts):
        out.append(f"host {host}")
    return out


def plural(kind: str) -> str:
    if kind.endswith("y") and kind[-2:-1] not in "aeiou":
        return kind[:-1] + "ies"
    return kind + ("es" if kind.endswith(("s", "x", "ch", "sh")) else "s")


def _address_key(text: str) -> tuple:
    host, _, port = text.rpartition(":")
    return (host, int(port) if port.isdigit() else 0)


def install_summary(cluster: Cluster, node: KustomizationNode, limit: int = 8) -> list[str]:
    """Short phrases for the "What It Installs" column, derived from the layer's objects."""
    out = []
    for group in group_by_kind(node):
        if group.kind in NAMED_KINDS and group.kind not in ("Service", "ExternalSecret", "Kustomization"):
            names = group.names
            shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
            out.append(f"{group.kind} {shown}")
        else:
            n = len(group.resources)
            out.append(f"{n} {group.kind if n == 1 else plural(group.kind)}")
    return out
