"""Surfaces: where the things one Flux Kustomization applies can be reached or are identified.

Read from built objects (Service, Ingress, Traefik IngressRoute*, Gateway API
Gateway/*Route, Istio Gateway/VirtualService, cert-manager Certificate, workloads), from HelmRelease values
through :mod:`.chart_values`, which turns values into the objects the chart
renders, and from Flagger Canaries, turned into the Services and VirtualService Flagger creates, so every
path shares the extractors below. Secret objects and SOPS
payloads are never read; strings found under secret-like keys never reach a field.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable
from typing import Any

from ..model import (CLAIM_SURFACES, Diagnostic, FieldAt, HelmReleaseInfo, Resource, Surface, SurfaceKind, Target,
                     ValuesPath, address_list, endpoint, helm_release_identity, host_fields, value_at)
from .redact import HIDDEN, is_secret_payload, secret_strings, without_ciphertext
from .tunnels import config_texts, service_target, tunnel_rules

LB_IP_ANNOTATIONS = (
    "metallb.universe.tf/loadBalancerIPs",
    "metallb.io/loadBalancerIPs",
    "lbipam.cilium.io/ips",
    "io.cilium/lb-ipam-ips",
    "kube-vip.io/loadbalancerIPs",
)
SHARED_IP_ANNOTATIONS = (
    "metallb.universe.tf/allow-shared-ip",
    "metallb.io/allow-shared-ip",
    "lbipam.cilium.io/sharing-key",
)
METALLB_PREFIXES = ("metallb.universe.tf/", "metallb.io/")
SERVICE_KINDS: dict[str, SurfaceKind] = {"ClusterIP": "clusterip", "NodePort": "nodeport",
                                         "LoadBalancer": "loadbalancer", "ExternalName": "externalname"}
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "ReplicaSet")
TRAEFIK_GROUPS = ("traefik.io", "traefik.containo.us")
GATEWAY_GROUP = "gateway.networking.k8s.io"
GATEWAY_ROUTE_KINDS: dict[str, SurfaceKind] = {"HTTPRoute": "httproute", "GRPCRoute": "httproute",
                                               "TLSRoute": "tlsroute", "TCPRoute": "tlsroute", "UDPRoute": "tlsroute"}
ISTIO_GROUP = "networking.istio.io"
FLAGGER_GROUP = "flagger.app"
_ISTIO_SERVICE_HOST = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\.cluster\.local$"

_RULE_HOSTS = r"\b(?:Host|HostSNI)\s*\(([^)]*)\)"  # pattern strings: `re` compiles them on first use
_RULE_PATHS = r"\b(?:PathPrefix|Path)\s*\(([^)]*)\)"
_QUOTED = r"`([^`]*)`|\"([^\"]*)\"|'([^']*)'"


class _Origin:
    """Where surfaces of one object are attributed: the object itself or the HelmRelease that renders it.
    ``prefix`` starts the surfaces' detail, e.g. "values service.app"."""

    __slots__ = ("layer", "namespace", "name", "object_kind", "file", "line", "prefix")

    def __init__(self, layer: str, namespace: str, name: str, object_kind: str, file: str, line: int,
                 prefix: str = "") -> None:
        self.layer = layer
        self.namespace = namespace
        self.name = name
        self.object_kind = object_kind
        self.file = file
        self.line = line
        self.prefix = prefix

    def surface(self, kind: SurfaceKind, *details: str | None, **fields: Any) -> Surface:
        parts = [p for p in (self.prefix, *details) if p]
        return Surface(kind=kind, layer=self.layer, namespace=self.namespace, name=self.name,
                       object_kind=self.object_kind, detail="; ".join(parts) or None,
                       file=self.file, line=self.line, **fields)


# -- small readers -------------------------------------------------------------
def _map(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _text(v: Any) -> str | None:
    if v is None or isinstance(v, (dict, list)):
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v).strip()
    return s or None


