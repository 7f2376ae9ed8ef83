"""What one applied object makes exist: itself (a Namespace, a Secret, a source, an issuer, ...), the
kinds of a CustomResourceDefinition, and what controllers create from it at run time (the Secret of an
ExternalSecret, a SealedSecret or a Certificate, ...: the catalog in :mod:`flux_wiki.flux.runtime`).

HelmReleases are handled by the index (their CRDs come from the catalog); this module knows objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis.crds import kinds_of_crd_manifest
from ..flux.runtime import runtime_secrets
from ..model import FLUX_SOURCE_GROUP, Resource
from .subjects import Subject, crd_subject, namespace_subject


@dataclass(frozen=True)
class Made:
    subject: Subject
    via: str
    runtime: bool = False



# Kinds that are what they provide, by (group, kind) -> subject type.
_SELF: dict[tuple[str, str], str] = {
    ("", "Secret"): "secret", ("", "ConfigMap"): "configmap", ("", "Service"): "service",
    ("cert-manager.io", "Issuer"): "issuer", ("cert-manager.io", "ClusterIssuer"): "issuer",
    ("networking.k8s.io", "IngressClass"): "class", ("storage.k8s.io", "StorageClass"): "class",
    ("gateway.networking.k8s.io", "GatewayClass"): "class", ("gateway.networking.k8s.io", "Gateway"): "gateway",
    ("helm.toolkit.fluxcd.io", "HelmRelease"): "helmrelease",
}
_SOURCE_KINDS = {"GitRepository", "OCIRepository", "HelmRepository", "Bucket", "HelmChart", "ExternalArtifact"}
_STORE_KINDS = {"SecretStore", "ClusterSecretStore"}


def object_makes(res: Resource) -> list[Made]:
    """Subjects that exist once ``res`` is applied (and, ``runtime``, once its controller acted)."""
    group, kind, ns, name = res.group, res.kind, res.namespace, res.name
    label = f"{kind} {res.ident()}"
    out: list[Made] = []
    if not name:
        return out
    if kind == "Namespace" and group == "":
        out.append(Made(namespace_subject(name), label))
    for provided in kinds_of_crd_manifest(res.obj):
        out.append(Made(crd_subject(provided.group, provided.kind), label))
    stype = _SELF.get((group, kind))
    if stype is None and group == FLUX_SOURCE_GROUP and kind in _SOURCE_KINDS:
        stype = "source"
    if stype is None and group.startswith("external-secrets.io") and kind in _STORE_KINDS:
        stype = "store"
    if stype is not None:
        cluster_scoped = kind in ("ClusterIssuer", "ClusterSecretStore", "IngressClass", "StorageClass", "GatewayClass")
        out.append(Made(Subject(stype, kind, name, "" if cluster_scoped else ns), label))
    out.extend(Made(Subject("secret", "Secret", made.name, made.namespace), label, True)
               for made in runtime_secrets(res))
    return out
