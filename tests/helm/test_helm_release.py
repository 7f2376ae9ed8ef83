"""helm_release_info: each branch of chart, source, dependsOn and values resolution."""

from __future__ import annotations

import pytest

from flux_wiki.flux.helm import helm_release_info, merge_maps, set_path_value
from flux_wiki.flux.sources import source_info
from flux_wiki.model import Resource


def obj(kind: str, name: str, ns: str = "apps", api: str = "v1", **rest) -> Resource:
    return Resource({"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": ns}, **rest},
                    f"{ns}/{name}.yaml", 3)


def hr(spec: dict, api: str = "helm.toolkit.fluxcd.io/v2") -> Resource:
    return Resource({"apiVersion": api, "kind": "HelmRelease",
                     "metadata": {"name": "web", "namespace": "apps"}, "spec": {"interval": "10m", **spec}},
                    "apps/web/hr.yaml", 12)


SOURCES = [
    obj("HelmRepository", "bitnami", "flux-system", "source.toolkit.fluxcd.io/v1",
        spec={"url": "https://charts.bitnami.com/bitnami"}),
    obj("OCIRepository", "podinfo", "apps", "source.toolkit.fluxcd.io/v1beta2",
        spec={"url": "oci://ghcr.io/stefanprodan/charts/podinfo", "ref": {"tag": "6.5.0"}}),
    obj("OCIRepository", "semver-chart", "apps", "source.toolkit.fluxcd.io/v1",
        spec={"url": "oci://ghcr.io/o/charts/app-template/", "ref": {"semver": ">=3.0.0"}}),
    # source-controller: a digest takes precedence over semver, semver over tag (OCIRepositoryRef)
    obj("OCIRepository", "semver-over-tag", "apps", "source.toolkit.fluxcd.io/v1",
        spec={"url": "oci://ghcr.io/o/charts/podinfo", "ref": {"tag": "6.5.0", "semver": "6.x"}}),
    obj("OCIRepository", "pinned", "apps", "source.toolkit.fluxcd.io/v1",
        spec={"url": "oci://ghcr.io/o/charts/podinfo", "ref": {"semver": "6.x", "digest": "sha256:0a1b"}}),
]
OBJECTS = [
    obj("ConfigMap", "base-values", data={"values.yaml": "replicas: 1\nimage:\n  tag: a\n  pull: Always\n"}),
    obj("ConfigMap", "more", data={"extra.yaml": "image:\n  tag: b\nlist: [1, 2]\n", "host": "example.com",
                                   "count": "007", "flag": "true", "quoted": "'42'"}),
    obj("ConfigMap", "broken", data={"values.yaml": "a: [unclosed\n"}),
    obj("ConfigMap", "scalar", data={"values.yaml": "- just\n- a list\n"}),
    obj("Secret", "creds", data={"values.yaml": "cGFzc3dvcmQ6IGh1bnRlcjI="}),
    obj("Secret", "string-creds", stringData={"values.yaml": "password: hunter2"}),
    obj("HelmChart", "local-chart", "apps", "source.toolkit.fluxcd.io/v1",
        spec={"chart": "./charts/app", "version": "0.1.0", "sourceRef": {"kind": "GitRepository", "name": "repo"}}),
    obj("HelmChart", "repo-chart", "apps", "source.toolkit.fluxcd.io/v1",
        spec={"chart": "redis", "version": "18.x", "sourceRef": {"kind": "HelmRepository", "name": "bitnami",
                                                                 "namespace": "flux-system"}}),
]


def find_object(kind: str, ns: str, name: str) -> Resource | None:
    return next((o for o in OBJECTS if (o.kind, o.namespace, o.name) == (kind, ns, name)), None)


def find_source(kind: str, ns: str, name: str):
    for s in SOURCES:
        if (s.kind, s.namespace, s.name) == (kind, ns, name):
            return source_info(s)
    return None


def info_of(spec: dict, **kw):
    return helm_release_info(hr(spec, **kw), find_object, find_source)


CHART = {"spec": {"chart": "redis", "version": "18.x", "sourceRef": {"kind": "HelmRepository", "name": "bitnami",
                                                                      "namespace": "flux-system"}}}


@pytest.mark.parametrize("api", ["helm.toolkit.fluxcd.io/v2", "helm.toolkit.fluxcd.io/v2beta1",
                                 "helm.toolkit.fluxcd.io/v2beta2"])
