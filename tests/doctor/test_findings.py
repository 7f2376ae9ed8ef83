"""Every finding code on a small fixture repo: a case that raises it and a case that must not."""

from __future__ import annotations

from flux_wiki.doctor.findings import RULES

from .conftest import CERT_MANAGER, CERTIFICATE, helmrelease, layer, namespace

WAIT = "wait: true"


def codes(report, code=None):
    """(code, severity, layer name, file:line) of the open findings, optionally of one code."""
    return sorted((f.code, f.severity, f.layer.split("/")[-1], f"{f.file}:{f.line}") for f in report.open
                  if code is None or f.code == code)


# -- missing dependsOn -----------------------------------------------------------------------------------

def test_bootstrap_race_a_custom_resource_whose_crd_a_helmrelease_of_another_layer_installs(doctor_repo):
    """The real race: B applies a Certificate, A installs cert-manager (and its CRDs) with a HelmRelease,
    B has no dependsOn on A. On a fresh cluster B's dry-run fails until the release is installed."""
    report = doctor_repo(layer("crds", CERT_MANAGER), layer("apps", CERTIFICATE))
    assert codes(report) == [("missing-dependson", "error", "apps", "layers/apps/objects.yaml:1")]
    [f] = report.open
    assert "Certificate.cert-manager.io" in f.message and "flux-system/crds" in f.message
    assert f.subject == "Certificate.cert-manager.io"


def test_no_race_when_the_layer_waits_for_a_provider_that_waits_for_its_release(doctor_repo):
    report = doctor_repo(layer("crds", CERT_MANAGER, spec=WAIT), layer("apps", CERTIFICATE, deps=("crds",)))
    assert codes(report) == []
    [edge] = report.edges
    assert [(e.type, e.subject, e.through) for e in edge.evidence] == [
        ("crd", "Certificate.cert-manager.io", None)]


def test_missing_namespace_is_an_error_and_a_dependsOn_fixes_it(doctor_repo):
    app = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: media}\ndata: {a: b}\n"
    report = doctor_repo(layer("namespaces", namespace("media")), layer("apps", app))
    assert codes(report) == [("missing-dependson", "error", "apps", "layers/apps/objects.yaml:1")]
    assert codes(doctor_repo(layer("namespaces", namespace("media")), layer("apps", app, deps=("namespaces",)))) == []


def test_a_secret_an_external_secret_makes_at_run_time_is_provided_by_its_layer(doctor_repo):
    es = """\
        apiVersion: external-secrets.io/v1
        kind: ExternalSecret
        metadata: {name: db, namespace: default}
        spec: {secretStoreRef: {kind: ClusterSecretStore, name: vault}, target: {name: db-credentials}}
        """
    pod = """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: app, namespace: default}
        spec:
          selector: {matchLabels: {app: app}}
          template:
            metadata: {labels: {app: app}}
            spec:
              containers:
                - name: app
                  image: app:1
                  envFrom: [{secretRef: {name: db-credentials}}]
                  env: [{name: X, valueFrom: {secretKeyRef: {name: other, key: x, optional: true}}}]
        """
    report = doctor_repo(layer("configs", es), layer("apps", pod))
    assert codes(report) == [("missing-dependson", "warning", "apps", "layers/apps/objects.yaml:1")]
    [f] = report.open
    assert f.subject == "Secret default/db-credentials" and "ExternalSecret default/db (at run time)" in f.message
    report = doctor_repo(layer("configs", es), layer("apps", pod, deps=("configs",)))
    assert codes(report) == []
    [edge] = report.edges
    assert [(e.type, e.subject) for e in edge.evidence] == [("secret", "Secret default/db-credentials")]


