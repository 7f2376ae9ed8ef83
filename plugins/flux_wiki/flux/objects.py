"""Flux objects parsed once: the spec of a Kustomization as small typed records, and the field readers the
typed specs of other kinds share (a HelmRelease's is in ``helm.py``, a FluxInstance's in ``instance.py``: each
module loads with the first object of its kind).

Each parser reads a spec whose shapes ``schema.py`` checks (that check gives the warnings; a
Kustomization's spec arrives with the refused fields dropped, a HelmRelease's as written, a field of
the wrong shape counting as unset) and fills in the defaults Flux applies, so the simulation reads
typed fields instead of probing dicts. Source objects are read into :class:`~flux_wiki.model.SourceInfo`
by ``sources.py``.
"""

from __future__ import annotations

import datetime
from collections import namedtuple
from collections.abc import Container, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..records import slots_equal, slots_replace, slots_repr

if TYPE_CHECKING:
    from ..model import KustomizationNode


def _str(value: Any) -> str | None:
    """A string field as text (a YAML timestamp, which sigs.k8s.io/yaml keeps a string, written out); None
    when unset."""
    return None if value is None else str(value)


def str_field(value: Any) -> str:
    """A string field; any other shape (the schema check reports it) counts as empty."""
    return value if isinstance(value, str) else ""


def scalar_field(value: Any) -> str | None:
    """A scalar as the text Flux shows for it (``1.0`` written unquoted is still a version); None for
    nothing, a list or a mapping."""
    if value is None or value == "" or isinstance(value, (dict, list)):
        return None
    return str(value)


# -- Kustomization (kustomize.toolkit.fluxcd.io) ------------------------------------------------------

class FluxOverrides:
    """A Flux Kustomization's own spec fields merged into the folder's kustomization. Its repr lists every
    field: kustomize builds are reused by it."""

    __slots__ = ("target_namespace", "patches", "images", "components", "common_metadata", "name_prefix",
                 "name_suffix", "ignore_missing_components")

    def __init__(self, target_namespace: str | None = None, patches: list[dict] | None = None,
                 images: list[dict] | None = None, components: list[str] | None = None,
                 common_metadata: dict | None = None, name_prefix: str | None = None, name_suffix: str | None = None,
                 ignore_missing_components: bool = False) -> None:
        self.target_namespace = target_namespace
        self.patches = [] if patches is None else patches
        self.images = [] if images is None else images
        self.components = [] if components is None else components
        self.common_metadata = common_metadata
        self.name_prefix = name_prefix
        self.name_suffix = name_suffix
        self.ignore_missing_components = ignore_missing_components  # spec.ignoreMissingComponents (Flux 2.6)

    __repr__ = slots_repr

    def __replace__(self, **changes: Any) -> FluxOverrides:
        """A copy with ``changes`` to its fields."""
        return slots_replace(self, changes)

    replace = __replace__


class SourceRef(namedtuple("SourceRef", "kind namespace name")):
    """``spec.sourceRef``: the source whose artifact a Kustomization builds."""

    __slots__ = ()

    kind: str  # GitRepository when unset
    namespace: str  # the Kustomization's own when unset
    name: str  # "" when unset


class SubstituteRef(namedtuple("SubstituteRef", "kind name optional")):
    """One ``spec.postBuild.substituteFrom`` entry."""

    __slots__ = ()

    kind: str  # as written: ConfigMap or Secret ("" when empty; collecting the variables refuses it)
    name: str
    optional: bool


class PostBuild:
    """``spec.postBuild``: the variables substituted into what the Kustomization builds. Not changed once made."""

    __slots__ = ("substitute", "substitute_from", "strict")

    def __init__(self, substitute: dict[str, str | datetime.date | None] | None = None,
                 substitute_from: tuple[SubstituteRef | None, ...] = (), strict: bool = False) -> None:
        self.substitute = {} if substitute is None else substitute  # values as written
        # None for a null entry, which kustomize-controller refuses (it is not a mapping)
        self.substitute_from = substitute_from
        self.strict = strict  # flux-wiki's own ``postBuild.strict``: report unset variables as Flux's strict mode

    __repr__ = slots_repr
    __eq__ = slots_equal
    __hash__ = None  # type: ignore[assignment]  # compared by value, holding a dict: not hashable

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


