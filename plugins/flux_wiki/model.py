"""Plain records shared by every stage of the engine.

Nothing here reads files or knows about MkDocs; each stage builds these and
hands them on.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from .analysis.redact import url_without_credentials
from .flux.objects import KustomizationSpec

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


class Diagnostic(NamedTuple):
    """A problem found in the input, always tied to a file and line of the repo.

    ``code`` is its stable code and ``cls`` its class (:mod:`flux_wiki.problems` lists both): ``repo``, Flux
    would fail or misbehave (a MkDocs warning); ``limit``, what an offline simulation cannot know (a note).
    ``severity`` "info" makes it a notice, which is neither. ``ref_namespace`` is, for a reference to a namespaced
    object nothing applies, the namespace it is missing from (what may still provide it: problems.settle_references).
    """

    file: str
    line: int
    message: str
    severity: str = "warning"
    code: str = ""  # a stable problem code (PROBLEMS.md)
    cls: str = "repo"  # "repo": Flux would fail or misbehave; "limit": what flux-wiki cannot know
    ref_namespace: str = ""

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


class FieldAt(NamedTuple):
    """Where a field of a built object was written (the object's file, or the patch that put it there):
    ``file:line``. With ``spec_patch`` set, the patch is entry ``spec_patch`` of the building Flux
    Kustomization's own ``spec.patches`` and ``line`` counts lines of its inline text: a build is shared by the
    Kustomizations with the same path and spec, so the order analysis finds that entry in the file of the
    Kustomization that applied the object."""

    file: str
    line: int
    spec_patch: int | None = None


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


class GeneratedBy(NamedTuple):
    """The object that generated a resource at run time (a flux-operator ResourceSet) and where it is."""

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


@dataclass
class Resource:
    """One Kubernetes object as a build produced it, with the file:line it came from.

    ``obj`` is the object's mapping after kustomize transformations and
    substitution. ``file``/``line`` point at the document it started from (for a
    generated ConfigMap/Secret: the generator entry in the kustomization file; for an
    object a ResourceSet generates: its template, with ``generated_by`` naming the ResourceSet).
    """

    obj: dict[str, Any]
    file: str
    line: int
    encrypted: bool = False
    generated_by: GeneratedBy | None = None
    # where each spec.dependsOn entry of a Flux Kustomization was written, once a patch changed that list
    depends_on_at: dict[DependsOnKey, FieldAt] | None = None
    # where a kustomize patch wrote each host field it set or changed (an Ingress rule's host, an HTTPRoute's
    # hostname, ...), by the field's path in the object
    patched_hosts: dict[tuple[str | int, ...], FieldAt] | None = None
    # where a patch wrote each leaf of a HelmRelease's spec.values it changed (paths relative to spec.values)
    values_at: dict[ValuesPath, FieldAt] | None = None

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


@dataclass(eq=False)
class SourceInfo:
    """A Flux source object (GitRepository, OCIRepository, HelmRepository, ...)."""

    kind: str
    namespace: str
    name: str
    url: str | None = None
    ref: dict[str, Any] = field(default_factory=dict)
    file: str | None = None
    line: int | None = None
    ignore: str | None = None  # spec.ignore of a GitRepository/OCIRepository: more .sourceignore rules
    includes: tuple[tuple[str, str], ...] = ()  # a GitRepository's spec.include: (toPath, GitRepository name)

    def __post_init__(self) -> None:
        if self.url:  # credentials written into the URL never leave the repository
            self.url = url_without_credentials(self.url)

    def ident(self) -> str:
        return f"{self.namespace}/{self.name}"

    def repository(self) -> str:
        """The URL without what does not change the repository (``.git``, a trailing slash, ssh or https)."""
        u = (self.url or "").strip().rstrip("/")
        if u.endswith(".git"):
            u = u[:-4]
        return u.replace("ssh://git@", "https://").replace("git@github.com:", "https://github.com/")


class SourceDir(NamedTuple):
    """A local folder that stands for a Flux source's artifact (flux/source_dirs.py), and how flux-wiki knows."""

    key: str  # canonical: Kind/namespace/name or a normalized URL
    root: Path
    origin: str  # "the `sources:` option" or "inferred from <file>:<line>, which runs `flux push artifact ...`"
    file: str = ""  # repo file it was inferred from (empty for the option)
    line: int = 0
    shown: str = ""  # the folder as pages name it: relative to the repository root


@dataclass
class HelmReleaseInfo:
    """What a HelmRelease installs: chart, version, source and merged values."""

    namespace: str
    name: str
    chart: str | None
    version: str | None
    source_kind: str | None
    source_namespace: str | None
    source_name: str | None
    source_url: str | None
    depends_on: list[str]
    values: dict[str, Any]
    values_sources: list[str]
    unresolved_values: list[str]
    file: str
    line: int
    layer: str = ""  # id of the Flux Kustomization that applies it (set by the simulation)
    # spec.kubeConfig: the release is installed on another cluster: ("Secret", name) or ("ConfigMap", name)
    kube_config: tuple[str, str] | None = None

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
                      "tlsroute", "virtualservice", "gateway", "certificate", "workload"]
SERVICE_SURFACES: tuple[SurfaceKind, ...] = ("loadbalancer", "nodeport", "clusterip",
                                             "externalname")  # a Service's, by its type
ROUTE_SURFACES: tuple[SurfaceKind, ...] = ("ingress", "ingressroute", "httproute", "tlsroute",
                                           "virtualservice")  # a host routed on
CLAIM_SURFACES: tuple[SurfaceKind, ...] = ("loadbalancer", "gateway")  # an address:port a load balancer serves


