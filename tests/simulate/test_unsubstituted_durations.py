"""A Kustomization applied by one that does not substitute (no ``postBuild.substitute`` nor ``substituteFrom``)
reaches the API server with its ``${VAR}`` as written: a duration holding one fails api/v1's pattern, and the
parent fails to apply (simonkran/fleet: a FluxInstance's root applies ``timeout: ${RECONCILE_TIMEOUT}``). Under a
parent that substitutes, the variable is postBuild's business and not judged."""

from __future__ import annotations

from pathlib import Path

from flux_wiki.engine import build_model

from .test_simulate import cm, gotk, ks, write

_CHILD = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  timeout: ${RECONCILE_TIMEOUT}
  path: ./apps
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
"""


def _rejected(tmp_path: Path, post_build: str) -> list[tuple[str, int, str]]:
    write(tmp_path, {**gotk(), "clusters/home/layer.yaml": ks("layer", "./layer", extra=post_build),
                     "layer/apps.yaml": _CHILD, "apps/cm.yaml": cm("c")})
    cluster = build_model(tmp_path).clusters[0]
    return [(w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-SCHEMA-REJECTED"]


def test_a_variable_nothing_substitutes_is_a_refused_duration(tmp_path: Path) -> None:
    [(file, line, message)] = _rejected(tmp_path, "")
    assert (file, line) == ("layer/apps.yaml", 6)
    assert message == ("Kustomization flux-system/apps: the API server rejects this Kustomization: spec.timeout: "
                       "must be a duration such as 10m or 1h30m (units h, m, s, ms); its variable stays as "
                       "written, as the Kustomization applying it has no postBuild variables")


def test_a_variable_the_parent_substitutes_is_not_judged(tmp_path: Path) -> None:
    assert _rejected(tmp_path, "postBuild: {substitute: {RECONCILE_TIMEOUT: 5m}}") == []
    assert _rejected(tmp_path, "postBuild: {substituteFrom: [{kind: Secret, name: vars}]}") == []


def test_a_refusal_under_a_parent_without_postbuild_does_not_say_it_came_after_substitution(tmp_path: Path) -> None:
    """The value is refused as written: nothing substituted it, whatever ``${`` its line shows."""
    service = ("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec:\n"
               "  ports:\n    - port: ${PORT}\n")
    write(tmp_path, {**gotk(), "clusters/home/layer.yaml": ks("layer", "./layer"), "layer/svc.yaml": service})
    [message] = [w.message for w in build_model(tmp_path).clusters[0].warnings if w.code == "FW-SCHEMA-REJECTED"]
    assert message == ("Service default/web: spec.ports[0].port: expected an integer, got a string (the API server "
                       "rejects it; Kustomization flux-system/layer fails to apply)")


_SOURCE = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: flux-system}
spec:
  url: https://charts.example.com
  interval: ${CHART_EVERY}
"""


def test_a_source_interval_nothing_substitutes_is_refused(tmp_path: Path) -> None:
    """A source's interval has the CRD's duration pattern too (source-controller api/v1 HelmRepository)."""
    write(tmp_path, {**gotk(), "clusters/home/layer.yaml": ks("layer", "./layer"), "layer/repo.yaml": _SOURCE})
    cluster = build_model(tmp_path).clusters[0]
    assert [(w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-SCHEMA-REJECTED"] == [
        ("layer/repo.yaml", 6, "HelmRepository flux-system/charts: spec.interval: must be a duration such as 10m or "
                               "1h30m (units h, m, s, ms); its variable stays as written, as the Kustomization "
                               "applying it has no postBuild variables (the API server rejects it; Kustomization "
                               "flux-system/layer fails to apply)")]
    write(tmp_path, {"clusters/home/layer.yaml": ks("layer", "./layer",
                                                    extra="postBuild: {substitute: {CHART_EVERY: 1h}}")})
    assert [w for w in build_model(tmp_path).clusters[0].warnings if w.code == "FW-SCHEMA-REJECTED"] == []


_DISABLED = "kustomize.toolkit.fluxcd.io/substitute: disabled"


def test_an_object_marked_substitute_disabled_keeps_its_variable_under_a_substituting_parent(tmp_path: Path) -> None:
    """kustomize-controller skips an object labelled or annotated ``kustomize.toolkit.fluxcd.io/substitute:
    disabled`` (fluxcd/pkg kustomize_varsub.go SubstituteVariables): its ``${VAR}`` reaches the API server as
    written, whatever the parent substitutes, and nothing substitution did is to blame."""
    child = _CHILD.replace("namespace: flux-system}", "namespace: flux-system, annotations: {" + _DISABLED + "}}")
    source = _SOURCE.replace("namespace: flux-system}", "namespace: flux-system, labels: {" + _DISABLED + "}}")
    service = ("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default, annotations: {"
               + _DISABLED + "}}\nspec:\n  ports:\n    - port: ${PORT}\n")
    post_build = "postBuild: {substitute: {RECONCILE_TIMEOUT: 5m, CHART_EVERY: 1h, PORT: '80'}}"
    write(tmp_path, {**gotk(), "clusters/home/layer.yaml": ks("layer", "./layer", extra=post_build),
                     "layer/apps.yaml": child, "layer/repo.yaml": source, "layer/svc.yaml": service,
                     "apps/cm.yaml": cm("c")})
    cluster = build_model(tmp_path).clusters[0]
    found = sorted((w.file, w.line, w.message) for w in cluster.warnings if w.code == "FW-SCHEMA-REJECTED")
    marked = f"its variable stays as written, as it is marked {_DISABLED}"
    assert found == [
        ("layer/apps.yaml", 6, "Kustomization flux-system/apps: the API server rejects this Kustomization: "
                               f"spec.timeout: must be a duration such as 10m or 1h30m (units h, m, s, ms); {marked}"),
        ("layer/repo.yaml", 6, "HelmRepository flux-system/charts: spec.interval: must be a duration such as 10m or "
                               f"1h30m (units h, m, s, ms); {marked} (the API server rejects it; Kustomization "
                               "flux-system/layer fails to apply)"),
        ("layer/svc.yaml", 6, "Service default/web: spec.ports[0].port: expected an integer, got a string (the API "
                              "server rejects it; Kustomization flux-system/layer fails to apply)")]


_NAMED = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: '${APP}-config', namespace: '${NS}'%s}\n"
          "data: {a: b}\n")