def dependency_index(entries: Any, dep: str, namespace: str) -> int | None:
    """The index of the ``spec.dependsOn`` entry naming ``dep`` (``namespace/name``, or a bare name) in ``entries``;
    an entry without a namespace is in ``namespace``, the dependent's own."""
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        name = entry.get("name") if isinstance(entry, dict) else entry
        ns = (entry.get("namespace") if isinstance(entry, dict) else None) or namespace
        if dep in (f"{ns}/{name}", name):
            return i
    return None


def ready_dependencies(depends_on: Iterable[str], entries: Any, namespace: str, known: Container[str]) -> list[str]:
    """The HelmReleases of ``known`` a HelmRelease waits Ready for (helm-controller's checkDependencies): the ids
    of its ``dependsOn`` (``depends_on``, ``namespace/name``) once each, in order, but those whose entry in
    ``entries`` has a ``readyExpr``, which is judged by its CEL expression, not by Ready. ``namespace`` is the
    dependent's own, that of an entry without one."""
    listed = entries if isinstance(entries, list) else []
    by_expr = {f"{e.get('namespace') or namespace}/{e.get('name')}" for e in listed
               if isinstance(e, dict) and e.get("readyExpr")}
    return [d for d in dict.fromkeys(depends_on) if d in known and d not in by_expr]


def kube_config_ref(spec: dict[str, Any]) -> tuple[str, str] | None:
    """``spec.kubeConfig`` of a Kustomization or HelmRelease: ``("Secret", name)`` or, for workload identity,
    ``("ConfigMap", name)`` (both in the object's namespace); None when it applies to its own cluster."""
    kube = spec.get("kubeConfig") if isinstance(spec.get("kubeConfig"), dict) else {}
    return next(((kind, str(r["name"])) for kind, r in (("Secret", kube.get("secretRef")),
                                                        ("ConfigMap", kube.get("configMapRef")))
                 if isinstance(r, dict) and r.get("name")), None)


def remote_cluster(kube_config: tuple[str, str], namespace: str, via: str = "") -> str:
    """The cluster that ``spec.kubeConfig`` (``(kind, name)`` of its Secret or ConfigMap, read in
    ``namespace``) reaches, as messages name it; ``via`` is the cluster where that reference is read."""
    own = f"kubeConfig {kube_config[0]} {namespace}/{kube_config[1]}"
    return f"{via} → {own}" if via else own


def landing_cluster(node_id: str | None, nodes: Mapping[str, KustomizationNode]) -> str:
    """Where the objects of Kustomization ``node_id`` land: "" for the cluster Flux runs in, else the remote
    cluster its ``spec.kubeConfig`` reaches (see :func:`remote_cluster`). A Kustomization that a remote one
    applies lives on that cluster, so its own kubeConfig, if any, is read there."""
    chain: list[KustomizationNode] = []
    node = nodes.get(node_id) if node_id else None
    while node is not None and len(chain) <= len(nodes):
        chain.append(node)
        node = nodes.get(node.parent) if node.parent and node.parent != node.id else None
    where = ""
    for n in reversed(chain):
        kube = n.flux_spec.kube_config
        where = remote_cluster(kube, n.namespace, where) if kube else where
    return where


class KustomizationSpec(namedtuple("KustomizationSpec",
                                   "path source_ref depends_on post_build overrides wait prune kube_config",
                                   defaults=(None,))):
    """The fields of a Flux Kustomization's spec the simulation acts on, with Flux's defaults."""

    __slots__ = ()

    path: str | None  # None when unset: the root of the source's artifact
    source_ref: SourceRef
    depends_on: tuple[str, ...]  # ``namespace/name`` of each dependency, sorted, once each
    post_build: PostBuild
    overrides: FluxOverrides  # the fields kustomize-controller merges into the folder's kustomization
    wait: bool | None  # None when unset (Flux: false)
    prune: bool | None  # None when unset (the CRD requires it)
    # spec.kubeConfig: the objects go to another cluster, whose API the Secret (or, for workload identity, the
    # ConfigMap) names: ``("Secret", name)``; None for this cluster
    kube_config: tuple[str, str] | None

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
            ignore_missing_components=spec.get("ignoreMissingComponents") is True,
        )
        return cls(path=_str(spec.get("path")), source_ref=source_ref, depends_on=tuple(depends_on),
                   post_build=PostBuild.parse(spec.get("postBuild")), overrides=overrides,
                   wait=spec.get("wait"), prune=spec.get("prune"), kube_config=kube_config_ref(spec))