def _port(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return None


def _quoted(args: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in re.finditer(_QUOTED, args)]


def lb_addresses(spec: dict[str, Any], annotations: dict[str, Any]) -> list[str]:
    """LoadBalancer addresses asked for: ``spec.loadBalancerIP`` and the IPAM annotations (comma lists)."""
    found: list[str] = []
    for raw in [spec.get("loadBalancerIP"), *(annotations.get(a) for a in LB_IP_ANNOTATIONS)]:
        text = _text(raw)
        for part in (text or "").split(","):
            part = part.strip()
            if part and part not in found:
                found.append(part)
    return found


def _metallb_key(spec: dict[str, Any], annotations: dict[str, Any]) -> str | None:
    """The MetalLB sharing key of a LoadBalancer Service that MetalLB surely allocates (it carries a MetalLB
    annotation and no loadBalancerClass): its allow-shared-ip value, "" without one; None otherwise."""
    if _text(spec.get("loadBalancerClass")) or not any(str(k).startswith(METALLB_PREFIXES) for k in annotations):
        return None
    keys = (_text(annotations.get(f"{prefix}allow-shared-ip")) for prefix in METALLB_PREFIXES)
    return next((key for key in keys if key), "")


def _metallb_backend(spec: dict[str, Any]) -> str:
    """MetalLB's backend key (controller ``BackendKey``): a Service with ``externalTrafficPolicy: Local`` sends
    traffic to its own pods only, so its selector as ``labels.Set.String()`` (sorted ``key=value``, comma-joined);
    "" under the Cluster policy, the default."""
    if _text(spec.get("externalTrafficPolicy")) != "Local":
        return ""
    selector = sorted(_map(spec.get("selector")).items(), key=lambda item: str(item[0]))
    return ",".join(f"{k}={_text(v) or ''}" for k, v in selector)


def _shared_ip(annotations: dict[str, Any]) -> str | None:
    for a in SHARED_IP_ANNOTATIONS:
        if _text(annotations.get(a)):
            return f"shared-ip {_text(annotations.get(a))}"
    return None


def _selects(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    return bool(selector) and all(k in labels and str(labels[k]) == str(v) for k, v in selector.items())


def pod_template(obj: dict[str, Any]) -> dict[str, Any]:
    """The pod template of a workload object (CronJob: the job template's)."""
    spec = _map(obj.get("spec"))
    if obj.get("kind") == "CronJob":
        spec = _map(_map(spec.get("jobTemplate")).get("spec"))
    return _map(spec.get("template"))


def _image(container: dict[str, Any]) -> tuple[Target, ...]:
    image = _text(container.get("image"))
    return (Target(image),) if image else ()


# -- per kind ------------------------------------------------------------------
def _service(obj: dict[str, Any], o: _Origin, selected: list[Target], diags: list[Diagnostic]) -> list[Surface]:
    spec = _map(obj.get("spec"))
    ann = _map(_map(obj.get("metadata")).get("annotations"))
    stype = _text(spec.get("type")) or "ClusterIP"
    kind = SERVICE_KINDS.get(stype)
    if kind is None:
        diags.append(Diagnostic(o.file, o.line, f"Service {o.namespace}/{obj_name(obj)}: unknown type '{stype}'",
                                code="FW-SCHEMA-REJECTED"))
        kind = "clusterip"
    details: list[str | None] = []
    targets = tuple(selected)
    address = metallb_key = metallb_backend = None
    if kind == "externalname":  # a DNS alias (CNAME) of its externalName: no cluster IP, no proxied port
        external = _text(spec.get("externalName"))
        return [o.surface(kind, f"alias of {external}" if external else "no externalName", host=external,
                          targets=(Target(external),) if external else ())]
    if _text(spec.get("clusterIP")) == "None":
        details.append("headless")
    family_policy = _text(spec.get("ipFamilyPolicy"))
    if family_policy in ("PreferDualStack", "RequireDualStack"):
        details.append(f"dual-stack ({family_policy})")
    if kind == "loadbalancer":
        address = ",".join(lb_addresses(spec, ann)) or None
        metallb_key = _metallb_key(spec, ann)
        if o.object_kind == "Service":  # a chart's Service is read from a few values only
            metallb_backend = _metallb_backend(spec)
        lbc = _text(spec.get("loadBalancerClass"))
        details += [f"class {lbc}" if lbc else None, _shared_ip(ann)]
    ports = spec.get("ports")
    if ports is not None and not isinstance(ports, list):
        diags.append(Diagnostic(o.file, o.line, f"Service {obj_name(obj)}: spec.ports is not a list",
                                code="FW-SCHEMA-REJECTED"))
        ports = []
    out: list[Surface] = []
    for p in _list(ports):
        p = _map(p)
        port_v = p.get("port")
        port = _port(port_v)
        extra: list[str | None] = []
        if port is None and _text(port_v):
            extra.append(f"port {_text(port_v)}")
        if kind == "nodeport" or (kind == "loadbalancer" and _port(p.get("nodePort"))):
            np = _port(p.get("nodePort"))
            extra.append(f"nodePort {np}" if np else "nodePort assigned by cluster")
        tp = _text(p.get("targetPort"))
        if tp and tp != _text(port_v):
            extra.append(f"targetPort {tp}")
        out.append(o.surface(kind, *details, *extra, address=address, port=port,
                             protocol=_text(p.get("protocol")) or "TCP", port_name=_text(p.get("name")),
                             targets=targets, metallb_key=metallb_key, metallb_backend=metallb_backend))
    if not out:
        out.append(o.surface(kind, *details, address=address, targets=targets, metallb_key=metallb_key,
                             metallb_backend=metallb_backend))
    return out


def _ingress(obj: dict[str, Any], o: _Origin) -> list[Surface]:
    spec = _map(obj.get("spec"))
    ann = _map(_map(obj.get("metadata")).get("annotations"))
    cls = _text(spec.get("ingressClassName")) or _text(ann.get("kubernetes.io/ingress.class"))
    tls = [_map(t) for t in _list(spec.get("tls"))]

    def tls_for(host: str | None) -> str | None:
        for t in tls:
            hosts = [_text(h) for h in _list(t.get("hosts"))]
            if not hosts or host in hosts:
                return f"tls {_text(t.get('secretName'))}" if _text(t.get("secretName")) else "tls"
        return None

    def backend(b: dict[str, Any]) -> tuple[Target, ...]:
        svc = _map(b.get("service"))
        if svc:
            port = _map(svc.get("port"))
            name = _text(svc.get("name"))
            return (Target.backend(name, _text(port.get("number")) or _text(port.get("name"))),) if name else ()
        name = _text(b.get("serviceName"))
        if name:  # extensions/v1beta1
            return (Target.backend(name, _text(b.get("servicePort"))),)
        res = _map(b.get("resource"))
        kind, name = _text(res.get("kind")), _text(res.get("name"))
        if kind and name:
            return (Target.ref(kind, name),)
        return (Target(f"{kind}/{name}"),) if res else ()

    cls_d = f"class {cls}" if cls else None
    out: list[Surface] = []
    for rule in _list(spec.get("rules")):
        rule = _map(rule)
        host = _text(rule.get("host"))
        paths = _list(_map(rule.get("http")).get("paths")) or [{}]
        for p in paths:
            p = _map(p)
            out.append(o.surface("ingress", cls_d, tls_for(host), host=host, path=_text(p.get("path")),
                                 targets=backend(_map(p.get("backend")))))
    default = _map(spec.get("defaultBackend") or spec.get("backend"))
    if default or not out:
        out.append(o.surface("ingress", cls_d, "default backend" if default else None,
                             targets=backend(default) if default else ()))
    return out


def _traefik_route(obj: dict[str, Any], o: _Origin) -> list[Surface]:
    spec = _map(obj.get("spec"))
    kind = obj.get("kind")
    eps = [e for e in (_text(x) for x in _list(spec.get("entryPoints"))) if e]
    tls = _map(spec.get("tls"))
    tls_d = None
    if spec.get("tls") is not None:
        tls_d = "tls " + (_text(tls.get("secretName")) or (f"certResolver {_text(tls.get('certResolver'))}"
                                                             if _text(tls.get("certResolver")) else "")).strip()
        tls_d = tls_d.strip()
        if tls.get("passthrough") is True:
            tls_d += " passthrough"
    out: list[Surface] = []
    for route in _list(spec.get("routes")):
        route = _map(route)
        match = _text(route.get("match")) or ""
        hosts = [h for m in re.finditer(_RULE_HOSTS, match) for h in _quoted(m.group(1))] or [None]
        paths = [p for m in re.finditer(_RULE_PATHS, match) for p in _quoted(m.group(1))] or [None]
        mws = [_text(_map(m).get("name")) for m in _list(route.get("middlewares"))]
        services = []
        for s in _list(route.get("services")):
            s = _map(s)
            name = _text(s.get("name"))
            if name:
                services.append(Target.backend(name, _text(s.get("port")), kind=_text(s.get("kind")) or "Service"))
        details = [f"entryPoints {', '.join(eps)}" if eps else None,
                   f"middlewares {', '.join(m for m in mws if m)}" if any(mws) else None, tls_d,
                   None if match or kind == "IngressRouteUDP" else "no match rule"]
        for host in hosts:
            for path in paths:
                out.append(o.surface("ingressroute", *details, host=host, path=path, targets=tuple(services)))
    return out


def _gateway(obj: dict[str, Any], o: _Origin) -> list[Surface]:
    spec = _map(obj.get("spec"))
    ann = {**_map(_map(obj.get("metadata")).get("annotations")),
           **_map(_map(spec.get("infrastructure")).get("annotations"))}
    addrs = [a for a in (_text(_map(x).get("value")) for x in _list(spec.get("addresses"))) if a]
    addrs += [a for a in lb_addresses({}, ann) if a not in addrs]
    address = ",".join(addrs) or None
    cls = _text(spec.get("gatewayClassName"))
    out: list[Surface] = []
    for ln in _list(spec.get("listeners")):
        ln = _map(ln)
        certs = [_text(_map(c).get("name")) for c in _list(_map(ln.get("tls")).get("certificateRefs"))]
        out.append(o.surface("gateway", f"class {cls}" if cls else None,
                             f"tls {', '.join(c for c in certs if c)}" if any(certs) else None,
                             address=address, port=_port(ln.get("port")), protocol=_text(ln.get("protocol")),
                             port_name=_text(ln.get("name")), host=_text(ln.get("hostname"))))
    if not out:
        out.append(o.surface("gateway", f"class {cls}" if cls else None, address=address))
    return out


def _route(obj: dict[str, Any], o: _Origin) -> list[Surface]:
    spec = _map(obj.get("spec"))
    kind = GATEWAY_ROUTE_KINDS[str(obj.get("kind"))]
    parents = []
    for p in _list(spec.get("parentRefs")):
        p = _map(p)
        name = _text(p.get("name"))
        if not name:
            continue
        label = f"{_text(p.get('namespace'))}/{name}" if _text(p.get("namespace")) else name
        if _text(p.get("sectionName")):
            label += f"#{_text(p.get('sectionName'))}"
        parents.append(label)
    # each path with the backends of the rules matching it, each backend once by text; None gathers a route
    # without paths (a kind other than HTTPRoute, or only matches without a path value)
    by_path: dict[str | None, dict[str, Target]] = {}
    # Gateway API defaults (HTTPRoute CRD): no rules is one rule, a rule without matches one match, a match
    # without a path PathPrefix "/": each is the catch-all "/".
    http = obj.get("kind") == "HTTPRoute"
    for rule in _list(spec.get("rules")) or ([{}] if http else []):
        rule = _map(rule)
        backends: dict[str, Target] = {}
        for b in _list(rule.get("backendRefs")):
            b = _map(b)
            name = _text(b.get("name"))
            if name:
                backend = Target.backend(name, _text(b.get("port")), namespace=_text(b.get("namespace")))
                backends.setdefault(backend.text, backend)
        paths: list[str | None] = []
        for m in (_list(rule.get("matches")) or [{}]) if http else []:
            path = _map(_map(m).get("path"))
            v = _text(path.get("value")) or ("/" if not path or path.get("type") in (None, "PathPrefix") else None)
            if v and v not in paths:
                paths.append(v)
        for p in paths or [None]:
            served = by_path.setdefault(p, {})
            for text, backend in backends.items():
                served.setdefault(text, backend)
    if len(by_path) > 1 and None in by_path:  # a rule without a path beside rules with one: its backends to all
        pathless = by_path.pop(None)
        for served in by_path.values():
            for text, backend in pathless.items():
                served.setdefault(text, backend)
    hosts = [h for h in (_text(x) for x in _list(spec.get("hostnames"))) if h] or [None]
    parent_d = f"parent {', '.join(parents)}" if parents else None
    return [o.surface(kind, parent_d, host=h, path=p, targets=tuple(served.values()))
            for h in hosts for p, served in (by_path.items() or [(None, {})])]


def _istio_gateway(obj: dict[str, Any], o: _Origin) -> list[Surface]:
    """An Istio Gateway: one surface per server port and host. Its address is the one of the ingress gateway
    Service its ``selector`` picks, so it has none of its own; a host ``ns/name`` binds only that namespace's
    VirtualServices (``./``: the Gateway's own, ``*/``: any)."""
    spec = _map(obj.get("spec"))
    selector = ", ".join(f"{k}={_text(v) or ''}" for k, v in _map(spec.get("selector")).items())
    sel_d = f"selector {selector}" if selector else None
    out: list[Surface] = []
    for server in _list(spec.get("servers")):
        server = _map(server)
        port, tls = _map(server.get("port")), _map(server.get("tls"))
        tls_parts = [t for t in (_text(tls.get("mode")), _text(tls.get("credentialName"))) if t]
        tls_d = "tls " + " ".join(tls_parts) if tls_parts else None
        redirect = "redirects to https" if tls.get("httpsRedirect") is True else None
        for raw in [h for h in (_text(x) for x in _list(server.get("hosts"))) if h] or [None]:
            ns, _, host = (raw or "").rpartition("/")
            bind = {"": None, "*": None, ".": o.namespace}.get(ns, ns)
            out.append(o.surface("gateway", sel_d, tls_d, redirect,
                                 f"VirtualServices of {bind}" if bind else None,
                                 port=_port(port.get("number")), protocol=_text(port.get("protocol")),
                                 port_name=_text(port.get("name")), host=host or None))
    if not out:
        out.append(o.surface("gateway", sel_d))
    return out


def _istio_destination(host: str, port: str | None, namespace: str) -> Target:
    """A VirtualService destination: a Service (a short name, in the VirtualService's namespace, or
    ``name.ns.svc.cluster.local``) or any other host, which Istio takes as a fully qualified name, as text."""
    if "." not in host:
        return Target.backend(host, port)
    m = re.match(_ISTIO_SERVICE_HOST, host)
    if m:
        ns = m.group(3)
        return Target.backend(m.group(1), port, namespace=None if ns == namespace else ns)
    return Target(f"{host}:{port}" if port else host)


def _virtual_service(obj: dict[str, Any], o: _Origin) -> list[Surface]:
    """An Istio VirtualService bound to a Gateway: one surface per host and path. One bound only to ``mesh``
    (the default) routes between sidecars and makes nothing reachable that its Services do not already list."""
    spec = _map(obj.get("spec"))
    gateways = [g for g in (_text(x) for x in _list(spec.get("gateways"))) if g and g != "mesh"]
    if not gateways:
        return []
    backends: dict[str, Target] = {}
    paths: list[str] = []
    for key in ("http", "tls", "tcp"):
        for route in _list(spec.get(key)):
            route = _map(route)
            for dest in (_map(_map(d).get("destination")) for d in _list(route.get("route"))):
                host = _text(dest.get("host"))
                if host:
                    target = _istio_destination(host, _text(_map(dest.get("port")).get("number")), o.namespace)
                    backends.setdefault(target.text, target)
            if key != "http":
                continue
            # an http route without a uri match matches every path
            uris = [_map(_map(m).get("uri")) for m in _list(route.get("match"))] or [{}]
            for uri in uris:
                v = _text(uri.get("prefix")) or _text(uri.get("exact")) or _text(uri.get("regex")) or "/"
                if v not in paths:
                    paths.append(v)
    hosts = [h for h in (_text(x) for x in _list(spec.get("hosts"))) if h] or [None]
    gateway_d = f"gateway {', '.join(gateways)}"
    return [o.surface("virtualservice", gateway_d, host=h, path=p, targets=tuple(backends.values()))
            for h in hosts for p in (paths or [None])]


def flagger_objects(canary: dict[str, Any], ns: str) -> list[tuple[dict[str, Any], str]]:
    """What Flagger creates for a Canary, as (object, label): the apex ClusterIP Service, standing for it and
    its ``-primary`` and ``-canary`` twins on the same port (fluxcd/flagger Canary.GetServiceNames:
    ``spec.service.name``, else the target's name; ``spec.service.port``), and, when ``spec.service.gateways``
    names Istio Gateways, the VirtualService that binds ``spec.service.hosts`` (else the apex name) to them and
    routes to the primary and canary (its Istio router adds the ``mesh`` gateway)."""
    spec = _map(canary.get("spec"))
    svc = _map(spec.get("service"))
    apex = _text(svc.get("name")) or _text(_map(spec.get("targetRef")).get("name"))
    if not apex:
        return []
    port = _port(svc.get("port"))
    ports = [{"name": _text(svc.get("portName")) or "http", "port": port, "protocol": "TCP",
              "targetPort": svc.get("targetPort", port)}] if port is not None else []
    out = [({"apiVersion": "v1", "kind": "Service", "metadata": {"name": apex, "namespace": ns},
             "spec": {"type": "ClusterIP", "ports": ports}},
            f"Flagger Services {apex}, {apex}-primary, {apex}-canary")]
    gateways = [g for g in (_text(x) for x in _list(svc.get("gateways"))) if g]
    if gateways:
        hosts = [h for h in (_text(x) for x in _list(svc.get("hosts"))) if h] or [apex]
        route = [{"destination": {"host": name, **({"port": {"number": port}} if port is not None else {})}}
                 for name in (f"{apex}-primary", f"{apex}-canary")]
        out.append(({"apiVersion": f"{ISTIO_GROUP}/v1beta1", "kind": "VirtualService",
                     "metadata": {"name": apex, "namespace": ns},
                     "spec": {"gateways": [*gateways, "mesh"], "hosts": hosts, "http": [{"route": route}]}},
                    f"Flagger VirtualService {apex}"))
    return out


def _certificate(obj: dict[str, Any], o: _Origin) -> list[Surface]:
    spec = _map(obj.get("spec"))
    issuer = _map(spec.get("issuerRef"))
    issuer_name = _text(issuer.get("name"))
    targets = (Target.ref(_text(issuer.get("kind")) or "Issuer", issuer_name),) if issuer_name else ()
    secret = _text(spec.get("secretName"))
    names = [n for n in (_text(x) for x in _list(spec.get("dnsNames"))) if n]
    if not names and _text(spec.get("commonName")):
        names = [_text(spec.get("commonName"))]  # type: ignore[list-item]
    return [o.surface("certificate", f"secret {secret}" if secret else None, host=h, targets=targets)
            for h in (names or [None])]


_ISSUER = "cert-manager.io/issuer"
_CLUSTER_ISSUER = "cert-manager.io/cluster-issuer"
_ISSUER_KIND = "cert-manager.io/issuer-kind"
_ISSUER_GROUP = "cert-manager.io/issuer-group"
_TLS_ACME = "kubernetes.io/tls-acme"
_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")  # strconv.ParseBool
_TLS_PROTOCOLS = ("HTTPS", "TLS")


class DefaultIssuer(namedtuple("DefaultIssuer", "name kind file line")):
    """The issuer cert-manager's ingress-shim uses for an Ingress that names none (``--default-issuer-name`` and
    ``--default-issuer-kind``, default ``Issuer``), with the values line of the cert-manager release that sets it."""

    __slots__ = ()

    name: str
    kind: str
    file: str
    line: int


def _acme_only(obj: dict[str, Any], ann: dict[str, Any]) -> bool:
    """An Ingress the shim syncs for ``kubernetes.io/tls-acme: "true"`` alone (``hasShimAnnotation``: the
    auto-certificate annotation counts on Ingresses only), naming no issuer."""
    return (obj.get("kind") == "Ingress" and _ISSUER not in ann and _CLUSTER_ISSUER not in ann
            and _text(ann.get(_TLS_ACME)) in _GO_TRUE)


def _shim_issuer(ann: dict[str, Any], default: DefaultIssuer | None = None) -> tuple[str, Target] | None:
    """The annotation that makes cert-manager's certificate-shim create Certificates for an Ingress or Gateway and
    the issuer they name, as ``issuerForIngressLike`` reads them (certificate-shim/sync.go); None without one, or
    for annotations it refuses (both issuers; a cluster issuer with a kind or group). An Ingress annotated only
    ``kubernetes.io/tls-acme: "true"`` (``default`` given) gets the default issuer, its kind overridable."""
    issuer, cluster = _text(ann.get(_ISSUER)), _text(ann.get(_CLUSTER_ISSUER))
    if default is not None:
        return _TLS_ACME, Target.ref(_text(ann.get(_ISSUER_KIND)) or default.kind, default.name)
    if (_ISSUER in ann) == (_CLUSTER_ISSUER in ann):
        return None
    if cluster is not None:
        if _ISSUER_KIND in ann or _ISSUER_GROUP in ann:
            return None
        return (_CLUSTER_ISSUER, Target.ref("ClusterIssuer", cluster)) if cluster else None
    kind = _text(ann.get(_ISSUER_KIND)) or "Issuer"
    return (_ISSUER, Target.ref(kind, issuer)) if issuer else None


def _shim_certificates(obj: dict[str, Any], o: _Origin, taken: set[tuple[str, str]],
                       default: DefaultIssuer | None, diags: list[Diagnostic]) -> list[Surface]:
    """The Certificates cert-manager's certificate-shim creates for an annotated Ingress or Gateway
    (``buildCertificates``): one per Ingress ``spec.tls`` entry with hosts and a secretName (none when two entries
    share a secretName), or per Secret a Gateway's HTTPS/TLS listeners (not Passthrough, with a hostname) name in
    ``tls.certificateRefs``; named after the secret, its DNS names the hosts. One the repository also declares
    (``taken``: namespace and name) is that one, which the shim does not take over. For an Ingress annotated only
    ``kubernetes.io/tls-acme: "true"`` the shim needs a default issuer (``default``, else none is created: "Issuer
    name annotation is not set and a default issuer has not been configured"): without one the repository shows,
    a limit."""
    ann = _map(_map(obj.get("metadata")).get("annotations"))
    acme = _acme_only(obj, ann)
    if acme and default is None:
        if _list(_map(obj.get("spec")).get("tls")):
            diags.append(Diagnostic(o.file, o.line, f"Ingress {obj_name(obj)}: annotated {_TLS_ACME}: \"true\" "
                                    "without a cert-manager.io issuer: cert-manager's ingress-shim creates its "
                                    "Certificates only when it runs with a default issuer (--default-issuer-name, "
                                    "the cert-manager chart's ingressShim.defaultIssuerName), which this repository "
                                    "does not set: they are not listed", code="FW-CERT-DEFAULT-ISSUER-UNKNOWN",
                                    cls="limit"))
        return []
    found = _shim_issuer(ann, default if acme else None)
    if found is None:
        return []
    annotation, issuer = found
    kind, name, ns = str(obj.get("kind")), obj_name(obj), _obj_ns(obj) or o.namespace
    spec = _map(obj.get("spec"))
    hosts: dict[tuple[str, str], list[str]] = {}
    if kind == "Ingress":
        tls = [_map(t) for t in _list(spec.get("tls"))]
        secrets = [_text(t.get("secretName")) for t in tls]
        if len(secrets) != len(set(secrets)):
            return []
        for t, secret in zip(tls, secrets):
            names = [h for h in (_text(x) for x in _list(t.get("hosts"))) if h]
            if secret and names:
                hosts[(ns, secret)] = names
        created = "ingress-shim"
    else:
        for ln in (_map(x) for x in _list(spec.get("listeners"))):
            tls, hostname = _map(ln.get("tls")), _text(ln.get("hostname"))
            refs = [_map(r) for r in _list(tls.get("certificateRefs"))]
            if _text(ln.get("protocol")) not in _TLS_PROTOCOLS or tls.get("mode") == "Passthrough" \
                    or not hostname or not refs:
                continue
            if any(_text(r.get("group")) not in (None, "", "core") or _text(r.get("kind")) not in (None, "", "Secret")
                   or _text(r.get("namespace")) not in (None, ns) for r in refs):
                continue
            for r in refs:
                if _text(r.get("name")):
                    hosts.setdefault((ns, str(r["name"])), []).append(hostname)
        created = "gateway-shim, when cert-manager runs with its Gateway API support on"
    out = []
    for (cert_ns, cert), names in hosts.items():
        if (cert_ns, cert) in taken:
            continue
        detail = f"created by cert-manager ({created}) from the {annotation} annotation of {kind} {name}"
        if acme and default is not None:
            detail += f" with the default issuer ({default.file}:{default.line})"
        for host in dict.fromkeys(names):
            out.append(Surface(kind="certificate", layer=o.layer, namespace=cert_ns, name=cert,
                               object_kind="Certificate", detail=f"{detail}; secret {cert}", host=host,
                               targets=(issuer,), file=o.file, line=o.line, created_by=f"{kind} {name}"))
    return out


def _workload(obj: dict[str, Any], o: _Origin, services: list[str]) -> list[Surface]:
    pod = _map(pod_template(obj).get("spec"))
    containers = [_map(c) for c in _list(pod.get("containers"))]
    containers += [_map(c) for c in _list(pod.get("initContainers")) if _map(c).get("restartPolicy") == "Always"]
    svc_d = f"service: {', '.join(services)}" if services else None
    out: list[Surface] = []
    for c in containers:
        c_d = f"container {_text(c.get('name'))}" if _text(c.get("name")) else None
        ports = [_map(p) for p in _list(c.get("ports"))]
        for p in ports:
            out.append(o.surface("workload", c_d, svc_d, port=_port(p.get("containerPort")),
                                 protocol=_text(p.get("protocol")) or "TCP", port_name=_text(p.get("name")),
                                 targets=_image(c)))
        if not ports:
            out.append(o.surface("workload", c_d, svc_d, targets=_image(c)))
    if not out:
        out.append(o.surface("workload", svc_d))
    return out


# -- the public entry points ---------------------------------------------------
def default_issuer(helm_releases: Iterable[HelmReleaseInfo], line_of: LineOf | None = None) -> DefaultIssuer | None:
    """The default issuer of the cluster's cert-manager, from the values of its ``cert-manager`` HelmRelease: the
    controller's ``--default-issuer-name``/``-kind`` flags, which the chart writes from ``extraArgs`` and then
    from ``ingressShim.defaultIssuerName``/``Kind`` (templates/deployment.yaml; pflag keeps a flag's last value),
    else the ``config.ingressShimConfig`` the controller reads from its config file (flags win); None when none
    says one."""
    for hr in helm_releases:
        from .chart_values import chart_name  # loads with the first HelmRelease

        values = hr.values if isinstance(hr.values, dict) else {}
        if chart_name(hr) != "cert-manager":
            continue
        shim, config = _map(values.get("ingressShim")), _map(_map(values.get("config")).get("ingressShimConfig"))
        args = _flag_args(values.get("extraArgs"), ("default-issuer-name", "default-issuer-kind"))
        found = {}
        for key, flag in (("defaultIssuerName", "default-issuer-name"), ("defaultIssuerKind", "default-issuer-kind")):
            said = [(_text(shim.get(key)), ("ingressShim", key)), args.get(flag, ("", ())),
                    (_text(config.get(key)), ("config", "ingressShimConfig", key))]
            found[key] = next(((value, at) for value, at in said if value), ("", ()))
        name, at = found["defaultIssuerName"]
        if not name:
            continue
        kind = found["defaultIssuerKind"][0] or "Issuer"
        line = line_of(hr.file, hr.line, ("spec", "values", *at)) if line_of else hr.line
        return DefaultIssuer(name, kind, hr.file, line)
    return None


def _flag_args(args: Any, names: tuple[str, ...]) -> dict[str, tuple[str, tuple[str | int, ...]]]:
    """The value each flag of ``names`` last gets in a container's ``args`` (``--name=value``, or ``--name`` and the
    next arg, as pflag reads them) and where: ``("extraArgs", index)``."""
    items = _list(args)
    out: dict[str, tuple[str, tuple[str | int, ...]]] = {}
    for i, arg in enumerate(items):
        if not isinstance(arg, str) or not arg.startswith("--"):
            continue
        flag, eq, value = arg[2:].partition("=")
        if flag not in names:
            continue
        if not eq:
            value = items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], str) else ""
        out[flag] = (value, ("extraArgs", i))
    return out


