"""Certificates cert-manager's certificate-shim creates from an annotated Ingress or Gateway.

Source read: github.com/cert-manager/cert-manager pkg/controller/certificate-shim/sync.go (SHIM): `hasShimAnnotation`
(`cert-manager.io/issuer` or `cert-manager.io/cluster-issuer`), `issuerForIngressLike` (the kind from the
annotation, `cert-manager.io/issuer-kind` overriding; "both ... may not be set" refuses the object),
`checkForDuplicateSecretNames`, `validateIngressTLSBlock` (hosts and secretName required), `buildCertificates`
(`Name: secretRef.Name`, `DNSNames` the hosts) and `handleGatewayAPIListeners` (HTTPS/TLS listeners, never
Passthrough, a hostname, certificateRefs of core Secrets in the Gateway's namespace).
"""

from __future__ import annotations

from flux_wiki.analysis.surfaces import extract_surfaces

LAYER = "flux-system/apps"


def certificates(*resources):
    out, diags = extract_surfaces(LAYER, list(resources), [])
    assert diags == []
    return [(s.namespace, s.name, s.host, s.target, s.created_by, s.file, s.line) for s in out
            if s.kind == "certificate"]


def ingress(make_res, annotations, tls):
    return make_res("networking.k8s.io/v1", "Ingress", "grafana", {
        "rules": [{"host": "grafana.example.com"}], "tls": tls}, line=4, annotations=annotations)


def test_an_annotated_ingress_gets_a_certificate_per_tls_entry_named_after_its_secret(make_res):
    tls = [{"hosts": ["grafana.example.com", "g.example.com"], "secretName": "grafana-tls"},
           {"hosts": ["other.example.com"], "secretName": "other-tls"},
           {"secretName": "no-hosts"}, {"hosts": ["no-secret.example.com"]}]
    out = certificates(ingress(make_res, {"cert-manager.io/cluster-issuer": "letsencrypt"}, tls))
    assert out == [
        ("apps", "grafana-tls", "g.example.com", "ClusterIssuer/letsencrypt", "Ingress grafana", "apps/grafana.yaml", 4),
        ("apps", "grafana-tls", "grafana.example.com", "ClusterIssuer/letsencrypt", "Ingress grafana",
         "apps/grafana.yaml", 4),
        ("apps", "other-tls", "other.example.com", "ClusterIssuer/letsencrypt", "Ingress grafana",
         "apps/grafana.yaml", 4)]


def test_issuer_annotations_as_cert_manager_reads_them(make_res):
    tls = [{"hosts": ["grafana.example.com"], "secretName": "grafana-tls"}]
    assert [c[3] for c in certificates(ingress(make_res, {"cert-manager.io/issuer": "local"}, tls))] == ["Issuer/local"]
    assert [c[3] for c in certificates(ingress(make_res, {"cert-manager.io/issuer": "vault",
                                                          "cert-manager.io/issuer-kind": "VaultIssuer"}, tls))] \
        == ["VaultIssuer/vault"]
    for refused in ({"cert-manager.io/issuer": "a", "cert-manager.io/cluster-issuer": "b"},
                    {"cert-manager.io/cluster-issuer": "b", "cert-manager.io/issuer-kind": "X"}, {}):
        assert certificates(ingress(make_res, refused, tls)) == []


def test_two_tls_entries_sharing_a_secret_make_no_certificate(make_res):
    tls = [{"hosts": ["a.example.com"], "secretName": "same"}, {"hosts": ["b.example.com"], "secretName": "same"}]
    assert certificates(ingress(make_res, {"cert-manager.io/cluster-issuer": "le"}, tls)) == []


def test_a_certificate_the_repository_declares_is_not_listed_twice(make_res):
    tls = [{"hosts": ["grafana.example.com"], "secretName": "grafana-tls"}]
    own = make_res("cert-manager.io/v1", "Certificate", "grafana-tls", {"dnsNames": ["grafana.example.com"],
                                                                         "secretName": "grafana-tls"})
    out = certificates(ingress(make_res, {"cert-manager.io/cluster-issuer": "le"}, tls), own)
    assert [(c[1], c[4]) for c in out] == [("grafana-tls", None)]


def test_an_annotated_gateway_gets_a_certificate_per_secret_of_its_tls_listeners(make_res):
    gw = make_res("gateway.networking.k8s.io/v1", "Gateway", "public", {"gatewayClassName": "cilium", "listeners": [
        {"name": "a", "protocol": "HTTPS", "port": 443, "hostname": "a.example.com",
         "tls": {"certificateRefs": [{"name": "wild-tls"}]}},
        {"name": "b", "protocol": "HTTPS", "port": 443, "hostname": "b.example.com",
         "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "wild-tls"}]}},
        {"name": "http", "protocol": "HTTP", "port": 80, "hostname": "c.example.com"},
        {"name": "pass", "protocol": "TLS", "port": 443, "hostname": "d.example.com",
         "tls": {"mode": "Passthrough", "certificateRefs": [{"name": "d-tls"}]}},
        {"name": "elsewhere", "protocol": "HTTPS", "port": 443, "hostname": "e.example.com",
         "tls": {"certificateRefs": [{"name": "e-tls", "namespace": "other"}]}},
        {"name": "nohost", "protocol": "HTTPS", "port": 443, "tls": {"certificateRefs": [{"name": "f-tls"}]}}]},
        line=2, annotations={"cert-manager.io/cluster-issuer": "le"})
    out, _ = extract_surfaces(LAYER, [gw], [])
    certs = [s for s in out if s.kind == "certificate"]
    assert [(s.name, s.host, s.created_by) for s in certs] == [
        ("wild-tls", "a.example.com", "Gateway public"), ("wild-tls", "b.example.com", "Gateway public")]
    assert "Gateway API support" in certs[0].detail and certs[0].as_dict()["created_by"] == "Gateway public"
