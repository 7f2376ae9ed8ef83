"""envsubst against the cases of fluxcd/pkg envsubst (eval_test.go, parse_test.go) and Flux's strict mode."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flux_wiki.flux import envsubst as m
from flux_wiki.flux.envsubst import SubstitutionError, envsubst, parse

STRING_Z = {"stringZ": "abcABC123ABCabc"}

# (params, input, output) as in fluxcd/pkg envsubst/eval_test.go
UPSTREAM = [
    ({}, "abcdEFGH28ij", "abcdEFGH28ij"),
    ({"var01": "abcdEFGH28ij"}, "${#var01}", "12"),
    ({"var01": "abcdEFGH28ij"}, "${var01^}", "AbcdEFGH28ij"),
    ({"var01": "abcdEFGH28ij"}, "${var01^^}", "ABCDEFGH28IJ"),
    ({"var01": "ABCDEFGH28IJ"}, "${var01,}", "aBCDEFGH28IJ"),
    ({"var01": "ABCDEFGH28IJ"}, "${var01,,}", "abcdefgh28ij"),
    ({"p": "/home/bozo/ideas/thoughts.for.today"}, "${p:11}", "ideas/thoughts.for.today"),
    ({"p": "/home/bozo/ideas/thoughts.for.today"}, "${p:11:5}", "ideas"),
    ({"var": "abc"}, "${var=xyz}", "abc"),
    ({}, "${var=xyz}", "xyz"),
    ({"default_var": "foo"}, "something ${var=${default_var}}", "something foo"),
    ({"default_var": "foo1"}, "foo: ${var=${default_var}-suffix}", "foo: foo1-suffix"),
    ({"default_var": "foo1"}, "foo: ${var=prefix${default_var}-suffix}", "foo: prefixfoo1-suffix"),
    ({}, "${var:=xyz}", "xyz"),
    (STRING_Z, "${stringZ/%abc/XYZ}", "abcABC123ABCXYZ"),
    (STRING_Z, "${stringZ/#abc/XYZ}", "XYZABC123ABCabc"),
    (STRING_Z, "${stringZ//abc/xyz}", "xyzABC123ABCxyz"),
    (STRING_Z, "${stringZ/abc/xyz}", "xyzABC123ABCabc"),
    ({"f": "bash.string.txt"}, "${f#*.}", "string.txt"),
    ({"f": "path/to/file"}, "${f#*/}", "to/file"),
    ({"f": "/path/to/file"}, "${f#*/}", "path/to/file"),
    ({"f": "bash.string.txt"}, "${f##*.}", "txt"),
    ({"f": "path/to/file"}, "${f##*/}", "file"),
    ({"f": "/path/to/file"}, "${f##*/}", "file"),
    ({"f": "bash.string.txt"}, "${f%.*}", "bash.string"),
    ({"f": "bash.string.txt"}, "${f%%.*}", "bash"),
    ({"var01": "abcdEFGH28ij"}, "${var=${var01^^}}", "ABCDEFGH28IJ"),
    ({"var01": "abcdEFGH28ij"}, "$${var01}", "${var01}"),
    ({"var01": "abcdEFGH28ij"}, "some text ${var01}$${var$${var01}$var01${var01}",
     "some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij"),
    ({"default_var": "foo"}, "something $${var=${default_var}}", "something ${var=foo}"),
    ({"stringZ": "foo/bar"}, r"${stringZ/\//-}", "foo-bar"),
    ({"stringZ": "foo/bar/baz"}, r"${stringZ//\//-}", "foo-bar-baz"),
    ({"default_var": "foo"}, r"\\something ${var=${default_var}}", r"\\something foo"),
    ({"stringZ": "foo.bar"}, "${stringZ/./}", "foobar"),
]


@pytest.mark.parametrize("params,text,want", UPSTREAM, ids=[c[1] for c in UPSTREAM])
def test_upstream_cases(params: dict[str, str], text: str, want: str) -> None:
    assert envsubst(text, params.get) == want


@pytest.mark.parametrize("text,want", [
    ("${v:-d}", "d"), ("${v:=d}", "d"), ("${v=d}", "d"),
    ("${v:?d}", "d"), ("${v:+d}", "d"),  # Flux maps these to its default function too
    ("${v:1}", ""), ("${v^^}", ""), ("${v}", ""), ("${#v}", "0"),
])
def test_unset_without_strict(text: str, want: str) -> None:
    assert envsubst(text, {}.get) == want


@pytest.mark.parametrize("text,value,want", [
    ("${v:1:3}", "abcdef", "bcd"), ("${v:-2}", "abcdef", "abcdef"),  # ':-' is a default, not a negative offset
    ("${v: -2}", "abcdef", "abcdef"), ("${v:10}", "abc", ""), ("${v:1:99}", "abc", "bc"),
    ("${v:x}", "abc", "abc"), ("${v/#x/y}", "abc", "abc"), ("${v/%c/Z}", "abcabc", "abcabZ"),
    ("${v/b/}", "abcb", "acb"), ("${v#[ab]}", "abc", "bc"), ("${v##[!a]}", "abc", "bc"),
    ("${v#[^a]}", "bcd", "cd"), ("${v#*}", "abc", "bc"), ("${v%%b*}", "abcb", "a"), ("${v:+alt}", "set", "set"), ("${v=}", "", ""),
])
# Go semantics, not bash: strconv.Atoi rejects " -2"; path.Match negates with '^' ('!' is a literal)
def test_string_functions(text: str, value: str, want: str) -> None:
    assert envsubst(text, {"v": value}.get) == want


# an empty pattern (fluxcd/pkg parse.go, for fluxcd/pkg#947): '/#' prepends, '/%' appends, '//' inserts everywhere
@pytest.mark.parametrize("text,want", [("${v/#/p-}", "p-ab"), ("${v/%/-s}", "ab-s"), ("${v///x}", "xaxbx"),
                                       ("${v/#/}", "ab")])
def test_empty_replace_pattern(text: str, want: str) -> None:
    assert envsubst(text, {"v": "ab"}.get) == want


# fluxcd/pkg#1275 (Flux 2.9.x): a negative length counts back from the end, as in bash; past the offset, empty
@pytest.mark.parametrize("text,want", [
    ("${v:2:-1}", "llo worl"), ("${v:0:-3}", "hello wo"), ("${v:8:-8}", ""), ("${v:-4:-1}", "hello world"),
    ("${v:6:-4}", "w"), ("${v:1:-10}", ""), ("${v:0:-11}", ""), ("${v:0:-12}", ""),
])
def test_negative_substring_length(text: str, want: str) -> None:
    assert envsubst(text, {"v": "hello world"}.get) == want


@pytest.mark.parametrize("text", [
    "${VAR-default}", "${VAR+x}", "${bad-name}", "${", "${x", "${}", "${ x}", "${x:}", "${x/a}", "${#}",
    "${x//b}", "${#x:1}", "${x//}",
    "a: ${x\nb: c",
])
def test_syntax_flux_rejects(text: str) -> None:
    with pytest.raises(SubstitutionError):
        envsubst(text, {"x": "1", "VAR": "v"}.get)


@pytest.mark.parametrize("text", ["$x", "$ {x}", "}", "${x}}", "$", "a$", "$1", "\\${x}"])
def test_text_that_is_not_a_reference(text: str) -> None:
    got = envsubst(text, {"x": "1"}.get)
    assert got == text.replace("${x}", "1")


def test_strict_fails_only_without_default() -> None:
    assert envsubst("${v:-fb} ${w:=fb2} ${u=fb3}", {}.get, strict=True) == "fb fb2 fb3"
    # fluxcd/pkg#1167's isDefaultOp: ':?' and ':+' handle the unset case too (both give their word)
    assert envsubst("${v:?fb} ${w:+fb2}", {}.get, strict=True) == "fb fb2"
    assert envsubst("${v}", {"v": ""}.get, strict=True) == ""
    for text in ("${VALUE}", "${VALUE^^}", "${out%% *}", "${#VALUE}"):
        with pytest.raises(SubstitutionError, match='variable not set \\(strict mode\\): "'):
            envsubst(text, {}.get, strict=True)


def test_keep_leaves_reference_as_written_with_its_arguments_substituted() -> None:
    lookup = {"A": "a"}.get
    got = envsubst("${S} ${S:=x} ${S^^} ${A} ${#S} ${S:=${A}-${S}}", lookup, keep=lambda n: n == "S")
    assert got == "${S} ${S:=x} ${S^^} a ${#S} ${S:=a-${S}}"


@pytest.mark.parametrize("text", [
    "${S/./-}", "${S//./-}", "${S/#a/b}", "${S/#/p-}", "${S/%a/}", r"${S/\//-}", "${S^}", "${S,,}", "${#S}", "${S:1}",
    "${S:1:-2}", "${S#*.}", "${S##*.}", "${S%.*}", "${S%%.*}", "${S=d}", "${S:-d}", "${S:?d}", "${S:+d}",
])
def test_a_kept_reference_reads_back_as_the_same_expression(text: str) -> None:
    """What a page shows for a Secret-sourced variable is the expression Flux evaluates, not just its name."""
    got = envsubst(text, {}.get, keep=lambda n: n == "S")
    assert got == text
    value = "a.b/c.a"
    assert envsubst(got, {"S": value}.get) == envsubst(text, {"S": value}.get)


def test_keep_unset_keeps_reference_unless_default() -> None:
    got = envsubst("${U} ${U:=d} ${U,,} ${D:-x} ${U:+p} ${U:?q}", {"D": "set"}.get, keep_unset=True)
    assert got == "${U} d ${U,,} set p q"


NO_DOLLAR = st.text(st.characters(blacklist_characters="$", blacklist_categories=("Cs",)), max_size=60)
SAFE_VALUE = st.text(st.characters(blacklist_characters="$\x00", blacklist_categories=("Cs",)), max_size=20)
NAMES = st.from_regex(r"[_A-Za-z][_A-Za-z0-9]{0,6}", fullmatch=True)


@settings(max_examples=150)
@given(NO_DOLLAR)
def test_text_without_dollar_is_unchanged(text: str) -> None:
    assert envsubst(text, {"x": "1"}.get, strict=True) == text


@settings(max_examples=150)
@given(st.lists(st.one_of(NO_DOLLAR, st.just("$$")), max_size=8))
def test_double_dollar_escapes(parts: list[str]) -> None:
    text = "".join(parts)
    assert envsubst(text, {}.get) == "".join("$" if p == "$$" else p for p in parts)


@settings(max_examples=150)
@given(st.lists(st.tuples(NO_DOLLAR, NAMES), max_size=6), st.dictionaries(NAMES, SAFE_VALUE, max_size=6))
def test_substitution_is_idempotent_for_values_without_dollar(pairs: list[tuple[str, str]],
                                                              values: dict[str, str]) -> None:
    text = "".join(f"{t}${{{n}}}" for t, n in pairs)
    once = envsubst(text, values.get, keep_unset=True)
    assert envsubst(once, values.get, keep_unset=True) == once
    expected = "".join(t + values.get(n, "${" + n + "}") for t, n in pairs)
    assert once == expected


def _reference_parse_any(text: str) -> list:
    """Go's parseAny driven through the character scanner, to check the str.find fast path against."""
    parser = m._Parser(text)
    s = parser.s
    nodes: list = []
    while True:
        s.accept = m._accept_rune
        s.mode = m._M_IDENT | m._M_LBRACK | m._M_ESCAPE
        s.escape_chars = m._E_DOLLAR
        tok = s.scan()
        if tok == m._T_IDENT:
            nodes.append(m._Text(s.string()))
        elif tok == m._T_EOF:
            return nodes
        elif tok == m._T_LBRACK:
            nodes.append(parser._func())
        else:
            raise SubstitutionError("bad substitution")


