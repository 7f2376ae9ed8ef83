"""Issue 14: the inventory's JSON writer gives json.dumps(indent=2, ensure_ascii=False)'s text, byte for byte."""

from __future__ import annotations

import enum
import json
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.render.indented_json import indented_json


def _long_way(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


_TEXT = st.text(alphabet=st.characters(codec=None), max_size=12) | st.sampled_from(
    ["", "ü", "日本", "\x00", "\x1f", "\x7f", '"', "\\", "\u2028", "\U0001f600", "\ud800", "a\nb\tc"])
_SCALAR = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10 ** 40), max_value=10 ** 40)
           | st.floats() | st.sampled_from([0.0, -0.0, 1e16, 1.5e-7, float("inf"), float("-inf"), float("nan")])
           | _TEXT)
_KEY = _TEXT | st.integers() | st.floats() | st.booleans() | st.none()
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: (st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(_KEY, inner, max_size=4) | st.just([]) | st.just({}) | st.just([[], {}])),
    max_leaves=30)


@settings(max_examples=300)
@given(_VALUE)
def test_indented_json_is_json_dumps(value: object) -> None:
    assert indented_json(value) == _long_way(value)


class Level(enum.IntEnum):
    TWO = 2


class Name(str):
    pass


def test_subclasses_and_empty_containers_are_written_as_json_writes_them() -> None:
    value = {"level": Level.TWO, "name": Name("web"), "ordered": OrderedDict([("b", 1), ("a", [])]), "empty": {},
             "nested": [[], [{}], {"k": ()}], 1.5: None, True: False, None: 0, 7: "seven"}
    assert indented_json(value) == _long_way(value)
    for top in ("text", 3, 2.5, None, True, [], {}):
        assert indented_json(top) == _long_way(top)


@pytest.mark.parametrize("value", [{"x": object()}, [{1, 2}], {(1, 2): "tuple key"}, b"bytes"])
def test_what_json_refuses_is_refused(value: object) -> None:
    with pytest.raises(TypeError) as long_way:
        _long_way(value)
    with pytest.raises(TypeError) as short_way:
        indented_json(value)
    assert str(short_way.value) == str(long_way.value)


def test_flat_containers_written_by_the_c_encoder_keep_subclasses_and_special_floats() -> None:
    """A container of scalars only goes through json's C encoder: the same text for every scalar type."""
    value = {"flat": {"level": Level.TWO, "name": Name("web"), 1.5: float("nan"), True: float("-inf"), None: 10 ** 30,
                      "empty": [], "none": None},
             "items": [Level.TWO, Name("x"), 1e16, "\ud800", "\x7f", {}, ()], "nested": [{"a": "b"}, {"c": [1]}]}
    assert indented_json(value) == _long_way(value)


def test_without_the_c_encoder_the_python_writer_gives_the_same_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from flux_wiki.render import indented_json as module

    monkeypatch.setattr(module, "c_make_encoder", None)
    value = {"flat": {"a": 1, "b": [True, None]}, "list": [{"x": 1.5}, [], {"y": {"z": "ü"}}]}
    assert module.indented_json(value) == _long_way(value)


_FLAT = st.dictionaries(_KEY, _SCALAR | st.just([]) | st.just({}) | st.sampled_from(["},\n  {", "}, {", "{", "}"]),
                        min_size=1, max_size=4)


@settings(max_examples=200)
@given(st.lists(_FLAT, min_size=1, max_size=5), st.integers(min_value=0, max_value=3))
def test_a_list_of_flat_mappings_written_at_once_is_json_dumps(items: list[dict], depth: int) -> None:
    """A list whose items are all non-empty flat mappings is one call of the C encoder, at any depth."""
    value: object = items
    for _ in range(depth):
        value = {"nested": value, "other": [1, {"k": "v"}]}
    assert indented_json(value) == _long_way(value)


def test_a_list_of_text_mappings_met_again_is_written_as_it_stands_there() -> None:
    """A list written once is reused only where it is the same text at the same indentation: ``True`` and ``1``,
    a key ``True`` and ``1``, compare equal but are written otherwise."""
    variables = [{"name": "A", "origin": "ConfigMap x", "secret": False}, {"name": "B", "origin": "y", "secret": None}]
    value = {"first": {"variables": variables}, "again": {"variables": list(variables)},
             "deeper": {"x": {"v": variables}}, "top": variables, "true": [{"x": True}], "one": [{"x": 1}], "float": [{"x": 1.0}],
             "key true": [{True: "v"}], "key one": [{1: "v"}], "true again": [{"x": True}]}
    assert indented_json(value) == _long_way(value)
    assert indented_json([value, value]) == _long_way([value, value])


@settings(max_examples=200)
@given(st.lists(_FLAT, min_size=1, max_size=4) | _VALUE)
def test_a_value_shared_at_several_places_is_written_as_it_stands_at_each(shared: object) -> None:
    """One object met at several indentations (and twice at one), as an inventory shares its variables lists."""
    value = {"a": shared, "b": [shared, {"c": shared, "d": [shared]}], "e": shared}
    assert indented_json(value) == _long_way(value)