def test_chart_template_with_helm_repository(api: str) -> None:
    info, diags = info_of({"chart": CHART}, api=api)
    assert diags == []
    assert (info.chart, info.version) == ("redis", "18.x")
    assert (info.source_kind, info.source_namespace, info.source_name) == ("HelmRepository", "flux-system", "bitnami")
    assert info.source_url == "https://charts.bitnami.com/bitnami"
    assert (info.namespace, info.name, info.file, info.line) == ("apps", "web", "apps/web/hr.yaml", 12)


def test_chart_template_defaults_version_and_source_namespace() -> None:
    info, diags = info_of({"chart": {"spec": {"chart": "x", "sourceRef": {"kind": "HelmRepository", "name": "nope"}}}})
    assert (info.version, info.source_namespace, info.source_url) == ("*", "apps", None)
    assert len(diags) == 1 and "HelmRepository apps/nope not found" in diags[0].message
    assert (diags[0].file, diags[0].line) == ("apps/web/hr.yaml", 12)


@pytest.mark.parametrize("name,chart,version", [("podinfo", "podinfo", "6.5.0"),
                                                ("semver-chart", "app-template", ">=3.0.0"),
                                                ("semver-over-tag", "podinfo", "6.x"),
                                                ("pinned", "podinfo", "sha256:0a1b")])
def test_chart_ref_oci_repository(name: str, chart: str, version: str) -> None:
    info, diags = info_of({"chartRef": {"kind": "OCIRepository", "name": name}})
    assert diags == []
    assert (info.chart, info.version, info.source_kind, info.source_namespace) == (chart, version, "OCIRepository",
                                                                                    "apps")
    assert info.source_url.startswith("oci://ghcr.io/")


@pytest.mark.parametrize("name,chart,version", [
    ("repo-chart", "redis", "18.x"),
    # source-controller ignores the spec.version of a GitRepository chart (it packages the folder's Chart.yaml)
    ("local-chart", "./charts/app", "*"),
])
def test_chart_ref_helm_chart(name: str, chart: str, version: str) -> None:
    info, diags = info_of({"chartRef": {"kind": "HelmChart", "name": name, "namespace": "apps"}})
    assert (info.chart, info.version, info.source_kind, info.source_name) == (chart, version, "HelmChart", name)
    assert diags == []


@pytest.mark.parametrize("spec,fragment", [
    ({"chartRef": {"kind": "OCIRepository", "name": "missing"}}, "not found"),
    ({"chartRef": {"kind": "HelmChart", "name": "missing"}}, "not found"),
    ({"chartRef": {"kind": "GitRepository", "name": "x"}}, "is not OCIRepository"),
])
def test_chart_problems_are_diagnostics(spec: dict, fragment: str) -> None:
    info, diags = info_of(spec)
    assert any(fragment in d.message for d in diags)
    assert info.chart is None


_BITNAMI = {"kind": "HelmRepository", "name": "bitnami", "namespace": "flux-system"}
_NOT_A_DURATION = "must be a duration such as 10m or 1h30m (units h, m, s, ms)"


@pytest.mark.parametrize("api,spec,refused", [
    ("v2", {"chart": CHART, "interval": None}, "spec.interval: is required"),
    ("v2beta1", {"chart": CHART, "interval": None}, "spec.interval: is required"),
    ("v2", {}, "spec: either chart or chartRef must be set (exactly one)"),
    ("v2", {"chart": CHART, "chartRef": {"kind": "OCIRepository", "name": "podinfo"}},
     "spec.chartRef: either chart or chartRef must be set (exactly one)"),
    ("v2beta2", {}, "spec.chart: is required"),
    ("v2beta1", {"chartRef": {"kind": "OCIRepository", "name": "podinfo"}}, "spec.chart: is required"),
    ("v2", {"chart": {}}, "spec.chart.spec: is required"),
    ("v2", {"chart": {"spec": {"sourceRef": _BITNAMI}}}, "spec.chart.spec.chart: is required"),
    ("v2beta2", {"chart": {"spec": {"chart": "", "sourceRef": _BITNAMI}}},
     "spec.chart.spec.chart: should be at least 1 chars long"),
    ("v2", {"chart": {"spec": {"chart": "redis"}}}, "spec.chart.spec.sourceRef: is required"),
    ("v2beta1", {"chart": {"spec": {"chart": "redis", "sourceRef": {"name": "bitnami"}}}},
     "spec.chart.spec.sourceRef.kind: is required"),
    ("v2", {"chart": {"spec": {"chart": "redis", "sourceRef": {"kind": "HelmRepository"}}}},
     "spec.chart.spec.sourceRef.name: is required"),
    ("v2", {"chart": CHART, "interval": "1d"}, f"spec.interval: {_NOT_A_DURATION}"),
    ("v2", {"chart": CHART, "timeout": "300"}, f"spec.timeout: {_NOT_A_DURATION}"),
    ("v2", {"chart": {"spec": {**CHART["spec"], "interval": "500us"}}}, f"spec.chart.spec.interval: {_NOT_A_DURATION}"),
])
def test_fields_the_api_server_requires(api: str, spec: dict, refused: str) -> None:
    """helm-controller api/v2*/helmrelease_types.go: +required fields, and v2's CEL rule on chart/chartRef."""
    res = hr(spec, api=f"helm.toolkit.fluxcd.io/{api}")
    res.obj["spec"] = {k: v for k, v in res.obj["spec"].items() if v is not None}
    _, diags = helm_release_info(res, find_object, find_source)
    rejected = [d.message for d in diags if d.code == "FW-SCHEMA-REJECTED"]
    assert rejected == [f"HelmRelease apps/web: {refused} (the API server rejects it)"]
    assert not any(d.code == "FW-HELM-INVALID" for d in diags)  # said once, as the rejection


