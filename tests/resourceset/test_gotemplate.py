"""The Go text/template subset and the slim-sprig functions flux-operator renders ResourceSets with."""

from __future__ import annotations

from typing import Any

import pytest

from flux_wiki.flux.gotemplate import Budget, NotSimulated, TemplateError, TemplateLimit, render
from flux_wiki.flux.sprig import function_map

INPUTS = {"tenant": "team1", "name": "a", "list": [1, 2, 3, 4, 5], "deps": ["x", "y"], "n": None,
          "chart": {"url": "oci://ghcr.io/x"}, "replicas": 3, "flag": False, "semver": ">=1.0.0-rc.0",
          "gateways": [{"name": "internal", "namespace": "network"}], "dict": {"user": {"role": {"humanName": "admin"}}}}


def run(text: str, inputs: Any = INPUTS) -> str:
    return render(text, function_map(lambda: inputs), left="<<", right=">>").text


@pytest.mark.parametrize("text", [
    '<<"\\"output\\"">>', '<<`"output"`>>', '<<printf "%q" "output">>', '<<"output" | printf "%q">>',
    '<<printf "%q" (print "out" "put")>>', '<<"put" | printf "%s%s" "out" | printf "%q">>',
    '<<"output" | printf "%s" | printf "%q">>', '<<with "output">><<printf "%q" .>><<end>>',
    '<<with $x := "output" | printf "%q">><<$x>><<end>>', '<<with $x := "output">><<printf "%q" $x>><<end>>',
    '<<with $x := "output">><<$x | printf "%q">><<end>>',
])
def test_go_text_template_doc_examples(text: str) -> None:
    """The pipeline examples of Go's text/template package documentation ("Examples"): all print "output"."""
    assert run(text) == '"output"'


@pytest.mark.parametrize(("text", "out"), [
    ("a <<- 1 ->> b", "a1b"), ("a << 1 >> b", "a 1 b"), ("a\n  <<- /* note */ ->>\n b", "ab"),
    ("<< if and 1 0 >>y<< else >>n<< end >>", "n"), ("<< or 0 \"\" \"z\" >>", "z"), ("<< not 0 >>", "true"),
    ("<< if eq 1 2 >>a<< else if eq 2 2 >>b<< else >>c<< end >>", "b"),
    ("<< range $i, $v := inputs.deps >><< $i >>=<< $v >>;<< end >>", "0=x;1=y;"),
    ("<< range inputs.deps >><< . >><< else >>none<< end >>|<< range inputs.n >>x<< else >>none<< end >>", "xy|none"),
    ("<< range $k, $v := inputs.chart >><< $k >>:<< $v >><< end >>", "url:oci://ghcr.io/x"),
    ("<< range $d := inputs.list >><< if eq $d 2 >><< continue >><< end >><< if eq $d 4 >><< break >><< end >><< $d >><< end >>", "13"),
    ("<< $x := 1 >><< if true >><< $x = 2 >><< end >><< $x >>", "2"),
    ("<< with inputs.n >>x<< else with inputs.name >><< . >><< end >>", "a"),
    ('<< define "t" >>[<< . >>]<< end >><< template "t" inputs.name >>', "[a]"),
    ("<< index inputs \"deps\" 1 >> << len inputs.deps >> << index inputs \"missing\" >> << inputs.n >>", "y 2 <no value> <no value>"),
    ("<< print 1 2 \"a\" 3 >>|<< println \"a\" 1 >>", "1 2a3|a 1\n"),
    ("<< printf \"%05.1f|%-4s|%d|%v|%t\" 3.14159 \"ab\" 7 inputs.deps true >>", "003.1|ab  |7|[x y]|true"),
    ("<< printf \"%d\" \"x\" >>", "%!d(string=x)"), ("<< printf \"%s\" inputs.replicas >>", "%!s(int64=3)"), ("<< inputs.chart >>", "map[url:oci://ghcr.io/x]"),
    ("<< 1.5 >> << 010 >> << 0x1F >> << 1e3 >> << 'a' >>", "1.5 8 31 1000 97"),
    ("<< lt 1 2 >> << ge 2.5 2.5 >> << ne \"a\" \"b\" >>", "true true true"),
])
def test_go_template_semantics(text: str, out: str) -> None:
    """text/template exec.go and funcs.go: trim markers, comments, short-circuit and/or, else-if chains,
    range with variables/else/break/continue, assignment, with/else with, define/template, index/len,
    fmt's printing (nil is <no value> at the top, maps sorted), number literals."""
    assert run(text) == out


