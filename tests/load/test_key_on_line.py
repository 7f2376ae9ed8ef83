"""field_line finds a key on a line with two fixed expressions around each place the key occurs
(yamldocs._has_key), as the expression compiled per key it replaced did (issue 14)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.load.yamldocs import _has_key, field_line


def compiled_per_key(line: str, key: str) -> bool:
    return re.compile(r"(?:^|[\s{,\-])[\"']?" + re.escape(key) + r"[\"']?\s*:(?:\s|$)").search(line) is not None


chars = st.sampled_from(list("ab:-{},\"' \t\u00a0#.[]*\\") + ["name", "port", "\u2028"])
texts = st.lists(chars, max_size=14).map("".join)


@settings(max_examples=1500, deadline=None)
@given(texts, st.one_of(texts, st.sampled_from(["name", "a", "a:b", "'a'", "-", " ", ""])))
def test_a_key_is_found_where_the_expression_finds_it(line: str, key: str) -> None:
    assert _has_key(line, key) == compiled_per_key(line, key)


BEFORE = ["", " ", "  ", "-", "- ", "{", ",", "x", "\t", "'", "\"", " '", "-'", "x'", "a{", "name", "name "]
AFTER = [":", ": ", ":x", "':", "' :", " :", "\t: 1", "'' :", ":\u00a0", "", "x:", "'x: "]


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(BEFORE), st.sampled_from(["name", "a", "name: x"]), st.sampled_from(AFTER),
       st.sampled_from(["", " name: 1", " - name:", ", name :"]))
def test_each_context_of_a_key_is_judged_as_the_expression_does(before: str, key: str, after: str, rest: str) -> None:
    line = before + key + after + rest
    assert _has_key(line, key) == compiled_per_key(line, key)


def test_field_line_finds_keys_quoted_in_flow_and_in_lists() -> None:
    text = "kind: Service\nspec:\n  'type': LoadBalancer\n  ports:\n    - {name: web, port: 80}\n    - port: 443\n"
    assert field_line(text, 1, ("spec", "type")) == 3
    assert field_line(text, 1, ("spec", "ports", 1, "port")) == 6
    assert field_line(text, 1, ("spec", "ports", 0, "name")) == 5
