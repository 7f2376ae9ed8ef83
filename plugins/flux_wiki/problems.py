"""Problem codes and classes: what each problem means, whether it fails ``--strict`` (how users silence one:
:mod:`.problem_policy`).

Every :class:`~flux_wiki.model.Diagnostic` carries a stable ``code`` from :data:`CODES` and a class:

- ``repo``: Flux would fail or misbehave on the repository (or the wiki's own files are broken). A MkDocs
  warning, so ``mkdocs build --strict`` fails.
- ``limit``: what an offline simulation cannot know (another repository, a remote base, a feature flux-wiki
  does not simulate, one of its own bounds). Listed under "Simulation notes" on the DAG page and logged at
  INFO, so ``--strict`` passes; ``problems: {strict_limits: true}`` makes them warnings.

A diagnostic of severity ``info`` is a notice (worth knowing, neither). The README's table of codes is
checked against :data:`CODES` by the tests.
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Literal

from .model import SOPS_ENCRYPTED_KIND

if TYPE_CHECKING:
    from .model import Cluster, Diagnostic, KustomizationNode, Resource

ProblemClass = Literal["repo", "limit"]


class Code(namedtuple("Code", "code cls meaning action notice reference", defaults=(False, False))):
    """One problem code: its class, what it means, what to do about it."""

    __slots__ = ()

    code: str
    cls: ProblemClass
    meaning: str
    action: str
    notice: bool  # reported with severity "info": a notice, neither a warning nor a note
    # a reference to an object nothing applies: a limit instead when a Kustomization flux-wiki could not build
    # (skipped, failed, partial) might apply it
    reference: bool


_CODES = (
    # -- files and YAML ------------------------------------------------------------------------------------------
    Code("FW-YAML-INVALID", "repo", "a file is not valid YAML", "fix the syntax at the line named"),
    Code("FW-YAML-ENCODING", "repo", "a YAML file is not UTF-8 (or UTF-16 with a byte-order mark): go-yaml "
         "refuses it", "save the file as UTF-8"),
    Code("FW-YAML-DUPLICATE-KEY", "repo", "a mapping key is repeated: kustomize refuses such a manifest or patch, "
         "and in a kustomization file the last value silently wins", "keep one of the keys"),
    Code("FW-YAML-ALIASES", "repo", "excessive YAML aliasing, or an anchor that contains itself: go-yaml, "
         "which Flux uses, refuses the file", "expand the aliases"),
    Code("FW-FILE-MISSING", "repo", "a file the build reads is not in the repository", "add the file or the "
         "reference to it"),
    Code("FW-FILE-REFUSED", "repo", "a symbolic link, device, FIFO or socket: source-controller does not pack it "
         "into the artifact, and flux-wiki does not read it", "commit a regular file instead"),
    Code("FW-PATH-OUTSIDE", "repo", "a path leads outside the repository root: kustomize-controller refuses it",
         "keep every path inside the repository"),
    Code("FW-MANIFEST-INVALID", "repo", "a YAML document is not a Kubernetes object (apiVersion, kind, "
         "metadata.name)", "fix or remove the document"),
    # -- Flux Kustomizations ------------------------------------------------------------------------------------
    Code("FW-KS-PATH-MISSING", "repo", "a Kustomization's spec.path is not a folder of its source",
         "fix spec.path or add the folder"),
    Code("FW-KS-PATH-VARIABLE", "limit", "a Kustomization's spec.path holds a postBuild variable flux-wiki does "
         "not know (a Secret's, or one no source sets, which Flux makes empty): it is listed, not built",
         "set the variable in a ConfigMap or the inline substitute its parent reads"),
    Code("FW-KS-APPLIED-TWICE", "repo", "two Kustomizations apply the same Kustomization: they fight over it",
         "apply it from one place"),
    Code("FW-OBJECT-APPLIED-TWICE", "repo", "two Kustomizations apply different copies of one object to one "
         "cluster: each reconciliation undoes the other's (reported at the second, naming the first and the fields "
         "that differ)", "apply it from one place, or mark the copy that must not win "
         "`kustomize.toolkit.fluxcd.io/ssa: IfNotPresent`"),
    Code("FW-OBJECT-SHARED", "limit", "two Kustomizations apply the same copy of one object (or copies flux-wiki "
         "cannot read) to one cluster: its owner labels move at every reconciliation, and the one that stops "
         "applying it may prune it from under the other", "apply it from one place", notice=True),
    Code("FW-KS-REMOTE-COPY", "limit", "Kustomizations that apply to different clusters (spec.kubeConfig) apply "
         "the same Kustomization, one copy on each cluster: the pages show one of them",
         "nothing to fix; its page describes the copy named"),
    Code("FW-KS-SOURCE-EXTERNAL", "limit", "a Kustomization's source is not this repository at this revision "
         "(another repository or branch, an OCI artifact, an ExternalArtifact no ArtifactGenerator copies from "
         "folders of the repository, a source defined outside the repository): it is listed, not built", "map it to a local folder with the `sources:` option, or "
         "check it in that source"),
    Code("FW-KS-CROSS-NAMESPACE-REF", "repo", "under the multi-tenancy lockdown (--no-cross-namespace-refs, or a "
         "FluxInstance's cluster.multitenant) a Kustomization's sourceRef is in another namespace: "
         "kustomize-controller refuses it and the Kustomization applies nothing",
         "put the source in the Kustomization's namespace"),
    Code("FW-KS-SOURCE-MISSING", "repo", "a Kustomization's sourceRef resolves to a namespace (without one, the "
         "Kustomization's own) where no source of that kind and name exists, while this cluster has one in "
         "another: Flux fails it (source not found)", "set sourceRef.namespace"),
    Code("FW-ARTIFACT-COPY-MISSING", "repo", "an ArtifactGenerator's copy operation (not optional) names a path its "
         "source does not have: source-watcher fails the artifact and the Kustomizations that read it never get it",
         "fix the copy's `from`, or mark it `optional: true`"),
    Code("FW-SOURCE-DIR-MISSING", "repo", "the folder the `sources:` option (or a CI workflow) gives for a source "
         "is not a folder flux-wiki may read", "fix the `sources:` entry"),
    Code("FW-FIELD-DROPPED", "limit", "a Flux Kustomization (v1) holds a field its API does not have (a misspelt "
         "or misplaced one, such as `dependOn`): the API server drops it, so it has no effect",
         "fix the field's name or indentation", notice=True),
    Code("FW-API-REMOVED", "repo", "a Flux object in an API version the cluster's Flux no longer serves (a Flux "
         "CRD the repository applies does not serve it, no Flux release ever had that version, such as "
         "`kustomize.toolkit.fluxcd.io/v3`, or the FluxInstance's Flux version is past the release that removed it): "
         "the API server refuses it and the Kustomization applying it fails",
         "move it to a served version (flux migrate)"),
    Code("FW-API-DEPRECATED", "limit", "a Flux object in an API version recent Flux releases no longer serve, while "
         "the repository does not say the cluster runs one of them", "move it to a served version (flux migrate)",
         notice=True),
    Code("FW-SCHEMA-REJECTED", "repo", "a field the API server refuses (wrong type, unknown value, missing "
         "required field, a name or namespace its kind does not allow, such as `My_App`, a Kustomization, "
         "HelmRelease or Flux source interval such as `1d`, an Ingress or Gateway API host name that is not a DNS "
         "name, judged after postBuild substitution): Flux cannot apply the object",
         "fix the field named"),
    Code("FW-NAMESPACE-MISSING", "repo", "a Kustomization applies a namespaced object without a namespace and "
         "sets no targetNamespace: kustomize-controller fails it (namespace not specified); or a ResourceSet generates "
         "one without a namespace: flux-operator fails the ResourceSet", "set the object's namespace, a kustomization "
         "`namespace:` or the Kustomization's targetNamespace (for a ResourceSet: metadata.namespace in its template)"),
    Code("FW-SOPS-NO-DECRYPTION", "repo", "a Kustomization without spec.decryption applies a SOPS-encrypted "
         "Secret: kustomize-controller refuses it (configuring decryption is required); or a document SOPS-encrypted "
         "whole, whose ciphertext kind no API serves", "set spec.decryption "
         "(provider: sops) on the Kustomization, or annotate the Secret kustomize.toolkit.fluxcd.io/decrypt: disabled"),
    Code("FW-DEPENDSON-DANGLING", "repo", "a dependsOn names a Kustomization (a HelmRelease's, a HelmRelease) this "
         "cluster never applies: the dependent never reconciles", "fix the name or apply the dependency", reference=True),
    Code("FW-DEPENDSON-CYCLE", "repo", "dependsOn goes round (alone, or through a parent that waits for what it "
         "applies): none of the Kustomizations (or HelmReleases) on the cycle becomes Ready", "break the cycle"),
    Code("FW-HEALTHCHECK-MISSING", "repo", "a Kustomization health-checks a Kustomization or HelmRelease this "
         "cluster never applies: it never becomes Ready", "fix the health check or apply what it names",
         reference=True),
    # -- kustomize ----------------------------------------------------------------------------------------------
    Code("FW-KUSTOMIZE-MISSING", "repo", "a resource, component, patch or generator file a kustomization names "
         "does not exist (or a folder it names has no kustomization file)", "fix the entry or add what it names"),
    Code("FW-KUSTOMIZE-INVALID", "repo", "a kustomization file, entry or generator kustomize refuses",
         "fix the entry named"),
    Code("FW-KUSTOMIZE-CYCLE", "repo", "kustomizations include each other", "break the cycle"),
    Code("FW-KUSTOMIZE-DUPLICATE", "repo", "two objects with the same kind, namespace and name in one build",
         "remove one, or rename it"),
    Code("FW-KUSTOMIZE-PATCH", "repo", "a patch or replacement kustomize cannot apply (no target, a path that is "
         "not there)", "fix the patch or its target"),
    Code("FW-KUSTOMIZE-HELM", "repo", "a kustomization inflates Helm charts (`helmCharts`): kustomize-controller "
         "never enables Helm in kustomize, so the build fails", "install the chart with a HelmRelease"),
    Code("FW-KUSTOMIZE-MANAGED-BY", "repo", "`buildMetadata: [managedByLabel]`: kustomize-controller writes the "
         "label value `kustomize-(devel)`, which the API server refuses", "remove `managedByLabel`"),
    Code("FW-KUSTOMIZE-DOCUMENTS-IGNORED", "limit", "a kustomization file holds more than one YAML document: "
         "kustomize reads the first only, so the others have no effect", "merge the documents into one",
         notice=True),
    Code("FW-KUSTOMIZE-UNSUPPORTED", "limit", "a kustomize feature flux-wiki does not simulate: what it would "
         "change is not shown", "nothing; the pages may miss what it changes"),
    Code("FW-KUSTOMIZE-REMOTE", "limit", "remote resources or files (http/git URLs) are not fetched: what they "
         "hold is not shown", "nothing; the pages miss what they hold"),
    Code("FW-KUSTOMIZE-INCLUDED", "limit", "a kustomization names a path this repository lacks in a folder the "
         "source's GitRepository spec.include fills with another GitRepository's artifact: that content is not "
         "read, the build goes on without it", "nothing; the pages miss what it holds"),
    Code("FW-KUSTOMIZE-REMOTE-REFUSED", "repo", "kustomize-controller runs with --no-remote-bases=true (its "
         "Deployment args or a patch) and a Kustomization's build has a remote base (a git repository, a remote "
         "component): the build fails and the Kustomization applies nothing",
         "vendor the base into the repository or apply it from a Flux source"),
    # -- postBuild substitution ---------------------------------------------------------------------------------
    Code("FW-SUBST-FROM-MISSING", "repo", "postBuild.substituteFrom names a ConfigMap or Secret nothing provides "
         "(not optional): the Kustomization fails", "provide it, or mark the reference optional",
         reference=True),
    Code("FW-SUBST-FROM-SELF", "repo", "postBuild.substituteFrom names a ConfigMap or Secret only this "
         "Kustomization creates (itself, or through an ExternalSecret or the like): kustomize-controller reads the "
         "variables before it applies anything, so on a fresh cluster it never reconciles",
         "create it in a Kustomization this one dependsOn, or mark the reference optional"),
    Code("FW-SUBST-FROM-BOOTSTRAP", "limit", "the root Kustomization's postBuild.substituteFrom names a ConfigMap or "
         "Secret only it creates: on a fresh cluster it reconciles only if the bootstrap creates that object first "
         "(home-lab templates apply their cluster settings and secrets by hand), which the repository does not show",
         "nothing, if your bootstrap creates it; else create it in a Kustomization the root applies first"),
    Code("FW-SUBST-INVALID", "repo", "postBuild refused by kustomize-controller (a kind other than ConfigMap or "
         "Secret, a variable name that is not one)", "fix the entry named"),
    Code("FW-SUBST-FAILED", "repo", "variable substitution fails on an object (syntax Flux rejects, a result "
         "that is not YAML, or too large to apply)", "fix the ${...} expression"),
    Code("FW-SUBST-UNSET", "repo", "a variable is not set under strict substitution (kustomize-controller's "
         "StrictPostBuildSubstitutions feature gate): the Kustomization fails",
         "set the variable or give it a default"),
    # -- HelmReleases and sources -------------------------------------------------------------------------------
    Code("FW-HELM-INVALID", "repo", "a HelmRelease's chart or valuesFrom is incomplete or of the wrong kind",
         "fix the field named"),
    Code("FW-HELM-SOURCE-MISSING", "repo", "a HelmRelease's chart source (or HelmChart) is applied by nothing",
         "fix the sourceRef, or apply the source", reference=True),
    Code("FW-HELM-SOURCE-TYPE", "repo", "a HelmRepository's spec.type does not fit its URL (type oci with an https:// "
         "URL, or an oci:// URL without type oci): source-controller fails the charts of the releases using it",
         "set type: oci for an oci:// URL, or give the repository's https:// URL"),
    Code("FW-HELM-CHART-MISSING", "repo", "a HelmRelease's chart path in a GitRepository or Bucket flux-wiki reads "
         "(this repository, or a folder the `sources` option maps) is not there or holds no Chart.yaml, or one of its "
         "valuesFiles is not there: the chart is never built and the release never installs",
         "fix spec.chart.spec.chart or valuesFiles (or the HelmChart's)"),
    Code("FW-HELM-CHART-EXTERNAL", "limit", "a HelmRelease's chartRef is an ExternalArtifact made at run time "
         "(by a controller outside the repository, or an ArtifactGenerator whose copies flux-wiki does not map to "
         "a folder of the repository): its chart and version are not read", "nothing; map the artifact's source "
         "with the `sources:` option when it is another repository"),
    Code("FW-HELM-CROSS-NAMESPACE-REF", "repo", "under the multi-tenancy lockdown a HelmRelease's chart source "
         "is in another namespace: helm-controller refuses it and the release is never installed",
         "put the source in the HelmRelease's namespace"),
    Code("FW-HELM-VERSION-INVALID", "repo", "a HelmRelease's chart version from a HelmRepository is not a semver "
         "range source-controller can parse (e.g. `latest`): the chart is never fetched", "use a version or a range"),
    Code("FW-HELM-RELEASE-SHARED", "repo", "two HelmReleases install the same Helm release (storage namespace and "
         "release name) on one cluster: each takes the other's release for unmanaged and upgrades it with its own "
         "chart and values (reported at the second, naming both)", "give one another spec.releaseName or "
         "spec.storageNamespace"),
    Code("FW-HELM-VALUES-MISSING", "repo", "valuesFrom names a ConfigMap nothing applies, or a key it lacks "
         "(not optional): the release fails", "provide it, or mark it optional", reference=True),
    Code("FW-HELM-VALUES-INVALID", "repo", "values from valuesFrom are not YAML, not a mapping, or a targetPath "
         "Helm refuses", "fix the values named"),
    Code("FW-SOURCE-INVALID", "repo", "an object named as a Flux source is not one", "fix the kind or group"),
    # -- flux-operator ------------------------------------------------------------------------------------------
    Code("FW-ENTRY-INVALID", "repo", "a FluxInstance (or the flux-instance chart's values) the API server refuses: "
         "it never syncs", "fix the field named"),
    Code("FW-ENTRY-ELSEWHERE", "limit", "a gotk-sync.yaml's root Kustomization syncs a folder that does not "
         "hold it (a copy, or a cluster bootstrapped from another folder): it is not taken for an entry point",
         "set the `entry` option to that folder to document it, or fix the path", notice=True),
    Code("FW-ENTRY-SAME-ROOT", "limit", "two entry points sync the same root path of the same repository with the "
         "same build (a gotk-sync.yaml and the FluxInstance that replaces it): the tree is documented once, as the "
         "first one's cluster", "nothing, or remove the entry point no cluster uses", notice=True),
    Code("FW-ENTRY-NO-SYNC", "limit", "a FluxInstance without `spec.sync` (or without its path): flux-operator "
         "installs the controllers and syncs nothing, so it is not an entry point; the cluster's root is applied "
         "some other way", "set the `entry` option to the root folder, or add `spec.sync`", notice=True),
    Code("FW-ENTRY-COMMAND", "limit", "no bootstrap manifest in the repository: the root Kustomization is taken "
         "from a bootstrap command of its scripts, CI or Terraform (`flux bootstrap`, `flux create kustomization "
         "flux-system`, flux_bootstrap_git)", "set the `entry` option to choose another root", notice=True),
    Code("FW-ENTRY-GUESSED", "limit", "no entry point in the repository (bootstrap manifest, FluxInstance, "
         "flux-instance release or bootstrap command): each folder of Flux Kustomizations nothing in it applies "
         "(`clusters/<name>` first) is taken for a cluster's root; a folder whose build fails is not",
         "set the `entry` option to choose another root", notice=True),
    Code("FW-ENTRY-NONE", "repo", "no Flux entry point, and no folder of Flux Kustomizations to take for a root: "
         "the wiki documents no cluster (the wiki points at a folder that is not a Flux repository); a warning so "
         "that an empty wiki never builds green", "set the `entry` option to the root Kustomization's path"),
    Code("FW-RSET-FAILED", "repo", "flux-operator fails the ResourceSet (inputs, template, rendered objects)",
         "fix the ResourceSet"),
    Code("FW-RSET-PROVIDER-MISSING", "repo", "a ResourceSet's inputsFrom names a ResourceSetInputProvider "
         "nothing applies", "fix the reference, or apply the provider", reference=True),
    Code("FW-RSET-NOT-EXPANDED", "limit", "a ResourceSet is not expanded here (inputs from a live API, SOPS, "
         "flux-wiki's bounds): what it generates is not shown", "nothing; the pages miss what it generates"),
    Code("FW-RSET-WAIT-UNMODELLED", "limit", "a ResourceSet waits for an object to be Ready whose readiness "
         "flux-wiki does not model (a kind other than Kustomization, ResourceSet or HelmRelease, or a HelmRelease "
         "the cluster never applies): the order pages do not show that wait", "nothing; the order pages miss it"),
    Code("FW-RSET-NOTE", "limit", "something about a ResourceSet only the cluster knows (run-time data, "
         "provider ids, reconciliation disabled)", "nothing", notice=True),
    # -- surfaces -----------------------------------------------------------------------------------------------
    Code("FW-LB-DUPLICATE", "repo", "two objects claim the same LoadBalancer address:port/protocol: the one "
         "applied later does not get it (reported there, naming the first; a sharing key shares an address "
         "on other ports only)", "give each its own address or port"),
    Code("FW-LB-UNSHARED", "repo", "two LoadBalancer Services MetalLB allocates ask for one address without the "
         "same allow-shared-ip key, or with it but with different backends (externalTrafficPolicy Local with "
         "another pod selector, or Local beside Cluster): MetalLB leaves the later one pending", "give both the same "
         "metallb.universe.tf/allow-shared-ip key (and different ports) and externalTrafficPolicy Cluster, or Local "
         "with the same selector; or each its own address"),
    Code("FW-SURFACE-UNREAD", "limit", "the surfaces of an object could not be read", "report it as a "
         "flux-wiki bug"),
    Code("FW-CERT-DEFAULT-ISSUER-UNKNOWN", "limit", "an Ingress with TLS is annotated only kubernetes.io/tls-acme: "
         "\"true\": cert-manager's ingress-shim creates its Certificates only with a default issuer "
         "(--default-issuer-name, the cert-manager chart's ingressShim.defaultIssuerName), which the repository does "
         "not set: they are not listed", "set ingressShim.defaultIssuerName, or annotate the Ingress "
         "cert-manager.io/cluster-issuer"),
    Code("FW-CHART-VALUES-UNREAD", "limit", "a HelmRelease's values are not read for surfaces (chart unknown to "
         "flux-wiki)", "nothing", notice=True),
    # -- flux-wiki's bounds -------------------------------------------------------------------------------------
    Code("FW-FILE-UNREADABLE", "limit", "a file cannot be read here (permissions, an I/O error)",
         "make it readable where flux-wiki runs"),
    Code("FW-LIMIT-FILE-SIZE", "limit", "a file is over flux-wiki's size limit for one file: not read",
         "nothing, or split the file"),
    Code("FW-LIMIT-WALK", "limit", "a folder holds more files and folders than flux-wiki walks (links inside the "
         "repository can multiply them)", "nothing"),
    Code("FW-LIMIT-YAML-DEPTH", "limit", "YAML nested deeper than flux-wiki reads", "nothing"),
    Code("FW-LIMIT-COPIES", "limit", "a kustomize build would copy more than flux-wiki copies in one build",
         "nothing"),
    Code("FW-LIMIT-DEPTH", "limit", "Kustomizations applied more levels deep than flux-wiki follows",
         "check that no path re-applies itself"),
    Code("FW-LIMIT-KUSTOMIZATIONS", "limit", "more Kustomizations in a cluster than flux-wiki simulates",
         "nothing"),
    Code("FW-LIMIT-OBJECTS", "limit", "more objects in a cluster than flux-wiki simulates", "nothing"),
    Code("FW-LIMIT-SUBST", "limit", "a postBuild pattern removal beyond flux-wiki's budget for one "
         "Kustomization", "nothing"),
    # -- the wiki's own files -----------------------------------------------------------------------------------
    Code("FW-CONFIG-INVALID", "repo", "the flux-wiki options in mkdocs.yml are not usable", "fix the option named"),
    Code("FW-CONFIG-UNKNOWN", "repo", "an option flux-wiki does not know", "remove or fix it"),
    Code("FW-WIKI-FILE", "repo", "an author file (notes, source basis, lock file) cannot be read or has the wrong "
         "shape", "fix the file named"),
    Code("FW-WIKI-FRONT-MATTER", "repo", "a page's front matter is not a YAML mapping", "fix the front matter"),
    Code("FW-WIKI-RELATED-MISSING", "repo", "a related page does not exist", "fix the page path"),
    Code("FW-WIKI-SOURCE-MISSING", "repo", "a source-basis entry names no file, or one that cannot be read",
         "fix the entry"),
    Code("FW-WIKI-SOURCE-INVALID", "repo", "a source-basis entry names an unknown source root, or a path that "
         "leaves its root", "use a declared root and a relative path inside it"),
    Code("FW-WIKI-MARKER", "repo", "a flux-wiki marker in a page cannot be expanded", "fix the marker"),
    Code("FW-WIKI-TEMPLATE", "repo", "a page template (templates_dir) does not render", "fix the template"),
    Code("FW-WIKI-PAGE-CLASH", "limit", "two pages would get the same path: each gets a hashed one",
         "nothing", notice=True),
    Code("FW-EXPORT-FAILED", "repo", "a page could not be exported", "fix the file named"),
)

CODES: dict[str, Code] = {c.code: c for c in _CODES}


def describe(code: str) -> Code | None:
    return CODES.get(code)


# -- classes that depend on what was simulated ------------------------------------------------------------------

def settle_references(cluster: Cluster) -> None:
    """A reference to something nothing applies is Flux failing only when flux-wiki saw what this repository
    applies: while a Kustomization of it could not be built (failed, partial, a sync source under another name, an
    artifact assembled at run time), it may apply the object, so the problem is a limit that names those
    Kustomizations. One with a ``targetNamespace`` puts every namespaced object there, so it cannot provide one
    missing from another namespace (``ref_namespace``). Kustomizations of other repositories do not count: what
    they hold is theirs (CRD bundles, upstream installs); a name this repository expects from one is what the
    ``sources`` option maps, or an ``ignore`` with the reason."""
    home = cluster.source.repository()
    unseen = sorted((k for k in cluster.kustomizations.values() if k.status != "built"
                     and not (k.status == "skipped" and k.source is not None and k.source.url
                              and k.source.repository() != home)), key=lambda k: k.id)
    sealed = _sealed_documents(cluster)
    if not unseen and not sealed:
        return

    def settled(w: Diagnostic) -> Diagnostic:
        if w.cls != "repo" or not CODES.get(w.code, _PLAIN).reference:
            return w
        maybe = [r for r in sealed if not w.ref_namespace or r.namespace in ("", w.ref_namespace)] \
            if w.code in _SEALABLE else []
        if maybe:
            first = maybe[0]
            return w._replace(cls="limit", message=w.message + f" (unless the document SOPS-encrypted whole at "
                                                               f"{first.file}:{first.line} is it)")
        may = [k.id for k in unseen if not w.ref_namespace or _may_target(k, w.ref_namespace)]
        if not may:
            return w
        shown = ", ".join(may[:3]) + (", ..." if len(may) > 3 else "")
        return w._replace(cls="limit", message=w.message + f" (unless {shown}, which flux-wiki could not build, "
                                                           "provides it)")

    cluster.warnings = [settled(w) for w in cluster.warnings]


# references to a ConfigMap or Secret, which a document SOPS-encrypted whole (its kind and name unknown) may be
_SEALABLE = ("FW-SUBST-FROM-MISSING", "FW-HELM-VALUES-MISSING")


def _sealed_documents(cluster: Cluster) -> list[Resource]:
    """The documents SOPS-encrypted whole that the cluster's Kustomizations apply (their namespace is empty unless
    a kustomization or a targetNamespace set one)."""
    return [r for k in sorted(cluster.kustomizations.values(), key=lambda k: k.id) for r in k.resources
            if r.encrypted and r.kind == SOPS_ENCRYPTED_KIND]


def _may_target(node: KustomizationNode, namespace: str) -> bool:
    target = node.flux_spec.overrides.target_namespace
    return target is None or target == namespace or "$" in target  # "${NS}": not known here


_PLAIN = Code("", "repo", "", "")


def problem_class(code: str) -> ProblemClass:
    """The class of a code (``repo`` for a code the registry does not know)."""
    return CODES[code].cls if code in CODES else "repo"
