"""What a change does to the cluster: the comparison of two inventory documents.

Everything compared comes from the inventory JSON (a public contract, secret-free), never from raw
objects, so the diff can print nothing the pages would not. Identity never includes a file, a line or
the order of a list: moving a manifest to another file, reordering documents or adding a comment is no
change. Generated ConfigMaps and Secrets are known by their generator's name, not the content hash
kustomize appends, so editing a generated file is not "one object removed, one added".
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .revisions import Revision

E = TypeVar("E")
C = TypeVar("C")

# kustomize's name hash: 10 characters of a hex digest with 0 1 3 a e mapped to g h k m t (api/hasher)
_HASH_SUFFIX = re.compile(r"-[2456789bcdfghkmt]{10}$")
_HASHED_KINDS = ("ConfigMap", "Secret")
# "path/file.yaml:12" inside a message: the line moves with every edit above it, the problem does not
_FILE_LINE = re.compile(r"(\S\.[A-Za-z][A-Za-z0-9]*):\d+")

KUSTOMIZATION_FIELDS = ("path", "appliedBy", "dependsOn", "sourceRef", "level", "status", "wait", "timeout",
                        "interval", "prune", "suspend", "healthChecks", "substitute", "substituteFrom",
                        "remoteResources")
HELM_RELEASE_FIELDS = ("chart", "version", "source", "dependsOn")
SURFACE_FIELDS = ("address", "port", "protocol", "port_name", "host", "path", "target", "detail")
CLUSTER_FIELDS = ("entry", "source", "root")

# Findings compared as "introduced" / "resolved": (category, the cluster inventory key listing them as
# {file, line, message}). The ordering doctor adds its category here once the inventory carries its findings.
FINDING_SOURCES: tuple[tuple[str, str], ...] = (("problems", "warnings"),)


# --- the result ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    base: Any
    head: Any


@dataclass(frozen=True)
class KustomizationEntry:
    id: str
    path: str | None
    level: int | None
    applied_by: str | None
    depends_on: tuple[str, ...]
    status: str | None
    file: str
    line: int


@dataclass(frozen=True)
class KustomizationChange:
    id: str
    file: str  # at head
    line: int
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ObjectEntry:
    kustomization: str
    kind: str
    namespace: str
    name: str
    file: str
    line: int


@dataclass(frozen=True)
class ObjectMove:
    kind: str
    namespace: str
    name: str
    base_kustomization: str
    head_kustomization: str
    file: str  # at head
    line: int


@dataclass(frozen=True)
class SurfaceChange:
    base: dict[str, Any]
    head: dict[str, Any]
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Claim:
    address: str
    port: int
    protocol: str
    claimants: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class HelmReleaseEntry:
    id: str
    layer: str
    chart: str | None
    version: str | None
    source: dict[str, Any] | None
    file: str
    line: int


@dataclass(frozen=True)
class HelmReleaseChange:
    id: str
    layer: str
    file: str
    line: int
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ImageEntry:
    layer: str
    kind: str
    namespace: str
    name: str
    image: str
    file: str
    line: int


@dataclass(frozen=True)
class ImageChange:
    layer: str
    kind: str
    namespace: str
    name: str
    repository: str
    base: str
    head: str
    file: str
    line: int


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    message: str


@dataclass(frozen=True)
class DependencyEdge:
    """A dependsOn edge next to a changed Kustomization: unchanged, added or removed by the change."""

    dependency: str
    dependent: str
    state: str


@dataclass
class Delta(Generic[E, C]):
    added: list[E] = field(default_factory=list)
    removed: list[E] = field(default_factory=list)
    changed: list[C] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class ObjectDelta:
    added: list[ObjectEntry] = field(default_factory=list)
    removed: list[ObjectEntry] = field(default_factory=list)
    moved: list[ObjectMove] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.moved)


@dataclass
class FindingDelta(Generic[E]):
    introduced: list[E] = field(default_factory=list)
    resolved: list[E] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.introduced or self.resolved)


@dataclass
class ClusterDiff:
    name: str
    status: str  # added | removed | changed | unchanged
    changes: list[FieldChange] = field(default_factory=list)  # entry point, source, root
    kustomizations: Delta[KustomizationEntry, KustomizationChange] = field(default_factory=Delta)
    objects: ObjectDelta = field(default_factory=ObjectDelta)
    surfaces: Delta[dict[str, Any], SurfaceChange] = field(default_factory=Delta)
    duplicate_claims: FindingDelta[Claim] = field(default_factory=FindingDelta)
    helm_releases: Delta[HelmReleaseEntry, HelmReleaseChange] = field(default_factory=Delta)
    images: Delta[ImageEntry, ImageChange] = field(default_factory=Delta)
    findings: dict[str, FindingDelta[Finding]] = field(default_factory=dict)
    dependencies: list[DependencyEdge] = field(default_factory=list)  # around the changed Kustomizations

    @property
    def changed(self) -> bool:
        return bool(self.status in ("added", "removed") or self.changes or self.kustomizations or self.objects
                    or self.surfaces or self.duplicate_claims or self.helm_releases or self.images
                    or any(self.findings.values()))

    def touched_kustomizations(self) -> dict[str, str]:
        """Kustomization id -> how it changed: added, removed, changed (its fields or what it applies)."""
        out: dict[str, str] = {}
        for k in self.kustomizations.added:
            out[k.id] = "added"
        for k in self.kustomizations.removed:
            out[k.id] = "removed"
        content = [c.id for c in self.kustomizations.changed]
        content += [o.kustomization for o in self.objects.added + self.objects.removed]
        content += [k for m in self.objects.moved for k in (m.base_kustomization, m.head_kustomization)]
        content += [s["layer"] for s in self.surfaces.added + self.surfaces.removed]
        content += [c.head["layer"] for c in self.surfaces.changed]
        content += [h.layer for h in self.helm_releases.added + self.helm_releases.removed + self.helm_releases.changed]
        content += [i.layer for i in self.images.added + self.images.removed + self.images.changed]
        for ident in content:
            out.setdefault(ident, "changed")
        return dict(sorted(out.items()))


@dataclass
class TopologyDiff:
    clusters: list[ClusterDiff]
    problems: FindingDelta[Finding] = field(default_factory=FindingDelta)  # repo-wide (entry detection)
    base: Revision | None = None
    head: Revision | None = None

    @property
    def changed(self) -> bool:
        return bool(self.problems) or any(c.changed for c in self.clusters)


# --- helpers --------------------------------------------------------------------------------------


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False)  # what json.dumps would make, made once


def _canonical(value: Any) -> str:
    return _CANONICAL.encode(value)


def _sorted_list(value: Any) -> list[Any]:
    return sorted(value or [], key=_canonical)


def _field_changes(base: dict[str, Any], head: dict[str, Any], fields: Iterable[str]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(f, base.get(f), head.get(f)) for f in fields
                 if _canonical(base.get(f)) != _canonical(head.get(f)))


def _applied_by(ks: dict[str, Any]) -> str | None:
    """Who applies a Kustomization: the `appliedBy` edge when the inventory has one (an id, or a mapping
    naming it, file and line aside), else its `parent`."""
    value = ks.get("appliedBy", ks.get("parent"))
    if isinstance(value, dict):
        value = next((value[k] for k in ("id", "kustomization", "name") if isinstance(value.get(k), str)), None)
    return value if isinstance(value, str) else None


def _ks_facts(ks: dict[str, Any]) -> dict[str, Any]:
    """The compared facts of one Kustomization, normalised (lists as sets)."""
    facts = {f: ks.get(f) for f in KUSTOMIZATION_FIELDS}
    facts["appliedBy"] = _applied_by(ks)
    for f in ("dependsOn", "healthChecks", "substitute", "substituteFrom", "remoteResources"):
        facts[f] = _sorted_list(ks.get(f))
    return facts


def object_name(obj: dict[str, Any]) -> str:
    """The name an object is known by across revisions: a generated ConfigMap/Secret without its hash suffix."""
    name = str(obj.get("name") or "")
    if obj.get("kind") in _HASHED_KINDS and "/" not in str(obj.get("apiVersion") or "v1"):
        return _HASH_SUFFIX.sub("", name)
    return name


def split_image(image: str) -> tuple[str, str]:
    """(repository, tag and digest) of an image: 'ghcr.io/a/b:1.2@sha256:..' -> ('ghcr.io/a/b', ':1.2@sha256:..')."""
    repo = image.split("@", 1)[0]
    colon = repo.rfind(":")
    if colon > repo.rfind("/"):
        repo = repo[:colon]
    return repo, image[len(repo):]


def normalised_message(message: str) -> str:
    """A finding's message without the line numbers it cites."""
    return _FILE_LINE.sub(r"\1", message)


