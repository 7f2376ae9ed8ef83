"""English for the facts: plurals and counts, addresses, and the short phrases of the layer tables.

Nothing here decides a fact; each function words what :mod:`flux_wiki.analysis.facts` found.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from ..analysis.layers import KIND_ORDER, Installed, KindGroup
from ..model import ROUTE_SURFACES, Surface, address_list, address_order, endpoint

# Kinds of KIND_ORDER that "What It Installs" counts instead of naming each object.
COUNTED_KINDS = ("Service", "ExternalSecret", "Kustomization")

_ROUTE_LABELS = {"ingress": "Ingress", "ingressroute": "IngressRoute", "httproute": "HTTPRoute",
                 "tlsroute": "TLSRoute", "virtualservice": "VirtualService", "tunnel": "Cloudflare Tunnel"}


def plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def count(n: int, noun: str) -> str:
    """``1 object``, ``3 objects``."""
    return f"{n} {noun if n == 1 else plural(noun)}"


def address(surface: Surface) -> str:
    """`ip:port` of an address surface, or the host(+path) of a route/certificate."""
    if surface.host:
        return surface.host + (surface.path if surface.path and surface.path != "/" else "")
    if surface.address:
        return endpoint(surface.address, surface.port or None)
    return str(surface.port) if surface.port is not None else ""


_NODE_PORT = r"\bnodePort (\d+)"  # how analysis.surfaces writes a Service port's nodePort into the detail


def node_port_text(surface: Surface) -> str:
    """A NodePort Service port as nodes serve it: ``31234→80`` (node port → port), ``(assigned)→80`` when the
    cluster picks the node port."""
    found = re.search(_NODE_PORT, surface.detail or "")
    return f"{found.group(1) if found else '(assigned)'}→{surface.port}"


def port_text(surface: Surface) -> str:
    """The Port column of a surface: a NodePort Service's port as :func:`node_port_text` writes it (as the layer
    tables do), any other port as a number, with its protocol when not TCP."""
    text = "" if surface.port is None else node_port_text(surface) if surface.kind == "nodeport" else str(surface.port)
    return text + (f"/{surface.protocol}" if surface.protocol and surface.protocol != "TCP" else "")


def _address_key(text: str) -> tuple:
    host, _, port = text.rpartition(":")
    return (address_order(host.strip("[]")), int(port) if port.isdigit() else 0)


def _lb_endpoints(s: Surface) -> list[str]:
    """Each address a LoadBalancer or Gateway surface asks for, with its port (``[fd00::5]:443``)."""
    return [endpoint(a, s.port) for a in address_list(s.address)] or [f"(pending IP):{s.port}"]


def surface_summary(surfaces: list[Surface]) -> list[str]:
    """One short phrase per reachable thing: LoadBalancer and Gateway addresses, ClusterIP ports, hosts."""
    lb: dict[str, list[str]] = defaultdict(list)
    gateway: dict[str, list[str]] = defaultdict(list)
    cluster_ip: dict[str, list[int]] = defaultdict(list)
    node_port: dict[str, list[str]] = defaultdict(list)
    hosts: dict[str, set[str]] = defaultdict(set)
    for s in surfaces:
        if s.kind == "loadbalancer":
            lb[s.name] += _lb_endpoints(s)
        elif s.kind == "gateway" and s.port is not None:  # its listeners, on the load balancer it asks for
            gateway[s.name] += _lb_endpoints(s)
        elif s.kind == "clusterip" and s.port is not None:
            cluster_ip[s.name].append(s.port)
        elif s.kind == "nodeport" and s.port is not None:
            node_port[s.name].append(node_port_text(s))
        elif s.kind in ROUTE_SURFACES and s.host:
            hosts[s.host].add(s.kind)
    out = []
    for name in sorted(lb):
        out.append(f"LoadBalancer {name} on {', '.join(sorted(set(lb[name]), key=_address_key))}")
    for name in sorted(gateway):
        out.append(f"Gateway {name} on {', '.join(sorted(set(gateway[name]), key=_address_key))}")
    for name in sorted(node_port):
        ports = sorted(set(node_port[name]), key=lambda t: [int(p) if p.isdigit() else 1 << 17 for p in t.split("→")])
        out.append(f"NodePort {name} on {', '.join(ports)}")
    for name in sorted(cluster_ip):
        out.append(f"ClusterIP {name} on {', '.join(str(p) for p in sorted(set(cluster_ip[name])))}")
    for host in sorted(hosts):
        out.append(f"host {host}")
    return out


def install_summary(groups: list[KindGroup], limit: int = 8) -> list[str]:
    """Short phrases for the "What It Installs" column: the objects of the kinds a reader looks for by name
    (at most ``limit`` names each), the other kinds counted."""
    out = []
    for group in groups:
        if group.kind in KIND_ORDER and group.kind not in COUNTED_KINDS:
            names = group.names
            shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
            out.append(f"{group.kind} {shown}")
        else:
            out.append(count(len(group.resources), group.kind))
    return out


def surface_phrase(s: Surface) -> str:
    """One surface in a few words, for the list of what a layer installs."""
    if s.kind == "workload":
        return f"workload image {s.target}" if s.target else "workload"
    if s.kind == "loadbalancer":
        return f"LoadBalancer on {', '.join(_lb_endpoints(s))}"
    if s.kind == "clusterip":
        return f"ClusterIP port {s.port}"
    if s.kind == "externalname":
        return f"ExternalName alias of {s.host}" if s.host else "ExternalName"
    if s.kind == "nodeport":
        return f"NodePort {node_port_text(s)}"
    if s.kind == "certificate":
        return f"certificate for {s.host}" + (f" (by annotation on {s.created_by})" if s.created_by else "")
    if s.kind == "gateway":
        return f"gateway listener {address(s)}"
    label = s.object_kind if s.object_kind.endswith("Route") else _ROUTE_LABELS.get(s.kind, s.object_kind)
    if s.host:
        return f"{label} host {address(s)}"
    return f"{label} to {s.target}" if s.target else label


def installed_phrases(item: Installed) -> list[str]:
    """The phrases of an installed object's surfaces: one per surface of a HelmRelease (two Services of a chart
    may share a port), each distinct phrase once for any other object."""
    phrases = [surface_phrase(s) for s in item.surfaces]
    return phrases if item.kind == "HelmRelease" else list(dict.fromkeys(phrases))


def duration(seconds: float | None) -> str:
    """A worst-case time in words: ``45s``, ``12m 30s``, ``2h 5m``; ``unknown`` (None) or ``never`` (infinite)."""
    if seconds is None:
        return "unknown"
    if seconds == math.inf:
        return "never"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h"] if hours else []
    if minutes:
        parts.append(f"{minutes}m")
    if secs or not parts:
        parts.append(f"{secs}s")
    return " ".join(parts)


def never(seconds: float | None) -> bool:
    """Whether a worst-case time is never reached: the Kustomization never becomes Ready."""
    return seconds == math.inf


def gate_reason(reason: str) -> str:
    """How a parent gates on a child, as the spec says it: ``wait: true`` or ``healthChecks``."""
    return "`wait: true`" if reason == "wait" else "`healthChecks`"


def blocker_phrase(cause: str) -> str:
    """What is wrong with the Kustomization another one waits for, after "which" (the cause's detail follows)."""
    return {"suspended": "is suspended", "dangling": "waits for an object this cluster never applies",
            "cycle": "is in a cycle", "health-check": "health-checks an object this cluster never applies",
            "failed": "Flux fails", "release": "waits for a HelmRelease that is never installed"}.get(cause, cause)


def blocker_detail(cause: str, detail: str) -> str:
    """Why a Kustomization itself never becomes Ready, from its blocker's detail."""
    return {"cycle": f"in a cycle: {detail}", "failed": f"Flux fails it: {detail}"}.get(cause, detail)


def step_event(event: str, via: str, health: bool, requeue: float = 30.0) -> str:
    """What happens at one step of a chain (its Kustomization starts, or is Ready) and what it waited for,
    with ``{before}`` where the previous step's Kustomization goes; ``requeue`` is how often a Kustomization
    checks its dependencies again."""
    if via == "bootstrap":
        return "the bootstrap applies it"
    if event == "start":
        if via == "appliedBy":
            return "starts once {before} has applied it"
        return f"starts once {{before}} is Ready (dependsOn, checked again every {duration(requeue)})"
    if via == "gate":
        return "is Ready once {before} is Ready (it gates on it)"
    return "is Ready once its health checks pass" if health else "is Ready once applied (no `wait`, no `healthChecks`)"
