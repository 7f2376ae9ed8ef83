"""Malformed input is a warning naming file:line and the field, never a traceback, never silence.

Each case writes one field of the wrong shape into a small repo; the line where the warning must point
carries a ``# <-`` marker. In-process and fast: the model is built and its JSON rendered.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flux_wiki.engine import build_model
from flux_wiki.render.inventory import inventory_json
from flux_wiki.compile import WikiCompiler
from flux_wiki.config import WikiConfig

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {url: https://example.org/r, ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {path: ./clusters/home, sourceRef: {kind: GitRepository, name: flux-system}, interval: 10m, prune: true}
"""
KS_SPEC = {"interval": "10m", "path": "./apps", "prune": "true",
           "sourceRef": "{kind: GitRepository, name: flux-system}"}
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {type: LoadBalancer, loadBalancerIP: 10.0.0.5, ports: [{port: 80}]}
"""


def flux_ks(**fields: str) -> str:
    spec = {**KS_SPEC, **fields}
    body = "".join(f"  {k}:\n" + textwrap.indent(v.lstrip("\n"), "    ") + "\n" if v.startswith("\n")
                   else f"  {k}: {v}\n" for k, v in spec.items())
    return ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            "metadata: {name: apps, namespace: flux-system}\nspec:\n" + body)


def obj(api: str, kind: str, body: str, name: str = "x") -> str:
    return f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}, namespace: apps}}\n{body.rstrip()}\n"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    base: dict[str, str | bytes] = {
        "clusters/home/flux-system/gotk-sync.yaml": SYNC,
        "clusters/home/apps.yaml": flux_ks(),
        "apps/kustomization.yaml": "resources:\n  - svc.yaml\n",
        "apps/svc.yaml": SERVICE,
    }
    for rel, text in {**base, **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


def marked(files: dict[str, str | bytes]) -> tuple[str, int]:
    """The file and 1-based line carrying the ``# <-`` marker."""
    for rel, text in files.items():
        if isinstance(text, str) and "# <-" in text:
            return rel, text[:text.index("# <-")].count("\n") + 1
    raise AssertionError("no # <- marker")


def warnings_of(root: Path) -> list[str]:
    model = build_model(root)
    inventory_json(model)
    return [str(d) for d in model.diagnostics] + [str(w) for c in model.clusters for w in c.warnings]


def kustomization(snippet: str) -> dict[str, str | bytes]:
    return {"apps/kustomization.yaml": "resources:\n  - svc.yaml\n" + textwrap.dedent(snippet).lstrip("\n")}


def resource(text: str) -> dict[str, str | bytes]:
    return {"apps/kustomization.yaml": "resources:\n  - svc.yaml\n  - extra.yaml\n", "apps/extra.yaml": text}


HR = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: apps}\nspec:\n"
CHART = "  interval: 10m\n  chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: charts}}}\n"