def _pair(removed: list[E], added: list[E], group: Callable[[E], Any],
          score: Callable[[E, E], int | None]) -> list[tuple[E, E]]:
    """Pair removed and added items of the same group one to one, best score first (None: never pair).

    Deterministic: ties go to the earlier items of each list.
    """
    by_group: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i, r in enumerate(removed):
        by_group[_canonical(group(r))][0].append(i)
    for j, a in enumerate(added):
        by_group[_canonical(group(a))][1].append(j)
    candidates = sorted(((s, i, j) for rs, as_ in by_group.values() for i in rs for j in as_
                         if (s := score(removed[i], added[j])) is not None), key=lambda c: (-c[0], c[1], c[2]))
    used_r: set[int] = set()
    used_a: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_r and j not in used_a:
            used_r.add(i)
            used_a.add(j)
            pairs.append((removed[i], added[j]))
    return pairs


# --- sections -------------------------------------------------------------------------------------


def _ks_entry(ks: dict[str, Any]) -> KustomizationEntry:
    return KustomizationEntry(ks["id"], ks.get("path"), ks.get("level"), _applied_by(ks),
                              tuple(sorted(ks.get("dependsOn") or [])), ks.get("status"), ks.get("file") or "",
                              ks.get("line") or 0)


def _kustomizations(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]]
                    ) -> Delta[KustomizationEntry, KustomizationChange]:
    delta: Delta[KustomizationEntry, KustomizationChange] = Delta()
    for ident in sorted(base.keys() | head.keys()):
        if ident not in base:
            delta.added.append(_ks_entry(head[ident]))
        elif ident not in head:
            delta.removed.append(_ks_entry(base[ident]))
        else:
            changes = _field_changes(_ks_facts(base[ident]), _ks_facts(head[ident]), KUSTOMIZATION_FIELDS)
            if changes:
                delta.changed.append(KustomizationChange(ident, head[ident].get("file") or "",
                                                         head[ident].get("line") or 0, changes))
    return delta


