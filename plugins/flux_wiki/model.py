"""Plain records shared by every stage of the engine.

Nothing here reads files or knows about MkDocs; each stage builds these and
hands them on.
"""

from __future__ import annotations

import ipaddress
import re
from collections import namedtuple
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .analysis.redact import url_without_credentials
from .flux.objects import KustomizationSpec
from .records import slots_copy, slots_equal, slots_replace, slots_repr

if TYPE_CHECKING:
    from .analysis.facts import ClusterFacts

FLUX_KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io"
FLUX_HELM_GROUP = "helm.toolkit.fluxcd.io"
# the kind of a document SOPS encrypted whole, its apiVersion, kind and name included (flux/kustomize/build.py)
SOPS_ENCRYPTED_KIND = "SopsEncrypted"
FLUX_SOURCE_GROUP = "source.toolkit.fluxcd.io"
FLUX_OPERATOR_GROUP = "fluxcd.controlplane.io"  # flux-operator: FluxInstance, ResourceSet


# Characters that would let repo text forge a log line or drive a terminal: line breaks, escape
# sequences, bidirectional overrides. A pattern string: `re` compiles it on first use (and caches it), so a run
# that prints nothing does not pay for it at start-up.
_UNPRINTABLE = r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"


def printable(text: object) -> str:
    """Text for a terminal or a log line: every control character written as a visible escape (``\\n``)."""
    return re.sub(_UNPRINTABLE, lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


class Diagnostic(namedtuple("Diagnostic", "file line message severity code cls ref_namespace",
                            defaults=("warning", "", "repo", ""))):
    """A problem found in the input, always tied to a file and line of the repo.

    ``code`` is its stable code and ``cls`` its class (:mod:`flux_wiki.problems` lists both): ``repo``, Flux
    would fail or misbehave (a MkDocs warning); ``limit``, what an offline simulation cannot know (a note).
    ``severity`` "info" makes it a notice, which is neither. ``ref_namespace`` is, for a reference to a namespaced
    object nothing applies, the namespace it is missing from (what may still provide it: problems.settle_references).
    """

    __slots__ = ()

    file: str
    line: int
    message: str
    severity: str
    code: str  # a stable problem code (PROBLEMS.md)
    cls: str  # "repo": Flux would fail or misbehave; "limit": what flux-wiki cannot know
    ref_namespace: str

    def __str__(self) -> str:
        return printable(f"{self.file}:{self.line}: {self.message}" + (f" [{self.code}]" if self.code else ""))

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message, "code": self.code, "class": self.cls}


class InputError(Exception):
    """Bad input that stops one unit of work (a file, a KS build), never the whole run."""

    def __init__(self, file: str, line: int, message: str, *, code: str = "", cls: str = "repo"):
        super().__init__(printable(f"{file}:{line}: {message}"))
        self.file = file
        self.line = line
        self.message = message
        self.code = code
        self.cls = cls
        # the field of the Flux Kustomization's own spec that failed, e.g. ("patches", 0), when the build failed on
        # what it merged from there: the simulation names the Kustomization's file and that field's line instead
        self.spec_field: tuple[str | int, ...] = ()

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.file, self.line, self.message, code=self.code, cls=self.cls)


class FieldAt(namedtuple("FieldAt", "file line spec_patch", defaults=(None,))):
    """Where a field of a built object was written (the object's file, or the patch that put it there):
    ``file:line``. With ``spec_patch`` set, the patch is entry ``spec_patch`` of the building Flux
    Kustomization's own ``spec.patches`` and ``line`` counts lines of its inline text: a build is shared by the
    Kustomizations with the same path and spec, so the order analysis finds that entry in the file of the
    Kustomization that applied the object."""

    __slots__ = ()

    file: str
    line: int
    spec_patch: int | None


DependsOnKey = tuple[str, str]  # a dependsOn entry's name and namespace as written ("" when unset)
ValuesPath = tuple[str | int, ...]  # a key path in a HelmRelease's values


