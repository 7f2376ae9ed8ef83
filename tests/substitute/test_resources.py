"""collect_variables and substitute_resources: where variables come from and how objects are substituted."""

from __future__ import annotations

import pytest

from flux_wiki.flux.objects import PostBuild
from flux_wiki.flux.substitute import Variable, collect_variables, substitute_resources
from flux_wiki.model import InputError, Resource

KS_FILE, KS_LINE = "clusters/prod/apps.yaml", 7


def cm(name: str, data: dict, ns: str = "flux-system") -> Resource:
    return Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns},
                     "data": data}, f"vars/{name}.yaml", 1)


def secret(name: str, ns: str = "flux-system", **sections: dict) -> Resource:
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns}, **sections}
    return Resource(obj, f"vars/{name}.sops.yaml", 3, encrypted=True)


def finder(*objs: Resource):
    index = {(o.kind, o.namespace, o.name): o for o in objs}
    return lambda kind, ns, name: index.get((kind, ns, name))


def spec(**post) -> PostBuild:
    return PostBuild.parse(post)


def test_sources_in_order_then_inline_overrides() -> None:
    find = finder(cm("one", {"A": "1", "B": "1", "MULTI": "x\ny\n"}), cm("two", {"B": "2", "C": "2"}))
    variables, diags = collect_variables(spec(
        substituteFrom=[{"kind": "ConfigMap", "name": "one"}, {"kind": "ConfigMap", "name": "two"}],
        substitute={"C": "inline"}), find, KS_FILE, KS_LINE)
    assert diags == []
    assert {n: (v.value, v.origin) for n, v in variables.items()} == {
        "A": ("1", "ConfigMap flux-system/one"), "B": ("2", "ConfigMap flux-system/two"),
        "MULTI": ("xy", "ConfigMap flux-system/one"), "C": ("inline", "inline")}


def test_secret_values_are_never_read() -> None:
    find = finder(secret("s", data={"TOKEN": "c2VjcmV0"}, stringData={"PASSWORD": "hunter2"}))
    variables, _ = collect_variables(spec(substituteFrom=[{"kind": "Secret", "name": "s"}]), find, KS_FILE, KS_LINE)
    assert variables == {"TOKEN": Variable("TOKEN", None, True, "Secret flux-system/s"),
                         "PASSWORD": Variable("PASSWORD", None, True, "Secret flux-system/s")}


def test_lookup_uses_the_kustomization_namespace() -> None:
    find = finder(cm("v", {"A": "apps"}, ns="apps"), cm("v", {"A": "flux"}))
    variables, _ = collect_variables(spec(substituteFrom=[{"kind": "ConfigMap", "name": "v"}]), find,
                                     KS_FILE, KS_LINE, namespace="apps")
    assert variables["A"].value == "apps"


def test_missing_source_warns_unless_optional() -> None:
    post = spec(substituteFrom=[{"kind": "ConfigMap", "name": "gone"},
                                {"kind": "Secret", "name": "gone-too", "optional": True}])
    variables, diags = collect_variables(post, finder(), KS_FILE, KS_LINE)
    assert variables == {}
    assert [(d.file, d.line) for d in diags] == [(KS_FILE, KS_LINE)]
    assert "ConfigMap/gone" in diags[0].message


@pytest.mark.parametrize("post", [
    {"substitute": {"my-var": "x"}},
    {"substitute": {"NAME\n": "x"}},  # RE2's $ is the end of the text, never before a last newline
    {"substituteFrom": [{"kind": "ConfigMap", "name": "bad"}]},
    {"substituteFrom": [{"kind": "Other", "name": "x"}]},
    {"substituteFrom": [None]},
])
def test_invalid_input_fails_the_kustomization(post: dict) -> None:
    with pytest.raises(InputError) as err:
        collect_variables(spec(**post), finder(cm("bad", {"1NUM": "x"})), KS_FILE, KS_LINE)
    assert (err.value.file, err.value.line) == (KS_FILE, KS_LINE)


def test_non_string_inline_value_is_reported_and_rendered() -> None:
    variables, diags = collect_variables(spec(substitute={"PORT": 8080, "ON": True}), finder(), KS_FILE, KS_LINE)
    assert (variables["PORT"].value, variables["ON"].value) == ("8080", "true")
    assert len(diags) == 2


@pytest.mark.parametrize("post,enabled", [
    (None, False), ({}, False), ({"substitute": {}}, False), ({"substituteFrom": []}, False),
    ({"substitute": {"A": "1"}}, True), ({"substituteFrom": [{"kind": "ConfigMap", "name": "x"}]}, True),
])
def test_substitution_enabled(post, enabled: bool) -> None:
    assert PostBuild.parse(post).enabled is enabled


