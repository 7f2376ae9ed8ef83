"""Which objects are cluster-scoped once applied (the API server drops their `metadata.namespace`), and which
are surely namespaced (applied without a namespace, they fail the Kustomization that applies them).

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

# Kinds surely namespaced: kustomize-controller's server-side apply of one of these without a namespace fails the
# whole Kustomization ("<Kind>/<name> namespace not specified"). Flux's and flux-operator's kinds are namespaced.
NAMESPACED_GROUPS = frozenset({
    "kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io", "source.toolkit.fluxcd.io",
    "notification.toolkit.fluxcd.io", "image.toolkit.fluxcd.io", "fluxcd.controlplane.io",
})
WELL_KNOWN_NAMESPACED = frozenset({
    *(("", k) for k in ("ConfigMap", "Secret", "Service", "ServiceAccount", "PersistentVolumeClaim", "Pod",
                        "Endpoints", "LimitRange", "ResourceQuota", "ReplicationController", "PodTemplate")),
    *(("apps", k) for k in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")),
    ("batch", "Job"), ("batch", "CronJob"), ("autoscaling", "HorizontalPodAutoscaler"),
    ("policy", "PodDisruptionBudget"), ("networking.k8s.io", "Ingress"), ("networking.k8s.io", "NetworkPolicy"),
    ("rbac.authorization.k8s.io", "Role"), ("rbac.authorization.k8s.io", "RoleBinding"),
    ("discovery.k8s.io", "EndpointSlice"), ("coordination.k8s.io", "Lease"),
    *(("gateway.networking.k8s.io", k) for k in ("Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute",
                                                 "UDPRoute", "ReferenceGrant", "BackendTLSPolicy")),
    ("cert-manager.io", "Certificate"), ("cert-manager.io", "Issuer"),
    ("external-secrets.io", "ExternalSecret"), ("external-secrets.io", "SecretStore"),
    ("monitoring.coreos.com", "ServiceMonitor"), ("monitoring.coreos.com", "PodMonitor"),
    ("monitoring.coreos.com", "PrometheusRule"),
})


class ScopeIndex:
    """Cluster-scoped (group, kind) pairs: built-in, well-known, and from CRDs applied so far."""

    def __init__(self) -> None:
        self.cluster_scoped: set[tuple[str, str]] = set(KUSTOMIZE_CLUSTER_SCOPED) | set(WELL_KNOWN_CLUSTER_SCOPED)
        self.namespaced: set[tuple[str, str]] = set(WELL_KNOWN_NAMESPACED)

    def learn(self, resources: list[Resource]) -> None:
        for res in resources:
            if res.kind != "CustomResourceDefinition":
                continue
            spec = res.spec
            names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
            key = (str(spec.get("group") or ""), str(names.get("kind") or ""))
            if spec.get("scope") == "Cluster":
                self.cluster_scoped.add(key)
                self.namespaced.discard(key)
            elif spec.get("scope") == "Namespaced":
                self.cluster_scoped.discard(key)
                self.namespaced.add(key)

    def surely_namespaced(self, res: Resource) -> bool:
        """A kind the API server keeps namespaced: a built-in, Flux's own, well known, or from a CRD seen."""
        key = (res.group, res.kind)
        return key not in self.cluster_scoped and (res.group in NAMESPACED_GROUPS or key in self.namespaced)

    def apply(self, resources: list[Resource]) -> None:
        """Drop the namespace kustomize gave to objects the cluster keeps cluster-scoped.

        The Resource gets a new mapping (its other entries shared), the old one is not changed: the mappings a
        build made may be another cluster's too, each cluster having Resources of its own (reuse.py)."""
        for res in resources:
            if res.namespace and (res.group, res.kind) in self.cluster_scoped:
                res.obj = {**res.obj, "metadata": {k: v for k, v in res.metadata.items() if k != "namespace"}}