def obj_name(obj: dict[str, Any]) -> str:
    return str(_map(obj.get("metadata")).get("name") or "")


def _obj_ns(obj: dict[str, Any]) -> str:
    return str(_map(obj.get("metadata")).get("namespace") or "")


def _group(obj: dict[str, Any]) -> str:
    av = str(obj.get("apiVersion") or "")
    return av.rsplit("/", 1)[0] if "/" in av else ""


class Placed:
    """An object to read surfaces from, with the origin its surfaces are attributed to (``patched_hosts``: see
    Resource.patched_hosts)."""

    __slots__ = ("obj", "origin", "patched_hosts")

    def __init__(self, obj: dict[str, Any], origin: _Origin,
                 patched_hosts: dict[tuple[str | int, ...], FieldAt] | None = None) -> None:
        self.obj = obj
        self.origin = origin
        self.patched_hosts = patched_hosts

    def host_written_at(self, tls: bool) -> dict[str, FieldAt]:
        """Where a patch wrote each host of the object, by the host's value now: those of ``spec.tls`` (what
        certificates are for) or the others (what routes serve)."""
        now = host_fields(self.obj) if self.patched_hosts else {}
        return {now[path]: at for path, at in (self.patched_hosts or {}).items()
                if path in now and (path[1] == "tls") == tls}