@pytest.mark.parametrize("api,spec", [
    ("v2", {"chart": {"spec": {**CHART["spec"], "interval": "1h30m"}}, "interval": "1.5m", "timeout": "500ms"}),
    ("v2", {"chart": CHART, "interval": "${RECONCILE_EVERY}"}),
    ("v2beta2", {"chart": CHART, "interval": "1d"}),
])
def test_durations_the_api_server_admits(api: str, spec: dict) -> None:
    """api/v2's duration pattern admits these; a variable left for postBuild and v2beta* are not judged."""
    _, diags = info_of(spec, api=f"helm.toolkit.fluxcd.io/{api}")
    assert [d.message for d in diags if d.code == "FW-SCHEMA-REJECTED"] == []


def test_an_empty_chart_name_v2beta1_admits_is_invalid() -> None:
    _, diags = info_of({"chart": {"spec": {"chart": "", "sourceRef": _BITNAMI}}}, api="helm.toolkit.fluxcd.io/v2beta1")
    assert [(d.code, d.message.split(": ", 1)[1]) for d in diags] == \
        [("FW-HELM-INVALID", "spec.chart.spec.chart is empty")]


def test_depends_on_ids() -> None:
    info, _ = info_of({"chart": CHART, "dependsOn": [{"name": "db"}, {"name": "ing", "namespace": "network"}, "bare"]})
    assert info.depends_on == ["apps/db", "network/ing", "apps/bare"]


def test_values_merge_in_order_then_inline_on_top() -> None:
    info, diags = info_of({"chart": CHART, "values": {"image": {"pull": "IfNotPresent"}, "inline": True},
                           "valuesFrom": [{"kind": "ConfigMap", "name": "base-values"},
                                          {"kind": "ConfigMap", "name": "more", "valuesKey": "extra.yaml"}]})
    assert diags == []
    assert info.values == {"replicas": 1, "image": {"tag": "b", "pull": "IfNotPresent"}, "list": [1, 2],
                           "inline": True}
    assert info.values_sources == ["ConfigMap apps/base-values", "ConfigMap apps/more [extra.yaml]", "inline"]
    assert info.unresolved_values == []


def test_target_path_is_typed_like_helm_set_and_inline_still_wins() -> None:
    info, diags = info_of({"chart": CHART, "values": {"ingress": {"host": "inline.example"}},
                           "valuesFrom": [
                               {"kind": "ConfigMap", "name": "more", "valuesKey": "host", "targetPath": "ingress.host"},
                               {"kind": "ConfigMap", "name": "more", "valuesKey": "count", "targetPath": "a.count"},
                               {"kind": "ConfigMap", "name": "more", "valuesKey": "flag", "targetPath": "a.flag"},
                               {"kind": "ConfigMap", "name": "more", "valuesKey": "quoted", "targetPath": "a.q"},
                               {"kind": "ConfigMap", "name": "more", "valuesKey": "host",
                                "targetPath": "hosts[1].name"}]})
    assert diags == []
    assert info.values == {"ingress": {"host": "inline.example"},
                           "a": {"count": "007", "flag": True, "q": "42"},
                           "hosts": [None, {"name": "example.com"}]}


def test_secret_values_are_hidden_and_never_read() -> None:
    info, diags = info_of({"chart": CHART, "valuesFrom": [{"kind": "Secret", "name": "creds"}]})
    assert info.unresolved_values == ["Secret apps/creds (hidden)"]
    assert info.values == {} and diags == []
    assert "hunter2" not in repr(info) and "cGFzc3dvcmQ" not in repr(info)


