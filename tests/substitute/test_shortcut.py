"""The substitution shortcut (each string substituted in place) gives exactly what kustomize-controller's round trip
(object to YAML, envsubst on the text, YAML back) gives, or steps aside for the round trip (issue 14)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.flux import substitute as sub
from flux_wiki.flux.envsubst import Budget, Evaluator

from ..support import CORPORA
from .test_corpora import _resources, _variables

# values chosen to change a string's YAML type or structure once substituted
VALUES = ["3", "0755", "0x1F", "1_000", "1:30", "1.5", "1e3", ".inf", "true", "yes", "Off", "~", "null", "",
          "=", "<<", "-", "a: b", "a #b", "#x", "'q'", '"q"', "[a]", "{a}", "*x", "&x", "!t", "|", ">", "%x",
          "@x", "x:", " lead", "trail ", "2024-01-02", "é", "tab\there", "---", "...", "? x", "- x", "plain"]
TEMPLATES = ["${V}", "x${V}", "${V}x", "${V} ${V}", "${V:=d}", "${U:=7}", "${U}", "${S}", "$${V}", "${V", "a$b",
             "${V//a/b}", "${V#*x}", "${V:0:1}", "${V^^}", "k: ${V}", "'${V}'", "${V}\nline", "- ${V}", "# ${V}"]


def both(obj: dict, values: dict[str, str], secret: frozenset[str] = frozenset()) -> tuple[object, object, bool]:
    """(the public result, the round trip's, whether the shortcut took the object)."""
    ev = Evaluator(values.get, False, secret.__contains__, True, Budget())
    try:
        sub._substitute_strings(obj, ev, 0, [sub._SHORTCUT_CHARS])
        took = True
    except (sub._NoShortcut, sub.SubstitutionError):
        took = False
    return (sub._substitute_object(obj, values, secret.__contains__, Budget()),
            sub._round_trip(obj, values, secret.__contains__, Budget()), took)


@given(st.sampled_from(TEMPLATES), st.sampled_from(VALUES), st.sampled_from(["value", "item", "nested"]))
@settings(max_examples=400, deadline=None)
def test_the_shortcut_equals_the_round_trip(template: str, value: str, where: str) -> None:
    field = {"value": {"f": template}, "item": {"f": [template, "k"]}, "nested": {"f": {"g": [{"h": template}]}}}[where]
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n"}, "data": field}
    mine, theirs, _ = both(obj, {"V": value}, frozenset({"S"}))
    assert repr(mine) == repr(theirs)


def test_the_shortcut_types_values_as_yaml_reads_them() -> None:
    obj = {"spec": {"replicas": "${N}", "on": "${B}", "name": "${N}-x", "keep": "${S}"}}
    mine, theirs, took = both(obj, {"N": "3", "B": "true"}, frozenset({"S"}))
    assert took and mine == theirs
    assert mine.obj == {"spec": {"replicas": 3, "on": True, "name": "3-x", "keep": "${S}"}}
    assert mine.kept == {"S"}


def test_keys_quoted_strings_and_blocks_that_would_read_otherwise_take_the_round_trip() -> None:
    for obj in ({"data": {"k": "${V:-a\nb}"}},  # a reference across lines
                {"data": {"k": "${E}\nx"}}, {"data": {"k": "x\n${E}"}},  # a new leading or trailing line break
                {"data": {"k": "x ${E}\ny"}}, {"data": {"k": "\tx\n${V}"}}):  # no literal block for these
        mine, theirs, took = both(obj, {"K": "k", "V": "v", "E": ""})
        assert not took and mine == theirs


def test_a_multi_line_string_is_substituted_line_by_line_in_its_literal_block() -> None:
    obj = {"data": {"nginx.conf": "server_name ${HOST};\n  root /srv/${S};\n\nlisten ${PORT};\n"}}
    mine, theirs, took = both(obj, {"HOST": "a.example", "PORT": "80"}, frozenset({"S"}))
    assert took and mine == theirs
    assert mine.obj["data"]["nginx.conf"] == "server_name a.example;\n  root /srv/${S};\n\nlisten 80;\n"


LINES = ["${V}", "x ${V}", "${V} x", "  ${V}", "${V:=d}", "${U}", "${S}", "$${V}", "${V", "}", "a$", "plain",
         "", " ", "k: ${V}", "# ${V}", "- ${V}", "${V//a/b}", "${V:-a", "b}"]


@given(st.lists(st.sampled_from(LINES), min_size=2, max_size=5).map("\n".join), st.sampled_from(VALUES),
       st.sampled_from(["value", "item", "nested"]))
@settings(max_examples=400, deadline=None)
def test_the_shortcut_equals_the_round_trip_on_multi_line_strings(template: str, value: str, where: str) -> None:
    field = {"value": {"f": template}, "item": {"f": [template, "k"]}, "nested": {"f": {"g": [{"h": template}]}}}[where]
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n"}, "data": field}
    mine, theirs, _ = both(obj, {"V": value}, frozenset({"S"}))
    assert repr(mine) == repr(theirs)


@pytest.mark.corpora
def test_every_corpus_object_is_substituted_as_the_round_trip_does() -> None:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is absent")
    checked = took = 0
    for root in sorted(p for p in CORPORA.iterdir() if p.is_dir()):
        resources = _resources(root)
        values = {n: v.value for n, v in _variables(resources).items()}
        for res in resources:
            if sub._needs_envsubst(res.obj):
                mine, theirs, shortcut = both(res.obj, values)
                assert repr(mine) == repr(theirs), f"{res.file}:{res.line}"
                checked += 1
                took += shortcut
    assert checked > 100 and took > checked // 2  # the shortcut is the common case


def test_a_string_the_dumper_quotes_is_substituted_inside_its_quotes() -> None:
    # single quotes: not plain (a mapping indicator, a leading `*`, a trailing space); double quotes: a line
    # break but no literal block (a space before a line break)
    obj = {"data": {"a": "a: ${V}", "b": "*.${V}", "c": "${V} ", "d": "x ${V} \ny \"${V}\"\n"}}
    mine, theirs, took = both(obj, {"V": "v"})
    assert took and mine == theirs
    assert mine.obj["data"] == {"a": "a: v", "b": "*.v", "c": "v ", "d": "x v \ny \"v\"\n"}


QUOTED_LINES = ["${V}", "${V} ", " ${V}", "'${V}'", '"${V}"', "a: ${V}", "*${V}", "\\${V}", "${V}\\", "x\\n${V}",
                "${V:-it''s}", '${V:-"d"}', "${U:-a\\/b}", "${V", "}", "$", "$$", "${S} ", "k ", ""]
QUOTED_VALUES = ["v", "", "'", "''", '"', "\\", "\\n", "\\t", "a'b", 'a"b', " ", "#x", "tab\there", "é", "3"]


@given(st.lists(st.sampled_from(QUOTED_LINES), min_size=1, max_size=4).map("\n".join), st.sampled_from(QUOTED_VALUES),
       st.sampled_from(["value", "item"]))
@settings(max_examples=500, deadline=None)
def test_the_shortcut_equals_the_round_trip_on_quoted_strings(template: str, value: str, where: str) -> None:
    field = {"value": {"f": template}, "item": {"f": [template, "k"]}}[where]
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n"}, "data": field}
    mine, theirs, _ = both(obj, {"V": value}, frozenset({"S"}))
    assert repr(mine) == repr(theirs)


def test_a_key_is_substituted_as_the_plain_key_it_is_written_as() -> None:
    obj = {"data": {"${K}": "v", "b": "w", "${N}": "n", "c": "x"}}
    mine, theirs, took = both(obj, {"K": "b", "N": "3"})
    assert took and mine == theirs
    assert list(mine.obj["data"].items()) == [("b", "w"), (3, "n"), ("c", "x")]  # a repeated key: the last value
    for key in ("'${K}'", "${K}: x", "k" * 130 + "${K}"):  # quoted, or an explicit key (`? `): the round trip
        mine, theirs, took = both({"data": {key: "v"}}, {"K": "b"})
        assert not took and mine == theirs


KEYS = ["${V}", "${K}", "x-${V}", "${U:=u}", "${U}", "${S}", "$${V}", "a", "3", "${V", "k${V}k", "'${V}'", "${V}: x",
        "- ${V}", "${V} ", "*${V}", "<<"]


@given(st.dictionaries(st.sampled_from(KEYS), st.sampled_from(TEMPLATES + ["a"]), min_size=1, max_size=4),
       st.sampled_from(VALUES + ["a", "3", "<<", "="]), st.sampled_from(["a", "x", "3"]))
@settings(max_examples=400, deadline=None)
def test_the_shortcut_equals_the_round_trip_on_keys(data: dict, value: str, other: str) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n"}, "data": data}
    mine, theirs, _ = both(obj, {"V": value, "K": other}, frozenset({"S"}))
    assert repr(mine) == repr(theirs)


@given(st.text(st.sampled_from(['a', "n", "\\", '"', "\n", " "]), max_size=16))
@settings(max_examples=400, deadline=None)
def test_a_double_quoted_scalar_unescapes_as_yaml_reads_it(text: str) -> None:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    assert sub._DOUBLE_ESCAPED.fullmatch(escaped)
    assert sub._unescape_double(escaped) == yaml.safe_load(f'"{escaped}"') == text