def value_at(tree: Any, path: ValuesPath) -> tuple[bool, Any]:
    """(whether ``path`` exists in a tree of mappings and lists, the value there)."""
    for part in path:
        if isinstance(part, int) and isinstance(tree, list) and 0 <= part < len(tree):
            tree = tree[part]
        elif isinstance(part, str) and isinstance(tree, dict) and part in tree:
            tree = tree[part]
        else:
            return False, None
    return True, tree


def host_fields(obj: dict[str, Any]) -> dict[tuple[str | int, ...], str]:
    """The host names a route object declares, by their path: an Ingress's ``spec.rules[].host`` and
    ``spec.tls[].hosts[]``, a Gateway API route's ``spec.hostnames[]``, a Gateway's ``spec.listeners[].hostname``."""
    spec = obj.get("spec")
    if not isinstance(spec, dict) or not isinstance(obj.get("kind"), str):
        return {}
    out: dict[tuple[str | int, ...], str] = {}

    def entries(key: str) -> list[tuple[int, Any]]:
        return list(enumerate(spec[key])) if isinstance(spec.get(key), list) else []

    for i, rule in entries("rules"):
        if isinstance(rule, dict) and isinstance(rule.get("host"), str):
            out[("spec", "rules", i, "host")] = rule["host"]
    for i, tls in entries("tls"):
        hosts = tls.get("hosts") if isinstance(tls, dict) else None
        for j, host in enumerate(hosts if isinstance(hosts, list) else []):
            if isinstance(host, str):
                out[("spec", "tls", i, "hosts", j)] = host
    for i, host in entries("hostnames"):
        if isinstance(host, str):
            out[("spec", "hostnames", i)] = host
    for i, listener in entries("listeners"):
        if isinstance(listener, dict) and isinstance(listener.get("hostname"), str):
            out[("spec", "listeners", i, "hostname")] = listener["hostname"]
    return out


def object_ident(namespace: str, name: str) -> str:
    """An object as pages name it: ``namespace/name``, just ``name`` without a namespace (cluster-scoped, or
    one the manifests leave namespace-less)."""
    return f"{namespace}/{name}" if namespace else name


class GeneratedBy(namedtuple("GeneratedBy", "kind namespace name file line")):
    """The object that generated a resource at run time (a flux-operator ResourceSet) and where it is."""

    __slots__ = ()

    kind: str
    namespace: str
    name: str
    file: str
    line: int

    def ident(self) -> str:
        return object_ident(self.namespace, self.name)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name, "file": self.file,
                "line": self.line}


class Resource:
    """One Kubernetes object as a build produced it, with the file:line it came from.

    ``obj`` is the object's mapping after kustomize transformations and
    substitution. ``file``/``line`` point at the document it started from (for a
    generated ConfigMap/Secret: the generator entry in the kustomization file; for an
    object a ResourceSet generates: its template, with ``generated_by`` naming the ResourceSet).

    ``depends_on_at``: where each spec.dependsOn entry of a Flux Kustomization was written, once a patch changed
    that list. ``patched_hosts``: where a kustomize patch wrote each host field it set or changed (an Ingress
    rule's host, an HTTPRoute's hostname, ...), by the field's path in the object. ``values_at``: where a patch
    wrote each leaf of a HelmRelease's spec.values it changed (paths relative to spec.values).
    """

    __slots__ = ("obj", "file", "line", "encrypted", "generated_by", "depends_on_at", "patched_hosts", "values_at")

    def __init__(self, obj: dict[str, Any], file: str, line: int, encrypted: bool = False,
                 generated_by: GeneratedBy | None = None, depends_on_at: dict[DependsOnKey, FieldAt] | None = None,
                 patched_hosts: dict[tuple[str | int, ...], FieldAt] | None = None,
                 values_at: dict[ValuesPath, FieldAt] | None = None) -> None:
        self.obj = obj
        self.file = file
        self.line = line
        self.encrypted = encrypted
        self.generated_by = generated_by
        self.depends_on_at = depends_on_at
        self.patched_hosts = patched_hosts
        self.values_at = values_at

    __repr__ = slots_repr
    __eq__ = slots_equal
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: not hashable

    def __replace__(self, **changes: Any) -> Resource:
        """A copy with ``changes`` (field name -> new value)."""
        return slots_replace(self, changes)

    replace = __replace__

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion") or "")

    @property
    def group(self) -> str:
        av = self.api_version
        return av.rsplit("/", 1)[0] if "/" in av else ""

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind") or "")

    @property
    def metadata(self) -> dict[str, Any]:
        md = self.obj.get("metadata")
        return md if isinstance(md, dict) else {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("name") or "")

    @property
    def namespace(self) -> str:
        return str(self.metadata.get("namespace") or "")

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.obj.get("spec")
        return spec if isinstance(spec, dict) else {}

    def is_kind(self, group: str, kind: str) -> bool:
        return self.kind == kind and self.group == group  # the kind first: it is the cheaper, and mostly differs

    def ident(self) -> str:
        """`namespace/name` (just `name` for cluster-scoped objects)."""
        return object_ident(self.namespace, self.name)

    def summary(self) -> dict[str, Any]:
        out = {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "file": self.file,
            "line": self.line,
        }
        if self.generated_by is not None:
            out["generatedBy"] = self.generated_by.as_dict()
        return out


