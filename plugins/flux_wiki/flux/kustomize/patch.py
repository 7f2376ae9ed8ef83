"""Patches as kustomize applies them: strategic merge, JSON 6902 and target selectors.

Strategic merge follows kyaml's merge2 with the built-in Kubernetes schema: lists
with a merge key (containers by name, ports by containerPort, ...) are merged
for built-in kinds, patch elements first, then the target's remaining elements;
for custom resources every list is replaced. JSON 6902 implements RFC 6902 on
JSON pointers.
"""

from __future__ import annotations

import re
from typing import Any

from ...load.yamldocs import BoundError, GrowthBudget, copy_data
from ..goregexp import GoRegexpError, compile_go

# API groups whose kinds kustomize knows the OpenAPI schema of (merge keys apply)
BUILTIN_GROUPS = frozenset({
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io",
    "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
    "certificates.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io", "extensions",
})

# field name -> merge key, for lists of maps in built-in kinds
MERGE_KEYS: dict[str, str] = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "volumes": "name", "env": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
    "imagePullSecrets": "name", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
    "conditions": "type", "ownerReferences": "uid", "resourceClaims": "name",
    "readinessGates": "conditionType",
}


class PatchError(ValueError):
    """A patch that cannot be applied; the caller adds file and line (``code``: its problem code)."""

    def __init__(self, message: str, code: str = "FW-KUSTOMIZE-PATCH"):
        super().__init__(message)
        self.code = code


def group_of(obj: dict[str, Any]) -> str:
    av = str(obj.get("apiVersion") or "")
    return av.rsplit("/", 1)[0] if "/" in av else ""


def version_of(obj: dict[str, Any]) -> str:
    return str(obj.get("apiVersion") or "").rsplit("/", 1)[-1]


# -- strategic merge ---------------------------------------------------------

