"""What a layer can need and provide: a subject (a namespace, a CRD kind, a Secret, ...) and where.

A :class:`Need` is one object of a layer using a subject; a :class:`Provision` is one object of a layer
making it exist (directly, or at run time through a controller). Both carry the file:line of that object.
Secrets and ConfigMaps are named, never read: nothing here holds a value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from ..flux.runtime import ANY_NAMESPACE  # a provision into every namespace (ClusterExternalSecret and the like)

SubjectType = Literal["namespace", "crd", "secret", "configmap", "source", "issuer", "store", "class", "gateway",
                      "service", "helmrelease", "controller"]

# What a missing dependsOn costs on a fresh bootstrap, by subject type: an unknown kind or namespace
# fails the whole Kustomization's dry-run (error); a Secret, ConfigMap or source that is not there yet
# fails the object that reads it until it appears (warning). The other types explain edges only: the
# controllers that read them wait and retry.
RACE_SEVERITY: dict[str, str] = {"crd": "error", "namespace": "error", "secret": "warning", "configmap": "warning",
                                 "source": "warning"}


@dataclass(frozen=True, order=True)
class Subject:
    """A thing a layer needs or provides. ``kind`` is the object kind (for a CRD: the custom kind it
    defines, with its API group in ``group``); ``namespace`` is empty for cluster-scoped subjects.
    ``cluster`` is empty on the cluster Flux runs in; a subject on a remote cluster (a Kustomization's or a
    HelmRelease's ``spec.kubeConfig``) names it (``flux.objects.remote_cluster``): only that cluster's objects
    provide it."""

    type: str
    kind: str
    name: str
    namespace: str = ""
    group: str = ""
    cluster: str = ""

    def text(self) -> str:
        """How the subject is written in evidence and messages: ``ClusterIssuer.cert-manager.io``,
        ``monitoring``, ``Secret tazlab-db/s3-backrest-creds``."""
        if self.type == "crd":
            return f"{self.kind}.{self.group}"
        if self.type == "namespace":
            return self.name
        if self.type == "controller":
            return self.name
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}"

    def label(self) -> str:
        """The subject in a sentence: ``CRD ClusterIssuer.cert-manager.io``, ``Namespace monitoring``,
        ``controller traefik.io/ingress-controller``, ``Secret auth/wildcard-tls``."""
        prefix = {"crd": "CRD ", "namespace": "Namespace ", "controller": "controller "}.get(self.type, "")
        return prefix + self.text() + (f" on the remote cluster of {self.cluster}" if self.cluster else "")

    def anywhere(self) -> Subject:
        """The same subject in any namespace (what a cluster-wide generator provides)."""
        return replace(self, namespace=ANY_NAMESPACE)

    def on(self, cluster: str) -> Subject:
        """The same subject on ``cluster`` (empty: the cluster Flux runs in)."""
        return self if cluster == self.cluster else replace(self, cluster=cluster)


def namespace_subject(name: str) -> Subject:
    return Subject("namespace", "Namespace", name)


def crd_subject(group: str, kind: str) -> Subject:
    return Subject("crd", kind, "", "", group)


@dataclass(frozen=True)
class Provision:
    """``subject`` exists once ``layer`` is applied (``runtime``: once a controller acted on ``via``)."""

    subject: Subject
    layer: str
    file: str
    line: int
    via: str  # the object that provides it, e.g. "HelmRelease cert-manager/cert-manager (catalog: cert-manager)"
    runtime: bool = False  # made by a controller after apply (chart CRDs, ExternalSecret targets, ...)
    inferred: bool = False  # a guess (a chart the CRD catalog does not know)
    release: str | None = None  # the HelmRelease (namespace/name) whose install makes it exist
    before_flux: str | None = None  # why it exists before Flux reconciles anything (the CNI, a bootstrap helmfile)
    awaited: bool = False  # from a HelmRelease ``layer`` health-checks but does not apply: only for what waits for it

    def text(self) -> str:
        """The provider as a reader sees it: ``ExternalSecret dex/x (at run time)``."""
        return self.via + (" (at run time)" if self.runtime and not self.release else "") + \
            (" (inferred)" if self.inferred else "")


@dataclass(frozen=True)
class Need:
    """Object ``obj`` of ``layer`` (at ``file:line``) uses ``subject``; ``how`` names the field, if any."""

    subject: Subject
    layer: str
    file: str
    line: int
    obj: str  # e.g. "Certificate hugo-blog/blog-tls"
    how: str = ""  # e.g. "issuerRef"

    def text(self) -> str:
        return f"{self.obj} ({self.how})" if self.how else self.obj
