"""Secrets that controllers create at run time from an object the repo applies: the Secret of an
ExternalSecret, a SealedSecret, a SopsSecret, a 1Password item, a cert-manager Certificate (and the
ingress-shim's), a Vault or Infisical secret, the user Secrets of a Postgres operator's cluster.

The one catalog of them: the simulation reads it (``substituteFrom`` such a Secret is not a missing
Secret; its variables are filled at run time) and so does the doctor (the Secret exists once the
controller acted). Where a controller's documentation says which keys the Secret holds, they are listed;
otherwise ``keys`` is None (only the controller knows them).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator

from ..model import Resource
from .fields import items, mapping, text

ANY_NAMESPACE = "*"  # a Secret created in every (selected) namespace, e.g. by a ClusterExternalSecret

_TLS_KEYS = frozenset({"tls.crt", "tls.key", "ca.crt"})


class RuntimeSecret(namedtuple("RuntimeSecret", "name namespace keys maker")):
    """A Secret a controller creates from ``maker``: its name, namespace and keys (None: not known here)."""

    __slots__ = ()

    name: str
    namespace: str
    keys: frozenset[str] | None
    maker: Resource

    def origin(self) -> str:
        return f"{self.maker.kind} {self.maker.ident()} (run time)"


Made = Iterator[tuple[str, str, frozenset[str] | None]]


def _keys(*mappings: object) -> frozenset[str]:
    return frozenset(str(k) for m in mappings for k in mapping(m))


def _external_secret_keys(spec: dict) -> frozenset[str] | None:
    """external-secrets: with a template (mergePolicy Replace, the default) the Secret holds the template's
    keys; otherwise each ``data[].secretKey``; ``dataFrom``/``templateFrom`` keys come from the provider."""
    target = mapping(spec.get("target"))
    template = mapping(target.get("template"))
    data_keys = frozenset(k for k in (text(mapping(d).get("secretKey")) for d in items(spec.get("data"))) if k)
    from_provider = bool(items(spec.get("dataFrom")))
    if template and (template.get("data") is not None or template.get("templateFrom") is not None):
        if items(template.get("templateFrom")):
            return None
        keys = _keys(template.get("data"))
        if text(template.get("mergePolicy")) == "Merge":
            return None if from_provider else keys | data_keys
        return keys
    return None if from_provider else data_keys


def _external_secret(res: Resource) -> Made:
    target = mapping(res.spec.get("target"))
    if text(target.get("creationPolicy")) in ("Merge", "None"):
        return  # writes into a Secret that must already exist, or none at all
    yield text(target.get("name")) or res.name, res.namespace, _external_secret_keys(res.spec)


def _cluster_external_secret(res: Resource) -> Made:
    spec = mapping(res.spec.get("externalSecretSpec"))
    target = mapping(spec.get("target"))
    if text(target.get("creationPolicy")) not in ("Merge", "None"):
        yield (text(target.get("name")) or text(res.spec.get("externalSecretName")) or res.name, ANY_NAMESPACE,
               _external_secret_keys(spec))


def _one_password_item(res: Resource) -> Made:
    yield res.name, res.namespace, None


def _sealed_secret(res: Resource) -> Made:
    template = mapping(res.spec.get("template"))
    meta = mapping(template.get("metadata"))
    yield text(meta.get("name")) or res.name, res.namespace, _keys(res.spec.get("encryptedData"), template.get("data"))


def _sops_secret(res: Resource) -> Made:
    for template in items(res.spec.get("secretTemplates")):
        template = mapping(template)
        yield text(template.get("name")), res.namespace, _keys(template.get("data"), template.get("stringData"))


def _certificate(res: Resource) -> Made:
    yield text(res.spec.get("secretName")), res.namespace, _TLS_KEYS


def _vault_secret(res: Resource) -> Made:
    destination = mapping(res.spec.get("destination"))
    if destination.get("create") is not False:
        yield text(destination.get("name")), res.namespace, None


def _infisical_secret(res: Resource) -> Made:
    ref = mapping(res.spec.get("managedSecretReference"))
    yield text(ref.get("secretName")), text(ref.get("secretNamespace")) or res.namespace, None


def _shimmed(res: Resource) -> bool:
    """An Ingress or Gateway that cert-manager's ingress-shim issues certificates for (by annotation)."""
    kind = res.kind
    if kind != "Ingress" and (kind != "Gateway" or res.group != "gateway.networking.k8s.io"):
        return False  # most objects: their annotations are not read
    annotations = mapping(res.metadata.get("annotations"))
    return any(text(annotations.get(f"cert-manager.io/{a}")) for a in ("issuer", "cluster-issuer"))


def _ingress_shim(res: Resource) -> Made:
    for tls in items(res.spec.get("tls")):
        yield text(mapping(tls).get("secretName")), res.namespace, _TLS_KEYS
    for listener in items(res.spec.get("listeners")):
        for ref in items(mapping(mapping(listener).get("tls")).get("certificateRefs")):
            yield text(mapping(ref).get("name")), text(mapping(ref).get("namespace")) or res.namespace, _TLS_KEYS


def _pgo_cluster(res: Resource) -> Made:
    """Crunchy PGO writes `<cluster>-pguser-<user>` for each spec.users entry (the cluster's own user
    when the list is empty)."""
    users = [text(mapping(u).get("name")) for u in items(res.spec.get("users"))] or [res.name]
    for user in users:
        if user:
            yield f"{res.name}-pguser-{user}", res.namespace, None


def _cnpg_cluster(res: Resource) -> Made:
    """CloudNativePG writes `<cluster>-app` (the application user), `-superuser` (when enabled) and `-ca`."""
    for suffix in ("app", "superuser", "ca", "server", "replication"):
        yield f"{res.name}-{suffix}", res.namespace, None


_MAKERS: dict[tuple[str, str], Callable[[Resource], Made]] = {
    ("external-secrets.io", "ExternalSecret"): _external_secret,
    ("external-secrets.io", "ClusterExternalSecret"): _cluster_external_secret,
    ("bitnami.com", "SealedSecret"): _sealed_secret,
    ("onepassword.com", "OnePasswordItem"): _one_password_item,
    ("isindir.github.com", "SopsSecret"): _sops_secret,
    ("cert-manager.io", "Certificate"): _certificate,
    ("secrets.hashicorp.com", "VaultStaticSecret"): _vault_secret,
    ("secrets.hashicorp.com", "VaultDynamicSecret"): _vault_secret,
    ("secrets.hashicorp.com", "VaultPKISecret"): _vault_secret,
    ("secrets.infisical.com", "InfisicalSecret"): _infisical_secret,
    ("postgres-operator.crunchydata.com", "PostgresCluster"): _pgo_cluster,
    ("postgresql.cnpg.io", "Cluster"): _cnpg_cluster,
}


def runtime_secrets(res: Resource) -> list[RuntimeSecret]:
    """The Secrets a controller creates from ``res`` once it is applied (none for most objects)."""
    maker = _MAKERS.get((res.group, res.kind)) or (_ingress_shim if _shimmed(res) else None)
    if maker is None or not res.name:
        return []
    return [RuntimeSecret(name, namespace, keys, res) for name, namespace, keys in maker(res) if name and namespace]


def runtime_secret_in(resources: list[Resource], namespace: str, name: str) -> RuntimeSecret | None:
    """The run-time Secret ``namespace/name`` one of ``resources`` makes, if any."""
    for res in resources:
        for made in runtime_secrets(res):
            if made.name == name and made.namespace in (namespace, ANY_NAMESPACE):
                return made
    return None
