"""Which custom resource kinds a HelmRelease or a CustomResourceDefinition manifest makes exist.

Charts are looked up in ``crd_catalog.yaml`` (shipped with the package; its header documents the
format): chart name and source select an entry, the HelmRelease values decide its value-gated CRD
sets, and the HelmRelease CRD policy decides the sets from the chart's ``crds/`` folder. A chart the
catalog does not know yields, at most, kinds *inferred* from its name (``foo-operator``/``foo-crds``
and a used API group containing ``foo``); callers must show those as guesses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from .chart_values import normalize_url

CATALOG_FILE = "crd_catalog.yaml"

Origin = Literal["catalog", "inferred", "manifest"]
Via = Literal["crds-dir", "templates", "hook", "controller", "inferred", "manifest"]
CrdPolicy = Literal["Create", "CreateReplace", "Skip"]
_FROM = ("crds-dir", "templates", "hook", "controller")
_POLICIES = ("Create", "CreateReplace", "Skip")

# API groups served by Kubernetes itself (no CRD needed). Groups ending in .k8s.io that are *not*
# here (gateway.networking.k8s.io, snapshot.storage.k8s.io, externaldns.k8s.io, ...) are CRDs.
BUILTIN_GROUPS = frozenset({
    "", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "apps",
    "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
    "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "extensions", "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io", "metrics.k8s.io", "networking.k8s.io", "node.k8s.io", "policy",
    "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io",
    "storagemigration.k8s.io",
})

# Name endings that say a chart exists to run an operator or ship CRDs (the inference heuristic).
_OPERATOR_SUFFIXES = ("-operator-crds", "-crds", "-crd", "-operator", "-controller")
_MIN_STEM = 4


@dataclass(frozen=True)
class ProvidedKind:
    """One custom resource kind that exists once its provider is installed."""

    group: str
    kind: str
    origin: Origin
    citation: str  # catalog: the entry's upstream source; inferred: why; manifest: the CRD's name
    via: Via  # how it arrives: crds-dir | templates | hook | controller, or inferred | manifest
    entry: str | None = None  # catalog entry id

    @property
    def inferred(self) -> bool:
        return self.origin == "inferred"

    def key(self) -> tuple[str, str]:
        return self.group, self.kind


@dataclass(frozen=True)
class Condition:
    """One gate on HelmRelease values: a value (or its chart default) that must hold."""

    path: str = ""
    default: Any = None
    equals: Any = True
    contains: Any = None
    any_of: tuple[Condition, ...] = ()

    def holds(self, values: Mapping[str, Any]) -> bool:
        if self.any_of:
            return any(c.holds(values) for c in self.any_of)
        value = lookup(values, self.path)
        if value is None:
            value = self.default
        if self.contains is not None:
            return isinstance(value, list) and self.contains in value
        if isinstance(self.equals, bool):  # Go template truthiness: any non-empty string is true
            return bool(value) is self.equals
        return value == self.equals


@dataclass(frozen=True)
class CrdSet:
    """CRDs a chart installs one way (``crds-dir``, ``templates``, ``hook``, ``controller``) under one gate."""

    via: Via
    when: tuple[Condition, ...]
    kinds: tuple[tuple[str, str], ...]  # (group, kind)

    def installed(self, values: Mapping[str, Any], policy: CrdPolicy) -> bool:
        if self.via == "crds-dir" and policy == "Skip":
            return False
        return all(c.holds(values) for c in self.when)


@dataclass(frozen=True)
class CatalogEntry:
    """What one chart installs, and where that was read."""

    id: str
    charts: tuple[str, ...]
    sources: tuple[str, ...]
    strict: bool
    crd_sets: tuple[CrdSet, ...]
    source: str
    notes: str = ""

    def kinds(self) -> set[tuple[str, str]]:
        """Every (group, kind) the chart can install, whatever its values."""
        return {k for s in self.crd_sets for k in s.kinds}

    def matches_source(self, url: str | None) -> bool:
        norm = normalize_url(url)
        return bool(norm) and any(norm == s or norm.startswith(s + "/") for s in map(normalize_url, self.sources))


class CatalogError(ValueError):
    """The catalog file does not follow its format."""


class CrdCatalog:
    """The shipped chart -> CRD catalog, loaded once per process."""

    def __init__(self, entries: Iterable[CatalogEntry]):
        self.entries = tuple(entries)
        self._by_chart: dict[str, list[CatalogEntry]] = {}
        for e in self.entries:
            for name in e.charts:
                self._by_chart.setdefault(name.lower(), []).append(e)

    @classmethod
    def load(cls) -> CrdCatalog:
        return _shipped_catalog()

    @classmethod
    def from_data(cls, data: Any) -> CrdCatalog:
        """Parse catalog data (the YAML document as loaded); raises CatalogError naming the bad entry."""
        if not isinstance(data, dict) or not isinstance(data.get("charts"), list):
            raise CatalogError("catalog: top level must be a mapping with a `charts` list")
        entries, seen = [], set()
        for i, raw in enumerate(data["charts"]):
            entry = _parse_entry(raw, i)
            if entry.id in seen:
                raise CatalogError(f"catalog: duplicate entry id {entry.id!r}")
            seen.add(entry.id)
            entries.append(entry)
        return cls(entries)

    def entry_for(self, chart_name: str | None, source_url: str | None = None) -> CatalogEntry | None:
        """The entry for a chart, by name (or the OCI URL's last segment when the name is unknown)."""
        name = (chart_name or oci_chart_name(source_url) or "").lower()
        candidates = self._by_chart.get(name, [])
        by_source = [e for e in candidates if e.matches_source(source_url)]
        if by_source:
            return by_source[0]
        loose = [e for e in candidates if not e.strict]
        return loose[0] if loose else None

    def provided_by_chart(self, chart_name: str | None, source_url: str | None = None,
                          values: Mapping[str, Any] | None = None, install_policy: str | None = None,
                          used_kinds: Iterable[tuple[str, str]] = ()) -> list[ProvidedKind]:
        """Kinds a HelmRelease of this chart installs on a fresh install, given its values and CRD policy.

        Unknown charts fall back to :func:`infer_kinds` over ``used_kinds`` (group, kind pairs the
        repository uses), marked ``inferred``.
        """
        entry = self.entry_for(chart_name, source_url)
        if entry is None:
            return infer_kinds(chart_name or oci_chart_name(source_url), used_kinds)
        policy = normalize_policy(install_policy)
        vals = values if isinstance(values, Mapping) else {}
        out: dict[tuple[str, str], ProvidedKind] = {}
        for s in entry.crd_sets:
            if not s.installed(vals, policy):
                continue
            for group, kind in s.kinds:
                out.setdefault((group, kind), ProvidedKind(group, kind, "catalog", entry.source, s.via, entry.id))
        return sorted(out.values(), key=ProvidedKind.key)

    def provider_of(self, group: str, kind: str) -> list[CatalogEntry]:
        """Catalog entries whose chart can install ``group``/``kind`` (whatever the values)."""
        return [e for e in self.entries if (group, kind) in e.kinds()]


@cache
def _shipped_catalog() -> CrdCatalog:
    """The catalog shipped with flux-wiki, read with libyaml when PyYAML has it (a tenth of the pure-Python
    loader's time at every start; the same data: tests/analysis compare both). It sits beside this module in
    every install (the wheel ships it as package data)."""
    text = Path(__file__).with_name(CATALOG_FILE).read_text(encoding="utf-8")  # importlib.resources costs 4 ms
    return CrdCatalog.from_data(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def provided_by_chart(chart_name: str | None, source_url: str | None = None,
                      values: Mapping[str, Any] | None = None, install_policy: str | None = None,
                      used_kinds: Iterable[tuple[str, str]] = ()) -> list[ProvidedKind]:
    """:meth:`CrdCatalog.provided_by_chart` on the shipped catalog."""
    return CrdCatalog.load().provided_by_chart(chart_name, source_url, values, install_policy, used_kinds)


def infer_kinds(chart_name: str | None, used_kinds: Iterable[tuple[str, str]]) -> list[ProvidedKind]:
    """Guess what an unknown chart provides: its name ends in -operator/-crds/-crd/-controller, and a
    used custom kind's API group has a label containing the rest of the name (hyphens ignored)."""
    stem = _stem(chart_name or "")
    if not stem:
        return []
    out = set()
    for group, kind in used_kinds:
        if is_builtin_group(group):
            continue
        labels = [label.replace("-", "") for label in group.lower().split(".")]
        if any(stem in label for label in labels):
            why = f"inferred: chart {chart_name!r} is not in the catalog; API group {group!r} contains {stem!r}"
            out.add(ProvidedKind(group, kind, "inferred", why, "inferred"))
    return sorted(out, key=ProvidedKind.key)


def _stem(chart_name: str) -> str:
    name = chart_name.lower()
    for suffix in _OPERATOR_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)].replace("-", "")
            return stem if len(stem) >= _MIN_STEM else ""
    return ""


