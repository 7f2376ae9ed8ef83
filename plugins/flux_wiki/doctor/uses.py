"""What one applied object uses from the cluster: its namespace, the CRD of its kind, the Secrets,
ConfigMaps, sources, issuers, stores, classes, gateways and Services it references.

Only references the API server or the object's controller resolve by name are read; a reference marked
``optional: true`` is not a need. A namespaced reference resolves in the object's namespace unless it
names one; a cluster-scoped object's reference without a namespace is not resolved (the controller
decides where it looks).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..analysis.crds import is_builtin_group
from ..model import FLUX_HELM_GROUP, FLUX_KUSTOMIZE_GROUP, KustomizationNode, Resource
from ..flux.fields import items, mapping, text
from .subjects import Subject, crd_subject, namespace_subject

Use = tuple[Subject, str]  # (subject, how the object uses it)

# Namespaces every cluster has before anything is applied.
BUILTIN_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})

_POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}
_ROUTE_KINDS = {"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"}
_GATEWAY_GROUP = "gateway.networking.k8s.io"
_CERT_MANAGER_GROUP = "cert-manager.io"
# Secret references that a controller writes rather than reads (the ACME account key cert-manager creates).
_WRITTEN_REFS = frozenset({"privateKeySecretRef"})
# The sidecar injectors a namespace or pod template asks for (pods created before the injector's webhook
# exists run without the mesh): Linkerd's proxy-injector (annotation linkerd.io/inject: enabled or ingress,
# linkerd.io "Automatic Proxy Injection") and istiod's sidecar injector (namespace label istio-injection:
# enabled or istio.io/rev, pod label or annotation sidecar.istio.io/inject: "true"; istio.io "Installing the
# Sidecar").
LINKERD_INJECTOR = "linkerd.io/proxy-injector"
ISTIO_INJECTOR = "istio.io/sidecar-injector"
_MAX_DEPTH = 24  # nesting of a custom resource's spec walked for references
_MAX_NODES = 5_000  # mappings and lists walked per object



def is_flux_group(group: str) -> bool:
    """Flux's own API groups: their kinds exist before anything reconciles."""
    return group.endswith(".toolkit.fluxcd.io")


def object_uses(res: Resource) -> list[Use]:
    """Everything ``res`` needs to exist before it can be applied or can work."""
    out: list[Use] = []
    if res.namespace and res.kind != "Namespace":
        out.append((namespace_subject(res.namespace), ""))
    if res.group and not is_builtin_group(res.group) and not is_flux_group(res.group) \
            and res.group != "kustomize.config.k8s.io":
        out.append((crd_subject(res.group, res.kind), ""))
    out.extend(_references(res))
    out.extend(_mesh_injection(res))
    return out


def _mesh_injection(res: Resource) -> Iterator[Use]:
    if res.kind == "Namespace" and res.group == "":
        meta, pod = res.metadata, False
    elif _pod_spec(res.kind, res.group, res.spec) is not None:
        meta = res.metadata if res.kind == "Pod" else mapping(mapping(res.spec.get("template")).get("metadata"))
        pod = True
    else:
        return
    labels, annotations = mapping(meta.get("labels")), mapping(meta.get("annotations"))
    if text(annotations.get("linkerd.io/inject")) in ("enabled", "ingress"):
        yield Subject("controller", "controller", LINKERD_INJECTOR), "linkerd.io/inject annotation"
    istio = (text(labels.get("sidecar.istio.io/inject")) == "true"
             or text(annotations.get("sidecar.istio.io/inject")) == "true") if pod else \
        (text(labels.get("istio-injection")) == "enabled" or bool(text(labels.get("istio.io/rev"))))
    if istio:
        yield Subject("controller", "controller", ISTIO_INJECTOR), "istio sidecar injection"