def _object_index(kustomizations: dict[str, dict[str, Any]]) -> dict[tuple[str, str, str, str], list[dict[str, Any]]]:
    """(kustomization, kind, namespace, name-as-known) -> the objects with that identity."""
    index: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for ks_id, ks in kustomizations.items():
        for obj in ks.get("objects") or []:
            index[(ks_id, str(obj.get("kind") or ""), str(obj.get("namespace") or ""), object_name(obj))].append(obj)
    return index


def _objects(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]]) -> ObjectDelta:
    b_index, h_index = _object_index(base), _object_index(head)
    removed: list[tuple[tuple[str, str, str, str], dict[str, Any]]] = []
    added: list[tuple[tuple[str, str, str, str], dict[str, Any]]] = []
    for key in sorted(b_index.keys() | h_index.keys()):
        b, h = b_index.get(key, []), h_index.get(key, [])
        removed += [(key, o) for o in b[len(h):]]
        added += [(key, o) for o in h[len(b):]]
    delta = ObjectDelta()
    moved = _pair(removed, added, lambda x: x[0][1:], lambda r, a: 0)
    for (r_key, _), (a_key, obj) in moved:
        delta.moved.append(ObjectMove(a_key[1], a_key[2], str(obj.get("name") or ""), r_key[0], a_key[0],
                                      obj.get("file") or "", obj.get("line") or 0))
    paired = {id(x) for pair in moved for x in pair}

    def entry(key: tuple[str, str, str, str], obj: dict[str, Any]) -> ObjectEntry:
        return ObjectEntry(key[0], key[1], key[2], str(obj.get("name") or ""), obj.get("file") or "",
                           obj.get("line") or 0)

    delta.removed = [entry(*x) for x in removed if id(x) not in paired]
    delta.added = [entry(*x) for x in added if id(x) not in paired]
    delta.moved.sort(key=lambda m: (m.kind, m.namespace, m.name, m.base_kustomization, m.head_kustomization))
    return delta


def _surface_owner(s: dict[str, Any]) -> tuple[str, str, str, str]:
    return (str(s.get("object_kind") or ""), str(s.get("namespace") or ""), str(s.get("name") or ""),
            str(s.get("kind") or ""))


def _surface_facts(s: dict[str, Any]) -> dict[str, Any]:
    return {f: s.get(f) for f in SURFACE_FIELDS}