def test_a_helmrelease_source_from_another_layer_is_a_warning(doctor_repo):
    source = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: bitnami, namespace: flux-system}\nspec: {url: https://charts.example.com}\n"
    release = """\
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: redis, namespace: default}
        spec: {interval: 1h, chart: {spec: {chart: redis, sourceRef: {kind: HelmRepository, name: bitnami, namespace: flux-system}}}}
        """
    assert codes(doctor_repo(layer("sources", source), layer("apps", release))) == [
        ("missing-dependson", "warning", "apps", "layers/apps/objects.yaml:1")]
    assert codes(doctor_repo(layer("sources", source), layer("apps", release, deps=("sources",)))) == []


def test_a_guessed_crd_provider_is_only_info(doctor_repo):
    operator = helmrelease("widget-operator", "default", "widget-operator")
    widget = "apiVersion: widget.example.io/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\n"
    assert codes(doctor_repo(layer("operators", operator), layer("apps", widget))) == [
        ("missing-dependson", "info", "apps", "layers/apps/objects.yaml:1")]


def test_crds_the_bootstrap_helmfile_installs_exist_before_flux(doctor_repo):
    helmfile = {"bootstrap/helmfile.yaml": "releases:\n  - name: cert-manager\n    namespace: cert-manager\n"}
    assert codes(doctor_repo(layer("crds", CERT_MANAGER), layer("apps", CERTIFICATE), extra=helmfile)) == []


# -- CRD and HelmRelease in one Kustomization ----------------------------------------------------------

def test_custom_resource_next_to_the_helmrelease_that_installs_its_crd(doctor_repo):
    report = doctor_repo(layer("cert-manager", CERT_MANAGER + CERTIFICATE))
    assert codes(report) == [("crd-same-kustomization", "error", "cert-manager", "layers/cert-manager/objects.yaml:19")]


def test_a_layer_that_only_health_checks_the_release_races_it(doctor_repo):
    """The issuers layer health-checks the cert-manager HelmRelease another layer applies, without dependsOn:
    the check orders nothing before its apply, so its dry-run fails (no matches for kind) until that layer has
    installed the release, then passes on a retry. A missing dependsOn, not a HelmRelease it applies itself."""
    checks = """\
        healthChecks:
          - {apiVersion: helm.toolkit.fluxcd.io/v2, kind: HelmRelease, name: cert-manager, namespace: cert-manager}
        """
    report = doctor_repo(layer("crds", CERT_MANAGER), layer("issuers", CERTIFICATE, spec=checks))
    assert codes(report) == [("missing-dependson", "error", "issuers", "layers/issuers/objects.yaml:1")]
    [f] = report.open
    assert "but only flux-system/crds provides it" in f.message
    report = doctor_repo(layer("crds", CERT_MANAGER, spec=WAIT), layer("issuers", CERTIFICATE, deps=("crds",),
                                                                       spec=checks))
    assert codes(report) == []
    [edge] = report.edges
    assert [(e.type, e.subject) for e in edge.evidence] == [("crd", "Certificate.cert-manager.io")]


def test_custom_resource_next_to_its_crd_manifest_is_fine(doctor_repo):
    crd = """\
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: certificates.cert-manager.io}
        spec: {group: cert-manager.io, names: {kind: Certificate, plural: certificates}, scope: Namespaced}
        ---
        """
    assert codes(doctor_repo(layer("cert-manager", CERT_MANAGER + crd + CERTIFICATE))) == []


# -- wait: false upstream of a CRD consumer ------------------------------------------------------------

def test_helmrelease_crds_upstream_without_wait(doctor_repo):
    report = doctor_repo(layer("crds", CERT_MANAGER), layer("apps", CERTIFICATE, deps=("crds",)))
    assert codes(report) == [("crd-release-not-waited", "warning", "crds", "clusters/test/crds.yaml:1")]
    [f] = report.open
    assert "cert-manager/cert-manager" in f.message and "flux-system/apps" in f.message


def test_a_health_check_on_the_release_is_enough(doctor_repo):
    checks = """\
        healthChecks:
          - {apiVersion: helm.toolkit.fluxcd.io/v2, kind: HelmRelease, name: cert-manager, namespace: cert-manager}
        """
    assert codes(doctor_repo(layer("crds", CERT_MANAGER, spec=checks), layer("apps", CERTIFICATE, deps=("crds",)))) == []


def test_a_parent_that_applies_the_consumer_does_not_make_it_wait(doctor_repo):
    """A child starts as soon as its parent applied it, even when the parent has wait: true."""
    child = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\n"
             "spec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n---\n")
    report = doctor_repo(layer("platform", CERT_MANAGER + child, spec=WAIT), extra={"apps/cert.yaml": CERTIFICATE})
    assert codes(report) == [("crd-release-not-waited", "warning", "platform", "clusters/test/platform.yaml:1")]
    assert "only starts once flux-system/platform applied it" in report.open[0].message


# -- dependsOn without evidence, redundant ---------------------------------------------------------------

