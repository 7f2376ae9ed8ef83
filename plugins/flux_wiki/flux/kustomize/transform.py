"""kustomize's built-in transformers over a list of working resources.

Namespace, name prefix/suffix, labels and annotations (with kustomize's default
field specs), images, replicas, back-references to renamed objects, and the
legacy output order. Each resource keeps the names and namespaces it had, as
kustomize does, so patches and references can match the original id.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Callable

from .fieldspec import FieldSpec, FieldSpecError, Gvk, TransformerConfig, matching, parse_gv, walk
from ...load.yamldocs import copy_data
from ...model import DependsOnKey, FieldAt, ValuesPath
from ..goregexp import GoRegexpError, compile_go
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
_CLUSTER_SCOPED_KINDS = frozenset(kind for _, kind in KUSTOMIZE_CLUSTER_SCOPED)  # most objects are none of them


# the fields (and all below them) a shared WorkRes holds copies of: the ones transformers mostly write
OWN_FIELDS = frozenset({"metadata/name", "metadata/namespace", "metadata/labels", "metadata/annotations"})


def copy_top(obj: dict[str, Any]) -> dict[str, Any]:
    """A parsed manifest with its top level, metadata and metadata's labels and annotations copied, the rest
    shared: a build copies what its transformers mostly write, not every manifest whole."""
    out = dict(obj)
    md = out.get("metadata")
    if isinstance(md, dict):
        md = out["metadata"] = dict(md)
        for key in ("labels", "annotations"):
            if isinstance(md.get(key), dict):
                md[key] = dict(md[key])
    return out


class WorkRes:
    """A resource during a build, with the ids it had before (kustomize's previous-id annotations).

    ``prev`` holds (name, namespace) pairs in the order kustomize's StorePreviousId records them (the
    namespace as kustomize's effective namespace); ``prefixes``/``suffixes`` are the name prefixes and
    suffixes applied to it, which the name-reference fixer compares to pick among candidates.

    A manifest read from a file is ``shared``: only its top level, metadata, labels and annotations are the
    build's own (:func:`copy_top`), what lies below is the parse cache's, which must never change. A write there
    goes through :meth:`own` (or :meth:`writable`), which copies the whole object first, once.
    """

    __slots__ = ("obj", "file", "line", "encrypted", "org_name", "org_ns", "prev", "needs_hash", "behavior", "prefixes",
                 "suffixes", "origin", "depends_on_at", "patched_hosts", "values_at", "shared")

    def __init__(self, obj: dict[str, Any], file: str, line: int, encrypted: bool = False, org_name: str = "",
                 org_ns: str = "", prev: list[tuple[str, str]] | None = None, needs_hash: bool = False,
                 behavior: str = "create", prefixes: list[str] | None = None, suffixes: list[str] | None = None,
                 origin: dict[str, Any] | None = None, depends_on_at: dict[DependsOnKey, FieldAt] | None = None,
                 patched_hosts: dict[tuple[str | int, ...], FieldAt] | None = None,
                 values_at: dict[ValuesPath, FieldAt] | None = None, shared: bool = False) -> None:
        self.obj = obj
        self.file = file
        self.line = line
        self.encrypted = encrypted
        self.org_name = org_name
        self.org_ns = org_ns
        self.prev = [] if prev is None else prev
        self.needs_hash = needs_hash
        self.behavior = behavior
        self.prefixes = [] if prefixes is None else prefixes
        self.suffixes = [] if suffixes is None else suffixes
        self.origin = origin  # kustomize's Origin: {"path": file} or the generator's configuredIn/By
        self.depends_on_at = depends_on_at  # see Resource.depends_on_at
        self.patched_hosts = patched_hosts  # see Resource.patched_hosts
        self.values_at = values_at  # see Resource.values_at
        self.shared = shared

    def own(self) -> dict[str, Any]:
        """The object, all of it the build's own (copied from the parse cache's if it still shares it)."""
        if self.shared:
            self.obj = copy_data(self.obj)
            self.shared = False
        return self.obj

    def writable(self, spec: FieldSpec) -> dict[str, Any]:
        """The object for a write where ``spec`` points: as it is for a field of its own, else :meth:`own`."""
        return self.obj if spec.path in OWN_FIELDS else self.own()

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

    def store_previous_id(self) -> None:
        """Record the current name and namespace before a transformer may change them."""
        self.prev.append((self.name, effective_ns(self)))

    def org_namespace(self) -> str:
        """The effective namespace of the original id (kustomize's OrgId)."""
        return self.prev[0][1] if self.prev else effective_ns(self)

    def cluster_scoped(self) -> bool:
        kind = self.kind
        return kind in _CLUSTER_SCOPED_KINDS and (group_of(self.obj), kind) in KUSTOMIZE_CLUSTER_SCOPED


def effective_ns(res: WorkRes, ns: str | None = None) -> str:
    if res.cluster_scoped():
        return ""
    value = res.namespace if ns is None else ns
    return value or "default"


def _scalar(value: Any) -> str | None:
    """A scalar's text as kustomize reads a YAML scalar node; None for mappings, lists and nulls."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- namespace ---------------------------------------------------------------

_ROLE_BINDINGS = ("RoleBinding", "ClusterRoleBinding")
_META_NAMESPACE = FieldSpec(Gvk(), "metadata/namespace", True)
_SUBJECT_PATHS = ("subjects[]/namespace", "subjects/namespace")


def set_namespace(resources: list[WorkRes], namespace: str, specs: list[FieldSpec], *, unset_only: bool = False,
                  subjects: str = "defaultOnly") -> None:
    """kustomize's NamespaceTransformer: ``metadata.namespace`` of namespaced objects, the other field specs
    (a v1 Namespace's name, an APIService's service...), and the subjects of role bindings ``subjects`` names:
    ``defaultOnly`` (those named ``default``, kustomization's ``namespace:``), ``allServiceAccounts`` or
    ``none``. ``unset_only`` leaves fields that already hold a value."""
    if not namespace:
        return

    def set_value(holder: Any, key: Any) -> None:
        if isinstance(holder[key], (dict, list)):
            raise FieldSpecError(f"namespace field specs must target scalar nodes: field '{key}' is not a scalar")
        if not unset_only or not _scalar(holder[key]):
            holder[key] = namespace

    # kustomize checks, after each object, that its new id is unique among all objects as they are then (the
    # later ones not yet moved): the ids are counted once and the count follows each object's change
    befores = [_id_key(o) for o in resources]
    ids = Counter(befores)
    for_v1 = [s for s in specs if s.path != "metadata/namespace"]  # a v1 Namespace's name among them
    for_others = [s for s in for_v1 if s.path != "metadata/name"]
    for r, before in zip(resources, befores):
        if not r.obj:
            continue
        r.store_previous_id()
        chosen = for_v1 if r.obj.get("apiVersion") == "v1" else for_others
        if not r.cluster_scoped():
            walk(r.obj, _META_NAMESPACE, set_value, "scalar")
        if r.kind in _ROLE_BINDINGS:
            chosen = [s for s in chosen if not (s.gvk.kind in _ROLE_BINDINGS and s.path in _SUBJECT_PATHS)]
            for subject in _items(r.own().get("subjects")) if subjects != "none" else []:
                if isinstance(subject, dict) and (subject.get("name") == "default" if subjects == "defaultOnly"
                                                  else subject.get("kind") == "ServiceAccount"):
                    subject.setdefault("namespace", "")
                    set_value(subject, "namespace")
        for spec in matching(chosen, r.obj):
            walk(r.writable(spec), spec, set_value, "scalar")
        key = _id_key(r)
        ids[before] -= 1
        ids[key] += 1
        if ids[key] != 1:
            raise FieldSpecError(f"namespace transformation produces ID conflict: {r.kind} {r.name} "
                                 f"in namespace {namespace}")


def _id_key(r: WorkRes) -> tuple[str, str, str, str, str]:
    group, version = parse_gv(str(r.obj.get("apiVersion") or ""))
    return (group, version, r.kind, effective_ns(r), r.name)


# -- prefix / suffix ---------------------------------------------------------

_AFFIX_SKIP = (Gvk(kind="CustomResourceDefinition"), Gvk(group="apiregistration.k8s.io", kind="APIService"),
               Gvk(kind="Namespace"))


def add_affix(resources: list[WorkRes], affix: str, specs: list[FieldSpec], *, suffix: bool = False) -> None:
    """kustomize's PrefixTransformer (or SuffixTransformer): every field the specs reach gets the affix; the
    ``metadata/name`` spec also records it, and the previous id, for the name-reference fixer."""

    def set_value(holder: Any, key: Any) -> None:
        text = _scalar(holder[key])
        if text is not None:
            holder[key] = text + affix if suffix else affix + text

    for r in resources:
        if any(g.selects_obj(r.obj) for g in _AFFIX_SKIP):
            continue
        for spec in matching(specs, r.obj):
            if spec.path == "metadata/name" and affix:
                (r.suffixes if suffix else r.prefixes).append(affix)
                r.store_previous_id()
            walk(r.writable(spec), spec, set_value)


# -- labels and annotations ---------------------------------------------------

def _str_map(values: Any) -> dict[str, str]:
    if not isinstance(values, dict):
        return {}
    return {str(k): "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in values.items()}


def set_entries(resources: list[WorkRes], entries: Any, specs: list[FieldSpec], what: str = "labels") -> None:
    """kustomize's LabelTransformer / AnnotationsTransformer: the entries are set in every mapping the specs
    reach (created where a spec says so)."""
    values = _str_map(entries)
    if not values:
        return

    def set_value(holder: Any, key: Any) -> None:
        node = holder[key]
        if node is None:
            holder[key] = dict(values)
        elif isinstance(node, dict):
            node.update(values)
        else:
            raise FieldSpecError(f"{what}: expected a mapping at '{key}'")

    for r in resources:
        for spec in matching(specs, r.obj):
            walk(r.writable(spec), spec, set_value, "map")


# -- images and replicas ------------------------------------------------------

def split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) of an image reference, as kustomize's image.Split reads it."""
    slash = image.find("/")
    search, offset = (image[slash:], slash) if slash > 0 else (image, 0)
    at, colon = search.find("@"), search.find(":")
    if at < 0 and colon < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        return image[:at + offset], "", image[at + offset + 1:]
    if at >= 0 and colon >= 0:
        return image[:colon + offset], image[colon + offset + 1:at + offset], image[at + offset + 1:]
    return image[:colon + offset], image[colon + offset + 1:], ""


# compiled by re.fullmatch at its first use (re caches it): only an ``images:`` entry needs it
_TAG_AND_DIGEST = r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?"


def _image_matches(value: str, name: str) -> bool:
    """kustomize's image.IsImageMatched: ``name`` (a regular expression), then an optional tag and digest, is the
    whole of ``value``. The name is matched on its own (:mod:`..goregexp`) against each head of ``value`` whose
    rest is a tag and digest."""
    try:
        rx = compile_go(name)
    except GoRegexpError:
        return False
    heads = [i for i, c in enumerate(value) if c in ":@"] + [len(value)]
    return any(re.fullmatch(_TAG_AND_DIGEST, value[i:]) and rx.fullmatch(value[:i]) for i in heads)


def new_image(value: str, spec: dict[str, Any]) -> str | None:
    """The image ``value`` becomes under an ``images:`` entry, or None when the entry does not name it."""
    if not _image_matches(value, str(spec.get("name") or "")):
        return None
    name, tag, digest = split_image(value)
    new_tag, new_digest = _scalar(spec.get("newTag")) or "", _scalar(spec.get("digest")) or ""
    name = _scalar(spec.get("newName")) or name
    if new_tag and new_digest:
        tag, digest = new_tag, new_digest
    elif new_tag:
        tag, digest = new_tag, ""
    elif new_digest:
        tag, digest = "", new_digest
    return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _update_image(holder: Any, key: Any, spec: dict[str, Any]) -> None:
    value = holder[key]
    if isinstance(value, (dict, list)):
        raise FieldSpecError("image: expected a scalar")
    text = _scalar(value)
    if text is not None:
        new = new_image(text, spec)
        if new is not None:
            holder[key] = new


def _legacy_images(node: Any, spec: dict[str, Any]) -> None:
    """kustomize's legacy image filter: the ``image`` of every element of any ``containers`` or
    ``initContainers`` list, anywhere in the object."""
    if isinstance(node, dict):
        for key, value in node.items():
            _legacy_images(value, spec)
            if key in ("containers", "initContainers") and isinstance(value, list):
                for c in value:
                    if isinstance(c, dict) and "image" in c:
                        _update_image(c, "image", spec)
    elif isinstance(node, list):
        for item in node:
            _legacy_images(item, spec)


def set_images(resources: list[WorkRes], images: list[Any], specs: list[FieldSpec]) -> None:
    """kustomize's ImageTagTransformer, once per ``images:`` entry."""
    for spec in images:
        if not isinstance(spec, dict) or not spec.get("name"):
            continue
        for r in resources:
            if r.kind != "CustomResourceDefinition":
                _legacy_images(r.own(), spec)
        for r in resources:
            for fs in matching(specs, r.obj):
                walk(r.writable(fs), fs, lambda holder, key, s=spec: _update_image(holder, key, s))


class TargetNotFound(FieldSpecError):
    """A transformer that must act on a named object found none (it may live in a remote base)."""


def set_replicas(resources: list[WorkRes], replica: dict[str, Any], specs: list[FieldSpec]) -> None:
    """kustomize's ReplicaCountTransformer for one ``replicas:`` entry: the count, where the specs say, in the
    objects that have (or had) that name; none at all fails the build."""
    name = str(replica.get("name") or "")
    count = replica.get("count") or 0

    def set_value(holder: Any, key: Any) -> None:
        holder[key] = count

    found = False
    for spec in specs:
        chosen = [r for r in resources if name in r.names() and spec.gvk.selects_obj(r.obj)]
        found = found or bool(chosen)
        for r in chosen:
            if spec.gvk.selects_obj(r.obj):
                walk(r.writable(spec), spec, set_value, "scalar")
    if not found:
        kinds = ", ".join(s.gvk.kind or "*" for s in specs)
        raise TargetNotFound(f"replicas: resource with name {name} does not match a config with the following "
                             f"kinds: [{kinds}]")


# -- back references -------------------------------------------------------------

def _items(value: Any) -> list[Any]:
    """A list field as a list; any other shape (the API server would refuse it) holds no references."""
    return value if isinstance(value, list) else []


def _same_ending(a: list[str], b: list[str]) -> bool:
    """kustomize's SameEndingSubSlice."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return not long
    return long[len(long) - len(short):] == short


class _NameReferences:
    """kustomize's name-reference transformer: references to objects that were renamed follow the new name."""

    def __init__(self, resources: list[WorkRes], config: TransformerConfig):
        self.resources = resources
        self.config = config
        self.by_prev: dict[str, list[WorkRes]] = {}
        for r in resources:
            for old in dict.fromkeys(n for n, _ in r.prev):
                self.by_prev.setdefault(old, []).append(r)

    def fix(self, referrer: WorkRes) -> None:
        filters = self.config.referrers(referrer.obj)
        if not filters:
            return
        could_refer = self._referable(referrer)
        for target, spec in filters:
            path_spec = FieldSpec(Gvk(), spec.path, False)
            walk(referrer.own(), path_spec,
                 lambda holder, key, t=target, p=spec.path: self._set(holder, key, referrer, t, p, could_refer))

    @staticmethod
    def _referable(referrer: WorkRes) -> Callable[[WorkRes], bool]:
        """kustomize's SubsetThatCouldBeReferencedByResource."""
        if referrer.cluster_scoped():
            return lambda _: True
        own = effective_ns(referrer)
        sa_namespaces: set[str] = set()
        if referrer.kind == "RoleBinding":
            for s in _items(referrer.obj.get("subjects")):
                if isinstance(s, dict) and s.get("kind") == "ServiceAccount" and isinstance(s.get("namespace"), str):
                    sa_namespaces.add(s["namespace"])
        return lambda t: t.cluster_scoped() or effective_ns(t) == own or t.namespace in sa_namespaces

    def _set(self, holder: Any, key: Any, referrer: WorkRes, target: Gvk, path: str,
             could_refer: Callable[[WorkRes], bool]) -> None:
        node = holder[key]
        if node is None:
            return
        if isinstance(node, dict):
            self._set_mapping(node, referrer, target, path, could_refer)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, dict):
                    self._set_mapping(item, referrer, target, path, could_refer)
                elif _scalar(item) is not None:
                    self._set_scalar(node, i, referrer, target, path, could_refer)
        else:
            self._set_scalar(holder, key, referrer, target, path, could_refer)

    def _set_scalar(self, holder: Any, key: Any, referrer: WorkRes, target: Gvk, path: str,
                    could_refer: Callable[[WorkRes], bool]) -> None:
        old = _scalar(holder[key]) or ""
        found = self._select(old, referrer, target, path, could_refer, with_namespace=False)
        if found is not None and found.name != old:
            holder[key] = found.name

    def _set_mapping(self, node: dict[str, Any], referrer: WorkRes, target: Gvk, path: str,
                     could_refer: Callable[[WorkRes], bool]) -> None:
        if "name" not in node:
            raise FieldSpecError(f"name reference at '{path}': path config error; no 'name' field in node")
        old = _scalar(node["name"]) or ""
        if old not in self.by_prev:
            return  # no object of the build was named so: the reference stays (as _select would find none)
        pool = could_refer
        if "namespace" in node:
            ns = _scalar(node["namespace"]) or ""
            subset = [c for c in self.resources if could_refer(c) and not c.cluster_scoped()]
            group = {id(c) for c in subset if c.org_namespace() == ns} \
                or {id(c) for c in subset if effective_ns(c) == ns}
            pool = lambda c: id(c) in group  # noqa: E731
        found = self._select(old, referrer, target, path, pool, with_namespace=True)
        if found is None or (found.name == old and not found.namespace):
            return
        node["name"] = found.name
        if found.namespace:
            node["namespace"] = found.namespace

    def _select(self, old: str, referrer: WorkRes, target: Gvk, path: str, pool: Callable[[WorkRes], bool],
                with_namespace: bool) -> WorkRes | None:
        cands = [c for c in self.by_prev.get(old, []) if pool(c) and target.selects_obj(c.obj)]
        if path.endswith("roleRef/name"):
            ref = referrer.obj.get("roleRef")
            if isinstance(ref, dict) and ref.get("apiGroup") is not None and ref.get("kind") is not None:
                role = Gvk(group=str(ref["apiGroup"]), kind=str(ref["kind"]))
                cands = [c for c in cands if role.selects_obj(c.obj)]
        if not referrer.cluster_scoped():
            own = effective_ns(referrer)
            cands = [c for c in cands if c.cluster_scoped() or c.kind == "ServiceAccount" or effective_ns(c) == own]
        if len(cands) == 1:
            return cands[0]
        cands = [c for c in cands if _same_ending(c.prefixes, referrer.prefixes)
                 and _same_ending(c.suffixes, referrer.suffixes)]
        if len(cands) <= 1:
            return cands[0] if cands else None
        first = cands[0]
        if all(c.name == first.name and (not with_namespace or c.namespace == first.namespace) for c in cands):
            return first
        ids = ", ".join(f"{c.kind} {c.namespace + '/' if c.namespace else ''}{c.name}" for c in cands)
        raise FieldSpecError(f"name reference '{old}' at '{path}' in {referrer.kind} {referrer.name}: "
                             f"found multiple possible referrals: {ids}")


def fix_back_references(resources: list[WorkRes], config: TransformerConfig) -> None:
    """References to renamed objects follow their new names (kustomize's FixBackReferences)."""
    if not any(r.prev for r in resources):
        return
    fixer = _NameReferences(resources, config)
    for r in resources:
        fixer.fix(r)


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
