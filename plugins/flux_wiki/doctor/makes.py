"""What one applied object makes exist: itself (a Namespace, a Secret, a source, an issuer, ...), the
kinds of a CustomResourceDefinition, and what controllers create from it at run time (the Secret of an
ExternalSecret, a SealedSecret or a Certificate, the user Secrets of a Postgres operator's cluster).

HelmReleases are handled by the index (their CRDs come from the catalog); this module knows objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..analysis.crds import kinds_of_crd_manifest
from ..model import FLUX_SOURCE_GROUP, Resource
from .fields import items, mapping, text
from .subjects import ANY_NAMESPACE, Subject, crd_subject, namespace_subject


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
    maker = _RUNTIME_SECRETS.get((group, kind)) or (_ingress_shim if _shimmed(res) else None)
    if maker is not None:
        out.extend(Made(Subject("secret", "Secret", secret, secret_ns), label, True)
                   for secret, secret_ns in maker(res) if secret and secret_ns)
    return out


# -- Secrets controllers create at run time ------------------------------------------------------------

def _external_secret(res: Resource) -> Iterator[tuple[str, str]]:
    target = mapping(res.spec.get("target"))
    if text(target.get("creationPolicy")) in ("Merge", "None"):
        return  # writes into a Secret that must already exist, or none at all
    yield text(target.get("name")) or res.name, res.namespace


def _cluster_external_secret(res: Resource) -> Iterator[tuple[str, str]]:
    spec = mapping(res.spec.get("externalSecretSpec"))
    target = mapping(spec.get("target"))
    if text(target.get("creationPolicy")) not in ("Merge", "None"):
        yield text(target.get("name")) or text(res.spec.get("externalSecretName")) or res.name, ANY_NAMESPACE


def _own_name(res: Resource) -> Iterator[tuple[str, str]]:
    yield res.name, res.namespace


def _sealed_secret(res: Resource) -> Iterator[tuple[str, str]]:
    meta = mapping(mapping(res.spec.get("template")).get("metadata"))
    yield text(meta.get("name")) or res.name, res.namespace


def _sops_secret(res: Resource) -> Iterator[tuple[str, str]]:
    for template in items(res.spec.get("secretTemplates")):
        yield text(mapping(template).get("name")), res.namespace


def _certificate(res: Resource) -> Iterator[tuple[str, str]]:
    yield text(res.spec.get("secretName")), res.namespace


def _vault_secret(res: Resource) -> Iterator[tuple[str, str]]:
    destination = mapping(res.spec.get("destination"))
    if destination.get("create") is not False:
        yield text(destination.get("name")), res.namespace


def _infisical_secret(res: Resource) -> Iterator[tuple[str, str]]:
    ref = mapping(res.spec.get("managedSecretReference"))
    yield text(ref.get("secretName")), text(ref.get("secretNamespace")) or res.namespace


def _shimmed(res: Resource) -> bool:
    """An Ingress or Gateway that cert-manager's ingress-shim issues certificates for (by annotation)."""
    annotations = mapping(res.metadata.get("annotations"))
    return (res.kind == "Ingress" or (res.kind == "Gateway" and res.group == "gateway.networking.k8s.io")) and any(
        text(annotations.get(f"cert-manager.io/{a}")) for a in ("issuer", "cluster-issuer"))


def _ingress_shim(res: Resource) -> Iterator[tuple[str, str]]:
    for tls in items(res.spec.get("tls")):
        yield text(mapping(tls).get("secretName")), res.namespace
    for listener in items(res.spec.get("listeners")):
        for ref in items(mapping(mapping(listener).get("tls")).get("certificateRefs")):
            yield text(mapping(ref).get("name")), text(mapping(ref).get("namespace")) or res.namespace


def _pgo_cluster(res: Resource) -> Iterator[tuple[str, str]]:
    """Crunchy PGO writes `<cluster>-pguser-<user>` for each spec.users entry (the cluster's own user
    when the list is empty)."""
    users = [text(mapping(u).get("name")) for u in items(res.spec.get("users"))] or [res.name]
    for user in users:
        if user:
            yield f"{res.name}-pguser-{user}", res.namespace


def _cnpg_cluster(res: Resource) -> Iterator[tuple[str, str]]:
    """CloudNativePG writes `<cluster>-app` (the application user), `-superuser` (when enabled) and `-ca`."""
    for suffix in ("app", "superuser", "ca", "server", "replication"):
        yield f"{res.name}-{suffix}", res.namespace


_RUNTIME_SECRETS: dict[tuple[str, str], Callable[[Resource], Iterator[tuple[str, str]]]] = {
    ("external-secrets.io", "ExternalSecret"): _external_secret,
    ("external-secrets.io", "ClusterExternalSecret"): _cluster_external_secret,
    ("bitnami.com", "SealedSecret"): _sealed_secret,
    ("onepassword.com", "OnePasswordItem"): _own_name,
    ("isindir.github.com", "SopsSecret"): _sops_secret,
    ("cert-manager.io", "Certificate"): _certificate,
    ("secrets.hashicorp.com", "VaultStaticSecret"): _vault_secret,
    ("secrets.hashicorp.com", "VaultDynamicSecret"): _vault_secret,
    ("secrets.hashicorp.com", "VaultPKISecret"): _vault_secret,
    ("secrets.infisical.com", "InfisicalSecret"): _infisical_secret,
    ("postgres-operator.crunchydata.com", "PostgresCluster"): _pgo_cluster,
    ("postgresql.cnpg.io", "Cluster"): _cnpg_cluster,
}