def _links(placed: list[Placed]) -> tuple[dict[int, list[str]], dict[int, list[Target]]]:
    """Services selecting each workload and workloads selected by each Service (same namespace, same origin set)."""
    workloads = [(i, p) for i, p in enumerate(placed) if p.obj.get("kind") in WORKLOAD_KINDS
                 and _group(p.obj) in ("apps", "batch")]
    svc_of: dict[int, list[str]] = defaultdict(list)
    wl_of: dict[int, list[Target]] = defaultdict(list)
    for i, p in enumerate(placed):
        if p.obj.get("kind") != "Service" or _group(p.obj):
            continue
        selector = _map(_map(p.obj.get("spec")).get("selector"))
        if not selector:
            continue
        for j, w in workloads:
            if _obj_ns(w.obj) != _obj_ns(p.obj):
                continue
            labels = _map(_map(pod_template(w.obj).get("metadata")).get("labels"))
            if _selects(selector, labels):
                svc_of[j].append(obj_name(p.obj))
                wl_of[i].append(Target.selected(str(w.obj.get("kind")), obj_name(w.obj)))
    return svc_of, wl_of


def _surfaces_of(placed: list[Placed], diags: list[Diagnostic], default: DefaultIssuer | None = None,
                 ) -> list[Surface]:
    svc_of, wl_of = _links(placed)
    out: list[Surface] = []
    certificates = {(_obj_ns(p.obj) or p.origin.namespace, obj_name(p.obj)) for p in placed
                    if p.obj.get("kind") == "Certificate" and _group(p.obj) == "cert-manager.io"}
    for i, p in enumerate(placed):
        obj, o = p.obj, p.origin
        kind, group = str(obj.get("kind") or ""), _group(obj)
        first = len(out)
        try:
            if kind == "Service" and group == "":
                out += _service(obj, o, sorted(wl_of.get(i, []), key=lambda t: t.text), diags)
            elif kind == "Ingress" and group in ("networking.k8s.io", "extensions"):
                out += _ingress(obj, o)
                out += _shim_certificates(obj, o, certificates, default, diags)
            elif kind in ("IngressRoute", "IngressRouteTCP", "IngressRouteUDP") and group in TRAEFIK_GROUPS:
                out += _traefik_route(obj, o)
            elif kind == "Gateway" and group == GATEWAY_GROUP:
                out += _gateway(obj, o)
                out += _shim_certificates(obj, o, certificates, default, diags)
            elif kind in GATEWAY_ROUTE_KINDS and group == GATEWAY_GROUP:
                out += _route(obj, o)
            elif kind == "Gateway" and group == ISTIO_GROUP:
                out += _istio_gateway(obj, o)
            elif kind == "VirtualService" and group == ISTIO_GROUP:
                out += _virtual_service(obj, o)
            elif kind == "Certificate" and group == "cert-manager.io":
                out += _certificate(obj, o)
            elif kind in WORKLOAD_KINDS and group in ("apps", "batch"):
                out += _workload(obj, o, sorted(svc_of.get(i, [])))
            elif kind == "ConfigMap" and group == "":
                out += [o.surface("tunnel", host=r.host, path=r.path, targets=(service_target(r.service),))
                        for text in config_texts(obj) for r in tunnel_rules(text)]
        except (AttributeError, TypeError, ValueError) as exc:  # malformed object: one warning, go on
            diags.append(Diagnostic(o.file, o.line, f"{kind} {obj_name(obj)}: could not read surfaces ({exc})",
                                    code="FW-SURFACE-UNREAD", cls="limit"))
        written = {tls: p.host_written_at(tls) for tls in (False, True)} if p.patched_hosts else {}
        for j in range(first, len(out) if written else first):
            at = written[out[j].kind == "certificate"].get(out[j].host or "")
            if at is not None:
                out[j] = out[j].replace(file=at.file, line=at.line)
    return out