def _references(res: Resource) -> list[Use]:
    ns, spec, kind, group = res.namespace, res.spec, res.kind, res.group
    if group == FLUX_HELM_GROUP and kind == "HelmRelease":
        return list(_helmrelease_uses(spec, ns))
    if group == FLUX_KUSTOMIZE_GROUP:
        return []  # a Kustomization's own needs are its node's (kustomization_uses)
    out: list[Use] = []
    pod = _pod_spec(kind, group, spec)
    if pod is not None:
        out.extend(_pod_uses(pod, ns))
    if kind == "StatefulSet" and group == "apps":
        for t in items(spec.get("volumeClaimTemplates")):
            out.extend(_storage_class(mapping(mapping(t).get("spec"))))
    if kind == "PersistentVolumeClaim" and group == "":
        out.extend(_storage_class(spec))
    if kind == "Ingress" and group in ("networking.k8s.io", "extensions"):
        out.extend(_ingress_uses(res))
    if group == _GATEWAY_GROUP and kind == "Gateway":
        out.extend(_gateway_uses(spec, ns))
    if group == _GATEWAY_GROUP and kind in _ROUTE_KINDS:
        out.extend(_route_uses(spec, ns))
    if group == _CERT_MANAGER_GROUP and kind == "Certificate":
        out.extend(_issuer_ref(mapping(spec.get("issuerRef")), ns, "issuerRef"))
    if kind in ("IngressClass", "GatewayClass"):
        controller = text(spec.get("controller") or spec.get("controllerName"))
        if controller:
            out.append((Subject("controller", "controller", controller), "spec.controller"
                        if kind == "IngressClass" else "spec.controllerName"))
    if group.startswith("external-secrets.io") and kind in ("ExternalSecret", "PushSecret"):
        ref = mapping(spec.get("secretStoreRef"))
        out.extend(_store_ref(ref, ns))
    if group and not is_builtin_group(group) and pod is None:
        out.extend(_custom_refs(spec, ns))
    return out


def _pod_spec(kind: str, group: str, spec: dict[str, Any]) -> dict[str, Any] | None:
    if kind == "Pod" and group == "":
        return spec
    if kind in _POD_TEMPLATE_KINDS and group in ("apps", "batch", ""):
        return mapping(mapping(spec.get("template")).get("spec"))
    if kind == "CronJob" and group == "batch":
        return mapping(mapping(mapping(mapping(spec.get("jobTemplate")).get("spec")).get("template")).get("spec"))
    return None


def _named(kind: str, ref: Any, ns: str, how: str, name_key: str = "name") -> Iterator[Use]:
    """A Secret/ConfigMap reference (``{name, optional}``) unless it is optional or unnamed."""
    ref = mapping(ref)
    name = text(ref.get(name_key))
    if name and ref.get("optional") is not True and ns:
        yield Subject(kind.lower(), kind, name, ns), how


def _pod_uses(pod: dict[str, Any], ns: str) -> Iterator[Use]:
    containers = [c for key in ("initContainers", "containers", "ephemeralContainers")
                  for c in items(pod.get(key)) if isinstance(c, dict)]
    for c in containers:
        for env in items(c.get("env")):
            source = mapping(mapping(env).get("valueFrom"))
            yield from _named("Secret", source.get("secretKeyRef"), ns, "env secretKeyRef")
            yield from _named("ConfigMap", source.get("configMapKeyRef"), ns, "env configMapKeyRef")
        for env in items(c.get("envFrom")):
            yield from _named("Secret", mapping(env).get("secretRef"), ns, "envFrom secretRef")
            yield from _named("ConfigMap", mapping(env).get("configMapRef"), ns, "envFrom configMapRef")
    for vol in items(pod.get("volumes")):
        vol = mapping(vol)
        yield from _named("Secret", vol.get("secret"), ns, "volume secret", "secretName")
        yield from _named("ConfigMap", vol.get("configMap"), ns, "volume configMap")
        for source in items(mapping(vol.get("projected")).get("sources")):
            yield from _named("Secret", mapping(source).get("secret"), ns, "projected volume secret")
            yield from _named("ConfigMap", mapping(source).get("configMap"), ns, "projected volume configMap")


def _storage_class(spec: dict[str, Any]) -> Iterator[Use]:
    name = text(spec.get("storageClassName"))
    if name:
        yield Subject("class", "StorageClass", name), "storageClassName"