def kinds_of_crd_manifest(obj: Any) -> list[ProvidedKind]:
    """The kind a raw CustomResourceDefinition object defines (spec.group, spec.names.kind): one item,
    or none when ``obj`` is not a well-formed CRD."""
    if not isinstance(obj, Mapping) or obj.get("kind") != "CustomResourceDefinition":
        return []
    if not str(obj.get("apiVersion") or "").startswith("apiextensions.k8s.io/"):
        return []
    spec = obj.get("spec")
    names = spec.get("names") if isinstance(spec, Mapping) else None
    group = spec.get("group") if isinstance(spec, Mapping) else None
    kind = names.get("kind") if isinstance(names, Mapping) else None
    if not (isinstance(group, str) and group and isinstance(kind, str) and kind):
        return []
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    return [ProvidedKind(group, kind, "manifest", f"CustomResourceDefinition {name or f'{kind}.{group}'}",
                         "manifest")]


def crd_policy(helmrelease: Any) -> CrdPolicy:
    """The CRD policy helm-controller applies on install: spec.install.crds, else Skip when the deprecated
    spec.install.skipCRDs is true, else Create. Accepts the HelmRelease object or its spec."""
    spec = helmrelease.get("spec", helmrelease) if isinstance(helmrelease, Mapping) else {}
    install = spec.get("install") if isinstance(spec, Mapping) else None
    if not isinstance(install, Mapping):
        return "Create"
    if install.get("crds") in _POLICIES:
        return install["crds"]
    return "Skip" if install.get("skipCRDs") is True else "Create"