class Target(NamedTuple):
    """What a surface leads to: an object it names (a backend, a selected workload, an issuer) or plain text
    (a container image, an ExternalName host). ``text`` is how tables and the inventory JSON show it."""

    text: str
    kind: str | None = None  # the object's kind; None when the target names no object
    name: str | None = None
    namespace: str | None = None  # None: the surface's own namespace
    port: str | None = None

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


@dataclass
class Surface:
    """A place a workload can be reached or is identified by: an address, a host, a certificate."""

    kind: SurfaceKind
    layer: str  # Flux Kustomization id that applies it
    namespace: str
    name: str  # the object (or HelmRelease) that declares it
    object_kind: str  # Service, Ingress, HelmRelease, ...
    address: str | None = None
    port: int | None = None
    protocol: str | None = None
    port_name: str | None = None
    host: str | None = None
    path: str | None = None
    targets: tuple[Target, ...] = ()  # backends / selected workloads / issuer / image
    detail: str | None = None
    file: str = ""
    line: int = 0
    # a LoadBalancer Service MetalLB surely allocates (a MetalLB annotation, no loadBalancerClass): its
    # allow-shared-ip key, "" without one; None when another implementation may allocate it
    metallb_key: str | None = None
    # a certificate cert-manager creates from the annotations of this object (``Ingress grafana``): the Certificate
    # is not in the repository, its file:line is that object's
    created_by: str | None = None
    # MetalLB's backend key of that Service (its controller's BackendKey): "" under externalTrafficPolicy Cluster,
    # its selector under Local; None when not known here (a Service read from chart values)
    metallb_backend: str | None = None

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


class SubstitutionVar(NamedTuple):
    """A postBuild variable of a Kustomization, by name only: values are never kept."""

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


@dataclass(eq=False)
class KustomizationNode:
    """A Flux Kustomization reached by the simulation, with the spec as built.

    ``spec`` is the spec as written, without the fields the CRD schema refuses (the renderers read a few
    fields from it); ``flux_spec`` is its typed form.
    """

    namespace: str
    name: str
    path: str | None
    parent: str | None
    depends_on: list[str]
    source: SourceInfo | None
    spec: dict[str, Any]
    file: str
    line: int
    status: NodeStatus = "pending"
    reason: str | None = None
    level: int | None = None
    resources: list[Resource] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # repo files read to build it
    variables: list[SubstitutionVar] = field(default_factory=list)  # postBuild variables as Flux merges them
    unresolved_vars: list[str] = field(default_factory=list)
    secret_vars: list[str] = field(default_factory=list)
    remote_resources: list[str] = field(default_factory=list)
    helm_charts: list[dict[str, Any]] = field(default_factory=list)
    excluded: bool = False
    generated_by: GeneratedBy | None = None  # the ResourceSet that generated this Kustomization
    depends_on_at: dict[DependsOnKey, FieldAt] | None = None  # dependsOn entries a patch wrote (Resource's)
    # why Flux fails this Kustomization (its build, source or spec), at the line that causes it: it applies
    # nothing and never becomes Ready. None when it does not fail, or flux-wiki cannot tell
    failure: Diagnostic | None = None
    # applied by hand with the root, by the bootstrap (``Cluster.bootstrap``), and by no Kustomization of the
    # cluster: a peer of the root, with no parent
    bootstrap_peer: bool = False
    # ``spec`` parsed: the typed fields the simulation acts on (parsed from ``spec`` when not given)
    flux_spec: KustomizationSpec = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.flux_spec is None:
            self.flux_spec = KustomizationSpec.parse(self.spec, self.namespace)

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def wait(self) -> bool | None:
        return self.flux_spec.wait

    @property
    def prune(self) -> bool | None:
        return self.flux_spec.prune


@dataclass(eq=False)
class Controller:
    """A Flux controller the entry point installs."""

    name: str
    image: str | None
    file: str
    line: int
    distribution: str | None = None  # the Flux distribution version a FluxInstance asks for (a semver range)


@dataclass(eq=False)
class Cluster:
    """One cluster of a repo: its entry point, source and the simulated tree of Kustomizations."""

    name: str
    entry_file: str
    entry_line: int
    entry_kind: str  # gotk-sync | FluxInstance | flux-instance HelmRelease | explicit
    source: SourceInfo
    root_id: str
    kustomizations: dict[str, KustomizationNode] = field(default_factory=dict)
    controllers: list[Controller] = field(default_factory=list)
    requeue_dependency: str | None = None  # kustomize-controller's --requeue-dependency, as written (controller_flags.py)
    requeue_dependency_at: tuple[str, int] | None = None  # the file and line that set it
    # what the bootstrap applies by hand (``kubectl apply -k`` of a folder, or one file): flux/entry.py bootstrap_build
    bootstrap: str | None = None
    helm_releases: list[HelmReleaseInfo] = field(default_factory=list)
    surfaces: list[Surface] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    notices: list[Diagnostic] = field(default_factory=list)  # severity "info": worth knowing, not a problem
    excluded: list[str] = field(default_factory=list)
    source_dirs: list[tuple[SourceInfo, SourceDir]] = field(default_factory=list)  # folders read for sources

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


@dataclass(eq=False)
class Model:
    """Everything the renderers need about one repository."""

    repo_root: Path
    clusters: list[Cluster]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_read: set[str] = field(default_factory=set)
    facts: dict[str, ClusterFacts] = field(default_factory=dict)  # cluster name -> its facts, computed once

    def cluster(self, name: str) -> Cluster:
        for c in self.clusters:
            if c.name == name:
                return c
        raise KeyError(name)
