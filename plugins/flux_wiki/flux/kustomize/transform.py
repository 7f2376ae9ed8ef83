"""kustomize's built-in transformers over a list of working resources.

Namespace, name prefix/suffix, labels and annotations (with kustomize's default
field specs), images, replicas, back-references to renamed objects, and the
legacy output order. Each resource keeps the names and namespaces it had, as
kustomize does, so patches and references can match the original id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .patch import group_of

# Kinds kustomize itself knows to be cluster-scoped: its built-in OpenAPI schema, matched on group
# and kind. Custom resources are namespaced to kustomize (it sets `namespace:` on a ClusterIssuer);
# the API server drops that namespace on apply, which the simulation models (flux/scope.py).
KUSTOMIZE_CLUSTER_SCOPED = frozenset({
    ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"), ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("storage.k8s.io", "StorageClass"), ("storage.k8s.io", "VolumeAttachment"), ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"), ("scheduling.k8s.io", "PriorityClass"), ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"), ("apiregistration.k8s.io", "APIService"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("certificates.k8s.io", "CertificateSigningRequest"), ("authentication.k8s.io", "TokenReview"),
    ("authorization.k8s.io", "SelfSubjectAccessReview"), ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ("authorization.k8s.io", "SubjectAccessReview"), ("policy", "PodSecurityPolicy"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"), ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
})


@dataclass(slots=True)
class WorkRes:
    """A resource during a build, with the names/namespaces it had before."""

    obj: dict[str, Any]
    file: str
    line: int
    encrypted: bool = False
    org_name: str = ""
    org_ns: str = ""
    prev: list[tuple[str, str]] = field(default_factory=list)
    needs_hash: bool = False
    behavior: str = "create"

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind") or "")

    @property
    def meta(self) -> dict[str, Any]:
        md = self.obj.get("metadata")
        if not isinstance(md, dict):
            md = {}
            self.obj["metadata"] = md
        return md

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or "")

    @property
    def namespace(self) -> str:
        return str(self.meta.get("namespace") or "")

    def cur_id(self) -> tuple[str, str, str, str]:
        return (group_of(self.obj), self.kind, self.namespace, self.name)

    def names(self) -> list[str]:
        return [self.name, self.org_name, *(n for n, _ in self.prev)]

    def namespaces(self) -> list[str]:
        return [self.namespace, self.org_ns, *(ns for _, ns in self.prev)]

    def remember(self) -> None:
        """Record the current name/namespace before a transformer changes it."""
        cur = (self.name, self.namespace)
        if not self.prev or self.prev[-1] != cur:
            self.prev.append(cur)

    def cluster_scoped(self) -> bool:
        return (group_of(self.obj), self.kind) in KUSTOMIZE_CLUSTER_SCOPED


def effective_ns(res: WorkRes, ns: str | None = None) -> str:
    if res.cluster_scoped():
        return ""
    value = res.namespace if ns is None else ns
    return value or "default"


# -- namespace ---------------------------------------------------------------

def set_namespace(resources: Iterable[WorkRes], namespace: str) -> None:
    for r in resources:
        if r.kind == "Namespace":
            if r.name != namespace:
                r.remember()
                r.meta["name"] = namespace
            continue
        if r.kind in ("RoleBinding", "ClusterRoleBinding"):
            for s in r.obj.get("subjects") or []:
                if isinstance(s, dict) and s.get("kind") == "ServiceAccount" and s.get("name") == "default":
                    s["namespace"] = namespace
        if r.kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
            for w in r.obj.get("webhooks") or []:
                svc = ((w or {}).get("clientConfig") or {}).get("service") if isinstance(w, dict) else None
                if isinstance(svc, dict):
                    svc["namespace"] = namespace
        if r.kind == "APIService" and isinstance((r.obj.get("spec") or {}).get("service"), dict):
            r.obj["spec"]["service"]["namespace"] = namespace
        if r.cluster_scoped():
            continue
        if r.namespace != namespace:
            r.remember()
            r.meta["namespace"] = namespace


# -- prefix / suffix ---------------------------------------------------------

_NO_RENAME = frozenset({"Namespace", "CustomResourceDefinition"})


def add_prefix_suffix(resources: Iterable[WorkRes], prefix: str, suffix: str) -> None:
    for r in resources:
        if r.kind in _NO_RENAME:
            continue
        r.remember()
        r.meta["name"] = f"{prefix}{r.name}{suffix}"


# -- labels and annotations ---------------------------------------------------

_WORKLOADS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet")

# (kind, path, create); kind None = every kind
_SELECTOR_SPECS: list[tuple[str | None, str, bool]] = [
    ("Service", "spec/selector", True),
    ("ReplicationController", "spec/selector", True),
    *((k, "spec/selector/matchLabels", True) for k in _WORKLOADS),
    ("Job", "spec/selector/matchLabels", False),
    ("CronJob", "spec/jobTemplate/spec/selector/matchLabels", False),
    ("PodDisruptionBudget", "spec/selector/matchLabels", False),
    ("NetworkPolicy", "spec/podSelector/matchLabels", False),
    ("NetworkPolicy", "spec/ingress[]/from[]/podSelector/matchLabels", False),
    ("NetworkPolicy", "spec/egress[]/to[]/podSelector/matchLabels", False),
]
_TEMPLATE_SPECS: list[tuple[str | None, str, bool]] = [
    *((k, "spec/template/metadata/labels", True) for k in (*_WORKLOADS, "ReplicationController", "Job")),
    ("StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", True),
    ("CronJob", "spec/jobTemplate/metadata/labels", True),
    ("CronJob", "spec/jobTemplate/spec/template/metadata/labels", True),
]
_ANNOTATION_SPECS: list[tuple[str | None, str, bool]] = [
    (None, "metadata/annotations", True),
    *((k, "spec/template/metadata/annotations", True) for k in (*_WORKLOADS, "ReplicationController", "Job")),
    ("CronJob", "spec/jobTemplate/metadata/annotations", True),
    ("CronJob", "spec/jobTemplate/spec/template/metadata/annotations", True),
]


def _merge_at(node: Any, parts: list[str], values: dict[str, str], create: bool) -> None:
    if not isinstance(node, dict):
        return
    head, rest = parts[0], parts[1:]
    is_list = head.endswith("[]")
    key = head[:-2] if is_list else head
    if is_list:
        for item in node.get(key) or []:
            if rest:
                _merge_at(item, rest, values, create)
        return
    child = node.get(key)
    if not rest:
        if isinstance(child, dict):
            child.update(values)
        elif child is None and create:
            node[key] = dict(values)
        return
    if child is None:
        if not create:
            return
        child = node[key] = {}
    _merge_at(child, rest, values, create)


def _apply_specs(resources: Iterable[WorkRes], specs: list[tuple[str | None, str, bool]],
                 values: dict[str, str]) -> None:
    for r in resources:
        kind = r.kind
        for k, path, create in specs:
            if k is None or k == kind:
                _merge_at(r.obj, path.split("/"), values, create)


def _str_map(values: Any) -> dict[str, str]:
    if not isinstance(values, dict):
        return {}
    return {str(k): "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in values.items()}


def add_labels(resources: list[WorkRes], labels: Any, *, selectors: bool, templates: bool,
               meta: bool = True) -> None:
    values = _str_map(labels)
    if not values:
        return
    specs: list[tuple[str | None, str, bool]] = [(None, "metadata/labels", True)] if meta else []
    if selectors:
        specs += _SELECTOR_SPECS + _TEMPLATE_SPECS
    elif templates:
        specs += [(k, p, False) for k, p, _ in _TEMPLATE_SPECS]
    _apply_specs(resources, specs, values)


def add_annotations(resources: list[WorkRes], annotations: Any) -> None:
    values = _str_map(annotations)
    if values:
        _apply_specs(resources, _ANNOTATION_SPECS, values)


# -- images and replicas ------------------------------------------------------

def _split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) of an image reference."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return name, tag, digest


def _new_image(image: str, spec: dict[str, Any]) -> str | None:
    name, tag, digest = _split_image(image)
    if name != spec.get("name"):
        return None
    new_name = str(spec.get("newName") or name)
    if spec.get("digest"):
        return f"{new_name}@{spec['digest']}"
    if spec.get("newTag") is not None and spec.get("newTag") != "":
        return f"{new_name}:{spec['newTag']}"
    if digest:
        return f"{new_name}{':' + tag if tag else ''}@{digest}"
    return f"{new_name}:{tag}" if tag else new_name


def _walk_containers(node: Any, specs: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers", "ephemeralContainers") and isinstance(value, list):
                for c in value:
                    if isinstance(c, dict) and isinstance(c.get("image"), str):
                        for spec in specs:
                            new = _new_image(c["image"], spec)
                            if new is not None:
                                c["image"] = new
                                break
                    _walk_containers(c, specs)
            elif isinstance(value, (dict, list)):
                _walk_containers(value, specs)
    elif isinstance(node, list):
        for item in node:
            _walk_containers(item, specs)


def set_images(resources: Iterable[WorkRes], images: list[Any]) -> None:
    specs = [i for i in images if isinstance(i, dict) and i.get("name")]
    for spec in specs:
        if spec.get("newTag") is not None:
            spec["newTag"] = str(spec["newTag"])
    if specs:
        for r in resources:
            _walk_containers(r.obj.get("spec"), specs)


_REPLICA_KINDS = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"})


def set_replicas(resources: Iterable[WorkRes], replicas: list[Any]) -> None:
    for rep in replicas:
        if not isinstance(rep, dict):
            continue
        for r in resources:
            if r.kind in _REPLICA_KINDS and rep.get("name") in r.names():
                spec = r.obj.setdefault("spec", {})
                if isinstance(spec, dict):
                    spec["replicas"] = rep.get("count")


# -- back references -------------------------------------------------------------

_POD_OWNERS = frozenset({"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
                         "ReplicationController", "PodTemplate"})


def _items(value: Any) -> list[Any]:
    """A list field as a list; any other shape (the API server would refuse it) holds no references."""
    return value if isinstance(value, list) else []


class _Renamer:
    """Rewrites references to objects whose name changed (kustomize's nameref)."""

    def __init__(self, resources: list[WorkRes]):
        self.by_kind: dict[tuple[str, str], list[WorkRes]] = {}
        for r in resources:
            seen = set()
            for old in r.names():
                if old and old not in seen:
                    seen.add(old)
                    self.by_kind.setdefault((r.kind, old), []).append(r)

    def new_name(self, kind: str, old: Any, referrer: WorkRes, ns: str | None = None) -> Any:
        if not isinstance(old, str):
            return old
        cands = self.by_kind.get((kind, old))
        if not cands:
            return old
        if len(cands) > 1:
            want = ns if ns is not None else referrer.namespace
            same = [c for c in cands if c.cluster_scoped() or c.namespace == want]
            cands = same or cands
        names = {c.name for c in cands}
        return cands[0].name if len(names) == 1 else old

    def _ref(self, holder: Any, key: str, kind: str, referrer: WorkRes) -> None:
        if isinstance(holder, dict) and key in holder:
            holder[key] = self.new_name(kind, holder[key], referrer)

    def pod_refs(self, node: Any, referrer: WorkRes) -> None:
        if isinstance(node, list):
            for item in node:
                self.pod_refs(item, referrer)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key in ("configMapRef", "configMapKeyRef", "configMap"):
                self._ref(value, "name", "ConfigMap", referrer)
            elif key in ("secretRef", "secretKeyRef"):
                self._ref(value, "name", "Secret", referrer)
            elif key == "secret" and isinstance(value, dict):
                self._ref(value, "secretName" if "secretName" in value else "name", "Secret", referrer)
            elif key == "imagePullSecrets" and isinstance(value, list):
                for s in value:
                    self._ref(s, "name", "Secret", referrer)
            elif key == "persistentVolumeClaim":
                self._ref(value, "claimName", "PersistentVolumeClaim", referrer)
            elif key in ("serviceAccountName", "serviceAccount") and isinstance(value, str):
                node[key] = self.new_name("ServiceAccount", value, referrer)
            elif key == "priorityClassName" and isinstance(value, str):
                node[key] = self.new_name("PriorityClass", value, referrer)
            if isinstance(value, (dict, list)):
                self.pod_refs(value, referrer)

    def fix(self, r: WorkRes) -> None:
        kind, obj = r.kind, r.obj
        spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
        if kind in _POD_OWNERS:
            self.pod_refs(spec, r)
            if kind == "StatefulSet":
                self._ref(spec, "serviceName", "Service", r)
        elif kind in ("RoleBinding", "ClusterRoleBinding"):
            ref = obj.get("roleRef")
            if isinstance(ref, dict) and ref.get("kind") in ("Role", "ClusterRole"):
                self._ref(ref, "name", str(ref["kind"]), r)
            for s in _items(obj.get("subjects")):
                if isinstance(s, dict) and s.get("kind") == "ServiceAccount":
                    s["name"] = self.new_name("ServiceAccount", s.get("name"), r, s.get("namespace") or "")
        elif kind == "Ingress":
            for tls in _items(spec.get("tls")):
                self._ref(tls, "secretName", "Secret", r)
            backends = [spec.get("defaultBackend")]
            for rule in _items(spec.get("rules")):
                http = rule.get("http") if isinstance(rule, dict) else None
                for p in _items(http.get("paths") if isinstance(http, dict) else None):
                    backends.append(p.get("backend") if isinstance(p, dict) else None)
            for b in backends:
                if isinstance(b, dict):
                    self._ref(b.get("service"), "name", "Service", r)
                    self._ref(b, "serviceName", "Service", r)
        elif kind == "HorizontalPodAutoscaler":
            ref = spec.get("scaleTargetRef")
            if isinstance(ref, dict) and ref.get("kind"):
                self._ref(ref, "name", str(ref["kind"]), r)
        elif kind == "ServiceAccount":
            for key in ("secrets", "imagePullSecrets"):
                for s in _items(obj.get(key)):
                    self._ref(s, "name", "Secret", r)


def fix_back_references(resources: list[WorkRes]) -> None:
    if not any(r.prev or r.name != r.org_name for r in resources):
        return
    renamer = _Renamer(resources)
    for r in resources:
        renamer.fix(r)


# -- output order ----------------------------------------------------------------

_ORDER_FIRST = ["Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
                "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap",
                "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume",
                "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget"]
_ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]
_TYPE_ORDER = {k: i - len(_ORDER_FIRST) for i, k in enumerate(_ORDER_FIRST)}
_TYPE_ORDER.update({k: i + 1 for i, k in enumerate(_ORDER_LAST)})


def _gvk_string(obj: dict[str, Any]) -> str:
    av = str(obj.get("apiVersion") or "")
    group, _, version = av.rpartition("/") if "/" in av else ("", "", av)
    return "_".join([group or "~G", version or "~V", str(obj.get("kind") or "~K")])


def legacy_order_key(r: WorkRes) -> tuple[int, str, str]:
    gvk = _gvk_string(r.obj)
    ns = r.namespace or "~X"
    return (_TYPE_ORDER.get(r.kind, 0), gvk, f"{gvk}|{ns}|{r.name}")