def _flatten(node) -> list:
    items = node.nodes if isinstance(node, m._List) else [node]
    out: list = []
    for n in items:  # adjacent text tokens are one text
        if isinstance(n, m._Text) and out and isinstance(out[-1], m._Text):
            out[-1] = m._Text(out[-1].value + n.value)
        elif not (isinstance(n, m._Text) and n.value == ""):
            out.append(n)
    return out


@settings(max_examples=300)
@given(st.text(alphabet="${}a:=-/#%\\ \n", max_size=30))
def test_fast_top_level_scan_matches_the_go_scanner(text: str) -> None:
    try:
        want = _flatten(m._List(_reference_parse_any(text)))
    except SubstitutionError:
        with pytest.raises(SubstitutionError):
            parse(text)
        return
    assert _flatten(parse(text)) == want


def test_a_text_is_parsed_once_and_its_tree_serves_every_evaluation() -> None:
    """The same strings are substituted in every Kustomization that builds them: the tree is parsed once per
    text, and evaluating it with other variables gives each its own answer."""
    text = "https://${APP}.${DOMAIN:=example.com}/x"
    assert parse(text) is parse(text)
    assert envsubst(text, {"APP": "a"}.get) == "https://a.example.com/x"
    assert envsubst(text, {"APP": "b", "DOMAIN": "lan"}.get) == "https://b.lan/x"
    with pytest.raises(SubstitutionError):
        parse("${BROKEN")
    with pytest.raises(SubstitutionError):  # a failure is not remembered as a tree
        parse("${BROKEN")


