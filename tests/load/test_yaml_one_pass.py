"""The fast paths of the YAML loader answer exactly as the plain ones they stand for.

- a document is built and inspected in one walk (``_construct_tree``); the reference is the inspection
  followed by PyYAML's constructor, which still runs whenever the one walk declines (aliases of
  collections, other tags, merge keys, errors);
- a document with aliases is built after its inspection by ``_construct_graph``; the reference is PyYAML's
  constructor, shared objects included;
- a plain scalar's tag comes from a memo of PyYAML's resolver;
- a document with a redefined anchor is composed in Python over libyaml's events; the reference is the
  pure-Python loader it replaced, which still words the errors of such a document;
- document markers are found by one regular expression over the text; the reference is the split into
  lines it replaced.
"""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings, strategies as st
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from flux_wiki.load import parse_documents
from flux_wiki.model import InputError
from flux_wiki.load import yamldocs
from flux_wiki.load.yamldocs import (_MARKER_LINE, MAX_DEPTH, _AliasBudget, _chunks, _construct_graph,
                                     _construct_tree, _inspect_graph, _inspect_tree, _Loader, _marker_lines)

KEYS = st.sampled_from(["a", "b", "1", "'1'", "true", "~", "=", "<<", "x y", "2024-01-01", "!!str c", "? [k]"])
SCALARS = st.sampled_from(["v", "yes", "No", "1", "0x1F", "1_000", "1:20", ".inf", "-.NaN", "2024-01-01",
                           "2001-12-14t21:59:43.10-05:00", "~", "", "=", "'q'", '"d\\n"', "!!binary aGk=",
                           "!!set {a, b}", "!custom v", "*s", "&s v", "!!int 3", "!!float 1", "[1, {a: b}]",
                           "{a: 1, a: 2}", "'*'", "-", "0o17", "+12", "012", "!!omap [{a: 1}]", "!!str 1"])


@st.composite
def block(draw: st.DrawFn, depth: int = 0, indent: int = 0) -> str:
    """A block node, maybe anchored; aliases may point at a scalar (*s) or a collection (*m)."""
    kind = draw(st.sampled_from(["scalar", "map", "seq", "alias"] if depth < 4 else ["scalar"]))
    pad = " " * indent
    if kind == "scalar":
        return " " + draw(SCALARS)
    if kind == "alias":
        return " *m"
    anchor = draw(st.sampled_from(["", "", " &m"]))
    n = draw(st.integers(1, 3))
    if kind == "map":
        return anchor + "".join(f"\n{pad}{draw(KEYS)}:{draw(block(depth + 1, indent + 2))}" for _ in range(n))
    return anchor + "".join(f"\n{pad}-{draw(block(depth + 1, indent + 2))}" for _ in range(n))


def _compose(text: str) -> tuple[_Loader, yaml.Node]:
    loader = _Loader(text)
    return loader, loader.get_single_node()


def _seen(dups: list) -> list[tuple[str, int, int]]:
    return [(k.value, k.start_mark.line, first.start_mark.line) for k, first in dups]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(KEYS, block()), min_size=1, max_size=4))
def test_one_walk_builds_what_inspection_and_construction_build(pairs: list[tuple[str, str]]) -> None:
    text = "".join(f"{k}:{v}\n" for k, v in pairs)
    try:
        loader, node = _compose(text)
    except yaml.YAMLError:
        return
    dups: list = []
    try:
        data, decoded = _construct_tree(loader, node, dups, shared="*" in text)
    except Exception:  # noqa: BLE001 - declined: the two passes decide, nothing to compare
        return
    finally:
        loader.dispose()
    loader, node = _compose(text)
    ref_dups: list = []
    budget = _AliasBudget()
    try:
        if not _inspect_tree(node, ref_dups, budget, shared="*" in text):
            raise AssertionError("the one walk built a document with a shared collection")
        ref = loader.construct_document(node)
    finally:
        loader.dispose()
    assert repr(data) == repr(ref) and data == ref
    assert _seen(dups) == _seen(ref_dups) and decoded == budget.decoded and budget.aliased == 0


