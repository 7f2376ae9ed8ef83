"""A FluxInstance (or the flux-instance chart's values): its spec typed (:class:`FluxInstanceSpec`), and what
flux-operator builds for it: the sync source, the root Kustomization and the controllers. Loaded with the first
FluxInstance or flux-instance HelmRelease.

Followed from flux-operator's ``internal/builder`` (``build.go`` generates ``sync.yaml`` from the sync
template and builds it with kustomize together with ``spec.kustomize.patches``; ``images.go`` names each
controller image ``<distribution.registry>/<component>``) and the FluxInstance API reference
(``docs/api/v1/fluxinstance.md``): the source (GitRepository, OCIRepository or Bucket) and the Kustomization
are both named ``sync.name``, by default the instance's namespace, and live in that namespace; a Git ``ref``
is a reference name (``refs/heads/main``), an OCI ``ref`` a tag, a Bucket ``ref`` the bucket name; the
source's interval is ``sync.interval`` (default ``1m``), its ``secretRef`` ``sync.pullSecret``. The
instance's kustomize patches apply to these objects too (e.g. a patch adding ``spec.ignore`` to the
GitRepository), so they are applied here to the two sync objects; patches for the controllers'
Deployments are flux-operator's business and not simulated.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from ..load.yamldocs import parse_documents
from ..model import FLUX_KUSTOMIZE_GROUP, FLUX_SOURCE_GROUP, Controller, Diagnostic, InputError, Resource, SourceInfo
from .kustomize.patch import PatchError, apply_json6902, apply_strategic, selects
from .objects import scalar_field, str_field
from .sources import canonical_ref, source_info

DEFAULT_INTERVAL = "1m"  # api/v1 Sync.Interval default
CHART_REGISTRY = "ghcr.io/fluxcd"  # the flux-instance chart's default instance.distribution.registry

_API_VERSIONS = {"GitRepository": f"{FLUX_SOURCE_GROUP}/v1", "OCIRepository": f"{FLUX_SOURCE_GROUP}/v1beta2",
                 "Bucket": f"{FLUX_SOURCE_GROUP}/v1beta2"}


# -- the spec, typed ----------------------------------------------------------------------------------

# The controllers flux-operator installs when ``spec.components`` is empty (api/v1 FluxInstance.GetComponents).
DEFAULT_COMPONENTS = ("source-controller", "kustomize-controller", "helm-controller", "notification-controller")


class FluxInstanceSync(namedtuple("FluxInstanceSync", "kind url ref path name interval pull_secret provider",
                                  defaults=("", "", "", ""))):
    """``spec.sync``: the source and path of the root Kustomization flux-operator generates."""

    __slots__ = ()

    kind: str  # GitRepository when unset
    url: str | None
    ref: str  # "" when unset
    path: str
    name: str  # the name of the generated source and Kustomization; "" = the instance's namespace
    interval: str  # "" = flux-operator's default (1m)
    pull_secret: str
    provider: str


class FluxInstanceSpec(namedtuple("FluxInstanceSpec", "sync components registry version patches multitenant",
                                  defaults=("", "", (), False))):
    """A FluxInstance's spec, or the ``instance`` values of the flux-instance chart (the same fields)."""

    __slots__ = ()

    sync: FluxInstanceSync | None  # None without a sync that names a path: nothing is reconciled
    components: tuple[str, ...]  # as written; see :meth:`installed`
    registry: str  # spec.distribution.registry
    version: str  # spec.distribution.version (a semver range or a version)
    patches: tuple[dict[str, Any], ...]  # spec.kustomize.patches
    multitenant: bool  # spec.cluster.multitenant: the controllers run with --no-cross-namespace-refs=true

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
            parsed = FluxInstanceSync(str_field(sync.get("kind")) or "GitRepository",
                                      url if isinstance(url, str) else None, str_field(sync.get("ref")),
                                      str(sync["path"]), name=str_field(sync.get("name")),
                                      interval=scalar_field(sync.get("interval")) or "",
                                      pull_secret=str_field(sync.get("pullSecret")),
                                      provider=str_field(sync.get("provider")))
        distribution = spec.get("distribution") if isinstance(spec.get("distribution"), dict) else {}
        kustomize = spec.get("kustomize") if isinstance(spec.get("kustomize"), dict) else {}
        patches = kustomize.get("patches") if isinstance(kustomize.get("patches"), list) else []
        cluster = spec.get("cluster") if isinstance(spec.get("cluster"), dict) else {}
        return cls(parsed, tuple(str(c) for c in components) if isinstance(components, list) else (),
                   registry=str_field(distribution.get("registry")),
                   version=scalar_field(distribution.get("version")) or "",
                   patches=tuple(p for p in patches if isinstance(p, dict)),
                   multitenant=cluster.get("multitenant") is True)


# -- what flux-operator builds ------------------------------------------------------------------------