_MIN_SECRET_LEN = 8  # shorter values under secret-like keys ('http', 'true', 'admin') are too common to match


def _matchable(secrets: set[str]) -> list[str]:
    """The secret strings :func:`_scrub` looks for in a field's text: ``${VAR}`` placeholders are not secrets (the page
    shows them verbatim) and are not matched, nor are short ones."""
    return [x for x in secrets if len(x) >= _MIN_SECRET_LEN and "${" not in x]


def _scrub(s: Surface, secrets: list[str]) -> Surface:
    """Hide any field whose text is secret material (one of the :func:`_matchable` ``secrets``, SOPS, PEM)."""
    changes: dict[str, Any] = {}
    for f in ("address", "host", "path", "target", "detail", "port_name", "protocol"):
        v = getattr(s, f)
        if v is None:
            continue
        if is_secret_payload(v) or (secrets and any(x in v for x in secrets)):
            changes[f] = HIDDEN
    if "target" in changes:
        changes["targets"] = (Target(changes.pop("target")),)
    return s.replace(**changes) if changes else s


def _order(s: Surface) -> tuple:
    return (s.sort_key(), s.port_name or "", s.protocol or "", s.target or "", s.detail or "", s.file, s.line)


LineOf = Callable[[str, int, tuple[str | int, ...]], int]  # (file, document line, field path) -> the field's line


