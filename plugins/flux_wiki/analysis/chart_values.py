"""HelmRelease values readers: the objects a known chart renders, as far as its values say.

Each reader follows the chart's values schema (not a guess) and returns plain
Kubernetes-shaped objects (Service, Ingress, HTTPRoute, IngressRoute, workloads)
so :mod:`.surfaces` reads them with the same extractors as built objects.
Charts without a reader yield no objects and one ``info`` diagnostic: the layer
page then says "chart X version Y from source Z" and nothing invented.

Known charts:
- bjw-s ``app-template`` (common library v2+: ``controllers``, ``service.<id>``,
  ``ingress.<id>``, ``route.<id>``; and the older v1 shape with a top-level
  ``image``/``controller``, ``ingress.<id>.enabled`` defaulting to false and
  Services named from the release's fullname);
- ``traefik`` (``service.*``, ``ports.<name>.{port, exposedPort, expose}``, ``ingressRoute.dashboard``);
- ``grafana`` and ``kube-prometheus-stack`` (``grafana.*`` subchart, ``prometheus``/``alertmanager``
  ``service``/``ingress``); ``pgadmin4`` and ``podinfo`` (``service.*`` + ``ingress.*``; podinfo's ``httpRoute.*`` too);
- ``ingress-nginx`` (``controller.service.*``);
- Istio's ``gateway`` (``service.*``, ``name``, ``networkGateway``), read only from Istio's chart repositories
  since the name is generic;
- ori-edge's ``k8s-gateway`` (``service.*``, ``domain``), read only from ori-edge's chart repository, and the
  k8s-gateway/k8s_gateway fork's chart of that name, 3.0 to 3.3 (the same values), only from the fork's registries;
- ``flux-operator`` (its Service, the web UI's port 9080 and ``web.ingress``/``web.httpRoute``), from 0.36.0 and
  from ControlPlane's registries only (another project publishes an unrelated chart of that name);
- goauthentik's ``authentik`` (the server's Service, ``server.ingress``, ``server.route.<name>``), from 2024.x
  and from charts.goauthentik.io only (TrueCharts and others publish charts of that name).
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable
from functools import partial
from typing import Any

from ..flux.helm import merge_maps
from ..model import Diagnostic, HelmReleaseInfo, helm_release_identity

_OCI_TAG = re.compile(r"[:@][^/]*$")


def normalize_url(url: str | None) -> str:
    """A repository URL for comparison: lower-case scheme and host, no trailing slash, no OCI tag/digest."""
    if not url:
        return ""
    text = str(url).strip().rstrip("/")
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text.lower()
    host, slash, path = rest.partition("/")
    if scheme.lower() == "oci" and path:
        path = _OCI_TAG.sub("", path)
    return f"{scheme.lower()}://{host.lower()}{slash}{path}".rstrip("/")


class ValuesAt(namedtuple("ValuesAt", "path label", defaults=("",))):
    """Where in a release's values a rendered object comes from: the key path (``service``, ``app``), which
    points a surface at its values line, and how pages name it (``values service.app``)."""

    __slots__ = ()

    path: tuple[str, ...]
    label: str

    def __str__(self) -> str:
        return self.label or "values " + ".".join(self.path)


Rendered = list[tuple[dict[str, Any], ValuesAt]]  # (object, where in the values it came from)

APP_TEMPLATE = "app-template"
_RELEASE_TPL = re.compile(r"\{\{-?\s*\.Release\.(Name|Namespace)\s*-?\}\}")
_APP_TEMPLATE_KINDS = {"deployment": "Deployment", "statefulset": "StatefulSet", "daemonset": "DaemonSet",
                       "cronjob": "CronJob", "job": "Job"}
_CONTROLLER_LABEL = "app.kubernetes.io/controller"


class Release:
    """What a reader needs to know about the release besides its values."""

    __slots__ = ("name", "namespace", "chart", "version", "values")

    def __init__(self, name: str, namespace: str, chart: str, version: str | None, values: dict[str, Any]) -> None:
        self.name = name  # Helm release name (spec.releaseName, else [targetNamespace-]name as Flux does)
        self.namespace = namespace  # where the chart's objects land (spec.targetNamespace, else the HelmRelease's)
        self.chart = chart
        self.version = version
        self.values = values


def _map(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _enabled(item: dict[str, Any], default: bool = True) -> bool:
    v = item.get("enabled", default)
    return v if isinstance(v, bool) else default


def chart_name(hr: HelmReleaseInfo) -> str | None:
    """The chart's name: ``chart`` as given (last path segment of an OCI ref), else the source URL's last segment."""
    for raw in (hr.chart, hr.source_url if hr.source_kind == "OCIRepository" else None):
        if raw:
            name = str(raw).rstrip("/").rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
            if name:
                return name
    return None


def _meta(name: str, namespace: str, annotations: Any = None) -> dict[str, Any]:
    md: dict[str, Any] = {"name": name, "namespace": namespace}
    if isinstance(annotations, dict):
        md["annotations"] = annotations
    return md


def _helm_fullname(release: str, chart: str, values: dict[str, Any]) -> str:
    """Helm's usual ``fullname`` helper: fullnameOverride, else release (if it contains the chart name), else release-chart."""
    if values.get("fullnameOverride"):
        return str(values["fullnameOverride"])[:63].rstrip("-")
    name = str(values.get("nameOverride") or chart)
    return (release if name in release else f"{release}-{name}")[:63].rstrip("-")