def _name_warnings(tmp_path: Path, post_build: str, marked: str = "") -> list[str]:
    write(tmp_path, {**gotk(), "clusters/home/layer.yaml": ks("layer", "./layer", extra=post_build),
                     "layer/cm.yaml": _NAMED % marked})
    return [w.message for w in build_model(tmp_path).clusters[0].warnings if w.code == "FW-SCHEMA-REJECTED"]


def test_a_name_or_namespace_holding_a_variable_nothing_substitutes_is_refused(tmp_path: Path) -> None:
    """kube-apiserver validates metadata.name and namespace as RFC 1123 names: a ``${`` left as written is not one."""
    name, namespace = _name_warnings(tmp_path, "")
    kept = "; its variable stays as written, as the Kustomization applying it has no postBuild variables"
    assert name == ("ConfigMap ${NS}/${APP}-config: metadata.name: a lowercase RFC 1123 subdomain must consist of lower "
                    "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
                    + kept + " (the API server rejects it; Kustomization flux-system/layer fails to apply)")
    assert namespace.startswith("ConfigMap ${NS}/${APP}-config: metadata.namespace: a lowercase RFC 1123 label")
    assert kept in namespace
    marked = ", labels: {kustomize.toolkit.fluxcd.io/substitute: disabled}"
    assert len(_name_warnings(tmp_path / "marked", "postBuild: {substitute: {APP: web, NS: apps}}", marked)) == 2