UNRELATED = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\ndata: {a: b}\n"


def test_no_unexplained_dependson_when_what_the_dependency_waits_for_was_not_built(doctor_repo):
    """fluxcd/flux2-multi-tenancy: kyverno-policies dependsOn kyverno, which waits (wait: true) for the child it
    applies from an OCI artifact flux-wiki cannot read: that child may well provide the CRDs the policies use."""
    child = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: base-oci, "
             "namespace: flux-system}\nspec: {interval: 10m, path: ./, prune: true, "
             "sourceRef: {kind: OCIRepository, name: elsewhere}}\n")
    parts = (layer("base", child, spec="wait: true"), layer("apps", UNRELATED, deps=("base",)))
    assert codes(doctor_repo(*parts)) == []
    built = (layer("base", UNRELATED.replace("name: a", "name: base"), spec="wait: true"),
             layer("apps", UNRELATED, deps=("base",)))
    assert codes(doctor_repo(*built)) == [("unexplained-dependson", "info", "apps", "clusters/test/apps.yaml:1")]


def test_unexplained_dependson_and_how_an_author_silences_it(doctor_repo):
    parts = (layer("base", UNRELATED.replace("name: a", "name: base")), layer("apps", UNRELATED, deps=("base",)))
    report = doctor_repo(*parts)
    assert codes(report) == [("unexplained-dependson", "info", "apps", "clusters/test/apps.yaml:1")]
    message = report.open[0].message
    assert "flux-wiki finds nothing it applies that needs what" in message  # what it looked for, not a claim
    by_layer = "clusters:\n  test:\n    kustomizations:\n      apps: {rationale: 'base warms the cache'}\n"
    by_edge = "clusters:\n  test:\n    kustomizations:\n      flux-system/apps:\n        dependsOn: {base: 'cache'}\n"
    for notes in (by_layer, by_edge):
        report = doctor_repo(*parts, notes=notes)
        assert codes(report) == [] and report.edges[0].rationale


def test_redundant_dependson(doctor_repo):
    ns = namespace("media")
    report = doctor_repo(layer("a", ns), layer("b", UNRELATED.replace("default", "media"), deps=("a",)),
                         layer("c", UNRELATED.replace("name: a", "name: c").replace("default", "media"), deps=("a", "b")))
    assert codes(report, "redundant-dependson") == [("redundant-dependson", "info", "c", "clusters/test/c.yaml:1")]
    assert "through flux-system/b" in report.open[-1].message or any(
        "through flux-system/b" in f.message for f in report.open)
    assert codes(doctor_repo(layer("a", ns), layer("c", UNRELATED.replace("default", "media"), deps=("a",)))) == []


# -- dependsOn that names nothing, or the wrong kind; cycles -------------------------------------------

def test_dangling_dependson(doctor_repo):
    assert codes(doctor_repo(layer("apps", UNRELATED, deps=("nowhere",)))) == [
        ("dangling-dependson", "error", "apps", "clusters/test/apps.yaml:1")]


def test_dangling_dependson_is_info_while_a_kustomization_could_not_be_built(doctor_repo):
    report = doctor_repo(layer("apps", UNRELATED, deps=("nowhere",)),
                         {"clusters/test/broken.yaml": layer("broken", "")["clusters/test/broken.yaml"]
                          .replace("./layers/broken", "./missing")})
    assert codes(report, "dangling-dependson") == [("dangling-dependson", "info", "apps", "clusters/test/apps.yaml:1")]


def test_wrong_kind_dependson(doctor_repo):
    report = doctor_repo(layer("crds", CERT_MANAGER, spec=WAIT), layer("apps", UNRELATED, deps=("cert-manager",)),
                         layer("db", helmrelease("db", "default", "postgres", repo="pg",
                                                 extra="dependsOn: [{name: crds, namespace: flux-system}]")))
    # the HelmRelease cert-manager lives in its own namespace, so flux-system/cert-manager names nothing
    assert [c[2] for c in codes(report, "wrong-kind-dependson")] == ["db"]
    assert [c[2] for c in codes(report, "dangling-dependson")] == ["apps"]
    report = doctor_repo(layer("crds", helmrelease("cert-manager", "flux-system", "cert-manager"), spec=WAIT),
                         layer("apps", UNRELATED, deps=("cert-manager",)),
                         layer("db", helmrelease("db", "flux-system", "postgres", repo="pg",
                                                 extra="dependsOn: [{name: crds}]")))
    assert codes(report, "wrong-kind-dependson") == [
        ("wrong-kind-dependson", "error", "apps", "clusters/test/apps.yaml:1"),
        ("wrong-kind-dependson", "error", "db", "layers/db/objects.yaml:6")]