# -- app-template ----------------------------------------------------------------
def _image(spec: Any) -> str | None:
    spec = _map(spec)
    repo = spec.get("repository")
    if not repo:
        return None
    out = str(repo)
    if spec.get("tag") not in (None, ""):
        out += f":{spec['tag']}"
    if spec.get("digest"):
        out += f"@{spec['digest']}"
    return out


def _workload(kind: str, name: str, ns: str, controller: str, containers: list[dict[str, Any]]) -> dict[str, Any]:
    template = {"metadata": {"labels": {_CONTROLLER_LABEL: controller}}, "spec": {"containers": containers}}
    group = "batch/v1" if kind in ("CronJob", "Job") else "apps/v1"
    spec: dict[str, Any] = {"jobTemplate": {"spec": {"template": template}}} if kind == "CronJob" \
        else {"template": template}
    return {"apiVersion": group, "kind": kind, "metadata": _meta(name, ns), "spec": spec}


def _app_template_service(sid: str, svc: dict[str, Any], ns: str, controller: str | None) -> dict[str, Any]:
    ports = []
    for pname, p in sorted(_map(svc.get("ports")).items()):
        p = _map(p)
        if not _enabled(p):
            continue
        proto = str(p.get("protocol") or "TCP").upper()
        port: dict[str, Any] = {"name": pname, "port": p.get("port"),
                                "protocol": "UDP" if proto == "UDP" else "TCP"}
        for k in ("targetPort", "nodePort"):
            if p.get(k) is not None:
                port[k] = p[k]
        ports.append(port)
    spec: dict[str, Any] = {k: svc[k] for k in ("type", "loadBalancerIP", "loadBalancerClass", "clusterIP",
                                                 "externalName") if svc.get(k) is not None}
    spec["ports"] = ports
    if controller:
        spec["selector"] = {_CONTROLLER_LABEL: controller}
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(sid, ns, svc.get("annotations")), "spec": spec}


def _app_template_primary_port(svc: dict[str, Any]) -> Any:
    """The port a reference without one gets (lib service primaryPort): the enabled port marked ``primary``,
    else the first by name."""
    ports = {n: _map(p) for n, p in sorted(_map(svc.get("ports")).items())
             if _enabled(_map(p)) and _map(p).get("port") is not None}
    marked = [p for p in ports.values() if p.get("primary") is True]
    first = marked[-1] if marked else next(iter(ports.values()), {})
    return first.get("port")


def _app_template_ref(ref: Any, services: dict[str, dict[str, Any]]) -> tuple[Any, Any]:
    """The service and port a route backendRef or ingress path service points to; one without name or
    identifier points to the only enabled Service, if there is one (lib route/ingress autoDetectService)."""
    ref = _map(ref)
    name = ref.get("identifier") or ref.get("name")
    if not name and len(services) == 1:
        name = next(iter(services))
    port = ref.get("port")
    if port in (None, "") and not ref.get("name") and name in services:
        port = _app_template_primary_port(services[name])
    return name, port


def _service_backend(name: Any, port: Any) -> dict[str, Any]:
    return {"service": {"name": name, "port": {"number" if isinstance(port, int) else "name": port}}} \
        if name else {}