class SourceInfo:
    """A Flux source object (GitRepository, OCIRepository, HelmRepository, ...).

    ``ignore``: spec.ignore of a GitRepository/OCIRepository (more .sourceignore rules); ``includes``: a
    GitRepository's spec.include, as (toPath, GitRepository name).
    """

    __slots__ = ("kind", "namespace", "name", "url", "ref", "file", "line", "ignore", "includes")

    def __init__(self, kind: str, namespace: str, name: str, url: str | None = None,
                 ref: dict[str, Any] | None = None, file: str | None = None, line: int | None = None,
                 ignore: str | None = None, includes: tuple[tuple[str, str], ...] = ()) -> None:
        self.kind = kind
        self.namespace = namespace
        self.name = name
        # credentials written into the URL never leave the repository
        self.url = url_without_credentials(url) if url else url
        self.ref = {} if ref is None else ref
        self.file = file
        self.line = line
        self.ignore = ignore
        self.includes = includes

    __repr__ = slots_repr

    def __replace__(self, **changes: Any) -> SourceInfo:
        """A copy with ``changes`` (field name -> new value)."""
        return slots_replace(self, changes)

    replace = __replace__

    def ident(self) -> str:
        return f"{self.namespace}/{self.name}"

    def repository(self) -> str:
        """The URL without what does not change the repository (``.git``, a trailing slash, ssh or https)."""
        u = (self.url or "").strip().rstrip("/")
        if u.endswith(".git"):
            u = u[:-4]
        return u.replace("ssh://git@", "https://").replace("git@github.com:", "https://github.com/")


class SourceDir(namedtuple("SourceDir", "key root origin file line shown", defaults=("", 0, ""))):
    """A local folder that stands for a Flux source's artifact (flux/source_dirs.py), and how flux-wiki knows."""

    __slots__ = ()

    key: str  # canonical: Kind/namespace/name or a normalized URL
    root: Path
    origin: str  # "the `sources:` option" or "inferred from <file>:<line>, which runs `flux push artifact ...`"
    file: str  # repo file it was inferred from (empty for the option)
    line: int
    shown: str  # the folder as pages name it: relative to the repository root


class HelmReleaseInfo:
    """What a HelmRelease installs: chart, version, source and merged values.

    ``layer``: id of the Flux Kustomization that applies it (set by the simulation). ``kube_config``: its
    spec.kubeConfig, the release being installed on another cluster: ("Secret", name) or ("ConfigMap", name).
    """

    __slots__ = ("namespace", "name", "chart", "version", "source_kind", "source_namespace", "source_name",
                 "source_url", "depends_on", "values", "values_sources", "unresolved_values", "file", "line", "layer",
                 "kube_config")

    def __init__(self, namespace: str, name: str, chart: str | None, version: str | None, source_kind: str | None,
                 source_namespace: str | None, source_name: str | None, source_url: str | None,
                 depends_on: list[str], values: dict[str, Any], values_sources: list[str],
                 unresolved_values: list[str], file: str, line: int, layer: str = "",
                 kube_config: tuple[str, str] | None = None) -> None:
        self.namespace = namespace
        self.name = name
        self.chart = chart
        self.version = version
        self.source_kind = source_kind
        self.source_namespace = source_namespace
        self.source_name = source_name
        self.source_url = source_url
        self.depends_on = depends_on
        self.values = values
        self.values_sources = values_sources
        self.unresolved_values = unresolved_values
        self.file = file
        self.line = line
        self.layer = layer
        self.kube_config = kube_config

    __repr__ = slots_repr
    __eq__ = slots_equal
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: not hashable

    def ident(self) -> str:
        """``namespace/name``; just ``name`` when the manifest sets no namespace (kustomize-controller then fails
        to apply it), as for any other object."""
        return object_ident(self.namespace, self.name)