@pytest.mark.parametrize(("text", "out"), [
    ('<< trim "   hello    " >>', "hello"), ('<< trimAll "$" "$5.00" >>', "5.00"), ('<< trimSuffix "-" "hello-" >>', "hello"),
    ('<< upper "hello" >>', "HELLO"), ('<< lower "HELLO" >>', "hello"), ('<< title "hello world" >>', "Hello World"),
    ('<< repeat 3 "hello" >>', "hellohellohello"), ('<< substr 0 5 "hello world" >>', "hello"),
    ('<< trunc 5 "hello world" >>', "hello"), ('<< trunc -5 "hello world" >>', "world"),
    ('<< contains "cat" "catch" >>', "true"), ('<< hasPrefix "cat" "catch" >>', "true"),
    ('<< cat "hello" "beautiful" "world" >>', "hello beautiful world"),
    ('<< "I Am Henry VIII" | replace " " "-" >>', "I-Am-Henry-VIII"), ('<< len "fish" | plural "one anchovy" "many anchovies" >>', "many anchovies"),
    ('<< regexMatch "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\\\.[A-Za-z]{2,}" "test@acme.com" >>', "true"),
    ('<< regexFindAll "[2,4,6,8]" "123456789" -1 >>', "[2 4 6 8]"), ('<< regexFind "[a-zA-Z][1-9]" "abcd1234" >>', "d1"),
    ('<< regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" >>', "-W-xxW-"), ('<< regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" >>', "---"),
    ('<< regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" >>', "-${1}-${1}-"), ('<< regexSplit "z+" "pizza" -1 >>', "[pi a]"),
    ('<< quote "a" 1 >> << squote "b" >>', '"a" "1" \'b\''), ('<< "x" | indent 2 >>|<< "x" | nindent 2 >>', "  x|\n  x"),
    ('<< default "foo" "" >> << default "foo" "bar" >> << empty 0 >> << coalesce 0 "" "z" >>', "foo bar true z"),
    ('<< ternary "foo" "bar" true >> << ternary "foo" "bar" false >>', "foo bar"),
    ('<< $d := dict "name1" "value1" "name2" "value2" >><< get $d "name1" >> << hasKey $d "name2" >> << keys $d | sortAlpha >> << pick $d "name1" >> << omit $d "name1" >>',
     "value1 true [name1 name2] map[name1:value1] map[name2:value2]"),
    ('<< dig "user" "role" "humanName" "guest" inputs.dict >> << dig "user" "nope" "guest" inputs.dict >>', "admin guest"),
    ("<< first inputs.list >> << rest inputs.list >> << last inputs.list >> << initial inputs.list >>", "1 [2 3 4 5] 5 [1 2 3 4]"),
    ("<< append inputs.list 6 >> << prepend inputs.list 0 >> << concat inputs.list (list 6 7) (list 8) >>",
     "[1 2 3 4 5 6] [0 1 2 3 4 5] [1 2 3 4 5 6 7 8]"),
    ('<< reverse inputs.list >> << list 1 1 1 2 | uniq >> << without inputs.list 3 >> << has 4 inputs.list >> << compact (list 1 "a" "foo" "") >>',
     "[5 4 3 2 1] [1 2] [1 2 4 5] true [1 a foo]"),
    ("<< slice inputs.list 1 3 >> << until 5 >> << untilStep 3 6 2 >> << seq 5 >> << chunk 3 (list 1 2 3 4 5 6 7 8) >>",
     "[2 3] [0 1 2 3 4] [3 5] 1 2 3 4 5 [[1 2 3] [4 5 6] [7 8]]"),
    ("<< seq -3 >>|<< seq 0 2 >>|<< seq 2 -2 >>|<< seq 0 2 10 >>|<< seq 0 -2 -5 >>|<< until -3 >>",
     "1 0 -1 -2 -3|0 1 2|2 1 0 -1 -2|0 2 4 6 8 10|0 -2 -4|[0 -1 -2]"),
    ("<< add 1 2 3 >> << sub 5 2 >> << mul 2 3 4 >> << div 7 2 >> << mod 7 2 >> << max 1 5 3 >> << min 4 2 >> << add1 inputs.replicas >>",
     "6 3 24 3 1 5 2 4"),
    ('<< round 123.555555 3 >> << round 123.444 1 >> << floor 123.9999 >> << ceil 123.001 >> << int "42" >> << atoi "x" >> << float64 "1.5" >>',
     "123.556 123.4 123 124 42 0 1.5"),
    ('<< b64enc "hi" >> << b64dec "aGk=" >> << sha256sum "hi" | trunc 8 >> << adler32sum "foo" >>', "aGk= hi 8f434346 42074437"),
    ('<< base "a/b.txt" >> << dir "a/b.txt" >> << ext "a/b.txt" >> << clean "a//b/../c" >>', "b.txt a .txt a/c"),
    ('<< toJson inputs.chart >> << splitList "," "a,b" >> << split "," "a,b" >> << join "-" inputs.deps >>',
     '{"url":"oci://ghcr.io/x"} [a b] map[_0:a _1:b] x-y'),
    ("<< typeOf inputs.replicas >> << kindOf inputs.deps >> << kindIs \"map\" inputs.chart >>", "int64 slice true"),
])
def test_sprig_functions_as_documented(text: str, out: str) -> None:
    """Masterminds sprig docs (strings.md, defaults.md, dicts.md, lists.md, integer_slice.md, math.md,
    encoding.md, paths.md), whose functions go-task/slim-sprig keeps (functions.go genericMap); regex
    functions with RE2, Go's engine. (integer_slice.md prints `seq 5` as 0..5; the code gives 1..5.)"""
    assert run(text) == out