def _app_template_backend(ref: Any, services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return _service_backend(*_app_template_ref(ref, services))


def _app_template_v1_backend(ref: Any, default: tuple[str, Any]) -> dict[str, Any]:
    """common 1.x: a path's ``service.name`` and ``service.port``, each defaulting to ``default``'s."""
    ref = _map(ref)
    return _service_backend(ref.get("name") or default[0], ref.get("port") or default[1])


def _app_template_ingress(iid: str, ing: dict[str, Any], ns: str,
                          backend: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """``backend`` turns a path's ``service`` values into the Ingress backend the chart writes."""
    rules = []
    for h in _list(ing.get("hosts")):
        h = _map(h)
        paths = [{"path": _map(p).get("path"), "backend": backend(_map(p).get("service"))}
                 for p in _list(h.get("paths"))]
        rules.append({"host": h.get("host"), "http": {"paths": paths}})
    spec = {"ingressClassName": ing.get("className") or ing.get("ingressClassName"), "rules": rules,
            "tls": _list(ing.get("tls"))}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": _meta(iid, ns, ing.get("annotations")), "spec": spec}


def _app_template_route(rid: str, route: dict[str, Any], ns: str,
                        services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A route without rules sends to the only enabled Service (route.json: "Defaults to the primary service")."""
    rules = []
    for r in _list(route.get("rules")) or ([{"backendRefs": [{}]}] if len(services) == 1 else []):
        r = _map(r)
        refs = []
        for b in _list(r.get("backendRefs")):
            name, port = _app_template_ref(b, services)
            refs.append({"name": name, "port": port,
                         **({"namespace": _map(b)["namespace"]} if _map(b).get("namespace") else {})})
        rules.append({"backendRefs": refs, "matches": _list(r.get("matches"))})
    spec = {"hostnames": _list(route.get("hostnames")), "parentRefs": _list(route.get("parentRefs")),
            "rules": rules}
    kind = str(route.get("kind") or "HTTPRoute")
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind,
            "metadata": _meta(str(route.get("namespaceOverride") or rid), ns, route.get("annotations")),
            "spec": spec}


def _app_template_v1(rel: Release) -> bool:
    """The pre-2.0 shape (common library 1.x): chart version 0.x/1.x, else a top-level image/controller."""
    if rel.version and re.match(r"^v?[01]\.", rel.version):
        return True
    if rel.version and re.match(r"^v?\d", rel.version):
        return False
    return "controllers" not in rel.values and ("image" in rel.values or "controller" in rel.values)


# common 1.x values.yaml: the one Service and port it enables, both primary
_APP_TEMPLATE_V1_SERVICES = {"main": {"enabled": True, "primary": True,
                                      "ports": {"http": {"enabled": True, "primary": True}}}}


def _app_template_v1_services(rel: Release) -> tuple[dict[str, dict[str, Any]], dict[str, str], tuple[str, Any]]:
    """The Services common 1.x renders (key -> values keeping only enabled ports), each one's name, and the
    Service and port an ingress path without ``service.name``/``service.port`` goes to (classes/_ingress.tpl).

    Only what ``enabled`` turns on renders (_service.tpl, classes/_service.tpl); the primary Service is the
    last key marked ``primary``, else the first, and is named fullname, another fullname-<key>, either with
    ``-<nameOverride>`` instead when one is set; a path defaults to the primary one on its primary port."""
    v = rel.values
    glob = _map(v.get("global"))
    fullname = _helm_fullname(rel.name, rel.chart, {k: glob.get(k) or v.get(k)
                                                    for k in ("nameOverride", "fullnameOverride")})
    services = {}
    for sid, svc in sorted(merge_maps(_APP_TEMPLATE_V1_SERVICES, _map(v.get("service"))).items()):  # Helm's merge
        svc = _map(svc)
        if _enabled(svc, default=False):
            ports = {n: p for n, p in _map(svc.get("ports")).items() if _enabled(_map(p), default=False)}
            services[sid] = {**svc, "ports": ports}
    marked = [sid for sid, svc in services.items() if svc.get("primary") is True]
    primary = marked[-1] if marked else next(iter(services), None)
    names = {}
    for sid, svc in services.items():
        suffix = svc.get("nameOverride") or (None if sid == primary else sid)
        names[sid] = f"{fullname}-{suffix}" if suffix else fullname
    default = (names[primary], _app_template_primary_port(services[primary])) if primary else (fullname, None)
    return services, names, default


def _app_template(rel: Release) -> Rendered:
    """bjw-s app-template / common library values (v2+ with ``controllers``; v1 with a top-level ``image``). A
    ``configMaps.<id>`` is rendered with its ``data`` (what a ConfigMap can route, such as a cloudflared file)."""
    v = rel.values
    ns = rel.namespace
    out: Rendered = []
    v1 = _app_template_v1(rel)
    controllers: list[str] = []
    if v1:
        ctl = _map(v.get("controller"))
        if _enabled(ctl):
            controllers = ["main"]
            kind = _APP_TEMPLATE_KINDS.get(str(ctl.get("type") or "deployment").lower(), "Deployment")
            out.append((_workload(kind, "main", ns, "main", [{"name": "main", "image": _image(v.get("image"))}]),
                        ValuesAt(("image",))))
    else:
        for cid, ctl in sorted(_map(v.get("controllers")).items()):
            ctl = _map(ctl)
            if not _enabled(ctl):
                continue
            controllers.append(cid)
            kind = _APP_TEMPLATE_KINDS.get(str(ctl.get("type") or "deployment").lower(), "Deployment")
            containers = [{"name": n, "image": _image(_map(c).get("image"))}
                          for n, c in sorted(_map(ctl.get("containers")).items()) if _enabled(_map(c))]
            out.append((_workload(kind, cid, ns, cid, containers), ValuesAt(("controllers", cid))))
    backend: Callable[[Any], dict[str, Any]]
    if v1:
        services, names, default = _app_template_v1_services(rel)
        backend = partial(_app_template_v1_backend, default=default)
    else:
        services = {sid: _map(svc) for sid, svc in sorted(_map(v.get("service")).items()) if _enabled(_map(svc))}
        names = {sid: sid for sid in services}
        backend = partial(_app_template_backend, services=services)
    for sid, svc in services.items():
        ctl_id = svc.get("controller") or (sid if sid in controllers else None) \
            or (controllers[0] if len(controllers) == 1 else None)
        out.append((_app_template_service(names[sid], svc, ns, ctl_id), ValuesAt(("service", sid))))
    for iid, ing in sorted(_map(v.get("ingress")).items()):
        ing = _map(ing)
        if _enabled(ing, default=not v1):
            out.append((_app_template_ingress(iid, ing, ns, backend), ValuesAt(("ingress", iid))))
    for rid, route in sorted(_map(v.get("route")).items()):
        route = _map(route)
        if _enabled(route, default=not v1):
            out.append((_app_template_route(rid, route, ns, {} if v1 else services), ValuesAt(("route", rid))))
    for cid, cm in sorted(_map(v.get("configMaps")).items()):
        cm = _map(cm)
        if _enabled(cm, default=not v1) and isinstance(cm.get("data"), dict):
            out.append(({"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(cid, ns), "data": cm["data"]},
                        ValuesAt(("configMaps", cid))))
    return out


# -- charts with the common "service + ingress" shape -------------------------------
def _common_service(name: str, ns: str, svc: dict[str, Any], default_port: int | None,
                    port_name: str | None, target_port: Any = None) -> dict[str, Any]:
    ports = []
    for p in _list(svc.get("ports")):  # some charts list ports
        ports.append({k: _map(p)[k] for k in ("name", "port", "protocol", "targetPort", "nodePort")
                      if _map(p).get(k) is not None})
    if not ports:
        port = svc.get("port", svc.get("externalPort", default_port))
        if port is not None:
            entry = {"name": svc.get("portName", port_name), "port": port, "protocol": "TCP",
                     "targetPort": svc.get("targetPort", target_port)}
            if svc.get("nodePort") is not None:
                entry["nodePort"] = svc["nodePort"]
            ports.append({k: x for k, x in entry.items() if x is not None})
    spec: dict[str, Any] = {k: svc[k] for k in ("type", "loadBalancerIP", "loadBalancerClass")
                            if svc.get(k) is not None}
    spec["ports"] = ports
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(name, ns, svc.get("annotations")), "spec": spec}


def _common_ingress(name: str, ns: str, ing: dict[str, Any], backend: str, port: Any) -> dict[str, Any]:
    """``ingress.hosts`` as strings (grafana, prometheus) or ``{host, paths}`` (pgadmin4, podinfo)."""
    be_port = {"number" if isinstance(port, int) else "name": port}
    default_paths = [p for p in ([ing.get("path")] if ing.get("path") else _list(ing.get("paths"))) or ["/"]]
    rules = []
    for h in _list(ing.get("hosts")):
        if isinstance(h, dict):
            paths = [_map(p).get("path") if isinstance(p, dict) else p for p in _list(h.get("paths"))] or [None]
            host = h.get("host")
        else:
            paths, host = default_paths, h
        rules.append({"host": host, "http": {"paths": [
            {"path": p, "backend": {"service": {"name": backend, "port": be_port}}} for p in paths]}})
    spec = {"ingressClassName": ing.get("ingressClassName") or ing.get("className"), "rules": rules,
            "tls": _list(ing.get("tls"))}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": _meta(name, ns, ing.get("annotations")), "spec": spec}


def _service_and_ingress(values: dict[str, Any], name: str, ns: str, where: tuple[str, ...],
                         default_port: int | None, port_name: str | None, target_port: Any = None) -> Rendered:
    """A ``service`` block (only when the values configure one) and an enabled ``ingress`` block."""
    out: Rendered = []
    svc = _map(values.get("service"))
    if svc and _enabled(svc):
        out.append((_common_service(name, ns, svc, default_port, port_name, target_port),
                    ValuesAt((*where, "service"))))
    ing = _map(values.get("ingress"))
    if ing and _enabled(ing, default=False):
        port = svc.get("port", default_port) if svc else default_port
        out.append((_common_ingress(name, ns, ing, name, port), ValuesAt((*where, "ingress"))))
    return out


def _grafana(rel: Release, values: dict[str, Any] | None = None, where: tuple[str, ...] = (),
             chart: str = "grafana") -> Rendered:
    v = rel.values if values is None else values
    name = _helm_fullname(rel.name, chart, v)
    return _service_and_ingress(v, name, rel.namespace, where, 80, "service", 3000)


def _kube_prometheus_stack(rel: Release) -> Rendered:
    v = rel.values
    out: Rendered = []
    g = _map(v.get("grafana"))
    if g and _enabled(g):
        out += _grafana(rel, g, ("grafana",))
    base = _helm_fullname(rel.name, "kube-prometheus-stack", v)[:26].rstrip("-")  # kps truncates to 26
    for comp, port in (("prometheus", 9090), ("alertmanager", 9093)):
        c = _map(v.get(comp))
        if c and _enabled(c):
            out += _service_and_ingress(c, f"{base}-{comp}", rel.namespace, (comp,), port, "http-web")
    return out


def _pgadmin4(rel: Release) -> Rendered:
    name = _helm_fullname(rel.name, "pgadmin4", rel.values)
    return _service_and_ingress(rel.values, name, rel.namespace, (), 80, "http", 80)


def _podinfo(rel: Release) -> Rendered:
    v = rel.values
    svc = _map(v.get("service"))
    if svc and "externalPort" in svc and "port" not in svc:
        v = {**v, "service": {**svc, "port": svc["externalPort"]}}
    name = _helm_fullname(rel.name, "podinfo", v)
    out = _service_and_ingress(v, name, rel.namespace, (), 9898, "http", "http")
    route = _map(v.get("httpRoute"))
    if route and _enabled(route, default=False):
        out.append((_podinfo_route(name, rel.namespace, route, _map(v.get("service")).get("externalPort", 9898)),
                    ValuesAt(("httpRoute",))))
    return out


def _podinfo_route(name: str, ns: str, route: dict[str, Any], port: Any) -> dict[str, Any]:
    """templates/httproute.yaml: every rule of ``httpRoute.rules`` (its matches and filters) sends to the release's
    service on ``service.externalPort``; the chart's default values hold one rule."""
    rules = [{"matches": _list(_map(r).get("matches")), "backendRefs": [{"name": name, "port": port, "weight": 1}]}
             for r in (_list(route["rules"]) if "rules" in route else [{}])]
    spec = {"parentRefs": _list(route.get("parentRefs")), "hostnames": _list(route.get("hostnames")), "rules": rules}
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": _meta(name, ns, route.get("annotations")), "spec": spec}


def _ingress_nginx(rel: Release) -> Rendered:
    """templates/controller-service.yaml (with ``service.external.enabled``): the http and https ports unless
    ``enableHttp``/``enableHttps`` is off, to ``targetPorts``, with ``nodePorts`` written only on a NodePort or
    LoadBalancer Service."""
    ctl = _map(rel.values.get("controller"))
    svc = _map(ctl.get("service"))
    if not _enabled(svc) or not svc or _map(svc.get("external")).get("enabled", True) is False:
        return []
    name = f"{_helm_fullname(rel.name, 'ingress-nginx', rel.values)}-controller"
    stype = svc.get("type", "LoadBalancer")
    ports, targets, node_ports = _map(svc.get("ports")), _map(svc.get("targetPorts")), _map(svc.get("nodePorts"))
    written = []
    for key, number in (("http", 80), ("https", 443)):
        if svc.get(f"enable{key.capitalize()}", True) is False:
            continue
        port = {"name": key, "port": ports.get(key, number), "protocol": "TCP", "targetPort": targets.get(key, key)}
        if stype in ("NodePort", "LoadBalancer") and node_ports.get(key) not in (None, ""):
            port["nodePort"] = node_ports[key]
        written.append(port)
    obj = _common_service(name, rel.namespace, {**svc, "type": stype, "ports": written}, None, None)
    return [(obj, ValuesAt(("controller", "service")))]


# istio/istio manifests/charts/gateway: values.yaml's service.ports, and the ports templates/service.yaml
# writes instead when networkGateway is set.
_ISTIO_GATEWAY_PORTS = [{"name": "status-port", "port": 15021, "protocol": "TCP", "targetPort": 15021},
                        {"name": "http2", "port": 80, "protocol": "TCP", "targetPort": 80},
                        {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}]
_ISTIO_NETWORK_GATEWAY_PORTS = [{"name": "status-port", "port": 15021, "targetPort": 15021},
                                {"name": "tls", "port": 15443, "targetPort": 15443},
                                {"name": "tls-istiod", "port": 15012, "targetPort": 15012},
                                {"name": "tls-webhook", "port": 15017, "targetPort": 15017}]
ISTIO_CHART_SOURCES = ("https://istio-release.storage.googleapis.com/charts", "oci://gcr.io/istio-release/charts")


def _istio_gateway(rel: Release) -> Rendered:
    """Istio's gateway chart: one Service named ``name`` (else the release's) in ``namespace`` (else the
    release's), of ``service.type`` (LoadBalancer; ``None``: no Service), with ``service.ports`` and its
    annotations merged over ``annotations`` (templates/service.yaml, templates/_helpers.tpl gateway.name)."""
    v = rel.values
    svc = _map(v.get("service"))
    stype = svc.get("type", "LoadBalancer")
    if stype == "None":
        return []
    name = v.get("name") if isinstance(v.get("name"), str) and v.get("name") else rel.name
    ns = v.get("namespace") if isinstance(v.get("namespace"), str) and v.get("namespace") else rel.namespace
    ports = _ISTIO_NETWORK_GATEWAY_PORTS if v.get("networkGateway") else (
        svc["ports"] if isinstance(svc.get("ports"), list) else _ISTIO_GATEWAY_PORTS)
    annotations = {**_map(v.get("annotations")), **_map(svc.get("annotations"))}
    obj = _common_service(name, ns, {**svc, "type": stype, "ports": ports, "annotations": annotations}, None, None)
    return [(obj, ValuesAt(("service",)))]


K8S_GATEWAY_CHART_SOURCES = ("https://ori-edge.github.io/k8s_gateway",)
# the k8s-gateway/k8s_gateway fork's chart of the same name, from 3.0.0
K8S_GATEWAY_FORK_CHART_SOURCES = ("oci://ghcr.io/k8s-gateway/charts", "https://k8s-gateway.github.io/k8s_gateway")
_K8S_GATEWAY_FORK_READ = ((3, 0), (3, 4))  # the fork's releases with ori-edge's service.* values (3.4 adds scheme)
_K8S_GATEWAY_FORK_CLASS = (3, 2, 8)  # the first that sets service.loadBalancerClass
_K8S_GATEWAY_FORK_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+|x|\*)")


def _k8s_gateway(rel: Release, fields: tuple[str, ...] = ()) -> Rendered:
    """ori-edge's k8s-gateway chart (charts/k8s-gateway/templates/service.yaml, 2.4.0): one Service named
    fullname, of ``service.type`` (LoadBalancer), ``loadBalancerIP`` only for a LoadBalancer and ``clusterIP``
    only for a ClusterIP, port ``service.port`` (53) over UDP (``dns-udp``) and, with ``service.useTcp: true``,
    TCP (``dns-tcp``), a ``nodePort`` only for a NodePort; the DNS zone it serves is ``domain``. ``fields``: the
    other ``service.*`` values copied into the Service's spec when set."""
    v = rel.values
    svc = {"type": "LoadBalancer", "port": 53, **_map(v.get("service"))}
    stype = svc["type"]
    ports = [{"name": "dns-udp", "port": svc["port"], "protocol": "UDP", "targetPort": "dns-udp"}]
    if svc.get("useTcp") is True:
        ports.append({"name": "dns-tcp", "port": svc["port"], "protocol": "TCP", "targetPort": "dns-tcp"})
    if stype == "NodePort" and svc.get("nodePort"):
        for p in ports:
            p["nodePort"] = svc["nodePort"]
    spec: dict[str, Any] = {"type": stype, "ports": ports}
    if stype == "LoadBalancer" and svc.get("loadBalancerIP"):
        spec["loadBalancerIP"] = svc["loadBalancerIP"]
    if stype == "ClusterIP" and svc.get("clusterIP"):
        spec["clusterIP"] = svc["clusterIP"]
    for field in ("ipFamilyPolicy", *fields):
        if svc.get(field):
            spec[field] = svc[field]
    annotations = {**_map(svc.get("annotations")), "prometheus.io/port": "9153", "prometheus.io/scrape": "true"}
    name = _helm_fullname(rel.name, "k8s-gateway", v)
    domain = v.get("domain")
    label = f"values service, DNS for {domain}" if isinstance(domain, str) and domain.strip() else ""
    return [({"apiVersion": "v1", "kind": "Service", "metadata": _meta(name, rel.namespace, annotations),
              "spec": spec}, ValuesAt(("service",), label))]


def _k8s_gateway_fork(rel: Release) -> Rendered:
    """The k8s-gateway/k8s_gateway fork's chart from 3.0.0 to 3.3.x keeps ori-edge's Service (samip5/k8s_gateway
    charts/k8s-gateway/templates/service.yaml, 3.0.0) and adds ``externalTrafficPolicy``, ``externalIPs`` and
    ``ipFamilies``, and ``loadBalancerClass`` from 3.2.8. Later releases changed the values (``scheme`` in 3.4, then
    a CoreDNS-chart layout with ``servers``): a version outside that span, a range or a digest is not read."""
    found = _K8S_GATEWAY_FORK_VERSION.fullmatch(rel.version or "")
    low, high = _K8S_GATEWAY_FORK_READ
    if found is None or not low <= (int(found[1]), int(found[2])) < high:
        raise ValueError(f"chart version {rel.version or 'unknown'}: only the fork's 3.0 to 3.3 releases, whose "
                         "service.* values these templates read, are")
    patch = int(found[3]) if found[3].isdigit() else 0
    with_class = (int(found[1]), int(found[2]), patch) >= _K8S_GATEWAY_FORK_CLASS
    return _k8s_gateway(rel, ("externalTrafficPolicy", "externalIPs", "ipFamilies")
                        + (("loadBalancerClass",) if with_class else ()))


FLUX_OPERATOR_CHART_SOURCES = ("oci://ghcr.io/controlplaneio-fluxcd/charts", "oci://quay.io/fluxoperatordev/charts")
_FLUX_OPERATOR_WEB = (0, 36)  # the first release whose chart has the web UI settings (charts PR 110)


def _flux_operator(rel: Release) -> Rendered:
    """controlplaneio-fluxcd/charts flux-operator: the ClusterIP Service named fullname with the metrics port 8080
    and, with ``web.enabled`` (default true), the web UI on 9080 (``http-web``); an Ingress with
    ``web.ingress.enabled`` and an HTTPRoute with ``web.httpRoute.enabled``, both to that port (templates/
    service.yaml, ingress.yaml, httproute.yaml). A chart before 0.36.0 has none of the web settings: not read."""
    found = re.search(r"(\d+)\.(\d+)", rel.version or "")
    if found and (int(found[1]), int(found[2])) < _FLUX_OPERATOR_WEB:
        raise ValueError(f"chart {rel.version} predates the web UI settings these templates read (0.36.0)")
    v = rel.values
    web = _map(v.get("web"))
    name = _helm_fullname(rel.name, "flux-operator", v)
    ports: list[dict[str, Any]] = [{"name": "http", "port": 8080, "protocol": "TCP", "targetPort": "http-metrics"}]
    if _enabled(web):
        ports.append({"name": "http-web", "port": 9080, "protocol": "TCP", "targetPort": "http-web"})
    out: Rendered = [({"apiVersion": "v1", "kind": "Service",
                       "metadata": _meta(name, rel.namespace, v.get("commonAnnotations") or None),
                       "spec": {"type": "ClusterIP", "ports": ports}}, ValuesAt(("web",)))]
    ing = _map(web.get("ingress"))
    if _enabled(ing, default=False):
        rules = [{"host": _map(h).get("host"), "http": {"paths": [
            {"path": _map(p).get("path"), "backend": {"service": {"name": name, "port": {"name": "http-web"}}}}
            for p in _list(_map(h).get("paths"))]}} for h in _list(ing.get("hosts"))]
        spec = {"ingressClassName": ing.get("className"), "rules": rules, "tls": _list(ing.get("tls"))}
        out.append(({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                     "metadata": _meta(name, rel.namespace, ing.get("annotations")), "spec": spec},
                    ValuesAt(("web", "ingress"))))
    route = _map(web.get("httpRoute"))
    if _enabled(route, default=False):
        spec = {"parentRefs": _list(route.get("parentRefs")), "hostnames": _list(route.get("hostnames")),
                "rules": [{"backendRefs": [{"name": name, "port": 9080}]}]}
        out.append(({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                     "metadata": _meta(name, rel.namespace, route.get("annotations")), "spec": spec},
                    ValuesAt(("web", "httpRoute"))))
    return out


_TRAEFIK_DEFAULT_PORTS = {"web": {"port": 8000, "exposedPort": 80, "expose": True},
                          "websecure": {"port": 8443, "exposedPort": 443, "expose": True}}


def _traefik(rel: Release) -> Rendered:
    """Traefik chart: one LoadBalancer Service (default) with the exposed ``ports`` and the dashboard route."""
    v = rel.values
    out: Rendered = []
    svc = _map(v.get("service"))
    if _enabled(svc):
        merged = {n: {**_TRAEFIK_DEFAULT_PORTS.get(n, {}), **_map(p)}
                  for n, p in {**{k: {} for k in _TRAEFIK_DEFAULT_PORTS}, **_map(v.get("ports"))}.items()}
        ports = []
        for pname, p in sorted(merged.items()):
            expose = p.get("expose", False)
            if isinstance(expose, dict):  # chart >= 28: expose: {default: true}
                expose = expose.get("default", False)
            if expose is not True:
                continue
            entry = {"name": pname, "port": p.get("exposedPort", p.get("port")), "targetPort": pname,
                     "protocol": str(p.get("protocol") or "TCP")}
            if p.get("nodePort") is not None:
                entry["nodePort"] = p["nodePort"]
            ports.append(entry)
        sspec = _map(svc.get("spec"))
        spec = {"type": svc.get("type") or "LoadBalancer", "ports": ports,
                **{k: sspec[k] for k in ("loadBalancerIP", "loadBalancerClass") if sspec.get(k) is not None}}
        name = _helm_fullname(rel.name, "traefik", v)
        out.append(({"apiVersion": "v1", "kind": "Service",
                     "metadata": _meta(name, rel.namespace, svc.get("annotations")), "spec": spec},
                    ValuesAt(("service",), "values service, ports")))
    dash = _map(_map(v.get("ingressRoute")).get("dashboard"))
    if dash and _enabled(dash, default=False):
        route = {"match": dash.get("matchRule") or "PathPrefix(`/dashboard`) || PathPrefix(`/api`)",
                 "services": [{"name": "api@internal", "kind": "TraefikService"}]}
        spec = {"entryPoints": _list(dash.get("entryPoints")) or ["traefik"], "routes": [route]}
        if dash.get("tls"):
            spec["tls"] = dash["tls"]
        out.append(({"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute",
                     "metadata": _meta(f"{rel.name}-dashboard", rel.namespace), "spec": spec},
                    ValuesAt(("ingressRoute", "dashboard"))))
    return out


AUTHENTIK_CHART_SOURCES = ("https://charts.goauthentik.io",)
_AUTHENTIK_SERVER_LAYOUT = 2024  # the chart rework (goauthentik/helm#230, January 2024) moved all under server.*


def _authentik(rel: Release) -> Rendered:
    """goauthentik/helm's authentik chart (templates/server/service.yaml, ingress.yaml, route.yaml): the server's
    Service, named ``<fullname>-<server.name>`` (``authentik.server.fullname``; fullname honours
    ``global.fullnameOverride``/``fullnameOverride`` and ``global.nameOverride``/``nameOverride``), of
    ``server.service.type`` (ClusterIP) with ports ``servicePortHttp`` (80, to 9000) and ``servicePortHttps`` (443,
    to 9443); with ``server.ingress.enabled`` an Ingress of that name, one rule per ``server.ingress.hosts`` entry
    (a string) and per ``paths`` entry (``/``), to the http port (the https one with ``server.ingress.https``);
    and an HTTPRoute per enabled ``server.route.<name>`` (``-<name>`` suffixed but for ``main``). A chart from
    before 2024 keeps the older top-level layout: not read."""
    found = re.match(r"^v?(\d+)\.", rel.version or "")
    if found and int(found[1]) < _AUTHENTIK_SERVER_LAYOUT:
        raise ValueError(f"chart {rel.version} predates the server.* values these templates read (2024.x)")
    v = rel.values
    glob, server = _map(v.get("global")), _map(v.get("server"))
    base = str(glob.get("nameOverride") or v.get("nameOverride") or "authentik")
    override = glob.get("fullnameOverride") or v.get("fullnameOverride")
    full = str(override) if override else (rel.name if base in rel.name else f"{rel.name}-{base}")
    name = f"{full[:63].rstrip('-')}-{server.get('name') or 'server'}"[:63].rstrip("-")
    svc = {"type": "ClusterIP", "servicePortHttp": 80, "servicePortHttps": 443, "servicePortHttpName": "http",
           "servicePortHttpsName": "https", "nodePortHttp": 30080, "nodePortHttps": 30443,
           **_map(server.get("service"))}
    container = {"http": 9000, "https": 9443, **_map(server.get("containerPorts"))}
    ports = []
    for scheme, key in (("http", "Http"), ("https", "Https")):
        port = {"name": svc[f"servicePort{key}Name"], "port": svc[f"servicePort{key}"], "protocol": "TCP",
                "targetPort": container[scheme]}
        if svc["type"] == "NodePort":
            port["nodePort"] = svc[f"nodePort{key}"]
        ports.append(port)
    spec: dict[str, Any] = {"type": svc["type"], "ports": ports}
    if svc["type"] == "LoadBalancer" and svc.get("loadBalancerIP"):
        spec["loadBalancerIP"] = svc["loadBalancerIP"]
    out: Rendered = [({"apiVersion": "v1", "kind": "Service", "metadata": _meta(name, rel.namespace,
                                                                                 svc.get("annotations") or None),
                       "spec": spec}, ValuesAt(("server", "service")))]
    ing = _map(server.get("ingress"))
    backend_port = svc["servicePortHttps"] if ing.get("https") is True else svc["servicePortHttp"]
    if _enabled(ing, default=False):
        paths = _list(ing.get("paths")) if "paths" in ing else ["/"]
        backend = {"service": {"name": name, "port": {"number" if isinstance(backend_port, int) else "name":
                                                       backend_port}}}
        http = {"paths": [{"path": p, "backend": backend} for p in paths]}
        hosts = _list(ing.get("hosts"))
        rules = [{"host": h, "http": http} for h in hosts] if hosts else [{"http": http}]
        out.append(({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                     "metadata": _meta(name, rel.namespace, ing.get("annotations")),
                     "spec": {"ingressClassName": ing.get("ingressClassName"), "rules": rules,
                              "tls": _list(ing.get("tls"))}}, ValuesAt(("server", "ingress"))))
    for rid, route in _map(server.get("route")).items():
        route = _map(route)
        if server.get("enabled", True) is False or route.get("enabled") is not True:
            continue
        rname = name if rid == "main" else f"{name}-{rid}"
        rules = [{"backendRefs": [{"name": name, "port": backend_port}], "matches": _list(route.get("matches"))}]
        out.append(({"apiVersion": str(route.get("apiVersion") or "gateway.networking.k8s.io/v1"),
                     "kind": str(route.get("kind") or "HTTPRoute"),
                     "metadata": _meta(rname, rel.namespace, route.get("annotations")),
                     "spec": {"parentRefs": _list(route.get("parentRefs")),
                              "hostnames": _list(route.get("hostnames")), "rules": rules}},
                    ValuesAt(("server", "route", str(rid)))))
    return out


READERS: dict[str, Callable[[Release], Rendered]] = {
    APP_TEMPLATE: _app_template,
    "traefik": _traefik,
    "grafana": _grafana,
    "kube-prometheus-stack": _kube_prometheus_stack,
    "pgadmin4": _pgadmin4,
    "podinfo": _podinfo,
    "ingress-nginx": _ingress_nginx,
    "gateway": _istio_gateway,
    "k8s-gateway": _k8s_gateway,
    "flux-operator": _flux_operator,
    "authentik": _authentik,
}
# Readers of charts whose name other charts share: used only for a release from one of these repositories.
_READER_SOURCES: dict[str, tuple[str, ...]] = {"gateway": ISTIO_CHART_SOURCES, "k8s-gateway": K8S_GATEWAY_CHART_SOURCES,
                                               "flux-operator": FLUX_OPERATOR_CHART_SOURCES,
                                               "authentik": AUTHENTIK_CHART_SOURCES}
# Another publisher's chart of a name READERS knows, by the repositories it comes from: its own reader.
_OTHER_PUBLISHERS: dict[str, tuple[tuple[str, ...], Callable[[Release], Rendered]]] = {
    "k8s-gateway": (K8S_GATEWAY_FORK_CHART_SOURCES, _k8s_gateway_fork)}


def _from(source_url: str | None, sources: tuple[str, ...]) -> bool:
    """Whether ``source_url`` is one of ``sources``, or below one."""
    norm = normalize_url(source_url)
    return bool(norm) and any(norm == s or norm.startswith(s + "/") for s in map(normalize_url, sources))


def _reader_for(rel: Release, source_url: str | None) -> Callable[[Release], Rendered] | None:
    other = _OTHER_PUBLISHERS.get(rel.chart)
    if other is not None and _from(source_url, other[0]):
        return other[1]
    sources = _READER_SOURCES.get(rel.chart)
    if sources is not None and not _from(source_url, sources):
        return None
    return READERS.get(rel.chart)


def _release_templates(value: Any, name: str, namespace: str) -> Any:
    """Replace ``{{ .Release.Name }}``/``{{ .Release.Namespace }}`` (app-template runs values through ``tpl``)."""
    if isinstance(value, dict):
        return {k: _release_templates(x, name, namespace) for k, x in value.items()}
    if isinstance(value, list):
        return [_release_templates(x, name, namespace) for x in value]
    if isinstance(value, str) and "{{" in value:
        return _RELEASE_TPL.sub(lambda m: name if m.group(1) == "Name" else namespace, value)
    return value


def release_of(hr: HelmReleaseInfo, hr_obj: dict[str, Any] | None) -> Release | None:
    """The release a HelmRelease makes (name and namespace as helm-controller computes them), or None without a chart."""
    chart = chart_name(hr)
    if not chart:
        return None
    name, namespace = helm_release_identity(hr.name, hr.namespace, _map(_map(hr_obj).get("spec")))
    return Release(name, namespace, chart, hr.version, hr.values if isinstance(hr.values, dict) else {})


def render_release(hr: HelmReleaseInfo, hr_obj: dict[str, Any] | None = None) -> tuple[Rendered, list[Diagnostic]]:
    """Objects the release's chart renders according to its values, or an ``info`` diagnostic when unread.

    ``hr_obj`` is the HelmRelease object as built (for ``releaseName``/``targetNamespace``); optional.
    """
    rel = release_of(hr, hr_obj)
    if rel is None:
        return [], [Diagnostic(hr.file, hr.line, f"HelmRelease {hr.ident()}: values not read (chart unknown)", "info",
                               code="FW-CHART-VALUES-UNREAD", cls="limit")]
    reader = _reader_for(rel, hr.source_url)
    if reader is None:
        return [], [Diagnostic(hr.file, hr.line, f"HelmRelease {hr.ident()}: values not read "
                                                 f"(no reader for chart {rel.chart})", "info",
                               code="FW-CHART-VALUES-UNREAD", cls="limit")]
    # every string shows verbatim in the values' repr (``{`` is never escaped) and no repr of the tree itself
    # writes ``{{`` (a key is never a mapping): without one there, there is nothing to replace, nor to copy
    if rel.chart == APP_TEMPLATE and "{{" in repr(rel.values):
        rel.values = _release_templates(rel.values, rel.name, rel.namespace)
    try:
        return reader(rel), []
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        return [], [Diagnostic(hr.file, hr.line, f"HelmRelease {hr.ident()}: values of chart {rel.chart} "
                                                 f"not readable ({type(exc).__name__}: {exc})", "info",
                               code="FW-CHART-VALUES-UNREAD", cls="limit")]