def test_dependson_cycle(doctor_repo):
    report = doctor_repo(layer("a", UNRELATED, deps=("b",)), layer("b", UNRELATED.replace("name: a", "name: b"), deps=("a",)))
    assert codes(report, "dependson-cycle") == [("dependson-cycle", "error", "a", "clusters/test/a.yaml:1")]
    assert codes(doctor_repo(layer("a", UNRELATED), layer("b", UNRELATED, deps=("a",))), "dependson-cycle") == []


# -- healthChecks, HelmRelease dependsOn ---------------------------------------------------------------

def test_health_check_on_an_object_nothing_applies(doctor_repo):
    checks = "healthChecks:\n  - {apiVersion: apps/v1, kind: Deployment, name: ghost, namespace: default}\n"
    assert codes(doctor_repo(layer("apps", UNRELATED, spec=checks))) == [
        ("healthcheck-not-applied", "warning", "apps", "clusters/test/apps.yaml:1")]
    own = "healthChecks:\n  - {apiVersion: v1, kind: ConfigMap, name: a, namespace: default}\n"
    assert codes(doctor_repo(layer("apps", UNRELATED, spec=own))) == []


def test_health_check_on_what_a_chart_may_create_is_info(doctor_repo):
    checks = "healthChecks:\n  - {apiVersion: apps/v1, kind: Deployment, name: cert-manager, namespace: cert-manager}\n"
    assert codes(doctor_repo(layer("crds", CERT_MANAGER, spec=checks))) == [
        ("healthcheck-not-applied", "info", "crds", "clusters/test/crds.yaml:1")]


def test_helmrelease_dependson_a_missing_release(doctor_repo):
    db = helmrelease("db", "default", "postgres", extra="dependsOn: [{name: operator}]")
    assert codes(doctor_repo(layer("db", db))) == [
        ("helmrelease-dependson-missing", "error", "db", "layers/db/objects.yaml:6")]
    operator = helmrelease("operator", "default", "pg-operator", repo="ops")
    assert codes(doctor_repo(layer("db", db + operator))) == []


def test_every_code_is_a_rule_with_a_title_and_help():
    assert set(RULES) == {"missing-dependson", "crd-same-kustomization", "crd-release-not-waited",
                          "unexplained-dependson", "redundant-dependson", "dangling-dependson",
                          "wrong-kind-dependson", "dependson-cycle", "healthcheck-not-applied",
                          "helmrelease-dependson-missing"}
    assert all(r.title and r.help for r in RULES.values())


# -- acknowledgements ----------------------------------------------------------------------------------

def test_acknowledged_findings_are_shown_with_their_reason_and_not_counted(doctor_repo):
    notes = """\
        clusters:
          test:
            acknowledged:
              - code: missing-dependson
                subject: "*.cert-manager.io"
                reason: cert-manager's CRDs are applied by the bootstrap script
        """
    report = doctor_repo(layer("crds", CERT_MANAGER), layer("apps", CERTIFICATE), notes=notes)
    assert report.open == [] and report.failing("info") == []
    [f] = report.acknowledged
    assert f.code == "missing-dependson" and f.acknowledged == "cert-manager's CRDs are applied by the bootstrap script"
    other_layer = notes.replace('subject: "*.cert-manager.io"', "layer: flux-system/crds")
    assert len(doctor_repo(layer("crds", CERT_MANAGER), layer("apps", CERTIFICATE), notes=other_layer).open) == 1


def test_a_provider_that_waits_for_its_consumer_is_a_deadlock(doctor_repo):
    """Seen in the wild: the operator's Kustomization dependsOn the one applying its custom resources."""
    report = doctor_repo(layer("operator", CERT_MANAGER, deps=("apps",)), layer("apps", CERTIFICATE))
    [f] = codes(report, "missing-dependson")
    assert f[1] == "error" and "a deadlock" in report.open[0].message


