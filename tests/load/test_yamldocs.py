from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from flux_wiki.load import ParseCache, Repo, parse_documents
from flux_wiki.load.yamldocs import copy_data
from flux_wiki.model import InputError


def test_lines_of_documents_skip_comments_and_markers() -> None:
    text = "# header\n# more\n---\napiVersion: v1\nkind: A\n---\n\n# c\nkind: B\n...\n---\nkind: C\n"
    docs = parse_documents(text, "f.yaml")
    assert [(d.data["kind"], d.line) for d in docs] == [("A", 4), ("B", 9), ("C", 12)]


def test_content_on_the_marker_line() -> None:
    docs = parse_documents("--- {kind: A}\n--- {kind: B}\n", "f.yaml")
    assert [(d.data["kind"], d.line) for d in docs] == [("A", 1), ("B", 2)]


def test_block_scalar_with_dashes_inside_is_one_document() -> None:
    docs = parse_documents("kind: A\ndata:\n  x: |\n    ---\n    y\n", "f.yaml")
    assert len(docs) == 1 and docs[0].data["data"]["x"] == "---\ny\n"


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(InputError) as err:
        parse_documents("kind: A\n---\nkind: B\nmetadata:\n  name: [x\n  other: 1\n", "bad.yaml")
    assert err.value.file == "bad.yaml" and err.value.line >= 5
    assert "invalid YAML" in err.value.message


def test_yaml11_value_tag_and_redefined_anchor() -> None:
    (doc,) = parse_documents("m: =\na: &x 1\nb: *x\nc: &x 2\nd: *x\n", "f.yaml")
    assert doc.data == {"m": "=", "a": 1, "b": 1, "c": 2, "d": 2}


@given(st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=6), st.integers(0, 3))
def test_every_document_line_points_at_its_kind(kinds: list[str], blanks: int) -> None:
    text = "".join("---\n" + "\n" * blanks + f"kind: {k}\nx: 1\n" for k in kinds)
    docs = parse_documents(text, "f.yaml")
    lines = text.split("\n")
    assert [d.data["kind"] for d in docs] == kinds
    for d in docs:
        assert lines[d.line - 1] == f"kind: {d.data['kind']}"


def test_parse_cache_is_keyed_by_content(tmp_path) -> None:
    f = tmp_path / "a.yaml"
    f.write_text("kind: A\n")
    cache = ParseCache()
    repo = Repo(tmp_path, cache)
    repo.documents("a.yaml")
    repo.documents("a.yaml")
    assert (cache.hits, cache.misses) == (1, 1)
    f.write_text("kind: B\n")
    assert Repo(tmp_path, cache).documents("a.yaml")[0].data["kind"] == "B"
    assert cache.misses == 2


def test_documents_are_copies(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text("kind: A\nspec: {x: 1}\n")
    repo = Repo(tmp_path)
    repo.documents("a.yaml")[0].data["spec"]["x"] = 2
    assert repo.documents("a.yaml")[0].data["spec"]["x"] == 1


def test_repo_refuses_paths_outside(tmp_path) -> None:
    repo = Repo(tmp_path)
    with pytest.raises(InputError):
        repo.resolve("apps", "../../etc", referrer="apps/kustomization.yaml", line=3)
    assert repo.resolve("apps/x", "../y", referrer="k") == "apps/y"



def test_a_date_that_does_not_parse_is_text() -> None:
    """go-yaml resolves a timestamp only when it parses; PyYAML's constructor raised a bare ValueError."""
    (doc,) = parse_documents("a: 2024-13-45\nb: 2024-01-02\n", "f.yaml")
    assert doc.data["a"] == "2024-13-45" and str(doc.data["b"]) == "2024-01-02"


class _Items(list):  # type: ignore[type-arg]
    """A list subclass: copied as a plain list."""


class _Fields(dict):  # type: ignore[type-arg]
    """A dict subclass: copied as a plain dict."""


SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=3))
PARSED = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(_Items),
    st.dictionaries(st.text(max_size=2), inner, max_size=3),
    st.dictionaries(st.text(max_size=2), inner, max_size=3).map(_Fields)), max_leaves=12)


def _collections(value: object) -> list[object]:
    if isinstance(value, dict):
        return [value] + [c for v in value.values() for c in _collections(v)]
    if isinstance(value, list):
        return [value] + [c for v in value for c in _collections(v)]
    return []


@given(PARSED)
def test_copy_data_copies_every_collection_as_a_plain_one(value: object) -> None:
    copied = copy_data(value)
    assert copied == value and repr(copied) == repr(value)
    originals = {id(c) for c in _collections(value)}
    assert all(id(c) not in originals and type(c) in (dict, list) for c in _collections(copied))