def extract_surfaces(layer: str, resources: list[Resource], helm_releases: list[HelmReleaseInfo],
                     line_of: LineOf | None = None, default_issuer: DefaultIssuer | None = None,
                     ) -> tuple[list[Surface], list[Diagnostic]]:
    """All surfaces declared by one Flux Kustomization's built objects (`layer` is its id
    'namespace/name'). Sorted by Surface.sort_key(); deterministic. ``default_issuer`` is the cluster's
    cert-manager default issuer (:func:`default_issuer`), for Ingresses annotated only ``kubernetes.io/tls-acme``.

    A surface read from a HelmRelease's values points at the values key it comes from (``line_of`` finds
    ``spec.values.<path>`` in the HelmRelease's document), else at the HelmRelease; a host a patch wrote into
    the values points at that patch (``Resource.values_at``)."""
    diags: list[Diagnostic] = []
    placed: list[Placed] = []
    secrets: set[str] = set()
    hr_objects: dict[tuple[str, str], dict[str, Any]] = {}
    hr_values_at: dict[tuple[str, str], dict[ValuesPath, FieldAt]] = {}
    for r in resources:
        if r.kind == "Secret":
            continue
        # a SOPS document: only its clear text is read (a Secret's data never is, clear or not)
        obj = without_ciphertext(r.obj) if r.encrypted or "sops" in r.obj else r.obj
        if r.kind == "HelmRelease":
            hr_objects[(r.namespace, r.name)] = obj
            if r.values_at:
                hr_values_at[(r.namespace, r.name)] = r.values_at
        placed.append(Placed(obj, _Origin(layer, r.namespace, r.name, r.kind, r.file, r.line), r.patched_hosts))
        if r.kind == "Canary" and r.group == FLAGGER_GROUP:
            line = line_of(r.file, r.line, ("spec", "service")) if line_of else r.line
            placed += [Placed(flagged, _Origin(layer, r.namespace, r.name, r.kind, r.file, line, label))
                       for flagged, label in flagger_objects(obj, r.namespace)]
    out = _surfaces_of(placed, diags, default_issuer)
    for hr in helm_releases:
        key: tuple[str, str] | None = (hr.namespace, hr.name)
        hr_obj = hr_objects.get((hr.namespace, hr.name))
        if hr_obj is None:  # the built object may not carry the namespace Flux gives it
            same_name = [k for k in hr_objects if k[1] == hr.name]
            key = same_name[0] if len(same_name) == 1 else None
            hr_obj = hr_objects[key] if key else None
        from .chart_values import render_release  # loads with the first HelmRelease

        rendered, hr_diags = render_release(hr, hr_obj)
        diags += hr_diags
        secrets |= secret_strings(hr.values)
        hr_placed = [Placed(obj, _Origin(layer, hr.namespace, hr.name, "HelmRelease", hr.file,
                                         line_of(hr.file, hr.line, ("spec", "values", *at.path)) if line_of
                                         else hr.line, str(at)))
                     for obj, at in rendered]
        found = _surfaces_of(hr_placed, diags, default_issuer)
        patched = hr_values_at.get(key) if key else None
        if patched and hr_obj is not None:
            found = _patched_hosts(found, hr_obj, patched, {str(at): at.path for _, at in rendered})
        out += _own_backends(found, helm_release_identity(hr.name, hr.namespace, _map(hr_obj).get("spec"))[1],
                             rendered)
    matchable = _matchable(secrets)
    out = [_scrub(s, matchable) for s in out]
    return sorted(out, key=_order), sorted(set(diags))