def test_a_flux_instance_release_uses_the_fluxinstance_crd_flux_operator_installs(doctor_repo):
    """The flux-instance chart renders one FluxInstance: the usual ``flux-instance`` dependsOn ``flux-operator``
    is explained by that CRD, and a missing one is the bootstrap race like any custom resource."""
    operator = namespace("flux-system") + helmrelease("flux-operator", "flux-system", "flux-operator")
    instance = helmrelease("flux-instance", "flux-system", "flux-instance", repo="controlplane",
                           values="{instance: {components: [source-controller]}}")
    report = doctor_repo(layer("operator", operator, spec=WAIT), layer("instance", instance, deps=("operator",)))
    assert codes(report) == []
    [edge] = report.edges
    assert [(e.type, e.subject) for e in edge.evidence] == [("crd", "FluxInstance.fluxcd.controlplane.io")]
    assert codes(doctor_repo(layer("operator", operator), layer("instance", instance)), "missing-dependson") == [
        ("missing-dependson", "error", "instance", "layers/instance/objects.yaml:6")]


# -- remote clusters (spec.kubeConfig) -------------------------------------------------------------------

REMOTE = "kubeConfig: {secretRef: {name: spoke-kubeconfig}}"


def test_a_namespace_made_on_a_remote_cluster_does_not_provide_it_here(doctor_repo):
    """hub/spoke: `spoke` applies Namespace media to the cluster its kubeConfig reaches; `apps` applies a
    ConfigMap into media on the hub. Waiting for `spoke` would not help (the namespace is made elsewhere),
    so there is no missing-dependsOn to advise; the same layers on one cluster keep the error."""
    app = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: media}\ndata: {a: b}\n"
    assert codes(doctor_repo(layer("spoke", namespace("media"), spec=REMOTE), layer("apps", app))) == []
    assert codes(doctor_repo(layer("spoke", namespace("media"), spec=REMOTE), layer("apps", app, spec=REMOTE))) == [
        ("missing-dependson", "error", "apps", "layers/apps/objects.yaml:1")]


def test_a_helmrelease_with_a_kubeconfig_installs_into_the_remote_clusters_namespace(doctor_repo):
    """flux2-hub-spoke-example: the hub's HelmRelease carries the spoke's kubeConfig, so its targetNamespace
    is the one the spoke's tenants layer makes there (evidence for the dependsOn), not the hub's."""
    release = helmrelease("podinfo", "flux-system", "podinfo", extra="""\
        targetNamespace: podinfo
        kubeConfig: {secretRef: {name: spoke-kubeconfig}}
        """)
    report = doctor_repo(layer("tenants", namespace("podinfo"), spec=REMOTE),
                         layer("apps", release, deps=("tenants",)))
    assert codes(report) == []
    [edge] = report.edges
    assert [(e.type, e.subject) for e in edge.evidence] == [("namespace", "podinfo")]
    assert "on the remote cluster of kubeConfig Secret flux-system/spoke-kubeconfig" in \
        edge.evidence[0].provider.subject.label()
    hub_namespace = doctor_repo(layer("tenants", namespace("podinfo")), layer("apps", release, deps=("tenants",)))
    assert [f.code for f in hub_namespace.open] == ["unexplained-dependson"]


# -- a health check on what a release's chart makes ------------------------------------------------------

CHART_DEPLOYMENT = "healthChecks:\n  - {apiVersion: apps/v1, kind: Deployment, name: cert-manager, namespace: cert-manager}\n"


def test_a_health_check_on_the_charts_deployment_waits_for_the_release(doctor_repo):
    """kustomize-controller keeps the Kustomization not Ready until the checked Deployment is: helm-controller
    made it, so the release (and the CRDs it installs) is there for what depends on the Kustomization."""
    report = doctor_repo(layer("crds", CERT_MANAGER, spec=CHART_DEPLOYMENT), layer("apps", CERTIFICATE, deps=("crds",)))
    assert codes(report) == [("healthcheck-not-applied", "info", "crds", "clusters/test/crds.yaml:1")]