def normalize_policy(policy: str | None) -> CrdPolicy:
    return policy if policy in _POLICIES else "Create"  # type: ignore[return-value]


def is_builtin_group(group: str) -> bool:
    """Whether ``group`` is served by Kubernetes itself rather than by a CRD."""
    return group in BUILTIN_GROUPS


def group_of(api_version: Any) -> str:
    """The API group of an apiVersion string ("" for the core group)."""
    text = str(api_version or "")
    return text.rsplit("/", 1)[0] if "/" in text else ""


def lookup(values: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of HelmRelease values, or None."""
    node: Any = values
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def oci_chart_name(url: str | None) -> str | None:
    """The chart name an OCI URL ends with (oci://ghcr.io/org/charts/cilium:1.16 -> cilium)."""
    norm = normalize_url(url)
    if not norm.startswith("oci://") or norm.count("/") < 3:
        return None
    return norm.rsplit("/", 1)[-1] or None


def _parse_entry(raw: Any, index: int) -> CatalogEntry:
    where = f"catalog entry #{index + 1}"
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: must be a mapping")
    ident = raw.get("id")
    if not isinstance(ident, str) or not ident:
        raise CatalogError(f"{where}: `id` must be a non-empty string")
    where = f"catalog entry {ident!r}"
    charts = _str_list(raw.get("charts"), f"{where}: `charts`")
    sources = _str_list(raw.get("sources", []), f"{where}: `sources`", allow_empty=True)
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CatalogError(f"{where}: `source` (upstream citation) is required")
    sets = raw.get("crds")
    if not isinstance(sets, list) or not sets:
        raise CatalogError(f"{where}: `crds` must be a non-empty list")
    return CatalogEntry(ident, tuple(charts), tuple(sources), raw.get("strict") is True,
                        tuple(_parse_set(s, f"{where} crds[{i}]") for i, s in enumerate(sets)),
                        " ".join(source.split()), " ".join(str(raw.get("notes") or "").split()))


def _parse_set(raw: Any, where: str) -> CrdSet:
    if not isinstance(raw, dict) or raw.get("from") not in _FROM:
        raise CatalogError(f"{where}: `from` must be one of {', '.join(_FROM)}")
    when = raw.get("when", [])
    if not isinstance(when, list):
        raise CatalogError(f"{where}: `when` must be a list")
    provides = raw.get("provides")
    if not isinstance(provides, list) or not provides:
        raise CatalogError(f"{where}: `provides` must be a non-empty list")
    kinds = []
    for p in provides:
        group = p.get("group") if isinstance(p, dict) else None
        if not isinstance(group, str) or "." not in group:
            raise CatalogError(f"{where}: every `provides` item needs a dotted API `group`")
        kinds += [(group, k) for k in _str_list(p.get("kinds"), f"{where}: kinds of {group}")]
    return CrdSet(raw["from"], tuple(_parse_condition(c, where) for c in when), tuple(kinds))


def _parse_condition(raw: Any, where: str) -> Condition:
    if isinstance(raw, dict) and isinstance(raw.get("any"), list) and raw["any"]:
        return Condition(any_of=tuple(_parse_condition(c, where) for c in raw["any"]))
    if not isinstance(raw, dict) or not isinstance(raw.get("value"), str) or "default" not in raw:
        raise CatalogError(f"{where}: a condition is {{value, default[, equals|contains]}} or {{any: [...]}}")
    return Condition(raw["value"], raw["default"], raw.get("equals", True), raw.get("contains"))


def _str_list(raw: Any, where: str, allow_empty: bool = False) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw) or (not raw and not allow_empty):
        raise CatalogError(f"{where} must be a {'' if allow_empty else 'non-empty '}list of strings")
    return list(raw)