def _patched_hosts(surfaces: list[Surface], hr_obj: dict[str, Any], patched: dict[ValuesPath, FieldAt],
                   values_from: dict[str, tuple[str, ...]]) -> list[Surface]:
    """Surfaces whose host a patch wrote into the HelmRelease's values, pointed at that patch: a values leaf the
    patch changed, under the values key the surface is read from, that holds the host."""
    values = _map(hr_obj.get("spec")).get("values")
    out = []
    for s in surfaces:
        under = values_from.get((s.detail or "").split("; ")[0], ())
        path = next((p for p in patched if s.host and p[:len(under)] == under
                     and value_at(values, p) == (True, s.host)), None)
        at = patched[path] if path is not None else None
        if at is not None:
            s = s.replace(file=at.file, line=at.line)
        out.append(s)
    return out


def _own_backends(surfaces: list[Surface], namespace: str, rendered: list[tuple[dict[str, Any], Any]],
                  ) -> list[Surface]:
    """A HelmRelease's routes whose backend is a Service the same release renders (app-template's
    ``service.identifier: app``) lead back into the release itself: that backend keeps its text but names no
    object of its own, so a layer diagram does not draw it as a Service the layer does not apply. ``namespace``
    is the one the release installs into (``spec.targetNamespace``, else the HelmRelease's)."""
    own = {obj_name(obj) for obj, _ in rendered if obj.get("kind") == "Service" and not _group(obj)
           and _obj_ns(obj) in ("", namespace)}
    out = []
    for s in surfaces:
        if s.targets and any(t.kind == "Service" and t.name in own and (t.namespace or namespace) == namespace
                             for t in s.targets):
            s = s.replace(targets=tuple(Target(t.text, port=t.port) if t.kind == "Service" and t.name in own
                                        and (t.namespace or namespace) == namespace else t for t in s.targets))
        out.append(s)
    return out


Claim = tuple[str, int, str]  # a LoadBalancer address, port and protocol