def test_a_health_check_on_what_a_childs_release_makes_orders_the_dependents(doctor_repo):
    """OSable/infrastructure: a Kustomization applies only a Kustomization whose HelmRelease makes the Deployment
    the parent health-checks; a layer that dependsOn the parent finds the release's CRDs installed."""
    child = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
             "metadata: {name: cert-manager-chart, namespace: flux-system}\n"
             "spec: {interval: 10m, path: ./charts/cert-manager, prune: true, "
             "sourceRef: {kind: GitRepository, name: flux-system}}\n")
    report = doctor_repo(layer("cert-manager", child, spec=CHART_DEPLOYMENT), layer("apps", CERTIFICATE, deps=("cert-manager",)),
                         extra={"charts/cert-manager/release.yaml": CERT_MANAGER})
    assert codes(report) == [("healthcheck-not-applied", "info", "cert-manager", "clusters/test/cert-manager.yaml:1")]
    assert "HelmRelease cert-manager/cert-manager" in report.open[0].message


def test_a_health_check_on_what_another_layers_release_makes_is_info(doctor_repo):
    """OSable/infrastructure's metallb config health-checks the controller the chart of another layer runs."""
    checks = CHART_DEPLOYMENT.replace("name: cert-manager,", "name: cert-manager-webhook,")
    report = doctor_repo(layer("crds", CERT_MANAGER), layer("config", UNRELATED, deps=("crds",), spec=checks))
    assert codes(report) == [("healthcheck-not-applied", "info", "config", "clusters/test/config.yaml:1"),
                             ("unexplained-dependson", "info", "config", "clusters/test/config.yaml:1")]
    assert "perhaps by a chart of HelmRelease cert-manager/cert-manager" in report.open[0].message


def test_a_health_check_in_another_namespace_than_the_release_does_not_wait_for_it(doctor_repo):
    elsewhere = CHART_DEPLOYMENT.replace("namespace: cert-manager", "namespace: kube-system")
    report = doctor_repo(layer("crds", CERT_MANAGER, spec=elsewhere), layer("apps", CERTIFICATE, deps=("crds",)))
    assert ("crd-release-not-waited", "warning", "crds", "clusters/test/crds.yaml:1") in codes(report)


def test_what_a_kustomization_applies_through_a_kustomization_explains_its_dependson(doctor_repo):
    """OSable/infrastructure: cert-manager-config applies only cert-manager-config-prod, whose ClusterIssuer needs the
    CRD cert-manager installs; cert-manager-config's dependsOn on cert-manager is why that works."""
    child = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
             "metadata: {name: issuers, namespace: flux-system}\n"
             "spec: {interval: 10m, path: ./issuers, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n")
    issuer = ("apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: letsencrypt}\n"
              "spec: {selfSigned: {}}\n")
    report = doctor_repo(layer("crds", CERT_MANAGER, spec=WAIT), layer("config", child, deps=("crds",)),
                         extra={"issuers/issuer.yaml": issuer})
    assert codes(report) == []
    [edge] = report.edges
    assert [(e.type, e.subject, e.consumer.file) for e in edge.evidence] == [
        ("crd", "ClusterIssuer.cert-manager.io", "issuers/issuer.yaml")]


def test_a_health_check_on_what_a_dependents_release_makes_never_passes(doctor_repo):
    report = doctor_repo(layer("gate", UNRELATED, spec=CHART_DEPLOYMENT), layer("crds", CERT_MANAGER, deps=("gate",)))
    [f] = [f for f in report.open if f.code == "healthcheck-not-applied"]
    assert f.severity == "warning" and "flux-system/crds waits for flux-system/gate" in f.message


# -- charts of the catalog ----------------------------------------------------------------------------

FLAGGER = namespace("istio-system") + helmrelease("flagger", "istio-system", "flagger", "{meshProvider: istio}")
CANARY = """\
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: frontend, namespace: default}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: frontend}
  service: {port: 9898}
  analysis: {interval: 15s, threshold: 10}
"""


def test_a_canary_needs_the_flagger_release(doctor_repo):
    """stefanprodan/gitops-istio: apps (Canaries) dependsOn the layer whose flagger HelmRelease installs the
    flagger.app CRDs from the chart's crds/ folder; that is the evidence, not an unexplained edge."""
    report = doctor_repo(layer("flagger", FLAGGER, spec=WAIT), layer("apps", CANARY, deps=("flagger",)))
    assert codes(report) == []
    [edge] = report.edges
    assert [(e.type, e.subject) for e in edge.evidence] == [("crd", "Canary.flagger.app")]
    assert codes(doctor_repo(layer("flagger", FLAGGER), layer("apps", CANARY))) == [
        ("missing-dependson", "error", "apps", "layers/apps/objects.yaml:1")]


INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  ingressClassName: nginx
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix,
          backend: {service: {name: web, port: {number: 80}}}}]}}]
"""


def test_an_ingress_needs_the_ingress_class_the_ingress_nginx_chart_creates(doctor_repo):
    """stefanprodan/gitops-linkerd: the app layer dependsOn ingress-nginx for IngressClass nginx, which the chart's
    templates/controller-ingressclass.yaml creates (controller.ingressClassResource, enabled and named nginx)."""
    nginx = namespace("ingress-nginx") + helmrelease("ingress-nginx", "ingress-nginx", "ingress-nginx")
    report = doctor_repo(layer("ingress", nginx, spec=WAIT), layer("apps", INGRESS, deps=("ingress",)))
    assert codes(report) == []
    [edge] = report.edges
    assert [(e.type, e.subject) for e in edge.evidence] == [("class", "IngressClass nginx")]
    renamed = namespace("ingress-nginx") + helmrelease(
        "ingress-nginx", "ingress-nginx", "ingress-nginx", "{controller: {ingressClassResource: {name: internal}}}")
    assert codes(doctor_repo(layer("ingress", renamed, spec=WAIT), layer("apps", INGRESS, deps=("ingress",)))) == [
        ("unexplained-dependson", "info", "apps", "clusters/test/apps.yaml:1")]


def test_meshed_pods_need_the_sidecar_injector(doctor_repo):
    """stefanprodan/gitops-linkerd and gitops-istio: a namespace annotated linkerd.io/inject (or labelled for
    Istio) waits for the mesh, since pods created before the injector's webhook run without a sidecar."""
    linkerd = namespace("linkerd") + helmrelease("linkerd-control-plane", "linkerd", "linkerd-control-plane")
    meshed = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flagger-system\n" \
             "  annotations: {linkerd.io/inject: enabled}\n"
    report = doctor_repo(layer("linkerd", linkerd, spec=WAIT), layer("flagger", meshed, deps=("linkerd",)))
    assert codes(report) == []
    [edge] = report.edges
    assert [(e.type, e.subject) for e in edge.evidence] == [("controller", "linkerd.io/proxy-injector")]
    istio = namespace("istio-system") + helmrelease("istiod", "istio-system", "istiod")
    pod = """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web, sidecar.istio.io/inject: "true"}}
            spec: {containers: [{name: web, image: nginx}]}
        """
    report = doctor_repo(layer("istio", istio, spec=WAIT), layer("apps", pod, deps=("istio",)))
    assert [(e.type, e.subject) for e in report.edges[0].evidence] == [("controller", "istio.io/sidecar-injector")]
    plain = meshed.replace("enabled", "disabled")
    assert codes(doctor_repo(layer("linkerd", linkerd, spec=WAIT), layer("flagger", plain, deps=("linkerd",)))) == [
        ("unexplained-dependson", "info", "flagger", "clusters/test/flagger.yaml:1")]


def test_a_release_whose_chart_values_ask_for_a_class_and_an_issuer_needs_their_providers(doctor_repo):
    """kevincoakley/nsdf-fleet-infra: apps dependsOn infrastructure for the nginx IngressClass and the ClusterIssuer
    its kube-prometheus-stack values' ingresses use; what a release's values render (analysis.chart_values) is
    evidence as an Ingress of the layer is."""
    nginx = namespace("ingress-nginx") + helmrelease("ingress-nginx", "ingress-nginx", "ingress-nginx")
    issuer = ("apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: letsencrypt}\n"
              "spec: {acme: {server: https://acme.example.com, privateKeySecretRef: {name: le}}}\n")
    values = ("{ingress: {enabled: true, className: nginx, annotations: {cert-manager.io/cluster-issuer: letsencrypt},"
              " hosts: [{host: web.example.com, paths: [{path: /}]}]}}")
    report = doctor_repo(layer("infra", nginx + issuer, spec=WAIT),
                         layer("apps", helmrelease("web", "default", "podinfo", values), deps=("infra",)))
    assert codes(report) == []
    [edge] = report.edges
    assert sorted((e.type, e.subject) for e in edge.evidence) == [
        ("class", "IngressClass nginx"), ("issuer", "ClusterIssuer letsencrypt")]