def helm_release_identity(name: str, namespace: str, spec: Any) -> tuple[str, str]:
    """(release name, namespace) of the Helm release a HelmRelease makes, as helm-controller computes them:
    ``spec.releaseName``, else ``[targetNamespace-]name``; installed into ``spec.targetNamespace``, else its own."""
    spec = spec if isinstance(spec, dict) else {}
    target_ns = spec.get("targetNamespace")
    release = spec.get("releaseName") or (f"{target_ns}-{name}" if target_ns else name)
    return str(release), str(target_ns or namespace)


SurfaceKind = Literal["loadbalancer", "nodeport", "clusterip", "externalname", "ingress", "ingressroute", "httproute",
                      "tlsroute", "virtualservice", "tunnel", "gateway", "certificate", "workload"]
SERVICE_SURFACES: tuple[SurfaceKind, ...] = ("loadbalancer", "nodeport", "clusterip",
                                             "externalname")  # a Service's, by its type
ROUTE_SURFACES: tuple[SurfaceKind, ...] = ("ingress", "ingressroute", "httproute", "tlsroute",
                                           "virtualservice", "tunnel")  # a host routed on
CLAIM_SURFACES: tuple[SurfaceKind, ...] = ("loadbalancer", "gateway")  # an address:port a load balancer serves


class Target(namedtuple("Target", "text kind name namespace port", defaults=(None, None, None, None))):
    """What a surface leads to: an object it names (a backend, a selected workload, an issuer) or plain text
    (a container image, an ExternalName host). ``text`` is how tables and the inventory JSON show it."""

    __slots__ = ()

    text: str
    kind: str | None  # the object's kind; None when the target names no object
    name: str | None
    namespace: str | None  # None: the surface's own namespace
    port: str | None

    @classmethod
    def backend(cls, name: str, port: str | None = None, *, kind: str = "Service",
                namespace: str | None = None) -> Target:
        """A backend a route names, shown ``[namespace/][Kind/]name[:port]`` (no kind for a Service)."""
        text = f"{name}:{port}" if port else name
        if kind != "Service":
            text = f"{kind}/{text}"
        if namespace:
            text = f"{namespace}/{text}"
        return cls(text, kind, name, namespace, port or None)

    @classmethod
    def ref(cls, kind: str, name: str) -> Target:
        """An object named with its kind, shown ``Kind/name`` (a certificate's issuer, an Ingress resource backend)."""
        return cls(f"{kind}/{name}", kind, name)

    @classmethod
    def selected(cls, kind: str, name: str) -> Target:
        """A workload a Service selects, shown ``kind/name`` as kubectl names it (``deployment/web``)."""
        return cls(f"{kind.lower()}/{name}", kind, name)


def address_order(text: str | None) -> tuple:
    """How addresses sort everywhere: IPs numerically (``10.0.0.9`` before ``10.0.0.10``, IPv4 before IPv6),
    then anything else (a hostname, ``address pending``) by text. A list (``a, b``) sorts by its first."""
    first = (text or "").split(",", 1)[0].strip()
    if not first:  # most surfaces have no address: no IP to try (ip_address("") fails after two parsers)
        return (1, 0, 0, text or "")
    try:
        ip = ipaddress.ip_address(first)
    except ValueError:
        return (1, 0, 0, text or "")
    return (0, ip.version, int(ip), text or "")


def address_list(text: str | None) -> list[str]:
    """The addresses of a surface's ``address`` (a comma list: ``10.0.0.5,fd00::5``), each stripped."""
    return [a.strip() for a in (text or "").split(",") if a.strip()]


