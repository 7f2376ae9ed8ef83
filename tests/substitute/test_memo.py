"""Substitution results kept in the shared parse cache: same answers, independent objects."""

from __future__ import annotations

import datetime
import marshal

from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.flux.substitute import Variable, substitute_resources
from flux_wiki.load import ParseCache
from flux_wiki.model import Resource


def svc(ip: str = "${LB_IP}") -> Resource:
    return Resource({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "apps"},
                     "spec": {"type": "LoadBalancer", "loadBalancerIP": ip, "ports": [{"port": 80}],
                              "externalName": "${UNSET}", "clusterIP": "${TOKEN}"}}, "apps/web.yaml", 3)


def variables(ip: str) -> dict[str, Variable]:
    return {"LB_IP": Variable("LB_IP", ip, False, "inline"), "TOKEN": Variable("TOKEN", None, True, "Secret x")}


def test_a_shared_cache_gives_the_same_result_and_the_same_object() -> None:
    """The memo hands its object out uncopied: no later stage changes a substituted object in place
    (tests/simulate/test_shared_objects.py runs whole models on frozen substitution results to keep it so)."""
    cache = ParseCache()
    first = substitute_resources([svc()], variables("10.0.0.1"), enabled=True, strict=True, cache=cache)
    again = substitute_resources([svc()], variables("10.0.0.1"), enabled=True, strict=True, cache=cache)
    plain = substitute_resources([svc()], variables("10.0.0.1"), enabled=True, strict=True)
    assert again.resources[0].obj is first.resources[0].obj
    assert again.resources[0] is not first.resources[0]
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


# -- remembered by the answers about the variables an object uses -------------------------------------------

NAMES = ("A", "B", "C", "D")
pieces = st.sampled_from(["${A}", "${B}", "${C:=dflt}", "${D:-x}", "$$", "text", "a: b", "\n", " ", "3", "true"])
strings = st.lists(pieces, min_size=1, max_size=5).map("".join)
objects = st.dictionaries(st.sampled_from(["a", "b", "c"]), st.one_of(strings, st.lists(strings, max_size=2)),
                          min_size=1).map(lambda data: {"apiVersion": "v1", "kind": "ConfigMap",
                                                        "metadata": {"name": "x"}, "data": data})
# a context: each variable unset, plain with a value, or from a Secret; the values make some results non-strings
contexts = st.dictionaries(st.sampled_from(NAMES), st.one_of(st.none(), st.sampled_from(["1", "v", "on", ""])),
                           max_size=4)


def as_variables(context: dict[str, str | None]) -> dict[str, Variable]:
    return {n: Variable(n, v, v is None, "Secret s" if v is None else "inline") for n, v in context.items()}


@settings(max_examples=150, deadline=None)
@given(st.lists(objects, min_size=1, max_size=3), st.lists(contexts, min_size=2, max_size=4))
def test_a_shared_cache_answers_as_substituting_anew(objs: list[dict], ctxs: list[dict[str, str | None]]) -> None:
    """Kustomizations with other variables share a result only where the variables its objects use agree."""
    cache = ParseCache()
    for i, context in enumerate(ctxs):
        variables = as_variables(context)
        resources = [Resource(obj, f"f{i}.yaml", j + 1) for j, obj in enumerate(objs)]
        kept = substitute_resources(resources, variables, enabled=True, strict=True, cache=cache)
        fresh = substitute_resources(resources, variables, enabled=True, strict=True)
        assert [r.obj for r in kept.resources] == [r.obj for r in fresh.resources]
        assert (kept.unresolved, kept.secret_vars, kept.diagnostics) == (
            fresh.unresolved, fresh.secret_vars, fresh.diagnostics)


def test_variables_an_object_does_not_use_do_not_part_its_result() -> None:
    cache = ParseCache()
    uses_a = {"LB_IP": Variable("LB_IP", "10.0.0.1", False, "inline"), "TOKEN": Variable("TOKEN", None, True, "s")}
    substitute_resources([svc()], {**uses_a, "OTHER": Variable("OTHER", "1", False, "inline")}, enabled=True,
                         cache=cache)
    again = substitute_resources([svc()], {**uses_a, "OTHER": Variable("OTHER", "2", False, "inline")}, enabled=True,
                                 cache=cache)
    assert len(cache.derived["substitute"]) == 1  # the second Kustomization reused the first one's result
    assert again.resources[0].obj["spec"]["loadBalancerIP"] == "10.0.0.1"
    substitute_resources([svc()], {**uses_a, "UNSET": Variable("UNSET", "now set", False, "inline")}, enabled=True,
                         cache=cache)
    assert len(cache.derived["substitute"]) == 2  # a variable it uses changed


