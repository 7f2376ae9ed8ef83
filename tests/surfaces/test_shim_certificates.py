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


# An Ingress annotated only `kubernetes.io/tls-acme: "true"`: `hasShimAnnotation` counts the auto-certificate
# annotation (strconv.ParseBool true) on Ingresses only, and `issuerForIngressLike` then takes the controller's
# default issuer (--default-issuer-name/-kind, default kind Issuer; the chart's ingressShim.defaultIssuerName/Kind);
# with none, the shim creates nothing ("Issuer name annotation is not set and a default issuer has not been
# configured"). What the repository does not show is a limit, never a warning.
ACME = {"kubernetes.io/tls-acme": "true"}
TLS = [{"hosts": ["grafana.example.com"], "secretName": "grafana-tls"}]


def test_tls_acme_alone_without_a_known_default_issuer_is_a_limit(make_res):
    out, diags = extract_surfaces(LAYER, [ingress(make_res, ACME, TLS)], [])
    assert [s for s in out if s.kind == "certificate"] == []
    assert [(d.code, d.cls, d.severity, d.file, d.line) for d in diags] == [
        ("FW-CERT-DEFAULT-ISSUER-UNKNOWN", "limit", "warning", "apps/grafana.yaml", 4)]
    _, diags = extract_surfaces(LAYER, [ingress(make_res, {"kubernetes.io/tls-acme": "false"}, TLS)], [])
    assert diags == []
    _, diags = extract_surfaces(LAYER, [ingress(make_res, ACME, [])], [])  # no TLS entry: nothing to issue
    assert diags == []


def test_tls_acme_with_the_cert_manager_releases_default_issuer_lists_the_certificate(make_res, make_hr):
    from flux_wiki.analysis.surfaces import default_issuer

    manager = make_hr("cert-manager", "cert-manager", {"ingressShim": {"defaultIssuerName": "letsencrypt",
                                                                       "defaultIssuerKind": "ClusterIssuer"}})
    issuer = default_issuer([manager])
    out, diags = extract_surfaces(LAYER, [ingress(make_res, ACME, TLS)], [], default_issuer=issuer)
    assert diags == []
    [cert] = [s for s in out if s.kind == "certificate"]
    assert (cert.name, cert.host, cert.target, cert.created_by) == (
        "grafana-tls", "grafana.example.com", "ClusterIssuer/letsencrypt", "Ingress grafana")
    assert "kubernetes.io/tls-acme annotation" in cert.detail and "apps/cert-manager/hr.yaml:3" in cert.detail
    kind_set = ingress(make_res, {**ACME, "cert-manager.io/issuer-kind": "VaultIssuer"}, TLS)
    assert [c[3] for c in certificates_with(kind_set, issuer)] == ["VaultIssuer/letsencrypt"]
    named = ingress(make_res, {**ACME, "cert-manager.io/issuer": "local"}, TLS)  # an issuer annotation wins
    assert [c[3] for c in certificates_with(named, issuer)] == ["Issuer/local"]


def certificates_with(ing, issuer):
    out, _ = extract_surfaces(LAYER, [ing], [], default_issuer=issuer)
    return [(s.namespace, s.name, s.host, s.target) for s in out if s.kind == "certificate"]


def test_the_default_issuer_as_the_cert_manager_chart_passes_it(make_hr):
    from flux_wiki.analysis.surfaces import default_issuer

    assert default_issuer([make_hr("cm", "cert-manager", {"ingressShim": {"defaultIssuerName": "le"}})]).kind \
        == "Issuer"  # the controller's --default-issuer-kind default
    config = {"config": {"ingressShimConfig": {"defaultIssuerName": "le", "defaultIssuerKind": "ClusterIssuer"}}}
    found = default_issuer([make_hr("cm", "cert-manager", config)])
    assert (found.name, found.kind) == ("le", "ClusterIssuer")
    assert default_issuer([make_hr("cm", "cert-manager", {"installCRDs": True})]) is None
    assert default_issuer([make_hr("other", "podinfo", {"ingressShim": {"defaultIssuerName": "le"}})]) is None


def test_the_default_issuer_from_the_controller_s_extra_args(make_hr):
    """The chart writes ``extraArgs`` before the ingressShim flags (templates/deployment.yaml) and pflag keeps a
    flag's last value: ``--default-issuer-name``/``-kind`` in extraArgs count unless ingressShim sets the same one,
    and win over the config file's; ``--flag value`` is two args."""
    from flux_wiki.analysis.surfaces import default_issuer

    def found(values):
        issuer = default_issuer([make_hr("cm", "cert-manager", values)], lambda f, line, path: path)
        return issuer and (issuer.name, issuer.kind, issuer.line)

    assert found({"extraArgs": ["--v=2", "--default-issuer-name=le", "--default-issuer-kind", "ClusterIssuer"]}) \
        == ("le", "ClusterIssuer", ("spec", "values", "extraArgs", 1))  # where the name is set
    assert found({"extraArgs": ["--default-issuer-name=le", "--default-issuer-name=prod"]})[:2] == ("prod", "Issuer")
    assert found({"extraArgs": ["--default-issuer-name=le"], "ingressShim": {"defaultIssuerName": "shim"}})[:2] \
        == ("shim", "Issuer")
    assert found({"extraArgs": ["--default-issuer-kind=ClusterIssuer"],
                  "config": {"ingressShimConfig": {"defaultIssuerName": "le", "defaultIssuerKind": "Issuer"}}})[:2] \
        == ("le", "ClusterIssuer")
    assert found({"extraArgs": ["--default-issuer-name"]}) is None  # no value: pflag refuses to start


def test_the_cluster_s_cert_manager_release_decides_for_every_layer(tmp_path):
    """The default issuer is cluster-wide: the cert-manager HelmRelease one layer applies serves the Ingress
    another layer applies; the certificate points at the Ingress, its detail at the values line."""
    from flux_wiki.engine import build_model
    from tests.simulate.test_simulate import gotk, ks, write

    release = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: cert-manager, "
               "namespace: cert-manager}\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: cert-manager\n"
               "      sourceRef: {kind: HelmRepository, name: jetstack, namespace: flux-system}\n  values:\n    ingressShim:\n"
               "      defaultIssuerName: letsencrypt\n      defaultIssuerKind: ClusterIssuer\n")
    app = ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: apps\n"
           "  annotations:\n    kubernetes.io/tls-acme: \"true\"\nspec:\n  rules: [{host: web.example.com}]\n"
           "  tls: [{hosts: [web.example.com], secretName: web-tls}]\n")
    files = {**gotk(), "clusters/home/infra.yaml": ks("infra", "./infra"),
             "clusters/home/apps.yaml": ks("apps", "./apps"), "infra/cert-manager.yaml": release, "apps/web.yaml": app}
    [cluster] = build_model(write(tmp_path, files)).clusters
    [cert] = [s for s in cluster.surfaces if s.kind == "certificate"]
    assert (cert.layer, cert.name, cert.target, cert.file, cert.line) == (
        "flux-system/apps", "web-tls", "ClusterIssuer/letsencrypt", "apps/web.yaml", 1)
    assert "infra/cert-manager.yaml:12" in cert.detail
    (tmp_path / "infra/cert-manager.yaml").write_text(release.split("  values:")[0])
    [cluster] = build_model(tmp_path).clusters
    assert [s for s in cluster.surfaces if s.kind == "certificate"] == []
    assert [w.code for w in cluster.warnings if w.code == "FW-CERT-DEFAULT-ISSUER-UNKNOWN"] == [
        "FW-CERT-DEFAULT-ISSUER-UNKNOWN"]