def endpoint(address: str | None, port: int | str | None) -> str:
    """``address:port`` as a client writes it (Go's net.JoinHostPort): an IPv6 address in brackets
    (``[fd00::10]:443``), each address of a list with the port (``10.0.0.5:443, [fd00::5]:443``); the addresses
    alone without a port."""
    found = address_list(address)
    if port is None:
        return ", ".join(found)
    return ", ".join(f"[{a}]:{port}" if ":" in a and not a.startswith("[") else f"{a}:{port}" for a in found)


_SURFACE_JSON = ("kind", "layer", "namespace", "name", "object_kind", "address", "port", "protocol", "port_name",
                 "host", "path", "target", "detail", "file", "line")


class Surface:
    """A place a workload can be reached or is identified by: an address, a host, a certificate.

    ``layer``: the Flux Kustomization id that applies it; ``name``: the object (or HelmRelease) that declares it,
    of ``object_kind`` (Service, Ingress, HelmRelease, ...); ``targets``: backends / selected workloads / issuer /
    image. ``metallb_key``: for a LoadBalancer Service MetalLB surely allocates (a MetalLB annotation, no
    loadBalancerClass), its allow-shared-ip key, "" without one; None when another implementation may allocate
    it. ``created_by``: a certificate cert-manager creates from the annotations of this object (``Ingress
    grafana``): the Certificate is not in the repository, its file:line is that object's. ``metallb_backend``:
    MetalLB's backend key of that Service (its controller's BackendKey): "" under externalTrafficPolicy Cluster,
    its selector under Local; None when not known here (a Service read from chart values).
    """

    __slots__ = ("kind", "layer", "namespace", "name", "object_kind", "address", "port", "protocol", "port_name",
                 "host", "path", "targets", "detail", "file", "line", "metallb_key", "created_by", "metallb_backend")

    def __init__(self, kind: SurfaceKind, layer: str, namespace: str, name: str, object_kind: str,
                 address: str | None = None, port: int | None = None, protocol: str | None = None,
                 port_name: str | None = None, host: str | None = None, path: str | None = None,
                 targets: tuple[Target, ...] = (), detail: str | None = None, file: str = "", line: int = 0,
                 metallb_key: str | None = None, created_by: str | None = None,
                 metallb_backend: str | None = None) -> None:
        self.kind = kind
        self.layer = layer
        self.namespace = namespace
        self.name = name
        self.object_kind = object_kind
        self.address = address
        self.port = port
        self.protocol = protocol
        self.port_name = port_name
        self.host = host
        self.path = path
        self.targets = targets
        self.detail = detail
        self.file = file
        self.line = line
        self.metallb_key = metallb_key
        self.created_by = created_by
        self.metallb_backend = metallb_backend

    __repr__ = slots_repr
    __eq__ = slots_equal
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: not hashable

    __copy__ = slots_copy  # the surfaces of a layer another cluster reuses are copied (engine.surfaces_reusing)

    def __replace__(self, **changes: Any) -> Surface:
        """A copy with ``changes`` (field name -> new value)."""
        return slots_replace(self, changes)

    replace = __replace__

    @property
    def target(self) -> str | None:
        """The targets as one line of text (as tables and the inventory JSON show them)."""
        return ", ".join(t.text for t in self.targets) or None

    def as_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in _SURFACE_JSON}
        if self.created_by:
            out["created_by"] = self.created_by
        return out

    def sort_key(self) -> tuple:
        return (self.layer, self.kind, self.namespace, self.name, address_order(self.address), self.port or 0,
                self.host or "", self.path or "")


class SubstitutionVar(namedtuple("SubstitutionVar", "name origin secret")):
    """A postBuild variable of a Kustomization, by name only: values are never kept."""

    __slots__ = ()

    name: str
    origin: str  # "inline", "ConfigMap flux-system/cluster-vars", "Secret flux-system/cluster-secrets"
    secret: bool