def deploy(name: str, image: str, **metadata) -> Resource:
    return Resource({"apiVersion": "apps/v1", "kind": "Deployment",
                     "metadata": {"name": name, "namespace": "apps", **metadata},
                     "spec": {"replicas": "${REPLICAS:=1}",
                              "template": {"spec": {"containers": [{"name": name, "image": image}]}}}},
                    f"apps/{name}.yaml", 4)


VARS = {"REPLICAS": Variable("REPLICAS", "3", False, "inline"),
        "TAG": Variable("TAG", "v1.2", False, "ConfigMap flux-system/v"),
        "TOKEN": Variable("TOKEN", None, True, "Secret flux-system/s")}


def test_substitutes_and_parses_back_typed_values() -> None:
    res = substitute_resources([deploy("web", "nginx:${TAG}")], VARS, enabled=True)
    obj = res.resources[0].obj
    assert obj["spec"]["replicas"] == 3  # an int again after the YAML round trip, as in Flux
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:v1.2"
    assert (res.unresolved, res.secret_vars, res.diagnostics) == ([], [], [])
    assert (res.resources[0].file, res.resources[0].line) == ("apps/web.yaml", 4)


def test_disabled_flag_and_objects_without_references_are_untouched() -> None:
    a = deploy("a", "x:${TAG}", labels={"kustomize.toolkit.fluxcd.io/substitute": "disabled"})
    b = deploy("b", "x:${TAG}", annotations={"kustomize.toolkit.fluxcd.io/substitute": "disabled"})
    c = Resource({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}, "ns.yaml", 1)
    res = substitute_resources([a, b, c], VARS, enabled=True)
    assert res.resources[0] is a and res.resources[1] is b and res.resources[2] is c


def test_not_enabled_changes_nothing() -> None:
    r = deploy("a", "x:${TAG}")
    assert substitute_resources([r], VARS, enabled=False).resources[0] is r


def test_secret_and_unresolved_vars_stay_verbatim() -> None:
    r = Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                  "data": {"t": "${TOKEN:=fallback}", "u": "${NOPE}", "d": "${NOPE2:-dflt}", "e": "$${KEEP}",
                           "k": "${TAG^^}", "h": "${NOPE3/./-}.example.com", "s": "${TOKEN:0:4}"}}, "c.yaml", 2)
    res = substitute_resources([r], VARS, enabled=True)
    # a kept reference keeps its operator: ${NOPE3} alone would say the host is the variable's value
    assert res.resources[0].obj["data"] == {"t": "${TOKEN:=fallback}", "u": "${NOPE}", "d": "dflt", "e": "${KEEP}",
                                            "k": "V1.2", "h": "${NOPE3/./-}.example.com", "s": "${TOKEN:0:4}"}
    assert res.unresolved == ["NOPE", "NOPE3"]
    assert res.secret_vars == ["TOKEN"]
    assert res.diagnostics == []


def test_strict_reports_unset_variables() -> None:
    r = Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                  "data": {"u": "${NOPE}", "d": "${NOPE2:-d}"}}, "c.yaml", 2)
    res = substitute_resources([r], VARS, enabled=True, strict=True)
    assert [(d.file, d.line) for d in res.diagnostics] == [("c.yaml", 2)]
    assert '"NOPE"' in res.diagnostics[0].message


def test_double_dollar_alone_triggers_substitution() -> None:
    r = Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                  "data": {"script": "echo $$ pid\nexit 0\n"}}, "c.yaml", 2)
    res = substitute_resources([r], VARS, enabled=True)
    assert res.resources[0].obj["data"]["script"] == "echo $ pid\nexit 0\n"


@pytest.mark.parametrize("data,fragment", [
    ({"bad": "${VAR-default}"}, "variable substitution failed"),
    ({"bad": "${LIST}"}, "not valid YAML"),
])
def test_failures_keep_the_object_and_name_it(data: dict, fragment: str) -> None:
    r = Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "apps"},
                  "data": data}, "apps/c.yaml", 9)
    variables = {"LIST": Variable("LIST", "[unclosed", False, "inline")}
    res = substitute_resources([r], variables, enabled=True)
    assert res.resources[0] is r
    (diag,) = res.diagnostics
    assert (diag.file, diag.line) == ("apps/c.yaml", 9)
    assert fragment in diag.message and "ConfigMap apps/c" in diag.message


def test_multiline_strings_keep_their_lines() -> None:
    text = "line one ${TAG}\n  indented ${TAG:=x}\n\ntail\n"
    r = Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"f": text}},
                 "c.yaml", 1)
    res = substitute_resources([r], VARS, enabled=True)
    assert res.resources[0].obj["data"]["f"] == text.replace("${TAG}", "v1.2").replace("${TAG:=x}", "v1.2")