def test_the_parse_memo_forgets_the_oldest_texts_past_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    memo = m._ParseMemo()
    monkeypatch.setattr(memo, "MAX_CHARS", 10)
    first = memo.parse("${AAAA}")
    assert memo.parse("${AAAA}") is first
    memo.parse("${BBBB}")  # 14 characters in all: the first is forgotten
    assert list(memo.trees) == ["${BBBB}"] and memo.chars == 7
    assert memo.parse("${AAAA}") is not first and memo.parse("${AAAA}") == first
    memo.parse("${" + "C" * 20 + "}")  # longer than the bound: parsed, not kept
    assert "${" + "C" * 20 + "}" not in memo.trees


def _scanned_tree(text: str) -> object:
    try:
        return repr(m._Parser(text).parse())  # a _List compares by identity: its text shows its nodes
    except SubstitutionError as err:
        return str(err)


@settings(max_examples=300)
@given(st.text(alphabet="${}aZ9_é:=-/#%^,", max_size=24))
@example("${A_9}")
@example("x${9}y${z}")
@example("${a:}")
@example("${a:-${b}}")
@example("${aé}")
@example("${#a}")
@example("${a=${b}${c}-x}")
@example("${a/${b}/${c}}")
@example("${a")
@example("${}")
def test_a_plain_reference_read_at_once_is_what_the_scanner_reads(text: str) -> None:
    """``${NAME}`` is read in one match: the same tree (or error) as the scanner's steps give, nested or not."""
    fast = _scanned_tree(text)
    saved = m._SIMPLE_REFERENCE
    m._SIMPLE_REFERENCE = re.compile(r"(?!)")  # matches nothing: every reference goes through the scanner
    try:
        slow = _scanned_tree(text)
    finally:
        m._SIMPLE_REFERENCE = saved
    assert fast == slow