# Where the simulation is with a Kustomization. While it runs: ``pending`` (found, not reconciled yet),
# ``deferred`` (its substituteFrom names a ConfigMap/Secret no Kustomization has applied yet; it waits for the
# rest of the walk), ``pending-final`` (reconciled after the walk, with the repository as the variables'
# fallback). Once it ends: ``built``, ``partial`` (built, but part of its content is out of flux-wiki's reach:
# remote resources, plugins it does not simulate; ``reason`` says which, and the Kustomization may apply more
# than the pages show), ``error`` (Flux would fail on it, or a flux-wiki limit stopped it) or ``skipped`` (its
# source is not this repository's revision).
NodeStatus = Literal["pending", "deferred", "pending-final", "built", "partial", "error", "skipped"]
BUILT_STATUSES = ("built", "partial")  # a build ran: its resources are known (all of them, or part)


class KustomizationNode:
    """A Flux Kustomization reached by the simulation, with the spec as built.

    ``spec`` is the spec as written, without the fields the CRD schema refuses (the renderers read a few
    fields from it); ``flux_spec`` is its typed form (the typed fields the simulation acts on; parsed from
    ``spec`` when not given). ``files``: the repo files read to build it; ``variables``: its postBuild variables as
    Flux merges them; ``generated_by``: the ResourceSet that generated it; ``depends_on_at``: the dependsOn entries
    a patch wrote (as Resource's). ``failure``: why Flux fails this Kustomization (its build, source or spec), at
    the line that causes it: it applies nothing and never becomes Ready; None when it does not fail, or flux-wiki
    cannot tell. ``bootstrap_peer``: applied by hand with the root, by the bootstrap (``Cluster.bootstrap``), and
    by no Kustomization of the cluster: a peer of the root, with no parent.
    """

    __slots__ = ("namespace", "name", "path", "parent", "depends_on", "source", "spec", "file", "line", "status",
                 "reason", "level", "resources", "files", "variables", "unresolved_vars", "secret_vars",
                 "remote_resources", "helm_charts", "excluded", "generated_by", "depends_on_at", "failure",
                 "bootstrap_peer", "flux_spec")

    def __init__(self, namespace: str, name: str, path: str | None, parent: str | None, depends_on: list[str],
                 source: SourceInfo | None, spec: dict[str, Any], file: str, line: int, status: NodeStatus = "pending",
                 reason: str | None = None, level: int | None = None, resources: list[Resource] | None = None,
                 files: list[str] | None = None, variables: list[SubstitutionVar] | None = None,
                 unresolved_vars: list[str] | None = None, secret_vars: list[str] | None = None,
                 remote_resources: list[str] | None = None, helm_charts: list[dict[str, Any]] | None = None,
                 excluded: bool = False, generated_by: GeneratedBy | None = None,
                 depends_on_at: dict[DependsOnKey, FieldAt] | None = None, failure: Diagnostic | None = None,
                 bootstrap_peer: bool = False, flux_spec: KustomizationSpec | None = None) -> None:
        self.namespace = namespace
        self.name = name
        self.path = path
        self.parent = parent
        self.depends_on = depends_on
        self.source = source
        self.spec = spec
        self.file = file
        self.line = line
        self.status = status
        self.reason = reason
        self.level = level
        self.resources = [] if resources is None else resources
        self.files = [] if files is None else files
        self.variables = [] if variables is None else variables
        self.unresolved_vars = [] if unresolved_vars is None else unresolved_vars
        self.secret_vars = [] if secret_vars is None else secret_vars
        self.remote_resources = [] if remote_resources is None else remote_resources
        self.helm_charts = [] if helm_charts is None else helm_charts
        self.excluded = excluded
        self.generated_by = generated_by
        self.depends_on_at = depends_on_at
        self.failure = failure
        self.bootstrap_peer = bootstrap_peer
        self.flux_spec = KustomizationSpec.parse(spec, namespace) if flux_spec is None else flux_spec

    __repr__ = slots_repr

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def wait(self) -> bool | None:
        return self.flux_spec.wait

    @property
    def prune(self) -> bool | None:
        return self.flux_spec.prune


class Controller:
    """A Flux controller the entry point installs; ``distribution``: the Flux distribution version a FluxInstance
    asks for (a semver range)."""

    __slots__ = ("name", "image", "file", "line", "distribution")

    def __init__(self, name: str, image: str | None, file: str, line: int, distribution: str | None = None) -> None:
        self.name = name
        self.image = image
        self.file = file
        self.line = line
        self.distribution = distribution

    __repr__ = slots_repr