def test_each_hidden_secret_value_names_its_key_and_target() -> None:
    """stefanprodan/gitops-linkerd feeds three keys of one Secret into three value paths: the page tells them
    apart by key and target path (names, not values)."""
    refs = [{"kind": "Secret", "name": "certs", "valuesKey": key, "targetPath": path}
            for key, path in (("ca.crt", "identityTrustAnchorsPEM"), ("issuer.key", "identity.issuer.tls.keyPEM"))]
    info, diags = info_of({"chart": CHART, "valuesFrom": refs})
    assert info.unresolved_values == ["Secret apps/certs [ca.crt] -> identityTrustAnchorsPEM (hidden)",
                                      "Secret apps/certs [issuer.key] -> identity.issuer.tls.keyPEM (hidden)"]
    assert info.values == {} and diags == []


def test_a_secret_key_the_secret_lacks_fails_the_release() -> None:
    """helm-controller (fluxcd/pkg chartutil) fails a valuesFrom whose Secret lacks the key (values.yaml by default)
    unless it is optional: the warning names keys, never what they hold."""
    info, diags = info_of({"chart": CHART, "valuesFrom": [
        {"kind": "Secret", "name": "creds", "valuesKey": "values.yml"},
        {"kind": "Secret", "name": "creds", "valuesKey": "other", "optional": True},
        {"kind": "Secret", "name": "string-creds"},
        {"kind": "Secret", "name": "made-at-run-time"}]})
    assert info.unresolved_values == ["Secret apps/creds [values.yml] (has no key 'values.yml')",
                                      "Secret apps/creds [other] (optional, has no key 'other')",
                                      "Secret apps/string-creds (hidden)", "Secret apps/made-at-run-time (hidden)"]
    [d] = diags
    assert (d.code, d.cls, d.file, d.line) == ("FW-HELM-VALUES-MISSING", "repo", "apps/web/hr.yaml", 12)
    assert "Secret apps/creds has no key 'values.yml' (its keys: values.yaml)" in d.message
    assert "cGFzc3dvcmQ" not in repr((info, diags))


def test_missing_and_broken_value_sources() -> None:
    info, diags = info_of({"chart": CHART, "values": {"k": 1}, "valuesFrom": [
        {"kind": "ConfigMap", "name": "gone"},
        {"kind": "ConfigMap", "name": "gone-optional", "optional": True},
        {"kind": "ConfigMap", "name": "base-values", "valuesKey": "nokey"},
        {"kind": "ConfigMap", "name": "broken"},
        {"kind": "ConfigMap", "name": "scalar"},
        {"kind": "Other", "name": "x"}]})
    assert info.values == {"k": 1}
    assert info.unresolved_values == [
        "ConfigMap apps/gone (not found)", "ConfigMap apps/gone-optional (optional, not found)",
        "ConfigMap apps/base-values [nokey] (has no key 'nokey')", "ConfigMap apps/broken (invalid YAML)",
        "ConfigMap apps/scalar (invalid YAML)", "Other apps/x (unsupported kind)"]
    where = sorted((d.file, d.line) for d in diags)
    assert where == sorted([("apps/web/hr.yaml", 12)] * 3 + [("apps/broken.yaml", 3), ("apps/scalar.yaml", 3)])


def test_input_resource_is_not_mutated() -> None:
    res = hr({"chart": CHART, "values": {"a": {"b": 1}}, "valuesFrom": [
        {"kind": "ConfigMap", "name": "more", "valuesKey": "host", "targetPath": "a.c"}]})
    info, _ = helm_release_info(res, find_object, find_source)
    assert res.spec["values"] == {"a": {"b": 1}}
    assert info.values == {"a": {"b": 1, "c": "example.com"}}


def test_garbage_spec_does_not_raise() -> None:
    info, diags = info_of({"chart": "nope", "values": ["x"], "valuesFrom": "x", "dependsOn": [3, None]})
    assert info.chart is None and info.values == {}
    assert [d.message.split(": ", 1)[1].split(":", 1)[0] for d in diags] == \
        ["spec.chart", "spec.values", "spec.valuesFrom", "spec.dependsOn[0]"]


def test_merge_maps_and_set_path() -> None:
    assert merge_maps({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"b": 9}, "d": {"x": 1}}) == \
        {"a": {"b": 9, "c": 2}, "d": {"x": 1}}
    values: dict = {"a": "flat"}
    set_path_value(values, r"a.b\.c", "null")
    assert values == {"a": {"b.c": None}}
    with pytest.raises(ValueError):
        set_path_value(values, "a..b", "1")