def helm(spec: str, chart: bool = True) -> dict[str, str | bytes]:
    return resource(HR + (CHART if chart else "") + textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ") + "\n")


# (case id, files, the field the warning names)
CASES: list[tuple[str, dict[str, str | bytes], str]] = [
    # kustomize's kustomization file: kustomize refuses the whole file
    ("k-namespace", kustomization("namespace: [1]  # <-"), "namespace"),
    ("k-commonLabels-list", kustomization("commonLabels: [1]  # <-"), "commonLabels"),
    ("k-commonLabels-int", kustomization("commonLabels: {a: 1}  # <-"), "commonLabels.a"),
    ("k-commonAnnotations", kustomization("commonAnnotations: [a]  # <-"), "commonAnnotations"),
    ("k-namePrefix-bool", kustomization("namePrefix: yes  # <-"), "namePrefix"),
    ("k-nameSuffix-map", kustomization("nameSuffix: {a: b}  # <-"), "nameSuffix"),
    ("k-generatorOptions", kustomization("generatorOptions:\n  labels: [1]  # <-"), "generatorOptions.labels"),
    ("k-replacement-source", kustomization("replacements:\n- source: x  # <-"), "replacements[0].source"),
    ("k-replacement-path", kustomization("replacements:\n- path: 1  # <-"), "replacements[0].path"),
    ("k-replacement-file", {**kustomization("replacements:\n- path: r.yaml"),
                            "apps/r.yaml": "source: x  # <-\ntargets: []\n"}, "source"),
    ("k-replacement-file-list", {**kustomization("replacements:\n- path: r.yaml"),
                                 "apps/r.yaml": "- source: {kind: Service}\n  targets: [x]  # <-\n"}, "[0].targets[0]"),
    ("k-replacement-index", kustomization(
        "replacements:\n- source: {kind: Service, options: {index: '1'}}  # <-\n  targets: []"),
     "replacements[0].source.options.index"),
    ("k-images-tag-float", kustomization("images:\n- name: x\n  newTag: 1.10  # <-"), "images[0].newTag"),
    ("k-images-string", kustomization("images: [nginx]  # <-"), "images[0]"),
    ("k-patches-string", kustomization("patches:\n- x.yaml  # <-"), "patches[0]"),
    ("k-patches-target", kustomization("patches:\n- path: p.yaml\n  target: [x]  # <-"), "patches[0].target"),
    ("k-patches-inline-map", kustomization("patches:\n- patch: {kind: Service}  # <-"), "patches[0].patch"),
    ("k-psm-map", kustomization("patchesStrategicMerge: [{a: b}]  # <-"), "patchesStrategicMerge[0]"),
    ("k-json6902-target", kustomization("patchesJson6902:\n- target: {kind: [x]}  # <-"),
     "patchesJson6902[0].target.kind"),
    ("k-components-map", kustomization("components: [{a: 1}]  # <-"), "components[0]"),
    ("k-resources-int", {"apps/kustomization.yaml": "resources: [svc.yaml, 1]  # <-\n"}, "resources[1]"),
    ("k-resources-map", {"apps/kustomization.yaml": "resources: {a: b}  # <-\n"}, "resources"),
    ("k-labels-pairs", kustomization("labels:\n- pairs: {a: 1}  # <-"), "labels[0].pairs.a"),
    ("k-labels-fields", kustomization("labels:\n- pairs: {a: b}\n  fields: [1]  # <-"), "labels[0].fields[0]"),
    ("k-replicas-count", kustomization("replicas:\n- name: x\n  count: '2'  # <-"), "replicas[0].count"),
    ("k-cm-literals", kustomization("configMapGenerator:\n- name: c\n  literals: [a=1, 2]  # <-"),
     "configMapGenerator[0].literals[1]"),
    ("k-cm-behavior", kustomization("configMapGenerator:\n- name: c\n  behavior: [x]  # <-"),
     "configMapGenerator[0].behavior"),
    ("k-secret-options", kustomization("secretGenerator:\n- name: s\n  options: {labels: {a: 1}}  # <-"),
     "secretGenerator[0].options.labels.a"),
    ("k-cm-files", kustomization("configMapGenerator:\n- name: c\n  files: a.txt  # <-"), "configMapGenerator[0].files"),
    ("k-helmCharts", kustomization("helmCharts: 1  # <-"), "helmCharts"),
    ("k-sortOptions", kustomization("sortOptions: {order: 1}  # <-"), "sortOptions.order"),
    ("k-crds", kustomization("crds: x  # <-"), "crds"),
    # the Flux Kustomization: the API server refuses it
    ("ks-sourceRef-kind", {"clusters/home/apps.yaml": flux_ks(
        sourceRef="{kind: [GitRepository], name: flux-system}  # <-")}, "spec.sourceRef.kind"),
    ("ks-sourceRef-string", {"clusters/home/apps.yaml": flux_ks(sourceRef="flux-system  # <-")}, "spec.sourceRef"),
    ("ks-healthChecks-string", {"clusters/home/apps.yaml": flux_ks(healthChecks="[x]  # <-")}, "spec.healthChecks[0]"),
    ("ks-healthChecks-name", {"clusters/home/apps.yaml": flux_ks(
        healthChecks="\n- kind: Deployment\n  name: a\n- kind: Deployment\n  name: [b]  # <-")},
     "spec.healthChecks[1].name"),
    ("ks-healthChecks-kind", {"clusters/home/apps.yaml": flux_ks(healthChecks="[{kind: 1, name: a}]  # <-")},
     "spec.healthChecks[0].kind"),
    ("ks-dependsOn-name", {"clusters/home/apps.yaml": flux_ks(dependsOn="[{name: [a]}]  # <-")}, "spec.dependsOn[0].name"),
    ("ks-dependsOn-string", {"clusters/home/apps.yaml": flux_ks(dependsOn="a  # <-")}, "spec.dependsOn"),
    ("ks-targetNamespace", {"clusters/home/apps.yaml": flux_ks(targetNamespace="[1]  # <-")}, "spec.targetNamespace"),
    ("ks-path", {"clusters/home/apps.yaml": flux_ks(path="[./apps]  # <-")}, "spec.path"),
    ("ks-interval", {"clusters/home/apps.yaml": flux_ks(interval="5  # <-")}, "spec.interval"),
    ("ks-wait", {"clusters/home/apps.yaml": flux_ks(wait="'yes'  # <-")}, "spec.wait"),
    ("ks-prune", {"clusters/home/apps.yaml": flux_ks(prune="[true]  # <-")}, "spec.prune"),
    ("ks-namePrefix", {"clusters/home/apps.yaml": flux_ks(namePrefix="{a: b}  # <-")}, "spec.namePrefix"),
    ("ks-substitute-value", {"clusters/home/apps.yaml": flux_ks(
        postBuild="\nsubstitute:\n  A: [1]  # <-")}, "spec.postBuild.substitute.A"),
    ("ks-substitute-list", {"clusters/home/apps.yaml": flux_ks(postBuild="{substitute: [a]}  # <-")},
     "spec.postBuild.substitute"),
    ("ks-substituteFrom-name", {"clusters/home/apps.yaml": flux_ks(
        postBuild="\nsubstituteFrom:\n  - kind: ConfigMap\n    name: [x]  # <-")}, "spec.postBuild.substituteFrom[0].name"),
    ("ks-substituteFrom-map", {"clusters/home/apps.yaml": flux_ks(
        postBuild="\nsubstituteFrom: {kind: ConfigMap}  # <-")}, "spec.postBuild.substituteFrom"),
    ("ks-postBuild-list", {"clusters/home/apps.yaml": flux_ks(postBuild="[x]  # <-")}, "spec.postBuild"),
    ("ks-patches-map", {"clusters/home/apps.yaml": flux_ks(patches="[{patch: {a: 1}}]  # <-")}, "spec.patches[0].patch"),
    ("ks-patches-string", {"clusters/home/apps.yaml": flux_ks(patches="[x]  # <-")}, "spec.patches[0]"),
    ("ks-images-tag", {"clusters/home/apps.yaml": flux_ks(images="[{name: x, newTag: 1.1}]  # <-")},
     "spec.images[0].newTag"),
    ("ks-components", {"clusters/home/apps.yaml": flux_ks(components="[{a: 1}]  # <-")}, "spec.components[0]"),
    ("ks-commonMetadata", {"clusters/home/apps.yaml": flux_ks(commonMetadata="{labels: [1]}  # <-")},
     "spec.commonMetadata.labels"),
    ("ks-decryption", {"clusters/home/apps.yaml": flux_ks(decryption="{provider: [sops]}  # <-")},
     "spec.decryption.provider"),
    ("ks-labels", {"clusters/home/apps.yaml": flux_ks().replace("namespace: flux-system}", "namespace: flux-system,"
                                                                 " labels: [x]}  # <-")}, "metadata.labels"),
    # HelmRelease: the API server refuses it
    ("hr-chart-name", helm("chart: {spec: {chart: [x], sourceRef: {kind: HelmRepository, name: r}}}  # <-", False),
     "spec.chart.spec.chart"),
    ("hr-chart-version", helm("chart:\n  spec:\n    chart: x\n    version: [1]  # <-\n    sourceRef: {kind: HelmRepository, name: r}",
                              False), "spec.chart.spec.version"),
    ("hr-chart-sourceRef", helm("chart: {spec: {chart: x, sourceRef: {kind: [HelmRepository], name: r}}}  # <-",
                                False), "spec.chart.spec.sourceRef.kind"),
    ("hr-chart-string", helm("chart: x  # <-", False), "spec.chart"),
    ("hr-chartRef", helm("chartRef: {kind: OCIRepository, name: [x]}  # <-", False), "spec.chartRef.name"),
    ("hr-values", helm("values: [1]  # <-"), "spec.values"),
    ("hr-valuesFrom-string", helm("valuesFrom: x  # <-"), "spec.valuesFrom"),
    ("hr-valuesFrom-name", helm("valuesFrom:\n  - kind: ConfigMap\n    name: [x]  # <-"), "spec.valuesFrom[0].name"),
    ("hr-valuesFrom-item", helm("valuesFrom: [x]  # <-"), "spec.valuesFrom[0]"),
    ("hr-valuesFrom-targetPath", helm("valuesFrom: [{kind: ConfigMap, name: v, targetPath: [a]}]  # <-"),
     "spec.valuesFrom[0].targetPath"),
    ("hr-dependsOn", helm("dependsOn: [{name: [x]}]  # <-"), "spec.dependsOn[0].name"),
    ("hr-targetNamespace", helm("targetNamespace: [x]  # <-"), "spec.targetNamespace"),
    ("hr-releaseName", helm("releaseName: 5  # <-"), "spec.releaseName"),
    ("hr-install", helm("install: [x]  # <-"), "spec.install"),
    # sources
    ("git-ref-list", resource(obj("source.toolkit.fluxcd.io/v1", "GitRepository",
                                  "spec: {url: https://x, ref: [main]}  # <-")), "spec.ref"),
    ("git-ref-branch", resource(obj("source.toolkit.fluxcd.io/v1", "GitRepository",
                                    "spec:\n  url: https://x\n  ref:\n    branch: [main]  # <-")), "spec.ref.branch"),
    ("git-url", resource(obj("source.toolkit.fluxcd.io/v1", "GitRepository", "spec: {url: [x]}  # <-")), "spec.url"),
    ("oci-tag", resource(obj("source.toolkit.fluxcd.io/v1beta2", "OCIRepository",
                             "spec: {url: oci://x, ref: {tag: [1]}}  # <-")), "spec.ref.tag"),
    ("helmrepo-url", resource(obj("source.toolkit.fluxcd.io/v1", "HelmRepository", "spec: {url: {a: b}}  # <-")),
     "spec.url"),
    ("helmrepo-type", resource(obj("source.toolkit.fluxcd.io/v1", "HelmRepository",
                                   "spec: {url: oci://x, type: [oci]}  # <-")), "spec.type"),
    ("bucket-endpoint", resource(obj("source.toolkit.fluxcd.io/v1", "Bucket", "spec: {endpoint: [x]}  # <-")),
     "spec.endpoint"),
    ("helmchart-sourceRef", resource(obj("source.toolkit.fluxcd.io/v1", "HelmChart",
                                         "spec: {chart: c, sourceRef: {kind: HelmRepository, name: [x]}}  # <-")),
     "spec.sourceRef.name"),
    # what the surface extractor reads
    ("svc-ports-string", resource(obj("v1", "Service", "spec: {ports: '80'}  # <-")), "spec.ports"),
    ("svc-port-list", resource(obj("v1", "Service", "spec:\n  ports:\n    - port: [80]  # <-")), "spec.ports[0].port"),
    ("svc-type", resource(obj("v1", "Service", "spec: {type: [LoadBalancer]}  # <-")), "spec.type"),
    ("svc-selector", resource(obj("v1", "Service", "spec: {selector: [a]}  # <-")), "spec.selector"),
    ("svc-lbip", resource(obj("v1", "Service", "spec: {type: LoadBalancer, loadBalancerIP: [1]}  # <-")),
     "spec.loadBalancerIP"),
    ("svc-labels", resource("apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  labels: [1]  # <-\n"),
     "metadata.labels"),
    ("svc-namespace", resource("apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  namespace: [a]  # <-\n"),
     "metadata.namespace"),
    ("ingress-rules", resource(obj("networking.k8s.io/v1", "Ingress", "spec: {rules: x}  # <-")), "spec.rules"),
    ("ingress-host", resource(obj("networking.k8s.io/v1", "Ingress", "spec:\n  rules:\n    - host: [a]  # <-")),
     "spec.rules[0].host"),
    ("ingress-path", resource(obj("networking.k8s.io/v1", "Ingress",
                                  "spec:\n  rules:\n    - host: a\n      http:\n        paths:\n"
                                  "          - path: [x]  # <-")), "spec.rules[0].http.paths[0].path"),
    ("ingress-port", resource(obj("networking.k8s.io/v1", "Ingress", "spec:\n  defaultBackend:\n    service:\n"
                                  "      name: a\n      port: {number: x}  # <-")),
     "spec.defaultBackend.service.port.number"),
    ("ingress-tls", resource(obj("networking.k8s.io/v1", "Ingress", "spec: {tls: [{hosts: a}]}  # <-")),
     "spec.tls[0].hosts"),
    ("route-hostnames", resource(obj("gateway.networking.k8s.io/v1", "HTTPRoute", "spec: {hostnames: a}  # <-")),
     "spec.hostnames"),
    ("route-parent", resource(obj("gateway.networking.k8s.io/v1", "HTTPRoute", "spec: {parentRefs: [{name: [x]}]}  # <-")),
     "spec.parentRefs[0].name"),
    ("route-backend-port", resource(obj("gateway.networking.k8s.io/v1", "HTTPRoute",
                                        "spec:\n  rules:\n    - backendRefs:\n        - name: a\n"
                                        "          port: [1]  # <-")), "spec.rules[0].backendRefs[0].port"),
    ("gateway-port", resource(obj("gateway.networking.k8s.io/v1", "Gateway", "spec: {listeners: [{port: x}]}  # <-")),
     "spec.listeners[0].port"),
    ("ingressroute-routes", resource(obj("traefik.io/v1alpha1", "IngressRoute", "spec: {routes: x}  # <-")),
     "spec.routes"),
    ("certificate-dnsNames", resource(obj("cert-manager.io/v1", "Certificate", "spec: {dnsNames: a}  # <-")),
     "spec.dnsNames"),
    ("deploy-containers", resource(obj("apps/v1", "Deployment", "spec: {template: {spec: {containers: x}}}  # <-")),
     "spec.template.spec.containers"),
    ("deploy-image", resource(obj("apps/v1", "Deployment", "spec:\n  template:\n    spec:\n      containers:\n"
                                  "        - name: a\n          image: [x]  # <-")), "spec.template.spec.containers[0].image"),
    ("deploy-port", resource(obj("apps/v1", "Deployment", "spec:\n  template:\n    spec:\n      containers:\n"
                                 "        - name: a\n          ports: [{containerPort: x}]  # <-")),
     "spec.template.spec.containers[0].ports[0].containerPort"),
    ("cronjob-template", resource(obj("batch/v1", "CronJob", "spec: {jobTemplate: {spec: {template: x}}}  # <-")),
     "spec.jobTemplate.spec.template"),
    ("configmap-data", resource(obj("v1", "ConfigMap", "data:\n  a: [1]  # <-")), "data.a"),
    ("object-name-list", resource("apiVersion: v1  # <-\nkind: ConfigMap\nmetadata:\n  name: [x]\n"), "metadata.name"),
    ("object-kind-list", resource("apiVersion: v1  # <-\nkind: [ConfigMap]\nmetadata: {name: x}\n"), "kind are required"),
    # repeated keys: kustomize refuses them in a manifest, keeps the last in its own file
    ("dup-manifest", resource("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d, namespace: apps}\ndata:\n"
                              "  a: '1'\n  a: '2'  # <-\n"), 'mapping key "a"'),
    ("dup-kustomization", {"apps/kustomization.yaml": "resources: [svc.yaml]\nnamespace: a\nnamespace: b  # <-\n"},
     'mapping key "namespace"'),
    ("dup-flux-ks", {"clusters/home/apps.yaml": flux_ks(interval="10m\n  interval: 5m  # <-")}, 'mapping key "interval"'),
]
BYTE_CASES: list[tuple[str, dict[str, str | bytes], tuple[str, int], str]] = [
    ("non-utf8-manifest", resource(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata:\n  a: caf\xe9\n"),
     ("apps/extra.yaml", 5), "UTF-8"),
    ("non-utf8-kustomization", {"apps/kustomization.yaml": b"resources: [svc.yaml]\nnamePrefix: caf\xe9-\n"},
     ("apps/kustomization.yaml", 2), "UTF-8"),
    ("non-utf8-flux-ks", {"clusters/home/apps.yaml": flux_ks().encode() + b"  # \xff\xfe\n"},
     ("clusters/home/apps.yaml", 9), "UTF-8"),
]


@pytest.mark.parametrize("files, field", [pytest.param(f, x, id=i) for i, f, x in CASES])
def test_a_field_of_the_wrong_shape_is_a_warning_naming_file_line_and_field(
        tmp_path: Path, files: dict[str, str | bytes], field: str) -> None:
    where = "%s:%d" % marked(files)
    warnings = warnings_of(write(tmp_path, files))
    hits = [w for w in warnings if where in w and field in w]
    assert hits, f"no warning naming {where} and {field!r}:\n" + "\n".join(warnings)


@pytest.mark.parametrize("files, where, what", [pytest.param(f, w, x, id=i) for i, f, w, x in BYTE_CASES])
def test_bytes_that_are_not_utf8_are_a_warning_naming_the_line(
        tmp_path: Path, files: dict[str, str | bytes], where: tuple[str, int], what: str) -> None:
    warnings = warnings_of(write(tmp_path, files))
    assert any("%s:%d" % where in w and what in w for w in warnings), "\n".join(warnings)


def test_a_kustomization_file_with_a_repeated_key_still_builds_with_the_last_value(tmp_path: Path) -> None:
    repo = write(tmp_path, {"apps/kustomization.yaml": "resources: [svc.yaml]\nnamespace: a\nnamespace: b\n"})
    (cluster,) = build_model(repo).clusters
    apps = cluster.kustomizations["flux-system/apps"]
    assert apps.status == "built" and {r.namespace for r in apps.resources} == {"b"}


def test_a_kustomization_the_api_server_refuses_is_an_error_node(tmp_path: Path) -> None:
    repo = write(tmp_path, {"clusters/home/apps.yaml": flux_ks(healthChecks="[x]")})
    (cluster,) = build_model(repo).clusters
    apps = cluster.kustomizations["flux-system/apps"]
    assert apps.status == "error" and "spec.healthChecks[0]" in (apps.reason or "")


def test_a_flux_instance_of_the_wrong_shape_is_a_warning(tmp_path: Path) -> None:
    text = ("apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata: {name: flux, namespace: flux-system}\n"
            "spec:\n  sync:\n    kind: GitRepository\n    url: https://x\n    path: [clusters/home]  # <-\n")
    (tmp_path / "clusters/home").mkdir(parents=True)
    (tmp_path / "clusters/home/instance.yaml").write_text(text)
    model = build_model(tmp_path)
    assert any("clusters/home/instance.yaml:8" in str(d) and "spec.sync.path" in str(d) for d in model.diagnostics), \
        model.diagnostics


def test_every_case_at_once_still_renders_pages_and_json(tmp_path: Path) -> None:
    """All shapes in one repo: each case in its own folder and Kustomization, pages and JSON still come out."""
    files: dict[str, str | bytes] = {}
    apply = ""
    for i, (_, case, _) in enumerate(CASES + [(c[0], c[1], "") for c in BYTE_CASES]):
        for rel, text in case.items():
            if rel == "clusters/home/apps.yaml":
                text = text.replace(b"apps", f"c{i}".encode()) if isinstance(text, bytes) else \
                    text.replace("name: apps", f"name: c{i}").replace("./apps", f"./c{i}")
                files[f"clusters/home/c{i}.yaml"] = text
            else:
                files[rel.replace("apps/", f"c{i}/")] = text
        files.setdefault(f"c{i}/kustomization.yaml", "resources:\n  - svc.yaml\n")
        files.setdefault(f"c{i}/svc.yaml", SERVICE.replace("name: web", f"name: web{i}"))
        if "clusters/home/apps.yaml" not in case:
            apply += flux_ks(path=f"./c{i}").replace("name: apps", f"name: c{i}") + "---\n"
    files["clusters/home/apps.yaml"] = apply
    repo = write(tmp_path, files)
    inventory_json(build_model(repo))
    compiled = WikiCompiler().compile(WikiConfig(repo=repo, diagrams=False))
    assert compiled.pages