class Cluster:
    """One cluster of a repo: its entry point, source and the simulated tree of Kustomizations.

    ``entry_kind``: gotk-sync | FluxInstance | flux-instance HelmRelease | explicit. ``requeue_dependency``:
    kustomize-controller's --requeue-dependency, as written (controller_flags.py), set at
    ``requeue_dependency_at`` (file, line). ``bootstrap``: what the bootstrap applies by hand (``kubectl apply -k``
    of a folder, or one file): flux/entry.py bootstrap_build. ``notices``: severity "info", worth knowing, not a
    problem. ``source_dirs``: the folders read for sources.
    """

    __slots__ = ("name", "entry_file", "entry_line", "entry_kind", "source", "root_id", "kustomizations",
                 "controllers", "requeue_dependency", "requeue_dependency_at", "bootstrap", "helm_releases", "surfaces",
                 "warnings", "notices", "excluded", "source_dirs")

    def __init__(self, name: str, entry_file: str, entry_line: int, entry_kind: str, source: SourceInfo,
                 root_id: str, kustomizations: dict[str, KustomizationNode] | None = None,
                 controllers: list[Controller] | None = None, requeue_dependency: str | None = None,
                 requeue_dependency_at: tuple[str, int] | None = None, bootstrap: str | None = None,
                 helm_releases: list[HelmReleaseInfo] | None = None, surfaces: list[Surface] | None = None,
                 warnings: list[Diagnostic] | None = None, notices: list[Diagnostic] | None = None,
                 excluded: list[str] | None = None, source_dirs: list[tuple[SourceInfo, SourceDir]] | None = None,
                 ) -> None:
        self.name = name
        self.entry_file = entry_file
        self.entry_line = entry_line
        self.entry_kind = entry_kind
        self.source = source
        self.root_id = root_id
        self.kustomizations = {} if kustomizations is None else kustomizations
        self.controllers = [] if controllers is None else controllers
        self.requeue_dependency = requeue_dependency
        self.requeue_dependency_at = requeue_dependency_at
        self.bootstrap = bootstrap
        self.helm_releases = [] if helm_releases is None else helm_releases
        self.surfaces = [] if surfaces is None else surfaces
        self.warnings = [] if warnings is None else warnings
        self.notices = [] if notices is None else notices
        self.excluded = [] if excluded is None else excluded
        self.source_dirs = [] if source_dirs is None else source_dirs

    __repr__ = slots_repr

    def warn(self, file: str, line: int, message: str, *, code: str = "", cls: str = "repo",
             ref_namespace: str = "") -> None:
        self.warnings.append(Diagnostic(file, line, message, code=code, cls=cls, ref_namespace=ref_namespace))

    @property
    def root(self) -> KustomizationNode:
        return self.kustomizations[self.root_id]

    def layers(self) -> list[KustomizationNode]:
        """The Kustomizations below the entry point that are not excluded, by level then name."""
        nodes = [k for k in self.kustomizations.values() if k.id != self.root_id and not k.excluded]
        return sorted(nodes, key=lambda k: (k.level if k.level is not None else 1 << 30, k.name, k.namespace))


class Model:
    """Everything the renderers need about one repository; ``facts``: cluster name -> its facts, computed once."""

    __slots__ = ("repo_root", "clusters", "diagnostics", "files_read", "facts", "__weakref__")  # a build's test watches it

    def __init__(self, repo_root: Path, clusters: list[Cluster], diagnostics: list[Diagnostic] | None = None,
                 files_read: set[str] | None = None, facts: dict[str, ClusterFacts] | None = None) -> None:
        self.repo_root = repo_root
        self.clusters = clusters
        self.diagnostics = [] if diagnostics is None else diagnostics
        self.files_read = set() if files_read is None else files_read
        self.facts = {} if facts is None else facts

    __repr__ = slots_repr

    def cluster(self, name: str) -> Cluster:
        for c in self.clusters:
            if c.name == name:
                return c
        raise KeyError(name)