def _surfaces(base: list[dict[str, Any]], head: list[dict[str, Any]]) -> Delta[dict[str, Any], SurfaceChange]:
    """Addresses, ports, hosts and certificates; workloads are compared by their images instead."""
    base = [s for s in base if s.get("kind") != "workload"]
    head = [s for s in head if s.get("kind") != "workload"]
    def key(s: dict[str, Any]) -> str:
        return _canonical([_surface_owner(s), _surface_facts(s)])

    b_by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    h_by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in base:
        b_by[key(s)].append(s)
    for s in head:
        h_by[key(s)].append(s)
    removed, added = [], []
    for k in sorted(b_by.keys() | h_by.keys()):
        b, h = b_by.get(k, []), h_by.get(k, [])
        removed += b[len(h):]
        added += h[len(b):]

    def score(r: dict[str, Any], a: dict[str, Any]) -> int | None:
        """At most two facts apart (owner and surface kind being equal): the same surface, changed."""
        rf, af = _surface_facts(r), _surface_facts(a)
        same = sum(rf[f] == af[f] for f in SURFACE_FIELDS)
        return same if len(SURFACE_FIELDS) - same <= 2 else None

    delta: Delta[dict[str, Any], SurfaceChange] = Delta()
    pairs = _pair(removed, added, _surface_owner, score)
    for r, a in pairs:
        delta.changed.append(SurfaceChange(r, a, _field_changes(_surface_facts(r), _surface_facts(a), SURFACE_FIELDS)))
    paired = {id(x) for pair in pairs for x in pair}
    delta.removed = [s for s in removed if id(s) not in paired]
    delta.added = [s for s in added if id(s) not in paired]
    delta.changed.sort(key=lambda c: (_surface_owner(c.head), key(c.head)))
    return delta


def _claims(base: list[dict[str, Any]], head: list[dict[str, Any]]) -> FindingDelta[Claim]:
    def owners(claim: dict[str, Any]) -> set[tuple[str, str, str]]:
        return {(c.get("kind"), c.get("namespace"), c.get("name")) for c in claim.get("claimants") or []}

    def index(claims: list[dict[str, Any]]) -> dict[tuple[str, int, str], dict[str, Any]]:
        return {(c["address"], c["port"], c["protocol"]): c for c in claims}

    def as_claim(c: dict[str, Any]) -> Claim:
        return Claim(c["address"], c["port"], c["protocol"], tuple(c.get("claimants") or ()))

    b, h = index(base), index(head)
    delta: FindingDelta[Claim] = FindingDelta()
    for k in sorted(h.keys() | b.keys()):
        if k in h and (k not in b or owners(h[k]) - owners(b[k])):
            delta.introduced.append(as_claim(h[k]))
        elif k in b and k not in h:
            delta.resolved.append(as_claim(b[k]))
    return delta


def _hr_facts(hr: dict[str, Any]) -> dict[str, Any]:
    return {"chart": hr.get("chart"), "version": hr.get("version"), "source": hr.get("source"),
            "dependsOn": _sorted_list(hr.get("dependsOn"))}


