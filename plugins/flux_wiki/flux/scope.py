"""Which objects are cluster-scoped once applied: the API server drops their `metadata.namespace`.

kustomize only knows the built-in kinds, so it namespaces a ClusterIssuer under `namespace:`; the
cluster does not. Custom kinds are recognised by a CustomResourceDefinition the simulation has seen
(`spec.scope: Cluster`), else by the well-known cluster-scoped kinds of common operators below.
"""

from __future__ import annotations

from ..model import Resource
from .kustomize.transform import KUSTOMIZE_CLUSTER_SCOPED

WELL_KNOWN_CLUSTER_SCOPED = frozenset({
    ("cert-manager.io", "ClusterIssuer"),
    ("external-secrets.io", "ClusterSecretStore"), ("external-secrets.io", "ClusterExternalSecret"),
    ("external-secrets.io", "ClusterPushSecret"), ("generators.external-secrets.io", "ClusterGenerator"),
    ("gateway.networking.k8s.io", "GatewayClass"),
    ("kyverno.io", "ClusterPolicy"), ("kyverno.io", "ClusterCleanupPolicy"),
    ("wgpolicyk8s.io", "ClusterPolicyReport"),
    ("cilium.io", "CiliumClusterwideNetworkPolicy"), ("cilium.io", "CiliumLoadBalancerIPPool"),
    ("cilium.io", "CiliumBGPPeeringPolicy"), ("cilium.io", "CiliumBGPClusterConfig"),
    ("cilium.io", "CiliumBGPPeerConfig"), ("cilium.io", "CiliumBGPAdvertisement"),
    ("cilium.io", "CiliumL2AnnouncementPolicy"), ("cilium.io", "CiliumNode"), ("cilium.io", "CiliumIdentity"),
    ("crd.projectcalico.org", "GlobalNetworkPolicy"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotClass"), ("snapshot.storage.k8s.io", "VolumeSnapshotContent"),
    ("nfd.k8s-sigs.io", "NodeFeatureRule"), ("tekton.dev", "ClusterTask"),
    ("triggers.tekton.dev", "ClusterTriggerBinding"), ("policy.sigstore.dev", "ClusterImagePolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
    ("networking.k8s.io", "IPAddress"), ("networking.k8s.io", "ServiceCIDR"),
    ("resource.k8s.io", "DeviceClass"), ("certificates.k8s.io", "ClusterTrustBundle"),
})


class ScopeIndex:
    """Cluster-scoped (group, kind) pairs: built-in, well-known, and from CRDs applied so far."""

    def __init__(self) -> None:
        self.cluster_scoped: set[tuple[str, str]] = set(KUSTOMIZE_CLUSTER_SCOPED) | set(WELL_KNOWN_CLUSTER_SCOPED)

    def learn(self, resources: list[Resource]) -> None:
        for res in resources:
            if res.kind != "CustomResourceDefinition":
                continue
            spec = res.spec
            names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
            key = (str(spec.get("group") or ""), str(names.get("kind") or ""))
            if spec.get("scope") == "Cluster":
                self.cluster_scoped.add(key)
            elif spec.get("scope") == "Namespaced":
                self.cluster_scoped.discard(key)

    def apply(self, resources: list[Resource]) -> None:
        """Drop the namespace kustomize gave to objects the cluster keeps cluster-scoped.

        The Resource gets a new mapping (its other entries shared), the old one is not changed: the mappings a
        build made may be another cluster's too, each cluster having Resources of its own (reuse.py)."""
        for res in resources:
            if res.namespace and (res.group, res.kind) in self.cluster_scoped:
                res.obj = {**res.obj, "metadata": {k: v for k, v in res.metadata.items() if k != "namespace"}}
