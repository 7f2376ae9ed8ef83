"""The provides / needs index of a cluster: per Kustomization (layer), what its effective objects (after
build and substitution) make exist and what they use, each with the file:line of the object.

HelmReleases provide the CRDs the shipped catalog lists for their chart (given their values and CRD
policy), the namespace they create (``install.createNamespace``) and the ingress or gateway controller
their chart runs. A Flux Kustomization needs its source and its postBuild ConfigMaps and Secrets.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from ..analysis.crds import CrdCatalog, crd_policy, is_builtin_group
from ..flux.fields import mapping, text
from ..flux.objects import kube_config_ref, landing_cluster, remote_cluster
from ..model import FLUX_HELM_GROUP, FLUX_OPERATOR_GROUP, Cluster, HelmReleaseInfo, Resource
from .bootstrap import CNI_ENTRIES, BootstrapRelease
from .makes import object_makes
from .reach import charted_checks, health_checks
from .subjects import ANY_NAMESPACE, Need, Provision, Subject, crd_subject, namespace_subject
from .uses import (BUILTIN_NAMESPACES, ISTIO_INJECTOR, LINKERD_INJECTOR, is_flux_group, kustomization_uses,
                   object_uses)

# Controllers named by IngressClass.spec.controller / GatewayClass.spec.controllerName, and the charts
# that run them. Read from each chart's IngressClass/GatewayClass template or its documented default:
# traefik/traefik-helm-chart templates/ingressclass.yaml (traefik.io/ingress-controller) and its Gateway
# provider (traefik.io/gateway-controller); kubernetes/ingress-nginx values.yaml controller.ingressClassResource
# .controllerValue (k8s.io/ingress-nginx); envoyproxy/gateway gatewayclass docs
# (gateway.envoyproxy.io/gatewayclass-controller); cilium gateway-api docs (io.cilium/gateway-controller);
# istio gateway-api docs (istio.io/gateway-controller); the sidecar injectors of doctor.uses: istiod's webhook
# (istio/istio manifests/charts/istio-control/istio-discovery) and linkerd-control-plane's proxy-injector
# (linkerd2's chart before 2.12).
CONTROLLER_CHARTS: dict[str, tuple[str, ...]] = {
    "traefik.io/ingress-controller": ("traefik",),
    "traefik.io/gateway-controller": ("traefik",),
    "k8s.io/ingress-nginx": ("ingress-nginx",),
    "gateway.envoyproxy.io/gatewayclass-controller": ("gateway-helm", "envoy-gateway"),
    "io.cilium/gateway-controller": ("cilium",),
    "istio.io/gateway-controller": ("istiod",),
    ISTIO_INJECTOR: ("istiod",),
    LINKERD_INJECTOR: ("linkerd-control-plane", "linkerd2"),
}


def _chart_ingress_classes(chart: str, values: object) -> list[str]:
    """The IngressClasses a chart's templates create, given its values: ingress-nginx's
    templates/controller-ingressclass.yaml (kubernetes/ingress-nginx) renders one named
    controller.ingressClassResource.name when controller.ingressClassResource.enabled (values.yaml: nginx, true)."""
    if chart != "ingress-nginx":
        return []
    resource = mapping(mapping(mapping(values).get("controller")).get("ingressClassResource"))
    if not resource.get("enabled", True):
        return []
    return [name] if (name := text(resource.get("name", "nginx"))) else []


@dataclass
class LayerFacts:
    """What one Kustomization provides and needs (needs grouped by subject, in the order first seen)."""

    provisions: list[Provision] = field(default_factory=list)
    needs: dict[Subject, list[Need]] = field(default_factory=dict)
    _seen: set[tuple[Subject, str, str]] = field(default_factory=set, repr=False, compare=False)

    def need(self, n: Need) -> None:
        """Record a need, once per object (looked up in a set: a parent that applies every app's Kustomization
        needs their one GitRepository once per app, O(n²) to check by scanning)."""
        if (n.subject, n.obj, n.file) not in self._seen:
            self._seen.add((n.subject, n.obj, n.file))
            self.needs.setdefault(n.subject, []).append(n)


class DependencyIndex:
    """Provisions and needs of every layer of a cluster, and who provides each subject."""

    def __init__(self, layers: dict[str, LayerFacts]):
        self.layers = layers
        self._by_subject: dict[Subject, list[Provision]] = defaultdict(list)
        for facts in layers.values():
            for p in facts.provisions:
                self._by_subject[p.subject].append(p)

    def of(self, layer: str) -> LayerFacts:
        return self.layers.get(layer) or LayerFacts()

    def before_flux(self, subject: Subject) -> Provision | None:
        """A provision of ``subject`` that exists before Flux reconciles anything, if any."""
        return next((p for p in self.providers(subject) if p.before_flux), None)

    def providers(self, subject: Subject) -> list[Provision]:
        """Every provision of ``subject``, including those into any namespace."""
        found = list(self._by_subject.get(subject, []))
        if subject.namespace:
            found += self._by_subject.get(subject.anywhere(), [])
        return found


def build_index(cluster: Cluster, catalog: CrdCatalog, bootstrap: list[BootstrapRelease] | None = None) -> DependencyIndex:
    """The index of ``cluster``; ``bootstrap`` lists the releases a bootstrap helmfile installs before Flux."""
    layers: dict[str, LayerFacts] = {node_id: LayerFacts() for node_id in cluster.kustomizations}
    present_namespaces = BUILTIN_NAMESPACES | {cluster.root.namespace}
    used_kinds = _used_custom_kinds(cluster)
    releases = _release_objects(cluster)
    where = _target_clusters(cluster)
    for node in cluster.kustomizations.values():
        facts = layers[node.id]
        here = where.get(node.id, "")
        for res in node.resources:
            for made in object_makes(res):
                facts.provisions.append(Provision(made.subject.on(here), node.id, res.file, res.line, made.via,
                                                  made.runtime))
            for subject, how in object_uses(res):
                if subject.type == "namespace" and subject.name in present_namespaces:
                    continue
                on = _release_cluster(res, here) if how == "targetNamespace" else here
                facts.need(Need(subject.on(on), node.id, res.file, res.line, f"{res.kind} {res.ident()}", how))
        if node.id != cluster.root_id:
            # the Kustomization object lives where its parent applied it: its source and Secrets are read there
            there = where.get(node.parent or "", "")
            for subject, how in kustomization_uses(node):
                facts.need(Need(subject.on(there), node.id, node.file, node.line, f"Kustomization {node.id}", how))
    helmfile = {b.ident(): b for b in bootstrap or []}
    operator_entry = cluster.entry_kind in ("FluxInstance", "flux-instance HelmRelease")
    for info in cluster.helm_releases:
        res = releases.get((info.layer, info.namespace, info.name))
        if res is not None and info.layer in layers:
            # the helmfile names the release as Flux does, or after the app's Kustomization
            early = helmfile.get(info.ident()) or helmfile.get(info.layer)
            why = f"installed by the bootstrap helmfile ({early.file}:{early.line})" if early else None
            on = _release_cluster(res, where.get(info.layer, ""))
            layers[info.layer].provisions.extend(replace(p, subject=p.subject.on(on)) for p in _release_provisions(
                info, res, catalog, used_kinds, why, operator_entry))
            for subject, how in _chart_route_uses(info, res):
                layers[info.layer].need(Need(subject.on(on), info.layer, res.file, res.line,
                                             f"HelmRelease {info.ident()}", f"chart values: {how}"))
            if info.chart == "flux-instance":  # the chart's one object is a FluxInstance (templates/instance.yaml)
                layers[info.layer].need(Need(crd_subject(FLUX_OPERATOR_GROUP, "FluxInstance").on(on), info.layer,
                                             res.file, res.line, f"HelmRelease {info.ident()}", "chart flux-instance"))
    root = layers.get(cluster.root_id)
    _gated_releases(cluster, layers)
    src = cluster.source
    bootstrap = Subject("source", src.kind, src.name, src.namespace)
    if root is not None and not any(p.subject == bootstrap for p in root.provisions):
        root.provisions.append(Provision(bootstrap, cluster.root_id,
                                         cluster.entry_file, cluster.entry_line, "the bootstrap source"))
    return DependencyIndex(layers)


def _target_clusters(cluster: Cluster) -> dict[str, str]:
    """Where each Kustomization's objects land (:func:`landing_cluster`)."""
    return {node_id: landing_cluster(node_id, cluster.kustomizations) for node_id in cluster.kustomizations}


