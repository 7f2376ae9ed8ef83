"""kustomize's field specs: where each built-in transformer writes, and ``configurations:`` that extend it.

A field spec names a path (``spec/template/metadata/labels``) in objects of a group/version/kind; the
transformers (namespace, prefix/suffix, labels, annotations, images, replicas) and the name-reference
fixer act on every field their specs reach. :data:`DEFAULTS` holds kustomize v5.5's own tables
(api/internal/konfig/builtinpluginconsts, checked field by field against ``kubectl kustomize``); a
kustomization's ``configurations:`` files are merged into them the way kustomize's TransformerConfig.Merge
does (a spec already present by group/version/kind and path is kept; one that differs only in ``create``
fails the build), and each accumulation carries the merge of its own and its sub-kustomizations' configs.

Paths are walked as kustomize's fieldspec filter walks them: a list met on the way is entered element by
element with the same remaining path, ``name[]`` hints a list, ``\\/`` escapes a slash inside a key, a
missing field ends the walk unless the spec creates it, and a path that runs into a scalar (or an explicit
null it may not create through) is an error kustomize reports.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Callable

from ..schema import BOOL, STR, problems, seq

# How many field specs ``configurations:`` may add to one build (kustomize's own tables hold ~250).
MAX_CUSTOM_FIELD_SPECS = 2_000


class FieldSpecError(ValueError):
    """A configuration kustomize refuses, or a path that runs into a value of the wrong shape."""


def parse_gv(api_version: str) -> tuple[str, str]:
    """(group, version) of an apiVersion as kustomize splits it (``v1`` is the core group's version)."""
    group, _, version = api_version.partition("/")
    if not version and len(group) >= 2 and group[0] == "v" and group[1] in "12":
        return "", group
    return group, version


class Gvk(namedtuple("Gvk", "group version kind", defaults=("", "", ""))):
    """A group, version and kind as field specs and name references give them; an empty part matches any."""

    __slots__ = ()

    group: str
    version: str
    kind: str

    def selects(self, group: str, version: str, kind: str) -> bool:
        """Does this (possibly partial) gvk select an object of that group/version/kind? Empty parts match all."""
        return ((not self.group or self.group == group) and (not self.version or self.version == version)
                and (not self.kind or self.kind == kind))

    def selects_obj(self, obj: dict[str, Any], kind: str | None = None) -> bool:
        group, version = parse_gv(str(obj.get("apiVersion") or ""))
        return self.selects(group, version, str(obj.get("kind") or "") if kind is None else kind)


class FieldSpec(namedtuple("FieldSpec", "gvk path create", defaults=(False,))):
    """kustomize's types.FieldSpec: the field at ``path`` (``/``-separated) of the objects ``gvk`` selects;
    with ``create``, a transformer adds it where it is missing."""

    __slots__ = ()

    gvk: Gvk
    path: str
    create: bool

    def same_key(self, other: FieldSpec) -> bool:
        """kustomize's effectivelyEquals: ``other``'s gvk selects this one's and the paths are equal."""
        return other.gvk.selects(self.gvk.group, self.gvk.version, self.gvk.kind) and self.path == other.path

    def parts(self) -> list[str]:
        out: list[str] = []
        for piece in self.path.split("/"):
            if out and out[-1].endswith("\\"):
                out[-1] = out[-1][:-1] + "/" + piece
            else:
                out.append(piece)
        return out


class NameReference(namedtuple("NameReference", "gvk referrers")):
    """Objects of ``gvk`` are referred to by name at ``referrers`` (kustomize's NameBackReferences)."""

    __slots__ = ()

    gvk: Gvk
    referrers: tuple[FieldSpec, ...]


def merge_specs(base: list[FieldSpec], incoming: list[FieldSpec]) -> list[FieldSpec]:
    """kustomize's FsSlice.MergeAll: specs already there are kept, a conflicting ``create`` is refused."""
    out = list(base)
    by_path: dict[str, list[FieldSpec]] = {}  # same_key needs equal paths: only those are scanned, in order
    for cur in out:
        by_path.setdefault(cur.path, []).append(cur)
    for spec in incoming:
        for cur in by_path.get(spec.path, ()):
            if cur.same_key(spec):
                if cur.create != spec.create:
                    raise FieldSpecError(f"conflicting fieldspecs for path '{spec.path}'")
                break
        else:
            out.append(spec)
            by_path.setdefault(spec.path, []).append(spec)
    return out


_KINDS = ("namePrefix", "nameSuffix", "namespace", "commonLabels", "labels", "templateLabels",
          "commonAnnotations", "varReference", "images", "replicas")


class TransformerConfig:
    """Field specs per transformer, plus the name references (kustomize's builtinconfig.TransformerConfig); equal
    when both are."""

    __slots__ = ("specs", "name_reference", "_referrers", "_count")

    def __init__(self, specs: dict[str, list[FieldSpec]] | None = None,
                 name_reference: list[NameReference] | None = None) -> None:
        self.specs = {k: [] for k in _KINDS} if specs is None else specs
        self.name_reference = [] if name_reference is None else name_reference
        self._referrers: dict[tuple[str, str], list[tuple[Gvk, FieldSpec]]] = {}
        self._count: int | None = None

    def __eq__(self, other: object) -> bool:
        if type(other) is not TransformerConfig:
            return NotImplemented
        return self.specs == other.specs and self.name_reference == other.name_reference

    def referrers(self, obj: dict[str, Any]) -> list[tuple[Gvk, FieldSpec]]:
        """The (target, referrer spec) pairs of the name references whose referrer spec selects ``obj``; they
        depend on its apiVersion and kind alone, and a config is not changed once built, so they are remembered."""
        api_version, kind = str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")
        found = self._referrers.get((api_version, kind))
        if found is None:
            group, version = parse_gv(api_version)
            found = self._referrers[(api_version, kind)] = [
                (ref.gvk, spec) for ref in self.name_reference for spec in ref.referrers
                if spec.gvk.selects(group, version, kind)]
        return found

    def __getitem__(self, kind: str) -> list[FieldSpec]:
        return self.specs[kind]

    def count(self) -> int:
        """How many field specs the config holds; asked at every merge, counted once (a config is not changed once
        built)."""
        if self._count is None:
            self._count = sum(len(v) for v in self.specs.values()) + sum(len(n.referrers) for n in self.name_reference)
        return self._count

    def merge(self, other: TransformerConfig) -> TransformerConfig:
        """kustomize's TransformerConfig.Merge. A config is not changed once built, so the merge of the same
        two is remembered: every accumulation of a build merges the defaults and its sub-kustomizations' configs."""
        if not other.count():
            return self
        key = (id(self), id(other))
        hit = _MERGED.get(key)
        if hit is None:
            if len(_MERGED) >= _MAX_MERGED:
                _MERGED.clear()
            # the operands stay alive: their ids stay theirs
            hit = _MERGED[key] = (self, other, self._same_or(self._merge(other), other))
        return hit[2]

    def _same_or(self, merged: TransformerConfig, other: TransformerConfig) -> TransformerConfig:
        """An operand equal to the merge, else the merge. Nearly every merge of a build adds nothing new (the
        defaults into an empty accumulation, a sub-kustomization's defaults into its parent's): answering with the
        operand keeps the configs of all builds the same few objects, so later merges of them and their remembered
        :meth:`referrers` are found instead of computed again."""
        for operand in (self, other):
            if merged.specs == operand.specs and merged.name_reference == operand.name_reference:
                return operand
        return merged

    def _merge(self, other: TransformerConfig) -> TransformerConfig:
        specs = {k: merge_specs(self.specs[k], other.specs[k]) for k in _KINDS}
        refs = list(self.name_reference)
        for ref in other.name_reference:
            for i, cur in enumerate(refs):
                if cur.gvk == ref.gvk:
                    refs[i] = cur._replace(referrers=tuple(merge_specs(list(cur.referrers), list(ref.referrers))))
                    break
            else:
                refs.append(ref)
        return TransformerConfig(specs, refs)


_MERGED: dict[tuple[int, int], tuple[TransformerConfig, TransformerConfig, TransformerConfig]] = {}
_MAX_MERGED = 1_024

# The configuration an accumulation starts from (shared, so merges into it are remembered).
NO_CONFIG = TransformerConfig()

_FIELD_SPEC = {"group": STR, "version": STR, "kind": STR, "path": STR, "create": BOOL}
CONFIG_SHAPE = {**{k: seq(_FIELD_SPEC) for k in _KINDS},
                "nameReference": seq({"group": STR, "version": STR, "kind": STR, "fieldSpecs": seq(_FIELD_SPEC)})}


def _gvk(data: dict[str, Any]) -> Gvk:
    return Gvk(str(data.get("group") or ""), str(data.get("version") or ""), str(data.get("kind") or ""))


def spec_of(data: dict[str, Any]) -> FieldSpec:
    return FieldSpec(_gvk(data), str(data.get("path") or ""), bool(data.get("create")))


def _strict(value: Any, shape: Any) -> Any:
    """``value`` with its keys named as ``shape`` names them, as Go's strict JSON decoding matches fields
    (case-insensitively); a key ``shape`` does not have fails, as kustomize's ``yaml.UnmarshalStrict`` does."""
    if isinstance(shape, tuple) and shape[0] == "list" and isinstance(value, list):
        return [_strict(item, shape[1]) for item in value]
    if not isinstance(shape, dict) or not isinstance(value, dict):
        return value
    names = {k.lower(): k for k in shape}
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = names.get(str(key).lower())
        if name is None:
            raise FieldSpecError(f'unknown field "{key}" (kustomize decodes configurations strictly)')
        out[name] = _strict(item, shape[name])
    return out


def parse_config(data: Any) -> TransformerConfig:
    """A configurations file's content, decoded as kustomize decodes it (strictly: an unknown field fails).

    Like kustomize's TransformerConfig.Merge into an empty config: the field-spec lists refuse a path given
    twice with a different ``create``; a nameReference's own ``fieldSpecs`` are kept as written."""
    if data is None:
        return TransformerConfig()
    if not isinstance(data, dict):
        raise FieldSpecError("invalid transformer configuration: expected a mapping")
    data = _strict(data, CONFIG_SHAPE)
    bad = problems(data, CONFIG_SHAPE)
    if bad:
        raise FieldSpecError(f"invalid transformer configuration: {bad[0]}")
    return _config(data)


def _config(data: dict[str, Any]) -> TransformerConfig:
    """The config of a decoded, checked configurations mapping (field names as kustomize's)."""
    config = TransformerConfig()
    for kind in _KINDS:
        config.specs[kind] = merge_specs([], [spec_of(s) for s in data.get(kind) or [] if isinstance(s, dict)])
    refs: list[NameReference] = []
    for ref in data.get("nameReference") or []:
        if isinstance(ref, dict):
            referrers = tuple(spec_of(s) for s in ref.get("fieldSpecs") or [] if isinstance(s, dict))
            if referrers:  # a merge of a reference without field specs leaves the config as it is
                refs.append(NameReference(_gvk(ref), referrers))
    return config.merge(TransformerConfig(name_reference=refs))  # the same as merging them one by one, at once


# -- kustomize v5.5's tables (builtinpluginconsts) ----------------------------------------------------

_POD_OWNERS = [("", "Deployment"), ("", "ReplicaSet"), ("", "DaemonSet"), ("", "StatefulSet"), ("", "Job")]
_POD_REFS = {
    "ConfigMap": ["volumes/configMap/name", "containers/env/valueFrom/configMapKeyRef/name",
                  "initContainers/env/valueFrom/configMapKeyRef/name", "containers/envFrom/configMapRef/name",
                  "initContainers/envFrom/configMapRef/name", "volumes/projected/sources/configMap/name"],
    "Secret": ["volumes/secret/secretName", "containers/env/valueFrom/secretKeyRef/name",
               "initContainers/env/valueFrom/secretKeyRef/name", "containers/envFrom/secretRef/name",
               "initContainers/envFrom/secretRef/name", "imagePullSecrets/name",
               "volumes/projected/sources/secret/name"],
}


def _pod_refs(target: str) -> list[dict[str, Any]]:
    """Where pods and the workloads that template them name a ConfigMap or Secret."""
    refs = [{"path": f"spec/{p}", "version": "v1", "kind": "Pod"} for p in _POD_REFS[target]]
    for _, kind in _POD_OWNERS:
        refs += [{"path": f"spec/template/spec/{p}", "kind": kind} for p in _POD_REFS[target]]
    refs += [{"path": f"spec/jobTemplate/spec/template/spec/{p}", "kind": "CronJob"} for p in _POD_REFS[target]]
    return refs


_NAMESPACE = [
    {"path": "metadata/namespace", "create": True},
    {"path": "metadata/name", "kind": "Namespace", "create": True},
    {"path": "subjects[]/namespace", "kind": "RoleBinding"},
    {"path": "subjects[]/namespace", "kind": "ClusterRoleBinding"},
    {"path": "spec/service/namespace", "group": "apiregistration.k8s.io", "kind": "APIService", "create": True},
    {"path": "spec/conversion/webhook/clientConfig/service/namespace", "group": "apiextensions.k8s.io",
     "kind": "CustomResourceDefinition"},
]
_COMMON_ANNOTATIONS = [
    {"path": "metadata/annotations", "create": True},
    {"path": "spec/template/metadata/annotations", "create": True, "version": "v1", "kind": "ReplicationController"},
    {"path": "spec/template/metadata/annotations", "create": True, "kind": "Deployment"},
    {"path": "spec/template/metadata/annotations", "create": True, "kind": "ReplicaSet"},
    {"path": "spec/template/metadata/annotations", "create": True, "kind": "DaemonSet"},
    {"path": "spec/template/metadata/annotations", "create": True, "kind": "StatefulSet"},
    {"path": "spec/template/metadata/annotations", "create": True, "group": "batch", "kind": "Job"},
    {"path": "spec/jobTemplate/metadata/annotations", "create": True, "group": "batch", "kind": "CronJob"},
    {"path": "spec/jobTemplate/spec/template/metadata/annotations", "create": True, "group": "batch",
     "kind": "CronJob"},
]
_IMAGES = [
    {"path": "spec/containers[]/image", "create": True},
    {"path": "spec/initContainers[]/image", "create": True},
    {"path": "spec/template/spec/containers[]/image", "create": True},
    {"path": "spec/template/spec/initContainers[]/image", "create": True},
]
_REPLICAS = [
    {"path": "spec/replicas", "create": True, "kind": "Deployment"},
    {"path": "spec/replicas", "create": True, "kind": "ReplicationController"},
    {"path": "spec/replicas", "create": True, "kind": "ReplicaSet"},
    {"path": "spec/replicas", "create": True, "kind": "StatefulSet"},
]

_TEMPLATE_LABELS = [
    {"path": "spec/template/metadata/labels", "create": True, "version": "v1", "kind": "ReplicationController"},
    {"path": "spec/template/metadata/labels", "create": True, "kind": "Deployment"},
    {"path": "spec/template/metadata/labels", "create": True, "kind": "ReplicaSet"},
    {"path": "spec/template/metadata/labels", "create": True, "kind": "DaemonSet"},
    {"path": "spec/template/metadata/labels", "create": True, "group": "apps", "kind": "StatefulSet"},
    {"path": "spec/volumeClaimTemplates[]/metadata/labels", "create": True, "group": "apps", "kind": "StatefulSet"},
    {"path": "spec/template/metadata/labels", "create": True, "group": "batch", "kind": "Job"},
    {"path": "spec/jobTemplate/metadata/labels", "create": True, "group": "batch", "kind": "CronJob"},
    {"path": "spec/jobTemplate/spec/template/metadata/labels", "create": True, "group": "batch", "kind": "CronJob"},
]
_METADATA_LABELS = [{"path": "metadata/labels", "create": True}, *_TEMPLATE_LABELS]
_AFFINITY = ["spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/"
             "podAffinityTerm/labelSelector/matchLabels",
             "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
             "labelSelector/matchLabels",
             "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/"
             "podAffinityTerm/labelSelector/matchLabels",
             "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
             "labelSelector/matchLabels",
             "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels"]
_COMMON_LABELS = [
    {"path": "spec/selector", "create": True, "version": "v1", "kind": "Service"},
    {"path": "spec/selector", "create": True, "version": "v1", "kind": "ReplicationController"},
    {"path": "spec/selector/matchLabels", "create": True, "kind": "Deployment"},
    *({"path": p, "group": "apps", "kind": "Deployment"} for p in _AFFINITY),
    {"path": "spec/selector/matchLabels", "create": True, "kind": "ReplicaSet"},
    {"path": "spec/selector/matchLabels", "create": True, "kind": "DaemonSet"},
    {"path": "spec/selector/matchLabels", "create": True, "group": "apps", "kind": "StatefulSet"},
    *({"path": p, "group": "apps", "kind": "StatefulSet"} for p in _AFFINITY),
    {"path": "spec/selector/matchLabels", "group": "batch", "kind": "Job"},
    {"path": "spec/jobTemplate/spec/selector/matchLabels", "group": "batch", "kind": "CronJob"},
    {"path": "spec/selector/matchLabels", "group": "policy", "kind": "PodDisruptionBudget"},
    {"path": "spec/podSelector/matchLabels", "group": "networking.k8s.io", "kind": "NetworkPolicy"},
    {"path": "spec/ingress/from/podSelector/matchLabels", "group": "networking.k8s.io", "kind": "NetworkPolicy"},
    {"path": "spec/egress/to/podSelector/matchLabels", "group": "networking.k8s.io", "kind": "NetworkPolicy"},
    *_METADATA_LABELS,
]


def _name_references() -> list[dict[str, Any]]:
    workloads_sa = ["StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet"]

    def pod_and(path: str, kinds: list[str]) -> list[dict[str, Any]]:
        out = [{"path": f"spec/{path}", "kind": "Pod"}]
        for k in kinds:
            prefix = "spec/jobTemplate/spec/template/spec" if k == "CronJob" else "spec/template/spec"
            out.append({"path": f"{prefix}/{path}", "kind": k})
        return out

    scale = [{"path": "spec/scaleTargetRef/name", "kind": "HorizontalPodAutoscaler"}]
    config_map = _pod_refs("ConfigMap") + [
        {"path": "spec/configSource/configMap", "kind": "Node"},
        {"path": "rules/resourceNames", "kind": "Role"},
        {"path": "rules/resourceNames", "kind": "ClusterRole"},
        {"path": "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", "kind": "Ingress"},
        {"path": "spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", "kind": "Service",
         "group": "serving.knative.dev", "version": "v1"},
        {"path": "spec/template/spec/containers/envFrom/configMapRef/name", "kind": "Service",
         "group": "serving.knative.dev", "version": "v1"},
    ]
    secret = _pod_refs("Secret") + [
        {"path": "spec/tls/secretName", "kind": "Ingress"},
        {"path": "metadata/annotations/ingress.kubernetes.io\\/auth-secret", "kind": "Ingress"},
        {"path": "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret", "kind": "Ingress"},
        {"path": "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret", "kind": "Ingress"},
        {"path": "imagePullSecrets/name", "kind": "ServiceAccount"},
        {"path": "parameters/secretName", "kind": "StorageClass"},
        {"path": "parameters/adminSecretName", "kind": "StorageClass"},
        {"path": "parameters/userSecretName", "kind": "StorageClass"},
        {"path": "parameters/secretRef", "kind": "StorageClass"},
        {"path": "rules/resourceNames", "kind": "Role"},
        {"path": "rules/resourceNames", "kind": "ClusterRole"},
        {"path": "spec/template/spec/containers/env/valueFrom/secretKeyRef/name", "kind": "Service",
         "group": "serving.knative.dev", "version": "v1"},
        {"path": "spec/azureFile/secretName", "kind": "PersistentVolume"},
    ]
    return [
        {"kind": "Deployment", "fieldSpecs": scale},
        {"kind": "ReplicationController", "fieldSpecs": scale},
        {"kind": "ReplicaSet", "fieldSpecs": scale},
        {"kind": "StatefulSet", "fieldSpecs": scale},
        {"kind": "ConfigMap", "version": "v1", "fieldSpecs": config_map},
        {"kind": "Secret", "version": "v1", "fieldSpecs": secret},
        {"kind": "Service", "version": "v1", "fieldSpecs": [
            {"path": "spec/serviceName", "kind": "StatefulSet", "group": "apps"},
            {"path": "spec/rules/http/paths/backend/serviceName", "kind": "Ingress"},
            {"path": "spec/backend/serviceName", "kind": "Ingress"},
            {"path": "spec/rules/http/paths/backend/service/name", "kind": "Ingress"},
            {"path": "spec/defaultBackend/service/name", "kind": "Ingress"},
            {"path": "spec/service/name", "kind": "APIService", "group": "apiregistration.k8s.io"},
            {"path": "webhooks/clientConfig/service", "kind": "ValidatingWebhookConfiguration",
             "group": "admissionregistration.k8s.io"},
            {"path": "webhooks/clientConfig/service", "kind": "MutatingWebhookConfiguration",
             "group": "admissionregistration.k8s.io"},
        ]},
        {"kind": "Role", "group": "rbac.authorization.k8s.io", "fieldSpecs": [
            {"path": "roleRef/name", "kind": "RoleBinding", "group": "rbac.authorization.k8s.io"}]},
        {"kind": "ClusterRole", "group": "rbac.authorization.k8s.io", "fieldSpecs": [
            {"path": "roleRef/name", "kind": "RoleBinding", "group": "rbac.authorization.k8s.io"},
            {"path": "roleRef/name", "kind": "ClusterRoleBinding", "group": "rbac.authorization.k8s.io"}]},
        {"kind": "ServiceAccount", "version": "v1", "fieldSpecs": [
            {"path": "subjects", "kind": "RoleBinding", "group": "rbac.authorization.k8s.io"},
            {"path": "subjects", "kind": "ClusterRoleBinding", "group": "rbac.authorization.k8s.io"},
            *pod_and("serviceAccountName", workloads_sa)]},
        {"kind": "PersistentVolumeClaim", "version": "v1",
         "fieldSpecs": pod_and("volumes/persistentVolumeClaim/claimName", workloads_sa)},
        {"kind": "PersistentVolume", "version": "v1", "fieldSpecs": [
            {"path": "spec/volumeName", "kind": "PersistentVolumeClaim"},
            {"path": "rules/resourceNames", "kind": "ClusterRole"}]},
        {"kind": "StorageClass", "version": "v1", "group": "storage.k8s.io", "fieldSpecs": [
            {"path": "spec/storageClassName", "kind": "PersistentVolume"},
            {"path": "spec/storageClassName", "kind": "PersistentVolumeClaim"},
            {"path": "spec/volumeClaimTemplates/spec/storageClassName", "kind": "StatefulSet"}]},
        {"kind": "PriorityClass", "version": "v1", "group": "scheduling.k8s.io",
         "fieldSpecs": pod_and("priorityClassName", workloads_sa)},
        {"kind": "IngressClass", "version": "v1", "group": "networking.k8s.io/v1", "fieldSpecs": [
            {"path": "spec/ingressClassName", "kind": "Ingress"}]},
    ]


def _defaults_data() -> dict[str, Any]:
    """kustomize's tables as a configurations mapping."""
    return {"namePrefix": [{"path": "metadata/name"}], "nameSuffix": [{"path": "metadata/name"}],
            "namespace": _NAMESPACE, "commonAnnotations": _COMMON_ANNOTATIONS, "images": _IMAGES,
            "replicas": _REPLICAS, "commonLabels": _COMMON_LABELS, "labels": [], "templateLabels": _METADATA_LABELS,
            "nameReference": _name_references()}


# Built at import without parse_config's strict decoding and shape check, two thirds of its time: these are
# flux-wiki's own tables (tests/kustomize/test_kustomize_configurations.py checks they pass both unchanged).
DEFAULTS = _config(_defaults_data())


# -- walking a path ------------------------------------------------------------------------------------

Setter = Callable[[Any, Any], None]  # (holder, key): the field is holder[key]


def walk(obj: dict[str, Any], spec: FieldSpec, setter: Setter, create_kind: str | None = None) -> None:
    """Call ``setter`` on every field ``spec``'s path reaches in ``obj`` (the caller checked the gvk).

    ``create_kind`` ("map" or "scalar") is what a missing last field is created as when the spec
    creates; fields on the way are created as mappings.
    """
    _walk({"": obj}, "", spec.parts(), spec, setter, create_kind)


def _walk(holder: Any, key: Any, path: list[str], spec: FieldSpec, setter: Setter, create_kind: str | None) -> None:
    node = holder[key]
    if not path:
        setter(holder, key)
        return
    if isinstance(node, list):
        for i in range(len(node)):
            _walk(node, i, path, spec, setter, create_kind)
        return
    if not isinstance(node, dict):
        raise FieldSpecError(f"path '{spec.path}': expected a sequence or mapping node")
    name = path[0][:-2] if path[0].endswith("[]") else path[0]
    is_seq = path[0].endswith("[]")
    if not name:
        raise FieldSpecError(f"considering field '{spec.path}': cannot set or create an empty field name")
    if not spec.create or create_kind is None or is_seq:
        if name not in node:
            return
        kind = "seq" if is_seq else None
    else:
        kind = create_kind if len(path) == 1 else "map"
        if name not in node:
            node[name] = {"map": {}, "seq": [], "scalar": ""}[kind]
    if node[name] is None:
        if kind is None:
            if len(path) > 1:
                raise FieldSpecError(f"path '{spec.path}': expected a sequence or mapping node, found null")
        else:
            node[name] = {"map": {}, "seq": [], "scalar": ""}[kind]
    _walk(node, name, path[1:], spec, setter, create_kind)


def matching(specs: list[FieldSpec], obj: dict[str, Any]) -> list[FieldSpec]:
    """The specs whose gvk selects ``obj``."""
    group, version = parse_gv(str(obj.get("apiVersion") or ""))
    kind = str(obj.get("kind") or "")
    return [s for s in specs if s.gvk.selects(group, version, kind)]
