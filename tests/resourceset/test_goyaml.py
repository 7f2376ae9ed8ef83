"""The YAML text flux-operator's templates see: sigs.k8s.io/yaml (go-yaml v2) marshalling, reproduced."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from flux_wiki.flux import goyaml
from flux_wiki.flux.goyaml import TooLarge, go_float, json_normalize, marshal


@pytest.mark.parametrize(("value", "text"), [
    ({"b": 1, "a": {"d": [1, "x"], "c": {}}, "e": []},
     "a:\n  c: {}\n  d:\n  - 1\n  - x\nb: 1\ne: []\n"),
    ([[1, 2], [3], {"k": "v", "j": None}], "- - 1\n  - 2\n- - 3\n- j: null\n  k: v\n"),
    ("plain", "plain\n"),
    ({"k10": 1, "k9": 2, "_x": 3, "K": 4}, "_x: 3\nK: 4\nk9: 2\nk10: 1\n"),
    # ² is no decimal digit to Go (unicode.IsDigit): a rune before the digit run; ٣ is one, worth 0x663 - '0'
    ({"0": 1, "²": 2}, "²: 2\n\"0\": 1\n"),
    ({"k٣": 1, "k9": 2}, "k9: 2\nk٣: 1\n"),
])
def test_layout_keys_and_sequences(value: object, text: str) -> None:
    """go-yaml v2 (encode.go, sorter.go keyList.Less): keys in natural order (digit runs by value,
    non-letters first), sequences not indented under their key, empty collections in flow style."""
    assert marshal(value) == text


@pytest.mark.parametrize(("string", "emitted"), [
    ("true", '"true"'), ("yes", '"yes"'), ("n", '"n"'), ("null", '"null"'), ("", '""'), ("~", '"~"'),
    ("1.10", '"1.10"'), ("0x1F", '"0x1F"'), ("1_000", '"1_000"'), ("2024-01-02", '"2024-01-02"'), ("1:20", '"1:20"'),
    ("x: y", "'x: y'"), ("- a", "'- a'"), ("#c", "'#c'"), ("a #c", "'a #c'"), (" lead", "' lead'"),
    ("it's: x", "'it''s: x'"), ("tab\there", '"tab\\there"'), ("emoji 🙂", '"emoji \\U0001F642"'),
    ("<< inputs.name >>", "<< inputs.name >>"), ('<< replace "." "-" inputs.x >>', '<< replace "." "-" inputs.x >>'),
    ("https:///host", "https:///host"), ("a[0]", "a[0]"), ("ünïcode", "ünïcode"),
])
def test_scalar_quoting(string: str, emitted: str) -> None:
    """emitterc.go analyze_scalar/select_scalar_style and resolve.go: quote only what would not read back
    as the same string (YAML 1.1 booleans, numbers, timestamps, base-60 floats, indicators)."""
    assert marshal({"k": string}) == f"k: {emitted}\n"
    assert yaml.safe_load(marshal({"k": string}))["k"] == string


def test_multiline_strings_are_literal_blocks() -> None:
    """encode.go stringv: a string with a newline is a literal block, with `-`/`+` chomping as needed."""
    assert marshal({"k": "a\nb"}) == "k: |-\n  a\n  b\n"
    assert marshal({"k": "a\nb\n"}) == "k: |\n  a\n  b\n"
    assert marshal({"k": "a\n\n"}) == "k: |+\n  a\n\n"
    assert marshal({"k": {"j": " lead\nx"}}) == "k:\n  j: |2-\n     lead\n    x\n"
    assert marshal({"k": "trailing \nx"}) == 'k: "trailing \\nx"\n'


def test_long_lines_fold_as_go_yaml_v2_does() -> None:
    """go-yaml v2 keeps best_width 80 (sigs.k8s.io/yaml issue #116 and kubernetes issue #32335 show the
    folds): a plain or single-quoted scalar breaks at a space once past column 80."""
    long = "12345678901234567890123456789012345678901234567890123456789012341234567890123456789012345678901234567890123456789012345678901234: .s"
    assert marshal({"a": long}) == f"a: '{long[:-3]}\n  .s'\n"
    ann = {"metadata": {"annotations": {"kubernetes.io/limit-ranger": "LimitRanger plugin set: cpu request for container hostnames"}}}
    assert marshal(ann) == ("metadata:\n  annotations:\n    kubernetes.io/limit-ranger: 'LimitRanger plugin set: cpu request for container\n"
                            "      hostnames'\n")
    words = " ".join(["word"] * 30)
    assert yaml.safe_load(marshal({"k": words}))["k"] == words


@pytest.mark.parametrize(("value", "text"), [
    (1e6, "1e+06"), (123456.0, "123456"), (1234567.5, "1.2345675e+06"), (0.0001, "0.0001"), (1e-05, "1e-05"),
    (1.5, "1.5"), (1e21, "1e+21"), (-2.25, "-2.25"),
])
def test_go_float(value: float, text: str) -> None:
    """strconv.FormatFloat(v, 'g', -1, 64), which fmt's %v prints: %e from exponent 6 or below -4."""
    assert go_float(value) == text