def _release_cluster(res: Resource, here: str) -> str:
    """Where a HelmRelease applied on ``here`` installs its chart: its ``spec.kubeConfig``'s cluster, if set."""
    if not res.is_kind(FLUX_HELM_GROUP, "HelmRelease"):
        return here
    kube = kube_config_ref(res.spec)
    return remote_cluster(kube, res.namespace, here) if kube else here


def _gated_releases(cluster: Cluster, layers: dict[str, LayerFacts]) -> None:
    """A Kustomization that health-checks a HelmRelease another one applies is Ready only once the release
    is: what the release installs is, for its dependents, provided by it too (not for itself: the check orders
    nothing before its own apply)."""
    by_release: dict[str, list[Provision]] = defaultdict(list)
    for facts in layers.values():
        for p in facts.provisions:
            if p.release:
                by_release[p.release].append(p)
            elif p.subject.type == "helmrelease":
                by_release[f"{p.subject.namespace}/{p.subject.name}"].append(p)
    for node in cluster.kustomizations.values():
        for check in health_checks(node):
            if check.get("kind") != "HelmRelease" or not check.get("name"):
                continue
            release = f"{check.get('namespace') or node.namespace}/{check['name']}"
            for p in by_release.get(release, []):
                if p.layer != node.id:
                    layers[node.id].provisions.append(replace(p, layer=node.id, file=node.file, line=node.line,
                                                              via=f"{p.via}, health-checked by Kustomization {node.id}",
                                                              awaited=True))
    for node_id, releases in charted_checks(cluster).items():
        node = cluster.kustomizations[node_id]
        for release, objects in releases.items():
            for p in by_release.get(release, []):
                if p.layer != node_id:
                    layers[node_id].provisions.append(replace(
                        p, layer=node_id, file=node.file, line=node.line, inferred=True, awaited=True,
                        via=f"{p.via}, whose {objects[0]} Kustomization {node_id} health-checks"))