def _ingress_uses(res: Resource) -> Iterator[Use]:
    spec, ns = res.spec, res.namespace
    annotations = mapping(res.metadata.get("annotations"))
    cls = text(spec.get("ingressClassName")) or text(annotations.get("kubernetes.io/ingress.class"))
    if cls:
        yield Subject("class", "IngressClass", cls), "ingressClassName"
    if text(annotations.get("cert-manager.io/cluster-issuer")):
        yield Subject("issuer", "ClusterIssuer", annotations["cert-manager.io/cluster-issuer"]), \
            "cert-manager.io/cluster-issuer annotation"
    if text(annotations.get("cert-manager.io/issuer")) and ns:
        yield Subject("issuer", "Issuer", annotations["cert-manager.io/issuer"], ns), "cert-manager.io/issuer annotation"
    for tls in items(spec.get("tls")):
        yield from _named("Secret", tls, ns, "tls secretName", "secretName")
    backends = [mapping(spec.get("defaultBackend"))]
    for rule in items(spec.get("rules")):
        backends += [mapping(mapping(p).get("backend")) for p in items(mapping(mapping(rule).get("http")).get("paths"))]
    for backend in backends:
        name = text(mapping(backend.get("service")).get("name"))
        if name and ns:
            yield Subject("service", "Service", name, ns), "backend service"


def _gateway_uses(spec: dict[str, Any], ns: str) -> Iterator[Use]:
    cls = text(spec.get("gatewayClassName"))
    if cls:
        yield Subject("class", "GatewayClass", cls), "gatewayClassName"
    for listener in items(spec.get("listeners")):
        for ref in items(mapping(mapping(listener).get("tls")).get("certificateRefs")):
            ref = mapping(ref)
            if text(ref.get("kind") or "Secret") == "Secret" and not ref.get("group"):
                yield from _named("Secret", ref, text(ref.get("namespace")) or ns, "listener certificateRef")


def _route_uses(spec: dict[str, Any], ns: str) -> Iterator[Use]:
    for ref in items(spec.get("parentRefs")):
        ref = mapping(ref)
        kind, group = text(ref.get("kind")) or "Gateway", ref.get("group", _GATEWAY_GROUP)
        target_ns = text(ref.get("namespace")) or ns
        if kind == "Gateway" and group == _GATEWAY_GROUP and text(ref.get("name")) and target_ns:
            yield Subject("gateway", "Gateway", ref["name"], target_ns), "parentRef"
    for rule in items(spec.get("rules")):
        for ref in items(mapping(rule).get("backendRefs")):
            ref = mapping(ref)
            target_ns = text(ref.get("namespace")) or ns
            if text(ref.get("kind")) in ("", "Service") and not ref.get("group") and text(ref.get("name")) and target_ns:
                yield Subject("service", "Service", ref["name"], target_ns), "backendRef"


def _issuer_ref(ref: dict[str, Any], ns: str, how: str) -> Iterator[Use]:
    kind = text(ref.get("kind")) or "Issuer"
    group = text(ref.get("group")) or _CERT_MANAGER_GROUP
    name = text(ref.get("name"))
    if group != _CERT_MANAGER_GROUP or not name or kind not in ("Issuer", "ClusterIssuer"):
        return
    if kind == "ClusterIssuer":
        yield Subject("issuer", kind, name), how
    elif ns:
        yield Subject("issuer", kind, name, ns), how


def _store_ref(ref: dict[str, Any], ns: str) -> Iterator[Use]:
    kind = text(ref.get("kind")) or "SecretStore"
    name = text(ref.get("name"))
    if not name:
        return
    if kind == "ClusterSecretStore":
        yield Subject("store", kind, name), "secretStoreRef"
    elif kind == "SecretStore" and ns:
        yield Subject("store", kind, name, ns), "secretStoreRef"