def test_a_name_variable_postbuild_substitutes_is_not_judged(tmp_path: Path) -> None:
    assert _name_warnings(tmp_path, "postBuild: {substituteFrom: [{kind: Secret, name: vars}]}") == []
    assert _name_warnings(tmp_path / "known", "postBuild: {substitute: {APP: web, NS: apps}}") == []


def test_a_name_variable_under_a_root_flux_wiki_wrote_is_not_judged(tmp_path: Path) -> None:
    """What applies an ``entry:`` folder is outside the repository and may substitute; a child of it that applies
    the same object without postBuild is judged."""
    write(tmp_path, {"deploy/cm.yaml": _NAMED % "", "deploy/layer.yaml": ks("layer", "./layer"),
                     "layer/cm.yaml": (_NAMED % "").replace("-config", "-other")})
    warned = [w.file for w in build_model(tmp_path, entry="./deploy").clusters[0].warnings
              if w.code == "FW-SCHEMA-REJECTED"]
    assert warned == ["layer/cm.yaml", "layer/cm.yaml"]


_INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  rules:
    - host: web.${DOMAIN}
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
"""


def test_a_host_holding_a_variable_nothing_substitutes_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {**gotk(), "clusters/home/layer.yaml": ks("layer", "./layer"), "layer/ing.yaml": _INGRESS})
    [message] = [w.message for w in build_model(tmp_path).clusters[0].warnings if w.code == "FW-SCHEMA-REJECTED"]
    assert message.startswith("Ingress default/web: spec.rules[0].host: ")
    assert "its variable stays as written, as the Kustomization applying it has no postBuild variables" in message
    write(tmp_path / "s", {**gotk(), "clusters/home/layer.yaml": ks("layer", "./layer", extra="postBuild: "
                                                                     "{substituteFrom: [{kind: Secret, name: v}]}"),
                           "layer/ing.yaml": _INGRESS})
    assert [w for w in build_model(tmp_path / "s").clusters[0].warnings if w.code == "FW-SCHEMA-REJECTED"] == []


_FOREIGN = {
    "source.yaml": ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, "
                    "namespace: flux-system}\nspec:\n  interval: ${SOURCE_INTERVAL}\n  url: https://charts.example.com\n"),
    "apps.yaml": _CHILD.replace("name: apps,", "name: %s,").replace("./apps", "./%s"),
    "svc.yaml": ("apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: default}\nspec:\n"
                 "  ports:\n    - port: ${PORT}\n"),
    "release.yaml": ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: %s, namespace: "
                     "flux-system}\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: x\n      version: "
                     "${CHART_VERSION}\n      sourceRef: {kind: HelmRepository, name: charts}\n"),
}


def test_durations_ports_and_versions_under_a_root_flux_wiki_wrote_are_not_judged(tmp_path: Path) -> None:
    """As for names and hosts: what applies an ``entry:`` folder (or a guessed one) is outside the repository and
    may substitute, so a ``${VAR}`` there is not judged as written: no source or Kustomization duration, Service
    port or chart version is refused. The same objects in a child Kustomization without postBuild are."""
    files = {f"deploy/{name}": text.replace("%s", "root") for name, text in _FOREIGN.items() if name != "source.yaml"}
    files |= {f"layer/{name}": text.replace("%s", "child") for name, text in _FOREIGN.items()}
    files |= {"deploy/source.yaml": _FOREIGN["source.yaml"], "deploy/layer.yaml": ks("layer", "./layer"),
              "root/cm.yaml": cm("r"), "child/cm.yaml": cm("c")}
    files["layer/source.yaml"] = files["layer/source.yaml"].replace("name: charts", "name: other")
    write(tmp_path, files)
    cluster = build_model(tmp_path, entry="./deploy").clusters[0]
    warned = sorted({w.file for w in cluster.warnings if w.code in ("FW-SCHEMA-REJECTED", "FW-HELM-VERSION-INVALID")})
    assert warned == ["layer/apps.yaml", "layer/release.yaml", "layer/source.yaml", "layer/svc.yaml"]
