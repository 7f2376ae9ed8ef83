"""Substitution results kept in the shared parse cache: same answers, independent objects."""

from __future__ import annotations

from flux_wiki.flux.substitute import Variable, substitute_resources
from flux_wiki.load import ParseCache
from flux_wiki.model import Resource


def svc(ip: str = "${LB_IP}") -> Resource:
    return Resource({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "apps"},
                     "spec": {"type": "LoadBalancer", "loadBalancerIP": ip, "ports": [{"port": 80}],
                              "externalName": "${UNSET}", "clusterIP": "${TOKEN}"}}, "apps/web.yaml", 3)


def variables(ip: str) -> dict[str, Variable]:
    return {"LB_IP": Variable("LB_IP", ip, False, "inline"), "TOKEN": Variable("TOKEN", None, True, "Secret x")}


def test_a_shared_cache_gives_the_same_result_and_fresh_objects() -> None:
    cache = ParseCache()
    first = substitute_resources([svc()], variables("10.0.0.1"), enabled=True, strict=True, cache=cache)
    first.resources[0].obj["spec"]["loadBalancerIP"] = "mutated by a later stage"
    again = substitute_resources([svc()], variables("10.0.0.1"), enabled=True, strict=True, cache=cache)
    plain = substitute_resources([svc()], variables("10.0.0.1"), enabled=True, strict=True)
    assert again.resources[0].obj == plain.resources[0].obj
    assert again.resources[0].obj["spec"]["loadBalancerIP"] == "10.0.0.1"
    assert (again.diagnostics, again.unresolved, again.secret_vars) == (
        plain.diagnostics, plain.unresolved, plain.secret_vars) == (plain.diagnostics, ["UNSET"], ["TOKEN"])
    assert len(plain.diagnostics) == 1 and "UNSET" in plain.diagnostics[0].message
    assert len(cache.derived["substitute"]) == 1


def test_other_variables_or_another_object_are_substituted_anew() -> None:
    cache = ParseCache()
    substitute_resources([svc()], variables("10.0.0.1"), enabled=True, cache=cache)
    other = substitute_resources([svc()], variables("10.0.0.2"), enabled=True, cache=cache)
    assert other.resources[0].obj["spec"]["loadBalancerIP"] == "10.0.0.2"
    moved = substitute_resources([svc("${LB_IP}:x")], variables("10.0.0.2"), enabled=True, cache=cache)
    assert moved.resources[0].obj["spec"]["loadBalancerIP"] == "10.0.0.2:x"
    assert len(cache.derived["substitute"]) == 3


def test_a_failed_substitution_is_remembered_with_the_object_s_own_file_and_line() -> None:
    cache = ParseCache()
    bad = Resource({"kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "${BROKEN"}}, "a.yaml", 4)
    moved = Resource(bad.obj, "b.yaml", 9)
    first = substitute_resources([bad], {}, enabled=True, cache=cache)
    second = substitute_resources([moved], {}, enabled=True, cache=cache)
    assert [(d.file, d.line) for d in first.diagnostics + second.diagnostics] == [("a.yaml", 4), ("b.yaml", 9)]
    assert first.diagnostics[0].message == second.diagnostics[0].message
    assert second.resources[0] is moved