def _helm_releases(base: list[dict[str, Any]], head: list[dict[str, Any]]
                   ) -> Delta[HelmReleaseEntry, HelmReleaseChange]:
    def index(hrs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for hr in sorted(hrs, key=lambda h: (h.get("id"), h.get("layer"), h.get("file"), h.get("line"))):
            out.setdefault(hr["id"], hr)
        return out

    def entry(hr: dict[str, Any]) -> HelmReleaseEntry:
        return HelmReleaseEntry(hr["id"], hr.get("layer") or "", hr.get("chart"), hr.get("version"), hr.get("source"),
                                hr.get("file") or "", hr.get("line") or 0)

    b, h = index(base), index(head)
    delta: Delta[HelmReleaseEntry, HelmReleaseChange] = Delta()
    for ident in sorted(b.keys() | h.keys()):
        if ident not in b:
            delta.added.append(entry(h[ident]))
        elif ident not in h:
            delta.removed.append(entry(b[ident]))
        elif changes := _field_changes(_hr_facts(b[ident]), _hr_facts(h[ident]), HELM_RELEASE_FIELDS):
            delta.changed.append(HelmReleaseChange(ident, h[ident].get("layer") or "", h[ident].get("file") or "",
                                                   h[ident].get("line") or 0, changes))
    return delta


def _images(base: list[dict[str, Any]], head: list[dict[str, Any]]) -> Delta[ImageEntry, ImageChange]:
    """Images per workload (by kind, namespace, name); the same repository at another tag or digest is a change."""
    def index(images: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, dict[str, Any]]]:
        out: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
        for i in images:
            out[(i["kind"], i["namespace"], i["name"])].setdefault(i["image"], i)
        return out

    def entry(i: dict[str, Any]) -> ImageEntry:
        return ImageEntry(i.get("layer") or "", i["kind"], i["namespace"], i["name"], i["image"], i.get("file") or "",
                          i.get("line") or 0)

    b, h = index(base), index(head)
    delta: Delta[ImageEntry, ImageChange] = Delta()
    for owner in sorted(b.keys() | h.keys()):
        b_imgs, h_imgs = b.get(owner, {}), h.get(owner, {})
        removed = [b_imgs[i] for i in sorted(b_imgs.keys() - h_imgs.keys())]
        added = [h_imgs[i] for i in sorted(h_imgs.keys() - b_imgs.keys())]
        pairs = _pair(removed, added, lambda i: split_image(i["image"])[0], lambda r, a: 0)
        for r, a in pairs:
            delta.changed.append(ImageChange(a.get("layer") or "", a["kind"], a["namespace"], a["name"],
                                             split_image(a["image"])[0], r["image"], a["image"], a.get("file") or "",
                                             a.get("line") or 0))
        paired = {id(x) for pair in pairs for x in pair}
        delta.removed += [entry(i) for i in removed if id(i) not in paired]
        delta.added += [entry(i) for i in added if id(i) not in paired]
    return delta