def _sharing(value: object) -> list[int]:
    """Which collections of ``value`` are one object, as first-seen indices in a depth-first walk."""
    order: dict[int, int] = {}
    out = []

    def walk(v: object) -> None:
        if isinstance(v, (dict, list)):
            if id(v) in order:  # met before: its insides were walked then
                out.append(order[id(v)])
                return
            out.append(order.setdefault(id(v), len(order)))
            for x in (v.values() if isinstance(v, dict) else v):
                walk(x)
    walk(value)
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(KEYS, block()), min_size=1, max_size=4))
def test_graph_build_is_pyyamls_construction(pairs: list[tuple[str, str]]) -> None:
    """After the inspection, a document with aliases is built as construct_document builds it, sharing included."""
    text = "".join(f"{k}:{v}\n" for k, v in pairs)
    try:
        loader, node = _compose(text)
    except yaml.YAMLError:
        return
    try:
        if not _inspect_tree(node, [], _AliasBudget(), shared=True):
            _inspect_graph(node, [], _AliasBudget())
        data = _construct_graph(loader, node)
    except Exception:  # noqa: BLE001 - refused or declined: PyYAML's constructor decides, nothing to compare
        return
    finally:
        loader.dispose()
    loader, node = _compose(text)
    try:
        ref = loader.construct_document(node)
    finally:
        loader.dispose()
    assert repr(data) == repr(ref) and data == ref and _sharing(data) == _sharing(ref)


def test_an_alias_is_the_object_its_anchor_built() -> None:
    (doc,) = parse_documents("a: &m {x: [1]}\nb: *m\nc: [*m]\n", "f.yaml")
    assert doc.data["a"] is doc.data["b"] is doc.data["c"][0] and doc.data["a"] == {"x": [1]}


def test_one_walk_orders_duplicate_keys_level_by_level() -> None:
    text = "a:\n  x: 1\n  x: 2\nb: 1\nb: 2\nc:\n  - y: 1\n    y: 2\n"
    loader, node = _compose(text)
    dups: list = []
    _construct_tree(loader, node, dups, shared=False)
    assert _seen(dups) == [("b", 4, 3), ("x", 2, 1), ("y", 7, 6)]


def test_one_walk_declines_what_it_does_not_build() -> None:
    """Shared collections, merge keys, other tags and excess nesting go to the two passes."""
    deep = "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    for text in ("a: &m {x: 1}\nb: *m\n", "a: &m {x: 1}\nb:\n  <<: *m\n", "a: !!set {x}\n", "a: !x 1\n",
                 "? [k]\n: v\n", deep):
        loader, node = _compose(text)
        try:
            _construct_tree(loader, node, [], shared="*" in text)
        except Exception:  # noqa: BLE001
            continue
        finally:
            loader.dispose()
        raise AssertionError(f"built {text!r} in one walk")


@given(st.one_of(st.text(alphabet="0123456789abcdefnoytxNOYTF.-+:_~<=!&* '\"eE", max_size=12), st.text(max_size=6)))
def test_plain_scalar_tags_are_the_resolvers(value: str) -> None:
    reference = yaml.resolver.Resolver()
    loader = _Loader("")
    try:
        for implicit in ((True, False), (False, True)):
            assert loader.resolve(ScalarNode, value, implicit) == reference.resolve(ScalarNode, value, implicit)
            assert loader.resolve(ScalarNode, value, implicit) == reference.resolve(ScalarNode, value, implicit)
        for kind in (MappingNode, SequenceNode):
            assert loader.resolve(kind, None, (True, False)) == reference.resolve(kind, None, (True, False))
    finally:
        loader.dispose()


BROKEN = st.sampled_from(["", "", "", "c: [1, 2\n", "\tc: 1\n", "c: {a: 1\n", "c: \x07\n", "c: *nowhere\n", "- c\n",
                          "c: 'x\n", "c: &s\n" + "  - [" * 60 + "\n"])


def _outcome(text: str) -> object:
    """What parse_documents gives: each document (data, the sharing of its collections, line, repeated keys), or
    the message and line of its error."""
    try:
        return [(repr(d.data), _sharing(d.data), d.line, d.duplicates) for d in parse_documents(text, "f.yaml")]
    except InputError as err:
        return (err.file, err.line, err.message, err.code)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(KEYS, block()), min_size=1, max_size=4), BROKEN)