def test_flux_operator_functions() -> None:
    """flux-operator internal/builder/resourceset.go: `slugify` (testdata/resourceset/slugify.golden.yaml:
    ">=1.0.0-rc.0" -> 1-0-0-rc-0), `toYaml` (sigs.k8s.io/yaml, newline kept) with `nindent` as its docs show,
    and `get ... | default` for optional inputs (docs/api/v1/resourceset.md)."""
    assert run("<< inputs.semver | slugify >>") == "1-0-0-rc-0"
    assert run("<< slugify \"Hello World & Co\" >>") == "hello-world-and-co"
    assert run("parentRefs: << inputs.gateways | toYaml | nindent 4 >>") == (
        "parentRefs: \n    - name: internal\n      namespace: network\n    ")
    assert run('<< get inputs "missing" | default inputs.name >>') == "a"


@pytest.mark.parametrize(("text", "message"), [
    ("<< inputs.nope >>", 'map has no entry for key "nope"'),
    ("<< .x >>", 'nil data; no entry for key "x"'),
    ("<< inputs.name.x >>", "can't evaluate field x in type string"),
    ("<< inputs.n.x >>", "nil pointer evaluating interface {}.x"),
    ("<< eq inputs.name 3 >>", "incompatible types for comparison"),
    ("<< upper inputs.replicas >>", "wrong type for value; expected string; got int64"),
    ("<< div 1 0 >>", "error calling div: runtime error: integer divide by zero"),
    ('<< fail "stop here" >>', "error calling fail: stop here"),
    ("<< abbrev 5 \"hello world\" >>", 'function "abbrev" not defined'),
    ("<< if true >>x", "unexpected EOF"), ("<< end >>", "unexpected {{end}}"), ("<< \"open >>", "unterminated quoted string"),
    ("<< $y >>", 'undefined variable "$y"'), ("<< break >>", "{{break}} outside {{range}}"),
    ("<< template \"nope\" >>", 'no such template "nope"'), ("<< range 1.5 >><< end >>", "range can't iterate over 1.5"),
])
def test_errors_as_go_reports_them(text: str, message: str) -> None:
    """flux-operator parses with Option("missingkey=error") and executes with nil data; slim-sprig has no
    `abbrev` (full sprig only), so Go's parser refuses it. Errors carry the template line."""
    with pytest.raises(TemplateError) as err:
        run("\n" + text)
    assert message in err.value.message
    assert err.value.line == 2


def test_bounds_and_unknowable_functions() -> None:
    """Untrusted templates stop at a budget of steps, iterations and output; time-dependent functions
    are not guessed."""
    funcs = function_map(lambda: {})
    with pytest.raises(TemplateLimit):
        render("<< range until 100000 >><< range until 100000 >><< end >><< end >>", funcs, left="<<", right=">>")
    with pytest.raises(TemplateLimit):
        render('<< range until 1000 >><< repeat 10000 "x" >><< end >>', funcs, left="<<", right=">>",
               budget=Budget(output_chars=1_000_000))
    with pytest.raises(TemplateLimit):
        render('<< define "r" >><< template "r" . >><< end >><< template "r" 1 >>', funcs, left="<<", right=">>")
    with pytest.raises(NotSimulated):
        render("<< randInt 1 10 >>", funcs, left="<<", right=">>")