def test_json_round_trip_and_bounds() -> None:
    """The API server stores JSON: integral floats come back as integers; shared YAML aliases are
    copied, within a bound."""
    assert json_normalize({"a": 1.0, "b": 1.5, 3: [2.0]}) == {"a": 1, "b": 1.5, "3": [2]}
    assert marshal({"a": 1.0}) == "a: 1\n"
    layer: object = ["x"] * 10
    for _ in range(8):
        layer = [layer] * 10
    with pytest.raises(TooLarge):
        json_normalize(layer, max_nodes=10_000)


# -- the emitter's whole-string shortcuts write what its character-by-character paths write ------------------------

# characters every shortcut and style turns on: indicators, quotes, escapes, spaces, line breaks of each kind,
# digits (key order, numbers), non-ASCII and unprintable text
_CHARS = st.sampled_from(list("aZz_/.-: #'\"\\\t\n\r09{}[],&*!|>%@`?~<=") + ["\x85", "\u2028", "\xa0", "\ufeff", "é",
                                                                            "\x07", "🙂"])
_TEXT = st.one_of(st.text(_CHARS, max_size=12), st.text(max_size=8),
                  st.lists(st.sampled_from(["word", "x", "lo-ng", "a/b", "1", " ", "  ", "\n"]),
                           max_size=40).map("".join))
_KEYS = st.one_of(_TEXT, st.text("abAZ-./:_09 ", max_size=6))
_SCALARS = st.one_of(_TEXT, st.none(), st.booleans(), st.integers(-10**6, 10**6))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=20)


@settings(max_examples=800, deadline=None)
@given(_VALUES)
def test_shortcuts_write_what_the_character_paths_write(value: object) -> None:
    """Long lines (folding past column 80 depends on where a string starts), keys of every order class, every
    scalar style: the text is the same with the shortcuts off."""
    assert marshal(value) == marshal(value, fast=False)


# words that make every scalar style, to fold at spaces past column 80 (where depends on the key before them)
_WORDS = st.lists(st.sampled_from(["a", "bc", "d-e", " ", "  ", "x: y", "'", '"', "#", "é", "\t", "1"]),
                  max_size=40).map("".join)


@settings(max_examples=800, deadline=None)
@given(st.integers(0, 90), _WORDS, st.booleans())
def test_shortcuts_fold_where_the_character_paths_fold(width: int, text: str, as_key: bool) -> None:
    value = {"k" * width: text, "list": [text, {"k" * width: text}]}
    if as_key:
        value[text] = "v"
    assert marshal(value) == marshal(value, fast=False)


# lines that a literal block holds, ended by each line break go-yaml knows
_BLOCK = st.lists(st.text("ab \u2028", max_size=4), min_size=1, max_size=5).flatmap(
    lambda lines: st.lists(st.sampled_from(["\n", "\u2028", "\u2029", "\n\n"]), min_size=len(lines),
                           max_size=len(lines)).map(lambda ends: "".join(a + b for a, b in zip(lines, ends))))


@settings(max_examples=800, deadline=None)
@given(_BLOCK, st.booleans())
def test_shortcuts_write_literal_blocks_as_the_character_path(text: str, trimmed: bool) -> None:
    text = text.rstrip("\n") + "x" if trimmed else text
    value = {"k": text, "l": [text, [text]]}
    assert marshal(value) == marshal(value, fast=False)


@settings(max_examples=500, deadline=None)
@given(st.from_regex(goyaml._SIMPLE, fullmatch=True))
def test_simple_text_is_allowed_in_every_style(text: str) -> None:
    assert goyaml._analyze_chars(text) == (False, True, True, True)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.from_regex(goyaml._TEXT_ORDERED_KEY, fullmatch=True), max_size=8))
def test_text_ordered_keys_sort_as_go_yaml_sorts_them(keys: list[str]) -> None:
    assert sorted(keys) == sorted(keys, key=goyaml._sort_key)
