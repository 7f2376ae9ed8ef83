"""The YAML loader's bounds: go-yaml's aliasing rule, nesting depth, duplicate keys, UTF-8 — fast, in-process."""

from __future__ import annotations

import codecs

import pytest

from flux_wiki.load import ParseCache, parse_documents
from flux_wiki.load.yamldocs import MAX_DEPTH, allowed_alias_ratio, decode_text, field_line, load_text
from flux_wiki.model import InputError


def laughs(levels: int = 9) -> str:
    """The classic billion-laughs document: each level holds nine aliases of the one before."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", "data:",
             '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for c in "bcdefghijklmnop"[:levels - 1]:
        lines.append(f"  {c}: &{c} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = c
    return "\n".join(lines) + "\n"


def anchored(items: int, uses: int) -> str:
    """One anchored list of ``items`` scalars, then ``uses`` aliases of it."""
    return ("base: &b [" + ",".join(["x"] * items) + "]\nuses:\n" + "".join("  - *b\n" for _ in range(uses)))


def nested(levels: int, inner: str = "x") -> str:
    return "v: " + "[" * (levels - 1) + inner + "]" * (levels - 1) + "\n"


def test_billion_laughs_is_refused_with_file_and_line() -> None:
    with pytest.raises(InputError) as err:
        parse_documents("# a comment\n---\n" + laughs(), "cm.yaml")
    assert err.value.file == "cm.yaml"
    assert "excessive aliasing" in err.value.message and "invalid YAML" not in err.value.message
    assert 7 <= err.value.line <= 14  # a line of the anchors, not the top of the file


def test_go_yaml_ratio_allows_moderate_and_refuses_excessive_aliasing() -> None:
    # go-yaml: refuse once >100 aliased of >1,000 decoded nodes and the aliased share passes 99%
    (doc,) = parse_documents(anchored(200, 100), "ok.yaml")  # 20,100 of 20,405 nodes: 98.5%
    assert len(doc.data["uses"]) == 100 and doc.data["uses"][0] is doc.data["base"]
    with pytest.raises(InputError, match="excessive aliasing"):
        parse_documents(anchored(200, 1000), "bad.yaml")  # 99.4%
    assert allowed_alias_ratio(1_000) == 0.99 and allowed_alias_ratio(10**7) == 0.10
    assert 0.10 < allowed_alias_ratio(2_000_000) < 0.99


def test_aliasing_counts_across_the_documents_of_a_file() -> None:
    one = anchored(200, 90)
    assert parse_documents(one, "one.yaml")
    with pytest.raises(InputError, match="excessive aliasing") as err:
        parse_documents("---\n".join([one] * 30), "many.yaml")
    assert err.value.line > 92  # not the first document


def test_ordinary_anchors_and_merge_keys_still_load() -> None:
    text = "defaults: &d {a: 1, b: 2}\nx:\n  <<: *d\n  b: 3\ny: *d\n"
    (doc,) = parse_documents(text, "f.yaml")
    assert doc.data["x"] == {"a": 1, "b": 3} and doc.data["y"] == {"a": 1, "b": 2}


def test_an_anchor_that_contains_itself_is_refused() -> None:
    with pytest.raises(InputError, match="contains itself") as err:
        parse_documents("kind: A\nspec: &s\n  self: *s\n", "loop.yaml")
    assert err.value.line in (2, 3)


@pytest.mark.parametrize("style", ["flow", "block"])
def test_nesting_is_bounded(style: str) -> None:
    def text(levels: int) -> str:
        if style == "flow":
            return nested(levels)
        return "v:\n" + "".join("  " * i + "- \n" for i in range(1, levels)).rstrip(" \n") + " x\n"
    assert parse_documents(text(MAX_DEPTH), "ok.yaml")
    for levels in (MAX_DEPTH + 1, 600, 5000):
        with pytest.raises(InputError) as err:
            parse_documents(text(levels), "deep.yaml")
        assert "nest" in err.value.message and err.value.file == "deep.yaml"


def test_nesting_built_from_aliases_is_bounded() -> None:
    half = MAX_DEPTH // 2 + 5
    text = "a: &a " + "[" * half + "x" + "]" * half + "\nb: " + "[" * half + "*a" + "]" * half + "\n"
    with pytest.raises(InputError, match=f"deeper than {MAX_DEPTH}"):
        parse_documents(text, "f.yaml")


def test_deep_nesting_with_a_redefined_anchor_is_a_limit_not_a_recursion_error() -> None:
    """A redefined anchor sends the document to the pure-Python composer, which recurses."""
    text = "a: &x 1\nb: &x 2\nc: " + "[" * 900 + "]" * 900 + "\n"
    with pytest.raises(InputError, match="nest"):
        parse_documents(text, "f.yaml")


def test_duplicate_keys_are_recorded_with_both_lines() -> None:
    (doc,) = parse_documents("kind: A\ndata:\n  a: '1'\n  b: x\n  a: '2'\n", "cm.yaml")
    assert doc.data["data"]["a"] == "2"  # the last one, as sigs.k8s.io/yaml keeps it
    (dup,) = doc.duplicates
    assert (dup.key, dup.line, dup.first_line) == ("a", 5, 3)
    with pytest.raises(InputError) as err:
        doc.require_unique_keys()
    assert (err.value.file, err.value.line) == ("cm.yaml", 5)
    assert 'mapping key "a" already defined at line 3' in err.value.message


def test_duplicate_keys_in_a_later_document_and_a_flow_mapping() -> None:
    docs = parse_documents("kind: A\n---\nkind: B\nm: {x: 1, y: 2, x: 3}\n", "f.yaml")
    assert docs[0].duplicates == ()
    assert [(d.key, d.line) for d in docs[1].duplicates] == [("x", 4)]


def test_load_text_is_lenient_about_duplicates_but_bounded() -> None:
    assert load_text("a: 1\na: 2\n") == {"a": 2}
    with pytest.raises(Exception, match="excessive aliasing"):
        load_text(laughs())


def test_non_utf8_bytes_name_the_line() -> None:
    with pytest.raises(InputError) as err:
        decode_text(b"kind: A\ndata:\n  a: caf\xe9\n", "cm.yaml")
    assert (err.value.file, err.value.line) == ("cm.yaml", 3)
    assert "UTF-8" in err.value.message and "0xe9" in err.value.message
    with pytest.raises(InputError, match="UTF-8"):
        ParseCache().get("cm.yaml", b"kind: \xff\n")


def test_byte_order_marks_are_honoured() -> None:
    assert decode_text(codecs.BOM_UTF8 + b"kind: A\n", "f") == "kind: A\n"
    assert decode_text("kind: \u00e9\n".encode("utf-16"), "f") == "kind: \u00e9\n"
    assert ParseCache().get("f.yaml", codecs.BOM_UTF8 + b"kind: A\n")[0].data == {"kind": "A"}


def test_field_line_finds_keys_and_list_items_in_order() -> None:
    text = ("kind: X\nspec:\n  healthChecks:\n    - kind: A\n      name: a\n    - kind: B\n      name: [b]\n"
            "  sourceRef: {kind: [Git], name: x}\n---\nkind: Y\nspec:\n  late: 1\n")
    assert field_line(text, 1, ("spec", "healthChecks", 1, "name")) == 7
    assert field_line(text, 1, ("spec", "sourceRef", "kind")) == 8  # flow style: the line that holds it
    assert field_line(text, 1, ("spec", "late")) == 2  # never past the end of the document
    assert field_line("- a: 1\n- b: [x]\n", 1, (1, "b")) == 2