def _custom_refs(spec: dict[str, Any], ns: str) -> list[Use]:
    """Secret/ConfigMap references in a custom resource's spec, found by the shapes operators share:
    ``fooSecretRef: {name}`` / ``secretRef: {name}`` (and ConfigMap alike), projected-volume style
    ``secret: {name}`` / ``configMap: {name}``, and ``storageClassName``."""
    out: list[Use] = []
    stack: list[tuple[Any, int]] = [(spec, 0)]
    seen = 0
    while stack and seen < _MAX_NODES:
        node, depth = stack.pop()
        seen += 1
        if isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)) and depth < _MAX_DEPTH)
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if not isinstance(key, str):
                continue
            if key == "storageClassName" and text(value):
                out.append((Subject("class", "StorageClass", value), "storageClassName"))
            elif isinstance(value, dict) and text(value.get("name")):
                kind = _ref_kind(key)
                if kind and value.get("optional") is not True:
                    target_ns = text(value.get("namespace")) or ns
                    if target_ns:
                        out.append((Subject(kind.lower(), kind, value["name"], target_ns), key))
            if isinstance(value, (dict, list)) and depth < _MAX_DEPTH:
                stack.append((value, depth + 1))
    return out


def _ref_kind(key: str) -> str | None:
    if key in _WRITTEN_REFS:
        return None
    if key in ("secretRef", "secret", "secretKeyRef") or key.endswith(("SecretRef", "SecretKeyRef")):
        return "Secret"
    if key in ("configMapRef", "configMap", "configMapKeyRef") or key.endswith(("ConfigMapRef", "ConfigMapKeyRef")):
        return "ConfigMap"
    return None


def _helmrelease_uses(spec: dict[str, Any], ns: str) -> Iterator[Use]:
    chart_spec = mapping(mapping(spec.get("chart")).get("spec"))
    for ref, how in ((mapping(chart_spec.get("sourceRef")), "chart sourceRef"), (mapping(spec.get("chartRef")), "chartRef")):
        name = text(ref.get("name"))
        kind = text(ref.get("kind"))
        target_ns = text(ref.get("namespace")) or ns
        if name and kind and target_ns:
            yield Subject("source", kind, name, target_ns), how
    for ref in items(spec.get("valuesFrom")):
        ref = mapping(ref)
        kind = text(ref.get("kind"))
        if kind in ("Secret", "ConfigMap"):
            yield from _named(kind, ref, ns, "valuesFrom")
    yield from _named("Secret", mapping(spec.get("kubeConfig")).get("secretRef"), ns, "kubeConfig secretRef")
    target = text(spec.get("targetNamespace"))
    if target and target != ns and mapping(spec.get("install")).get("createNamespace") is not True:
        yield namespace_subject(target), "targetNamespace"
    for dep in items(spec.get("dependsOn")):
        dep = mapping(dep)
        if text(dep.get("name")):
            yield Subject("helmrelease", "HelmRelease", dep["name"], text(dep.get("namespace")) or ns), "dependsOn"


def kustomization_uses(node: KustomizationNode) -> list[Use]:
    """What a Flux Kustomization reads when it reconciles: its source, the ConfigMaps and Secrets of
    postBuild.substituteFrom (in its own namespace), its decryption and kubeConfig Secrets."""
    spec, ns = node.spec, node.namespace
    out: list[Use] = []
    ref = mapping(spec.get("sourceRef"))
    if text(ref.get("name")):
        out.append((Subject("source", text(ref.get("kind")) or "GitRepository", ref["name"],
                            text(ref.get("namespace")) or ns), "sourceRef"))
    for sub in items(mapping(spec.get("postBuild")).get("substituteFrom")):
        sub = mapping(sub)
        kind = text(sub.get("kind"))
        if kind in ("Secret", "ConfigMap"):
            out.extend(_named(kind, sub, ns, "postBuild.substituteFrom"))
    out.extend(_named("Secret", mapping(spec.get("decryption")).get("secretRef"), ns, "decryption secretRef"))
    out.extend(_named("Secret", mapping(spec.get("kubeConfig")).get("secretRef"), ns, "kubeConfig secretRef"))
    return out
