"""Flux objects parsed once: the spec of a Kustomization, a HelmRelease or a FluxInstance as small typed dataclasses.

Each parser reads a spec whose shapes ``schema.py`` checks (that check gives the warnings; a
Kustomization's spec arrives with the refused fields dropped, a HelmRelease's as written, a field of
the wrong shape counting as unset) and fills in the defaults Flux applies, so the simulation reads
typed fields instead of probing dicts. Source objects are read into :class:`~flux_wiki.model.SourceInfo`
by ``sources.py``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from .schema import HELM_RELEASE_SPEC, FieldProblem, problems

DEFAULT_VALUES_KEY = "values.yaml"


def _str(value: Any) -> str | None:
    """A string field as text (a YAML timestamp, which sigs.k8s.io/yaml keeps a string, written out); None
    when unset."""
    return None if value is None else str(value)


def _text(value: Any) -> str:
    """A string field; any other shape (the schema check reports it) counts as empty."""
    return value if isinstance(value, str) else ""


def _scalar(value: Any) -> str | None:
    """A scalar as the text Flux shows for it (``1.0`` written unquoted is still a version); None for
    nothing, a list or a mapping."""
    if value is None or value == "" or isinstance(value, (dict, list)):
        return None
    return str(value)


# -- Kustomization (kustomize.toolkit.fluxcd.io) ------------------------------------------------------

@dataclass(eq=False)
class FluxOverrides:
    """A Flux Kustomization's own spec fields merged into the folder's kustomization."""

    target_namespace: str | None = None
    patches: list[dict] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    common_metadata: dict | None = None
    name_prefix: str | None = None
    name_suffix: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """``spec.sourceRef``: the source whose artifact a Kustomization builds."""

    kind: str  # GitRepository when unset
    namespace: str  # the Kustomization's own when unset
    name: str  # "" when unset


@dataclass(frozen=True)
class SubstituteRef:
    """One ``spec.postBuild.substituteFrom`` entry."""

    kind: str  # as written: ConfigMap or Secret ("" when empty; collecting the variables refuses it)
    name: str
    optional: bool


@dataclass(frozen=True)
class PostBuild:
    """``spec.postBuild``: the variables substituted into what the Kustomization builds."""

    substitute: dict[str, str | datetime.date | None] = field(default_factory=dict)  # values as written
    # None for a null entry, which kustomize-controller refuses (it is not a mapping)
    substitute_from: tuple[SubstituteRef | None, ...] = ()
    strict: bool = False  # flux-wiki's own ``postBuild.strict``: report unset variables as Flux's strict mode

    @property
    def enabled(self) -> bool:
        """True when Flux runs substitution: ``substitute`` or ``substituteFrom`` is not empty."""
        return bool(self.substitute or self.substitute_from)

    @classmethod
    def parse(cls, post: dict[str, Any] | None) -> PostBuild:
        """The typed form of a checked ``spec.postBuild`` (None when unset)."""
        if not post:
            return cls()
        refs = tuple(SubstituteRef(str(r.get("kind") or ""), str(r.get("name") or ""), r.get("optional") is True)
                     if isinstance(r, dict) else None for r in post.get("substituteFrom") or [])
        return cls({str(k): v for k, v in (post.get("substitute") or {}).items()}, refs, bool(post.get("strict")))


@dataclass(frozen=True, eq=False)
class KustomizationSpec:
    """The fields of a Flux Kustomization's spec the simulation acts on, with Flux's defaults."""

    path: str | None  # None when unset: the root of the source's artifact
    source_ref: SourceRef
    depends_on: tuple[str, ...]  # ``namespace/name`` of each dependency, sorted, once each
    post_build: PostBuild
    overrides: FluxOverrides  # the fields kustomize-controller merges into the folder's kustomization
    wait: bool | None  # None when unset (Flux: false)
    prune: bool | None  # None when unset (the CRD requires it)
    # spec.kubeConfig: the objects go to another cluster, whose API the Secret (or, for workload identity, the
    # ConfigMap) names: ``("Secret", name)``; None for this cluster
    kube_config: tuple[str, str] | None = None

    @classmethod
    def parse(cls, spec: dict[str, Any], namespace: str) -> KustomizationSpec:
        """The typed form of a spec ``checked_kustomization`` passed, for a Kustomization in ``namespace``."""
        ref = spec.get("sourceRef") or {}
        source_ref = SourceRef(str(ref.get("kind") or "GitRepository"), str(ref.get("namespace") or namespace),
                               str(ref.get("name") or ""))
        depends_on = sorted({f"{d.get('namespace') or namespace}/{d['name']}"
                             for d in spec.get("dependsOn") or [] if isinstance(d, dict) and d.get("name")})
        overrides = FluxOverrides(
            target_namespace=_str(spec.get("targetNamespace")) or None,
            patches=[p for p in spec.get("patches") or [] if isinstance(p, dict)],
            images=[i for i in spec.get("images") or [] if isinstance(i, dict)],
            components=[str(c) for c in spec.get("components") or []],
            common_metadata=spec.get("commonMetadata") or None,
            name_prefix=_str(spec.get("namePrefix")) or None,
            name_suffix=_str(spec.get("nameSuffix")) or None,
        )
        kube = spec.get("kubeConfig") if isinstance(spec.get("kubeConfig"), dict) else {}
        remote = next(((kind, str(r["name"])) for kind, r in (("Secret", kube.get("secretRef")),
                                                              ("ConfigMap", kube.get("configMapRef")))
                       if isinstance(r, dict) and r.get("name")), None)
        return cls(path=_str(spec.get("path")), source_ref=source_ref, depends_on=tuple(depends_on),
                   post_build=PostBuild.parse(spec.get("postBuild")), overrides=overrides,
                   wait=spec.get("wait"), prune=spec.get("prune"), kube_config=remote)


# -- HelmRelease (helm.toolkit.fluxcd.io) --------------------------------------------------------------

@dataclass(frozen=True)
class ObjectRef:
    """A reference to another object (a chart's ``sourceRef``, ``chartRef``)."""

    kind: str  # "" when unset
    namespace: str  # the referrer's namespace when unset
    name: str  # "" when unset

    @classmethod
    def parse(cls, ref: Any, namespace: str) -> ObjectRef:
        if not isinstance(ref, dict):
            return cls("", namespace, "")
        return cls(_text(ref.get("kind")), _text(ref.get("namespace")) or namespace, _text(ref.get("name")))


@dataclass(frozen=True)
class ChartTemplate:
    """A chart to fetch from a source: a HelmRelease's ``spec.chart.spec``, or a HelmChart's spec."""

    chart: str | None  # None when unset or not a scalar
    version: str  # "*" (the latest) when unset
    source_ref: ObjectRef
    chart_unset: bool  # ``chart`` is missing or empty (one of the wrong shape counts as set)

    @classmethod
    def parse(cls, spec: dict[str, Any], namespace: str) -> ChartTemplate:
        return cls(_scalar(spec.get("chart")), _scalar(spec.get("version")) or "*",
                   ObjectRef.parse(spec.get("sourceRef"), namespace), spec.get("chart") in (None, ""))


@dataclass(frozen=True)
class ValuesReference:
    """One ``spec.valuesFrom`` entry."""

    kind: str  # ConfigMap or Secret ("" when unset)
    name: str
    values_key: str  # values.yaml when unset
    target_path: str  # "" when unset: the whole key is merged as values
    optional: bool


@dataclass(frozen=True, eq=False)
class HelmReleaseSpec:
    """The fields of a HelmRelease's spec (v2, v2beta1, v2beta2) that say what it installs."""

    chart: ChartTemplate | None  # ``spec.chart.spec``, when a mapping
    chart_ref: ObjectRef | None  # ``spec.chartRef``, when a mapping
    declares_chart: bool  # ``spec.chart`` or ``spec.chartRef`` is set, whatever its shape
    values: dict[str, Any]  # ``spec.values``; {} when unset
    values_from: tuple[ValuesReference, ...]
    depends_on: tuple[str, ...]  # ``namespace/name`` of each dependency, in order
    target_namespace: str  # "" when unset

    @classmethod
    def parse(cls, spec: Any, namespace: str) -> tuple[HelmReleaseSpec, list[FieldProblem]]:
        """The typed form of a HelmRelease's ``spec``, and what the CRD schema refuses in it.

        A field of the wrong shape (a problem) counts as unset, down to the single field.
        """
        found = problems(spec, HELM_RELEASE_SPEC, ("spec",))
        if not isinstance(spec, dict):
            spec = {}
        chart = spec.get("chart")
        template = chart.get("spec") if isinstance(chart, dict) else None
        chart_ref = spec.get("chartRef")
        values = spec.get("values")
        values_from = spec.get("valuesFrom") if isinstance(spec.get("valuesFrom"), list) else []
        return cls(
            chart=ChartTemplate.parse(template, namespace) if isinstance(template, dict) else None,
            chart_ref=ObjectRef.parse(chart_ref, namespace) if isinstance(chart_ref, dict) else None,
            declares_chart=chart is not None or chart_ref is not None,
            values=values if isinstance(values, dict) else {},
            values_from=tuple(_values_reference(r) for r in values_from if isinstance(r, dict)),
            depends_on=tuple(_helm_dependencies(spec.get("dependsOn"), namespace)),
            target_namespace=_text(spec.get("targetNamespace")),
        ), found


def _values_reference(ref: dict[str, Any]) -> ValuesReference:
    return ValuesReference(_text(ref.get("kind")), _text(ref.get("name")),
                           _text(ref.get("valuesKey")) or DEFAULT_VALUES_KEY, _text(ref.get("targetPath")),
                           ref.get("optional") is True)


def _helm_dependencies(deps: Any, namespace: str) -> list[str]:
    """``dependsOn`` as ``namespace/name``: entries are references, or (v2beta1) ``name``/``namespace/name``."""
    out: list[str] = []
    if not isinstance(deps, list):
        return out
    for dep in deps:
        if isinstance(dep, dict) and _text(dep.get("name")):
            out.append(f"{_text(dep.get('namespace')) or namespace}/{dep['name']}")
        elif isinstance(dep, str) and dep:
            out.append(dep if "/" in dep else f"{namespace}/{dep}")
    return out


# -- FluxInstance (fluxcd.controlplane.io, flux-operator) ----------------------------------------------

# The controllers flux-operator installs when ``spec.components`` is empty (api/v1 FluxInstance.GetComponents).
DEFAULT_COMPONENTS = ("source-controller", "kustomize-controller", "helm-controller", "notification-controller")


@dataclass(frozen=True)
class FluxInstanceSync:
    """``spec.sync``: the source and path of the root Kustomization flux-operator generates."""

    kind: str  # GitRepository when unset
    url: str | None
    ref: str  # "" when unset
    path: str
    name: str = ""  # the name of the generated source and Kustomization; "" = the instance's namespace
    interval: str = ""  # "" = flux-operator's default (1m)
    pull_secret: str = ""
    provider: str = ""


@dataclass(frozen=True)
class FluxInstanceSpec:
    """A FluxInstance's spec, or the ``instance`` values of the flux-instance chart (the same fields)."""

    sync: FluxInstanceSync | None  # None without a sync that names a path: nothing is reconciled
    components: tuple[str, ...]  # as written; see :meth:`installed`
    registry: str = ""  # spec.distribution.registry
    version: str = ""  # spec.distribution.version (a semver range or a version)
    patches: tuple[dict[str, Any], ...] = ()  # spec.kustomize.patches

    @property
    def installed(self) -> tuple[str, ...]:
        """The controllers flux-operator installs: the components listed, else its default four."""
        return self.components or DEFAULT_COMPONENTS

    @classmethod
    def parse(cls, spec: Any) -> FluxInstanceSpec:
        if not isinstance(spec, dict):
            return cls(None, ())
        sync = spec.get("sync")
        components = spec.get("components")
        parsed = None
        if isinstance(sync, dict) and sync.get("path"):
            url = sync.get("url")
            parsed = FluxInstanceSync(_text(sync.get("kind")) or "GitRepository", url if isinstance(url, str) else None,
                                      _text(sync.get("ref")), str(sync["path"]), name=_text(sync.get("name")),
                                      interval=_scalar(sync.get("interval")) or "",
                                      pull_secret=_text(sync.get("pullSecret")), provider=_text(sync.get("provider")))
        distribution = spec.get("distribution") if isinstance(spec.get("distribution"), dict) else {}
        kustomize = spec.get("kustomize") if isinstance(spec.get("kustomize"), dict) else {}
        patches = kustomize.get("patches") if isinstance(kustomize.get("patches"), list) else []
        return cls(parsed, tuple(str(c) for c in components) if isinstance(components, list) else (),
                   registry=_text(distribution.get("registry")), version=_scalar(distribution.get("version")) or "",
                   patches=tuple(p for p in patches if isinstance(p, dict)))