def test_a_result_is_reused_only_where_the_same_variables_were_asked() -> None:
    """Nested defaults: were the evaluator to ask only what it needs (``A`` set: ``B`` then ``D``; ``A`` unset:
    ``C`` then ``B``), two runs could ask as many variables with the same answers about other ones; a result is
    reused only when the same variables answer the same."""
    text = "${A:-${C}}${B:-z${D}}"
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": text}}
    cache = ParseCache()
    for context in ({"A": "x", "D": "d"}, {"C": "c", "B": "y"}, {"A": "x", "B": "d"}):
        variables = {n: Variable(n, v, False, "inline") for n, v in context.items()}
        kept = substitute_resources([Resource(obj, "f.yaml", 1)], variables, enabled=True, cache=cache)
        fresh = substitute_resources([Resource(obj, "f.yaml", 1)], variables, enabled=True)
        assert kept.resources[0].obj == fresh.resources[0].obj


def test_an_object_a_run_shares_is_written_out_once() -> None:
    cache = ParseCache()
    seen: dict = {}
    shared, plain = svc(), svc("10.0.0.9")
    plain.obj["metadata"]["name"] = "no-variables"
    plain.obj["spec"] = {"type": "ClusterIP"}
    first = substitute_resources([shared, plain], variables("10.0.0.1"), enabled=True, cache=cache, seen=seen)
    assert cache.counts["substitution objects seen again"] == 0
    again = substitute_resources([shared, plain], variables("10.0.0.2"), enabled=True, cache=cache, seen=seen)
    assert cache.counts["substitution objects seen again"] == 2  # both: one to substitute, one with nothing to
    assert again.resources[0].obj["spec"]["loadBalancerIP"] == "10.0.0.2" and again.resources[1] is plain
    assert first.resources[0].obj["spec"]["loadBalancerIP"] == "10.0.0.1"
    equal = substitute_resources([svc()], variables("10.0.0.3"), enabled=True, cache=cache, seen=seen)
    assert cache.counts["substitution objects seen again"] == 2  # an equal object that is another one: written out
    assert equal.resources[0].obj["spec"]["loadBalancerIP"] == "10.0.0.3"


def test_objects_marshal_refuses_or_that_only_look_substitutable_are_told_apart() -> None:
    """An object is told by its content as marshal writes it, or, with a value marshal refuses (a date YAML read,
    a dict subclass), by its repr: both are substituted and remembered; bytes that hold ``${`` only around two
    strings (marshal's ``{`` opens a mapping) are no reason to substitute."""
    cache = ParseCache()
    dated = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"},
             "data": {"since": datetime.date(2024, 1, 2), "ip": "${LB_IP}"}}
    for obj in (dated, FrozenishDict(svc().obj)):
        for ip in ("10.0.0.1", "10.0.0.1", "10.0.0.2"):
            kept = substitute_resources([Resource(obj, "f.yaml", 1)], variables(ip), enabled=True, cache=cache)
            fresh = substitute_resources([Resource(obj, "f.yaml", 1)], variables(ip), enabled=True)
            assert kept.resources[0].obj == fresh.resources[0].obj
            assert ip in str(kept.resources[0].obj)
    assert len(cache.derived["substitute"]) == 4  # two objects, two answers each
    straddling = Resource({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cost$"},
                           "data": {"price$": {"a": "b"}}}, "f.yaml", 1)
    assert b"${" in marshal.dumps(straddling.obj, 2)
    done = substitute_resources([straddling], variables("10.0.0.1"), enabled=True, cache=cache)
    assert done.resources[0] is straddling


class FrozenishDict(dict):  # type: ignore[type-arg]
    """A dict subclass: marshal refuses it."""