def _used_custom_kinds(cluster: Cluster) -> set[tuple[str, str]]:
    return {(r.group, r.kind) for k in cluster.kustomizations.values() for r in k.resources
            if r.group and not is_builtin_group(r.group) and not is_flux_group(r.group)}


_ROUTE_SUBJECTS = ("class", "issuer", "gateway")


def _chart_route_uses(info: HelmReleaseInfo, res: Resource) -> list[tuple[Subject, str]]:
    """The classes, issuers and Gateways the Ingresses and routes a release's chart renders from its values use (the
    charts analysis.chart_values reads), as an Ingress or route of the layer would."""
    from ..analysis.chart_values import render_release  # loads with the first HelmRelease

    rendered, _ = render_release(info, res.obj)
    return [(subject, how) for obj, _ in rendered for subject, how in object_uses(Resource(obj, res.file, res.line))
            if subject.type in _ROUTE_SUBJECTS]


def _release_objects(cluster: Cluster) -> dict[tuple[str, str, str], Resource]:
    return {(k.id, r.namespace, r.name): r for k in cluster.kustomizations.values() for r in k.resources
            if r.is_kind(FLUX_HELM_GROUP, "HelmRelease")}


def _release_provisions(info: HelmReleaseInfo, res: Resource, catalog: CrdCatalog, used_kinds: set[tuple[str, str]],
                        helmfile: str | None, operator_entry: bool) -> list[Provision]:
    ident = info.ident()
    out = []
    for p in catalog.provided_by_chart(info.chart, info.source_url, info.values, crd_policy(res.obj), used_kinds):
        how = f"catalog: {p.entry}" if p.origin == "catalog" else "inferred from the chart name"
        if p.via == "controller":
            how += ", created by the controller once it runs"
        early = helmfile
        if p.entry in CNI_ENTRIES:
            early = "the cluster network plugin runs before Flux's controllers can"
        elif p.entry == "flux-operator" and operator_entry:
            early = "flux-operator runs before it reconciles this cluster's FluxInstance"
        out.append(Provision(crd_subject(p.group, p.kind), info.layer, res.file, res.line,
                             f"HelmRelease {ident} ({how})", runtime=True, inferred=p.inferred, release=ident,
                             before_flux=early))
    spec = res.spec
    install = spec.get("install") if isinstance(spec.get("install"), dict) else {}
    if install.get("createNamespace") is True:
        target = spec.get("targetNamespace") if isinstance(spec.get("targetNamespace"), str) else ""
        out.append(Provision(namespace_subject(target or info.namespace), info.layer, res.file, res.line,
                             f"HelmRelease {ident} (install.createNamespace)", runtime=True, release=ident))
    chart = (info.chart or "").lower()
    for controller, charts in CONTROLLER_CHARTS.items():
        if chart in charts:
            out.append(Provision(Subject("controller", "controller", controller), info.layer, res.file, res.line,
                                 f"HelmRelease {ident} (chart {info.chart} runs it)", runtime=True, release=ident))
    for name in _chart_ingress_classes(chart, info.values):
        out.append(Provision(Subject("class", "IngressClass", name), info.layer, res.file, res.line,
                             f"HelmRelease {ident} (chart {info.chart} creates it)", runtime=True, release=ident))
    return out


__all__ = ["ANY_NAMESPACE", "CONTROLLER_CHARTS", "DependencyIndex", "LayerFacts", "build_index"]