def _claims(s: Surface) -> Iterable[Claim]:
    if s.kind not in CLAIM_SURFACES or not s.address or s.port is None:
        return
    proto = (s.protocol or "TCP").upper()
    proto = "TCP" if proto in ("HTTP", "HTTPS", "TLS", "GRPC") else proto
    for addr in _addresses(s):
        yield addr, s.port, proto


def _addresses(s: Surface) -> Iterable[str]:
    """The addresses a surface asks for that can be compared (not ``${VAR}``, a template or hidden), one by one,
    an IP in its canonical form (``fd00:0:0::5`` is ``fd00::5``)."""
    for addr in address_list(s.address):
        if "$" in addr or "{{" in addr or addr == HIDDEN:
            continue
        try:
            yield ipaddress.ip_address(addr).compressed
        except ValueError:
            yield addr


def _label(s: Surface) -> str:
    return f"{s.object_kind} {s.namespace}/{s.name} ({s.file}:{s.line})"


def contested_claims(surfaces: list[Surface], where: Callable[[Surface], str] | None = None,
                     ) -> dict[Claim, list[Surface]]:
    """(address, port, protocol) claimed by more than one object -> its claimants, in input order.

    Gateways with an address count as LoadBalancer claims too (the controller makes one).
    Unresolved addresses (``${VAR}``, templates) cannot be compared and are skipped. ``where`` names the
    cluster a surface is on (a hub's spokes each have their own network): only claims on one cluster clash.
    """
    by_claim: dict[tuple[str, Claim], dict[int, Surface]] = defaultdict(dict)
    for s in surfaces:
        here = where(s) if where is not None else ""
        for claim in _claims(s):
            by_claim[(here, claim)].setdefault(id(s), s)
    out: dict[Claim, list[Surface]] = {}
    for (_, claim), found in by_claim.items():
        if len({(c.object_kind, c.namespace, c.name, c.file, c.line) for c in found.values()}) >= 2:
            out.setdefault(claim, []).extend(found.values())
    return out


def duplicate_claims(surfaces: list[Surface]) -> list[Diagnostic]:
    """Two LoadBalancer surfaces claiming the same address:port/protocol (across all layers) -> one warning
    on the later claimant (see :func:`claim_warnings`). Sharing an address on different ports or protocols
    is fine (MetalLB ``allow-shared-ip``, Cilium ``sharing-key``); on the same port it never is."""
    return claim_warnings(contested_claims(surfaces))


ClaimRank = Callable[[Surface], Any]  # sorts the claimants of one claim: the lowest is the first claimant


def claim_warnings(contested: dict[Claim, list[Surface]], rank: ClaimRank | None = None) -> list[Diagnostic]:
    """One warning per later claimant of each contested claim (:func:`contested_claims`), at its file:line,
    naming the first claimant's file:line: a conflict is reported once, not from both sides.

    The first claimant is the lowest by ``rank`` (the engine ranks by the layer's level in the effective
    order, so the object applied first comes first), then by file and line. Each warning names one other
    object, so n claims of one address cost O(n) text.
    """
    out: set[Diagnostic] = set()
    for (addr, port, proto), claimants in contested.items():
        owners: dict[str, Surface] = {}  # one per owner (kind, namespace, name, file:line)
        for c in sorted(claimants, key=lambda c: (rank(c) if rank else 0, c.file, c.line, _label(c))):
            owners.setdefault(_label(c), c)
        first, *later = owners
        for label in later:
            c = owners[label]
            out.add(Diagnostic(c.file, c.line, f"{label} claims LoadBalancer {endpoint(addr, port)}/{proto}, "
                                               f"already claimed by {first}", code="FW-LB-DUPLICATE"))
    return sorted(out)


def unshared_claims(surfaces: list[Surface], where: Callable[[Surface], str] | None = None,
                    rank: ClaimRank | None = None) -> tuple[list[Diagnostic], list[Surface]]:
    """LoadBalancer Services MetalLB allocates that ask for one address without a common sharing key, and
    the claimants of those conflicts. MetalLB (its allocator's sharingOK) gives a Service an address another
    Service holds only when both carry the same ``allow-shared-ip`` key; the first claimant (as
    :func:`claim_warnings` orders them) keeps it, so the warning sits at each later one, naming the first. A key
    not known here (``${VAR}``) is not judged; a clash on one port is :func:`contested_claims`' and not repeated.
    """
    owners: dict[tuple[str, str], dict[str, list[Surface]]] = defaultdict(lambda: defaultdict(list))
    for s in surfaces:
        if s.kind == "loadbalancer" and s.metallb_key is not None:
            for addr in _addresses(s):
                owners[(where(s) if where is not None else "", addr)][_label(s)].append(s)
    out: set[Diagnostic] = set()
    flagged: list[Surface] = []
    for (_, addr), by_owner in owners.items():
        if len(by_owner) < 2:
            continue
        first, *later = sorted(by_owner, key=lambda label: (rank(by_owner[label][0]) if rank else 0,
                                                             by_owner[label][0].file, by_owner[label][0].line, label))
        key = by_owner[first][0].metallb_key or ""
        first_claims = {c for s in by_owner[first] for c in _claims(s)}
        backend = by_owner[first][0].metallb_backend
        for label in later:
            c = by_owner[label][0]
            own = c.metallb_key or ""
            if "$" in key + own or HIDDEN in (key, own) \
                    or first_claims & {x for s in by_owner[label] for x in _claims(s)}:
                continue
            if key and key == own:
                if backend is None or c.metallb_backend is None or backend == c.metallb_backend \
                        or "$" in backend + c.metallb_backend:
                    continue
                why = (f"their backends differ ({_policy(backend)} and {_policy(c.metallb_backend)}): MetalLB shares "
                       "an address only between Services with externalTrafficPolicy Cluster, or Local with the same "
                       "pod selector")
            else:
                why = ("it has no allow-shared-ip key" if not own else "the first has no allow-shared-ip key"
                       if not key else "their allow-shared-ip keys differ") + \
                    ": MetalLB shares an address only between Services with the same key"
            out.add(Diagnostic(c.file, c.line, f"{label} asks MetalLB for LoadBalancer address {addr}, already "
                                               f"claimed by {first}, and {why}, so it leaves this one pending",
                               code="FW-LB-UNSHARED"))
            flagged += by_owner[first] + by_owner[label]
    return sorted(out), flagged


def _policy(backend: str) -> str:
    """A MetalLB backend key as the Service fields that make it."""
    return f"Local with selector {backend}" if backend else "Cluster, or Local without a selector"