def _clean(value: Any) -> Any:
    """A patch value as it lands in the target: directives and nulls dropped."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()
                if v is not None and not (isinstance(k, str) and k.startswith("$"))}
    if isinstance(value, list):
        return [_clean(v) for v in value
                if not (isinstance(v, dict) and v.get("$patch") == "delete")]
    return value


def _merge_key(field: str, items: list[Any]) -> str | None:
    if field == "ports":
        for item in items:
            if isinstance(item, dict):
                return "containerPort" if "containerPort" in item else "port"
        return None
    return MERGE_KEYS.get(field)


def _merge_ports(key: str, target: list[dict[str, Any]], patch: list[dict[str, Any]], known: bool) -> list[Any]:
    """A list of ports naming a protocol somewhere, as kustomize's kyaml merges it (its merge keys are the port and
    ``protocol``, x-kubernetes-list-map-keys; checked against kubectl kustomize): a patch entry changes the
    object's entry of the same port and protocol (or of the same port when neither names one) in place; one naming
    a protocol where the object's entry of that port names none, or none where it names one, changes nothing; any
    other is new, and the new ones come first (two entries of one port, TCP and UDP, stay two)."""
    rest: list[Any] = [dict(t) for t in target]
    front: list[Any] = []
    for p in patch:
        same_port = [i for i, t in enumerate(rest) if t is not None and t.get(key) == p.get(key)]
        exact = [i for i in same_port if rest[i].get("protocol") == p.get("protocol")]
        if exact:
            rest[exact[0]] = None if p.get("$patch") == "delete" else merge_strategic(rest[exact[0]], p, known)
        elif p.get("$patch") != "delete" and (not same_port or "protocol" in p and all(
                "protocol" in rest[i] for i in same_port)):
            front.append(_clean(p))
    return front + [t for t in rest if t is not None]


def _merge_list(field: str, target: list[Any], patch: list[Any], known: bool) -> list[Any]:
    if any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return _clean([p for p in patch if not (isinstance(p, dict) and p.get("$patch") == "replace")])
    key = _merge_key(field, patch) if known else None
    if key is None or not all(isinstance(p, dict) for p in patch) \
            or not all(isinstance(t, dict) for t in target):
        return _clean(patch)
    if field == "ports" and any("protocol" in e for e in (*target, *patch)):
        return _merge_ports(key, target, patch, known)
    by_key = {t.get(key): t for t in target}
    used: set[Any] = set()
    out: list[Any] = []
    for p in patch:
        k = p.get(key)
        if p.get("$patch") == "delete":
            used.add(k)
            continue
        if k in by_key and k not in used:
            used.add(k)
            out.append(merge_strategic(by_key[k], p, known))
        else:
            out.append(_clean(p))
    out.extend(t for t in target if t.get(key) not in used)
    return out


def merge_strategic(target: Any, patch: Any, known: bool = True) -> Any:
    """Merge ``patch`` into ``target`` (mutated and returned when both are mappings)."""
    if not isinstance(patch, dict) or not isinstance(target, dict):
        return _clean(patch)
    if patch.get("$patch") == "replace":
        return _clean(patch)
    for k, v in patch.items():
        if isinstance(k, str) and k.startswith("$"):
            continue
        if v is None:
            target.pop(k, None)
        elif isinstance(v, dict):
            cur = target.get(k)
            if v.get("$patch") == "delete":
                target.pop(k, None)
            elif isinstance(cur, dict):
                target[k] = merge_strategic(cur, v, known)
            else:
                target[k] = _clean(v)
        elif isinstance(v, list):
            cur = target.get(k)
            target[k] = _merge_list(str(k), cur if isinstance(cur, list) else [], v, known)
        else:
            target[k] = v
    return target


def apply_strategic(obj: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any] | None:
    """Apply a strategic-merge patch to a copy-owned object; ``None`` when the patch deletes it."""
    if patch.get("$patch") == "delete":
        return None
    known = group_of(obj) in BUILTIN_GROUPS
    body = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind")}
    md = body.get("metadata")
    if isinstance(md, dict):
        body["metadata"] = {k: v for k, v in md.items() if k not in ("name", "namespace")}
    return merge_strategic(obj, copy_data(body), known)


# -- JSON 6902 ----------------------------------------------------------------

def pointer_parts(path: str) -> list[str]:
    """The reference tokens of a JSON pointer (RFC 6901), unescaped."""
    if path == "" or path == "/":
        return [] if path == "" else [""]
    if not path.startswith("/"):
        raise PatchError(f"JSON pointer '{path}' must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str], path: str) -> Any:
    cur = doc
    for p in parts:
        if isinstance(cur, dict):
            if p not in cur:
                raise PatchError(f"path '{path}' not found")
            cur = cur[p]
        elif isinstance(cur, list):
            try:
                cur = cur[int(p)]
            except (ValueError, IndexError):
                raise PatchError(f"path '{path}' not found") from None
        else:
            raise PatchError(f"path '{path}' not found")
    return cur


def _index(lst: list[Any], token: str, path: str, *, for_add: bool) -> int:
    if token == "-" and for_add:
        return len(lst)
    try:
        i = int(token)
    except ValueError:
        raise PatchError(f"invalid list index in '{path}'") from None
    if i < 0 or i > len(lst) or (i == len(lst) and not for_add):
        raise PatchError(f"list index out of range in '{path}'")
    return i


def _add(doc: Any, path: str, value: Any) -> Any:
    parts = pointer_parts(path)
    if not parts:
        return value
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, path, for_add=True), value)
    else:
        raise PatchError(f"path '{path}' not found")
    return doc


def _remove(doc: Any, path: str) -> Any:
    parts = pointer_parts(path)
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"path '{path}' not found")
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last, path, for_add=False))
    raise PatchError(f"path '{path}' not found")


def apply_json6902(obj: dict[str, Any], ops: list[Any], budget: GrowthBudget | None = None) -> dict[str, Any]:
    """Apply RFC 6902 operations to ``obj`` (mutated); values added count against ``budget``.

    kustomize patches an object that always holds annotations, its own (``config.kubernetes.io/index``,
    ``internal.config.kubernetes.io/id``...), removed from its output: a key added or replaced under
    ``/metadata/annotations`` of an object written without any lands, and an annotations map left empty goes."""
    doc: Any = obj
    budget = budget or GrowthBudget()
    md = obj.get("metadata")
    seeded = isinstance(md, dict) and "annotations" not in md
    if seeded:
        md["annotations"] = {}
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise PatchError("JSON 6902 operation must be a mapping with 'op'")
        kind, path = op["op"], str(op.get("path", ""))
        if kind in ("add", "replace", "copy", "move"):
            src = _walk(doc, pointer_parts(str(op.get("from", ""))), str(op.get("from", ""))) \
                if kind in ("copy", "move") else op.get("value")
            try:
                budget.spend(src, len(pointer_parts(path)), copied=kind != "move")
            except BoundError as err:
                raise PatchError(f"{kind} '{path[:80]}': {err}", "FW-LIMIT-COPIES") from None
        if kind == "add":
            doc = _add(doc, path, copy_data(op.get("value")))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            parts = pointer_parts(path)
            if not parts:
                doc = copy_data(op.get("value"))
                continue
            # evanphx/json-patch v4 (kustomize's) replaces a key an object lacks as if it were there: only
            # the parent must exist, and a list index must be in range
            parent = _walk(doc, parts[:-1], path)
            if isinstance(parent, list):
                parent[_index(parent, parts[-1], path, for_add=False)] = copy_data(op.get("value"))
            elif isinstance(parent, dict):
                parent[parts[-1]] = copy_data(op.get("value"))
            else:
                raise PatchError(f"path '{path}' not found")
        elif kind in ("move", "copy"):
            src = str(op.get("from", ""))
            value = _remove(doc, src) if kind == "move" else copy_data(_walk(doc, pointer_parts(src), src))
            doc = _add(doc, path, value)
        elif kind == "test":
            parts = pointer_parts(path)
            parent = _walk(doc, parts[:-1], path) if parts else None
            if isinstance(parent, dict) and parts[-1] not in parent:  # a missing key tests equal to null
                if op.get("value") is not None:
                    raise PatchError(f"test failed at '{path}'")
            elif _walk(doc, parts, path) != op.get("value"):
                raise PatchError(f"test failed at '{path}'")
        else:
            raise PatchError(f"unknown JSON 6902 operation '{kind}'")
    if not isinstance(doc, dict):
        raise PatchError("JSON 6902 patch must leave an object")
    md = doc.get("metadata")
    if seeded and isinstance(md, dict) and md.get("annotations") == {}:
        del md["annotations"]
    return doc


# -- selectors ----------------------------------------------------------------

def _regex(pattern: str) -> Any:
    """A target's name or namespace: a regular expression matched whole (kustomize's Selector anchors it at both
    ends), or the text itself when it is not one."""
    try:
        return compile_go(pattern)
    except GoRegexpError:
        return re.compile(re.escape(pattern))


def _match_selector(expr: str, values: dict[str, Any]) -> bool:
    """Kubernetes label selector syntax: a=b, a!=b, a in (x,y), a notin (x), a, !a."""
    for term in re.split(r",(?![^()]*\))", expr):
        term = term.strip()
        if not term:
            continue
        m = re.fullmatch(r"([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)", term)
        if m:
            opts = {o.strip() for o in m.group(3).split(",")}
            has = m.group(1) in values and str(values[m.group(1)]) in opts
            if has != (m.group(2) == "in"):
                return False
            continue
        m = re.fullmatch(r"([^\s!=]+)\s*(==|=|!=)\s*(\S*)", term)
        if m:
            eq = str(values.get(m.group(1))) == m.group(3) if m.group(1) in values else False
            if eq != (m.group(2) != "!="):
                return False
            continue
        if term.startswith("!"):
            if term[1:].strip() in values:
                return False
        elif term not in values:
            return False
    return True


def selects(target: dict[str, Any], obj: dict[str, Any], names: list[str], namespaces: list[str], *,
            regex: bool = True) -> bool:
    """Does a patch/replacement ``target`` selector pick ``obj``?

    ``names``/``namespaces`` hold the object's current and original values, as
    kustomize matches either. A patch target's group, version, kind, name and namespace are regular
    expressions matched whole (resmap Select, types.SelectorRegex: ``kind: (GitRepository|OCIRepository)``);
    a replacement's ``select``/``reject`` (``regex=False``) match them exactly (resid.ResId.IsSelectedBy).
    """
    def matches(pattern: str, values: list[str]) -> bool:
        if not regex:
            return pattern in values
        rx = _regex(pattern)
        return any(rx.fullmatch(v) for v in values)

    for key, want in (("group", group_of(obj)), ("version", version_of(obj)), ("kind", obj.get("kind"))):
        sel = target.get(key)
        if sel and not matches(str(sel), [str(want or "")]):
            return False
    if target.get("name") and not matches(str(target["name"]), names):
        return False
    if target.get("namespace") and not matches(str(target["namespace"]), [n or "default" for n in namespaces]):
        return False
    md = obj.get("metadata") or {}
    if target.get("labelSelector") and not _match_selector(str(target["labelSelector"]), md.get("labels") or {}):
        return False
    if target.get("annotationSelector") and not _match_selector(
            str(target["annotationSelector"]), md.get("annotations") or {}):
        return False
    return True