class InstanceBuild:
    """The sync objects of one FluxInstance as flux-operator applies them, and the controllers it installs."""

    __slots__ = ("source", "root_name", "root_namespace", "root_spec", "controllers", "problems")

    def __init__(self, source: SourceInfo, root_name: str, root_namespace: str, root_spec: dict[str, Any],
                 controllers: list[Controller], problems: list[Diagnostic] | None = None) -> None:
        self.source = source
        self.root_name = root_name
        self.root_namespace = root_namespace
        self.root_spec = root_spec
        self.controllers = controllers
        self.problems = [] if problems is None else problems


def sync_objects(instance: FluxInstanceSpec, namespace: str) -> list[dict[str, Any]]:
    """The source and Kustomization of the sync template, before the instance's patches."""
    sync = instance.sync
    assert sync is not None
    name = sync.name or namespace
    spec: dict[str, Any] = {"interval": sync.interval or DEFAULT_INTERVAL}
    if sync.kind == "GitRepository":
        spec["ref"] = {"name": sync.ref}
    elif sync.kind == "OCIRepository":
        spec["ref"] = {"tag": sync.ref}
    elif sync.kind == "Bucket":
        spec["bucketName"] = sync.ref
    if sync.pull_secret:
        spec["secretRef"] = {"name": sync.pull_secret}
    if sync.provider:
        spec["provider"] = sync.provider
    if sync.kind == "Bucket":
        spec["endpoint"] = sync.url or ""
    else:
        spec["url"] = sync.url or ""
    source = {"apiVersion": _API_VERSIONS.get(sync.kind, f"{FLUX_SOURCE_GROUP}/v1"), "kind": sync.kind,
              "metadata": {"name": name, "namespace": namespace}, "spec": spec}
    root = {"apiVersion": f"{FLUX_KUSTOMIZE_GROUP}/v1", "kind": "Kustomization",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"interval": "10m0s", "path": sync.path, "prune": True,
                     "sourceRef": {"kind": sync.kind, "name": name}}}
    return [source, root]


def _patch(objects: list[dict[str, Any]], entry: dict[str, Any], file: str, line: int) -> None:
    """Apply one ``spec.kustomize.patches`` entry to the sync objects it selects, as kustomize would."""
    text, target = entry.get("patch"), entry.get("target")
    if not isinstance(text, str):
        return
    try:
        docs = [d.data for d in parse_documents(text, file)]
    except InputError as err:
        raise InputError(file, line, f"spec.kustomize.patches: invalid patch: {err.message}",
                         code="FW-ENTRY-INVALID") from None
    for doc in docs:
        for i, obj in enumerate(objects):
            md = obj["metadata"]
            if isinstance(target, dict):
                chosen = selects(target, obj, [md["name"]], [md["namespace"]])
            else:  # a strategic merge patch without a target names its object
                named = doc.get("metadata") if isinstance(doc, dict) and isinstance(doc.get("metadata"), dict) else {}
                chosen = isinstance(doc, dict) and doc.get("kind") == obj["kind"] and named.get("name") == md["name"]
            if not chosen:
                continue
            try:
                if isinstance(doc, list):
                    objects[i] = apply_json6902(obj, doc)
                elif isinstance(doc, dict):
                    apply_strategic(obj, doc)
            except PatchError as err:
                raise InputError(file, line, f"spec.kustomize.patches: {err} (on {obj['kind']} {md['name']}; "
                                             "flux-operator fails to build the instance)",
                                 code="FW-ENTRY-INVALID") from None


def controllers(instance: FluxInstanceSpec, registry: str, file: str, line: int) -> list[Controller]:
    """The controllers the instance installs, with the image repository flux-operator gives each."""
    registry = registry.rstrip("/")
    return [Controller(c, f"{registry}/{c}" if registry else None, file, line, instance.version or None)
            for c in instance.installed]


def build_instance(instance: FluxInstanceSpec, namespace: str, file: str, line: int, *,
                   sync_line: int | None = None, components_line: int | None = None,
                   default_registry: str = "") -> InstanceBuild | None:
    """The sync source and root Kustomization of an instance with a sync, after its kustomize patches.

    Raises :class:`InputError` at ``file:line`` when a patch cannot be applied to them (flux-operator's
    build fails, so the instance syncs nothing)."""
    if instance.sync is None:
        return None
    objects = sync_objects(instance, namespace)
    for entry in instance.patches:
        _patch(objects, entry, file, line)
    source_obj, root = objects
    src = source_info(Resource(source_obj, file, sync_line or line))
    src.ref = canonical_ref(src.kind, src.ref)
    root_md, root_spec = root.get("metadata") or {}, root.get("spec")
    return InstanceBuild(source=src, root_name=str(root_md.get("name") or namespace),
                         root_namespace=str(root_md.get("namespace") or namespace),
                         root_spec=root_spec if isinstance(root_spec, dict) else {},
                         controllers=controllers(instance, instance.registry or default_registry, file,
                                                 components_line or line))
