"""The inventory's JSON writer is json.dumps(indent=2, ensure_ascii=False), character for character."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.render.inventory import dumps_indented

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text())
keys = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.tuples(inner, inner),
                                                       st.dictionaries(keys, inner, max_size=4)), max_leaves=40)


def reference(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(values)
def test_any_json_value_is_written_as_json_dumps_writes_it(value: object) -> None:
    assert dumps_indented(value) == reference(value)


def test_the_edges_json_dumps_has() -> None:
    value = {"é\u2028\"\\\x00": [math.nan, math.inf, -math.inf, -0.0, 1e100, 10**30], 1.5: {}, None: [],
             True: (), 2: [[]], "nested": {"a": {"b": [None, False]}}}
    assert dumps_indented(value) == reference(value)
    for top in ("x", 3, None, [], {}):
        assert dumps_indented(top) == reference(top)
    with pytest.raises(TypeError):
        dumps_indented({"a": object()})
    with pytest.raises(TypeError):
        dumps_indented({(1, 2): 3})
