"""The YAML text flux-operator's templates see: sigs.k8s.io/yaml (go-yaml v2) marshalling, reproduced."""

from __future__ import annotations

import pytest
import yaml

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