def test_redefined_anchors_load_as_the_pure_python_loader_loads_them(pairs: list[tuple[str, str]],
                                                                     tail: str) -> None:
    text = "".join(f"{k}:{v}\n" for k, v in pairs) + "r: &s again\nq: &s [*s]\n" + tail
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamldocs, "_LenientLoader", yamldocs._PureLenientLoader)
        expected = _outcome(text)
    assert _outcome(text) == expected


def test_errors_after_a_redefined_anchor_keep_the_pure_python_wording() -> None:
    with pytest.raises(InputError) as err:
        parse_documents("a: &x 1\nb: &x 2\nc: [1, 2\n", "f.yaml")
    assert (err.value.line, err.value.message) == (4, "invalid YAML: expected ',' or ']', but got '<stream end>'")


def test_every_pattern_of_the_resolver_is_tried() -> None:
    """A plain scalar skips the resolver only when no pattern starts with its first character: the values each
    pattern matches, and their first characters alone, get the resolver's tags."""
    values = ["", "~", "null", "Null", "NULL", "yes", "No", "on", "OFF", "y", "n", "true", "False", "1", "-1", "+1",
              "0x1F", "0o7", "0b1", "1_000", "1:20", ".5", "-.inf", ".NaN", "2024-01-01",
              "2001-12-14t21:59:43.10-05:00", "<<", "=", "!", "&", "*"]
    values += list(yaml.resolver.Resolver.yaml_implicit_resolvers.keys() - {None})
    reference = yaml.resolver.Resolver()
    loader = _Loader("")
    try:
        for value in values:
            plain = (True, False)
            assert loader.resolve(ScalarNode, value, plain) == reference.resolve(ScalarNode, value, plain)
    finally:
        loader.dispose()


_MARKER = re.compile(r"^(---|\.\.\.)(?:[ \t].*)?$")


def _chunks_by_lines(text: str) -> list[tuple[int, str]]:
    """The split into lines the regular expression replaced: (first line index, chunk text)."""
    lines = text.split("\n")
    chunks = []
    start = 0
    for i, raw in enumerate(lines):
        if (raw.startswith("---") or raw.startswith("...")) and _MARKER.match(raw.rstrip("\r")):
            chunks.append((start, "\n".join(lines[start:i]) + "\n"))
            rest = raw[3:].strip()
            if raw.startswith("---") and rest and not rest.startswith("#"):
                lines[i] = "   " + raw[3:]
                start = i
            else:
                start = i + 1
    chunks.append((start, "\n".join(lines[start:])))
    return chunks


LINES = st.sampled_from(["---", "--- ", "---\r", "--- a: 1", "--- # c", "---x", "...", "... ", "...\r\r",
                         " ---", "a: 1", "a: 1\r", "", "\r", "# c", "  - x", "--- |", "  ---", "----", "--- \t"])


@settings(max_examples=500, deadline=None)
@given(st.lists(LINES, max_size=10), st.booleans())
def test_markers_split_as_the_lines_did(lines: list[str], final_break: bool) -> None:
    text = "\n".join(lines) + ("\n" if final_break else "")
    found = _chunks(text)
    expected = _chunks_by_lines(text)
    assert [(s, c) for s, c, _ in found if c.strip()] == [(s, c) for s, c in expected if c.strip()]
    for start, _, pos in found:  # the offset is where its first line starts
        assert pos == len("\n".join(text.split("\n")[:start])) + (1 if start else 0)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(LINES, st.text(alphabet="-. \t\r\nab#", max_size=8)), max_size=10))
def test_marker_lines_are_the_expressions_matches(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert [m.span() for m in _marker_lines(text)] == [m.span() for m in _MARKER_LINE.finditer(text)]


def test_a_parse_leaves_nothing_for_the_garbage_collector() -> None:
    """Parsing frees all it made as soon as it is done (no reference cycle, e.g. a recursive closure holding the
    loader and its text): the CLI runs the collector rarely, so a cycle per parsed file would stay in memory."""
    import gc

    plain = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n  l: [1, {x: y}]\n---\nkind: B\n"
    aliased = "a: &m {b: [1, 2]}\nc: *m\nd: &s text\ne: *s\n"  # built by _construct_graph
    gc.collect()
    gc.disable()
    try:
        for text in (plain, aliased, "just a scalar\n"):
            parse_documents(text, "f.yaml")
        assert gc.collect() == 0
    finally:
        gc.enable()