def _findings(base: list[dict[str, Any]], head: list[dict[str, Any]]) -> FindingDelta[Finding]:
    def key(f: dict[str, Any]) -> tuple[str, str]:
        return (str(f.get("file") or ""), normalised_message(str(f.get("message") or "")))

    def grouped(items: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
        out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for f in sorted(items, key=lambda f: (key(f), f.get("line") or 0)):
            out[key(f)].append(f)
        return out

    def as_finding(f: dict[str, Any]) -> Finding:
        return Finding(str(f.get("file") or ""), int(f.get("line") or 0), str(f.get("message") or ""))

    b, h = grouped(base), grouped(head)
    delta: FindingDelta[Finding] = FindingDelta()
    for k in sorted(b.keys() | h.keys()):
        b_items, h_items = b.get(k, []), h.get(k, [])
        delta.introduced += [as_finding(f) for f in h_items[len(b_items):]]
        delta.resolved += [as_finding(f) for f in b_items[len(h_items):]]
    return delta


def _dependencies(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]], touched: set[str]
                  ) -> list[DependencyEdge]:
    def edges(kss: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
        return {(d, k) for k, ks in kss.items() for d in ks.get("dependsOn") or [] if isinstance(d, str)}

    b, h = edges(base), edges(head)
    return [DependencyEdge(d, k, "unchanged" if (d, k) in b and (d, k) in h else "added" if (d, k) in h else "removed")
            for d, k in sorted(b | h) if d in touched or k in touched]


def _cluster_facts(c: dict[str, Any]) -> dict[str, Any]:
    entry = c.get("entry") or {}
    return {"entry": {"file": entry.get("file"), "kind": entry.get("kind")}, "source": c.get("source"),
            "root": c.get("root")}


def compare_clusters(base: dict[str, Any] | None, head: dict[str, Any] | None) -> ClusterDiff:
    """The diff of one cluster's inventory between two revisions (None: the cluster is absent there)."""
    b = base or {}
    h = head or {}
    name = str(h.get("name") or b.get("name") or "")
    status = "added" if base is None else "removed" if head is None else "changed"
    b_ks = {k["id"]: k for k in b.get("kustomizations") or []}
    h_ks = {k["id"]: k for k in h.get("kustomizations") or []}
    diff = ClusterDiff(
        name=name,
        status=status,
        changes=list(_field_changes(_cluster_facts(b), _cluster_facts(h), CLUSTER_FIELDS)) if base and head else [],
        kustomizations=_kustomizations(b_ks, h_ks),
        objects=_objects(b_ks, h_ks),
        surfaces=_surfaces(b.get("surfaces") or [], h.get("surfaces") or []),
        duplicate_claims=_claims(b.get("duplicateClaims") or [], h.get("duplicateClaims") or []),
        helm_releases=_helm_releases(b.get("helmReleases") or [], h.get("helmReleases") or []),
        images=_images(b.get("images") or [], h.get("images") or []),
        findings={category: _findings(b.get(key) or [], h.get(key) or []) for category, key in FINDING_SOURCES},
    )
    if status == "changed" and not diff.changed:
        diff.status = "unchanged"
    diff.dependencies = _dependencies(b_ks, h_ks, set(diff.touched_kustomizations()))
    return diff


# What compare_inventories reads of an inventory document, and nothing else (see compared_facts).
_KS_KEYS = ("id", "file", "line", "parent", *KUSTOMIZATION_FIELDS)
_OBJECT_KEYS = ("kind", "apiVersion", "namespace", "name", "file", "line")
_HR_KEYS = ("id", "layer", "file", "line", *HELM_RELEASE_FIELDS)
_IMAGE_KEYS = ("layer", "kind", "namespace", "name", "image", "file", "line")
_FINDING_KEYS = ("file", "line", "message")
_ENTRY_KEYS = ("file", "kind")


def _only(value: Any, keys: tuple[str, ...]) -> Any:
    return {k: value[k] for k in keys if k in value} if isinstance(value, dict) else value


def compared_facts(doc: dict[str, Any]) -> dict[str, Any]:
    """The part of an inventory document that :func:`compare_inventories` reads: comparing these gives the
    same diff as comparing the documents, from a fraction of their size (what Recent Changes keeps of each
    past revision). Keys are copied only where present: a missing ``appliedBy`` falls back to ``parent``."""
    def cluster(c: dict[str, Any]) -> dict[str, Any]:
        out = _only(c, ("name", "source", "root", "surfaces", "duplicateClaims"))
        if "entry" in c:
            out["entry"] = _only(c["entry"], _ENTRY_KEYS)
        if "surfaces" in out:
            out["surfaces"] = [s for s in out["surfaces"] or [] if s.get("kind") != "workload"]
        if "kustomizations" in c:
            out["kustomizations"] = [
                {**_only(k, _KS_KEYS),
                 **({"objects": [_only(o, _OBJECT_KEYS) for o in k["objects"] or []]} if "objects" in k else {})}
                for k in c["kustomizations"] or []]
        if "helmReleases" in c:
            out["helmReleases"] = [_only(h, _HR_KEYS) for h in c["helmReleases"] or []]
        if "images" in c:
            out["images"] = [_only(i, _IMAGE_KEYS) for i in c["images"] or []]
        for _, key in FINDING_SOURCES:
            if key in c:
                out[key] = [_only(f, _FINDING_KEYS) for f in c[key] or []]
        return out

    return {"clusters": [cluster(c) for c in doc.get("clusters") or []],
            "warnings": [_only(f, _FINDING_KEYS) for f in doc.get("warnings") or []]}


def compare_inventories(base: dict[str, Any], head: dict[str, Any]) -> TopologyDiff:
    """The topology diff of two inventory documents (:func:`flux_wiki.render.inventory.inventory`)."""
    b = {c["name"]: c for c in base.get("clusters") or []}
    h = {c["name"]: c for c in head.get("clusters") or []}
    clusters = [compare_clusters(b.get(n), h.get(n)) for n in sorted(b.keys() | h.keys())]
    return TopologyDiff(clusters, _findings(base.get("warnings") or [], head.get("warnings") or []))


def diff_models(base: Any, head: Any) -> TopologyDiff:
    """The topology diff of two models (:func:`flux_wiki.engine.build_model`), compared as inventories."""
    from ..render.inventory import inventory

    return compare_inventories(inventory(base), inventory(head))


def counts(diff: ClusterDiff) -> Counter[str]:
    """How many things of each section changed, for summaries."""
    c: Counter[str] = Counter()
    for section in ("kustomizations", "surfaces", "helm_releases", "images"):
        delta = getattr(diff, section)
        for what in ("added", "removed", "changed"):
            c[f"{section}.{what}"] = len(getattr(delta, what))
    for what in ("added", "removed", "moved"):
        c[f"objects.{what}"] = len(getattr(diff.objects, what))
    c["duplicate_claims.introduced"] = len(diff.duplicate_claims.introduced)
    c["duplicate_claims.resolved"] = len(diff.duplicate_claims.resolved)
    for category, delta in diff.findings.items():
        c[f"{category}.introduced"] = len(delta.introduced)
        c[f"{category}.resolved"] = len(delta.resolved)
    return c
