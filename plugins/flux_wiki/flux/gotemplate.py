"""A bounded Go text/template: lexer, parser and executor, as flux-operator's ResourceSets use them.

Follows Go's text/template/parse (lex.go, parse.go, node.go) and text/template (exec.go, funcs.go):
actions with custom delimiters and `-` trim markers, comments, pipelines, parenthesised pipelines,
fields and chains (`inputs.a.b`, `(index inputs "x").y`), variables (`$x := ...`, `$x = ...`),
if/else if/else, range (with `$i, $v :=`, break, continue, else), with/else with, define/template/
block, and the builtin functions (and, or, not, eq, ne, lt, le, gt, ge, len, index, print, printf,
println, html, js, urlquery). Data are JSON-like Python values; nil is ``None``; missing map keys
are an error (flux-operator sets `missingkey=error`).

Untrusted templates are bounded by a :class:`Budget` (execution steps, range iterations, output size,
nesting depth). Going past it raises :class:`TemplateLimit`, a limit of the simulation, not an error
of the template. Template errors raise :class:`TemplateError` with Go's message and the line.
"""

from __future__ import annotations

import urllib.parse
from collections import namedtuple
from typing import Any, Callable

from .goyaml import go_float


class TemplateError(Exception):
    """The template is wrong: Go would refuse to parse or execute it (message as Go words it)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


class TemplateLimit(Exception):
    """The template went past a bound of the simulation (steps, iterations, output, depth)."""


class NotSimulated(Exception):
    """A function exists in the real engine but its result cannot be known offline (time, randomness)."""


class Budget:
    """What the renderings of one ResourceSet may spend together: steps, range iterations, output."""

    def __init__(self, steps: int = 1_000_000, iterations: int = 200_000, output_chars: int = 10_000_000,
                 depth: int = 64):
        self.steps = steps
        self.iterations = iterations
        self.output_chars = output_chars
        self.depth = depth

    def step(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise TemplateLimit("the templates took more execution steps than flux-wiki allows")

    def iteration(self) -> None:
        self.iterations -= 1
        if self.iterations < 0:
            raise TemplateLimit("the templates ran more range iterations than flux-wiki allows")

    def output(self, size: int) -> None:
        self.output_chars -= size
        if self.output_chars < 0:
            raise TemplateLimit("the templates wrote more text than flux-wiki allows")


# -- values -----------------------------------------------------------------------------
class _Missing:
    """No value at all (Go's invalid reflect.Value): prints `<no value>`."""

    def __repr__(self) -> str:
        return "<no value>"


MISSING: Any = _Missing()


def go_type(v: Any) -> str:
    """The Go type of a value as inputs decode it (JSON integers are int64 in k8s.io/apimachinery's json)."""
    if v is None or v is MISSING:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int64"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, list):
        return "[]interface {}"
    return type(v).__name__


def truth(v: Any) -> bool:
    """Go's template truth: false, 0, "", nil, empty list or map are false."""
    if v is None or v is MISSING:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, (str, list, dict)):
        return len(v) > 0
    return True


def go_str(v: Any) -> str:
    """fmt's %v of a value (maps print sorted, nil inside a collection as <nil>)."""
    if v is MISSING:
        return "<no value>"
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return "[" + " ".join(go_str(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_str(v[k])}" for k in sorted(v, key=str)) + "]"
    return str(v)


def go_quote(s: str) -> str:
    """strconv.Quote."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\a":
            out.append("\\a")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\v":
            out.append("\\v")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif ch.isprintable():
            out.append(ch)
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def go_sprint(args: list[Any]) -> str:
    """fmt.Sprint: a space between operands when neither side is a string."""
    out = []
    for i, a in enumerate(args):
        if i > 0 and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_str(None if a is MISSING else a))
    return "".join(out)


def go_sprintf(fmt: str, args: list[Any]) -> str:
    """fmt.Sprintf for the verbs templates use (v s d q t f e g x X o b c %) with flags, width, precision."""
    out: list[str] = []
    i = 0
    argi = 0
    n = len(fmt)
    while i < n:
        ch = fmt[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        i += 1
        flags = ""
        while i < n and fmt[i] in "-+# 0":
            flags += fmt[i]
            i += 1
        width = ""
        while i < n and fmt[i].isdigit():
            width += fmt[i]
            i += 1
        prec: int | None = None
        if i < n and fmt[i] == ".":
            i += 1
            p = ""
            while i < n and fmt[i].isdigit():
                p += fmt[i]
                i += 1
            prec = int(p or "0")
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[argi]
        argi += 1
        out.append(_pad(_format_one(verb, arg, flags, prec), flags, width))
    if argi < len(args):
        extra = ", ".join(f"{go_type(a)}={go_str(a)}" for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _pad(text: str, flags: str, width: str) -> str:
    if not width:
        return text
    w = int(width)
    if len(text) >= w:
        return text
    if "-" in flags:
        return text + " " * (w - len(text))
    if "0" in flags and text[:1] in "+-" and text[1:].replace(".", "").isdigit():
        return text[0] + "0" * (w - len(text)) + text[1:]
    if "0" in flags and text.replace(".", "").isdigit():
        return "0" * (w - len(text)) + text
    return " " * (w - len(text)) + text


def _format_one(verb: str, arg: Any, flags: str, prec: int | None) -> str:
    bad = f"%!{verb}({go_type(arg)}={go_str(arg)})"
    if verb == "v":
        return go_str(arg)
    if verb == "T":
        return go_type(arg)
    if verb == "t":
        return go_str(arg) if isinstance(arg, bool) else bad
    if verb in "sq" and isinstance(arg, str):
        s = arg if prec is None else arg[:prec]
        return go_quote(s) if verb == "q" else s
    if verb == "s" and isinstance(arg, (list, dict)):
        return go_str(arg)
    if isinstance(arg, bool) or arg is None:
        return bad
    if isinstance(arg, int):
        sign = "+" if "+" in flags and arg >= 0 else (" " if " " in flags and arg >= 0 else "")
        if verb == "d":
            return sign + str(arg)
        if verb in "xX":
            s = format(arg, "x" if verb == "x" else "X")
            return sign + (("0x" if verb == "x" else "0X") + s if "#" in flags else s)
        if verb == "o":
            return sign + format(arg, "o")
        if verb == "b":
            return sign + format(arg, "b")
        if verb == "c":
            return chr(arg) if 0 <= arg < 0x110000 else "\ufffd"
        if verb == "q":
            return "'" + (chr(arg) if 0 <= arg < 0x110000 else "\ufffd") + "'"
        if verb in "feEgG":
            return _format_one(verb, float(arg), flags, prec)
        return bad
    if isinstance(arg, float):
        sign = "+" if "+" in flags and arg >= 0 else ""
        if verb in "fF":
            return sign + f"{arg:.{6 if prec is None else prec}f}"
        if verb in "eE":
            s = f"{arg:.{6 if prec is None else prec}e}"
            return sign + (s.upper() if verb == "E" else s)
        if verb in "gG":
            return sign + (go_float(arg) if prec is None else f"{arg:.{prec}g}")
        return bad
    if isinstance(arg, str) and verb in "xX":
        return arg.encode().hex() if verb == "x" else arg.encode().hex().upper()
    return bad


# -- lexer --------------------------------------------------------------------------------
_KEYWORDS = {"block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with"}
_SPACE = " \t\r\n"


class _Item:
    """A lexer token: its type, text and offset in the template."""

    __slots__ = ("typ", "val", "pos")

    def __init__(self, typ: str, val: str, pos: int) -> None:
        self.typ = typ  # text, left, right, space, pipe, lparen, rparen, assign, declare, string, raw, char,
        #                 number, bool, ident, field, var, dot, nil, keyword, comma, eof
        self.val = val
        self.pos = pos


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdigit()


class _Lexer:
    def __init__(self, text: str, left: str, right: str):
        self.text = text
        self.left = left
        self.right = right
        self.items: list[_Item] = []
        self.pos = 0
        self.paren = 0

    def error(self, msg: str, pos: int | None = None) -> TemplateError:
        p = self.pos if pos is None else pos
        return TemplateError(msg, self.text.count("\n", 0, p) + 1)

    def _at_right(self, pos: int) -> tuple[bool, bool]:
        t = self.text
        if len(t) - pos >= 2 and t[pos] in _SPACE and t[pos + 1] == "-" and t.startswith(self.right, pos + 2):
            return True, True
        return t.startswith(self.right, pos), False

    def run(self) -> list[_Item]:
        t = self.text
        while True:
            x = t.find(self.left, self.pos)
            if x < 0:
                if self.pos < len(t):
                    self.items.append(_Item("text", t[self.pos:], self.pos))
                self.items.append(_Item("eof", "", len(t)))
                return self.items
            end = x
            delim_end = x + len(self.left)
            trim_left = len(t) - delim_end >= 2 and t[delim_end] == "-" and t[delim_end + 1] in _SPACE
            if trim_left:
                while end > self.pos and t[end - 1] in _SPACE:
                    end -= 1
            if end > self.pos:
                self.items.append(_Item("text", t[self.pos:end], self.pos))
            self.pos = delim_end + (2 if trim_left else 0)
            if t.startswith("/*", self.pos):
                close = t.find("*/", self.pos + 2)
                if close < 0:
                    raise self.error("unclosed comment")
                self.pos = close + 2
                at, trim = self._at_right(self.pos)
                if not at:
                    raise self.error("comment ends before closing delimiter")
                self.pos += (2 if trim else 0) + len(self.right)
                if trim:
                    while self.pos < len(t) and t[self.pos] in _SPACE:
                        self.pos += 1
                continue
            self.items.append(_Item("left", self.left, x))
            self.paren = 0
            self._inside_action()

    def _inside_action(self) -> None:
        t = self.text
        while True:
            at, trim = self._at_right(self.pos)
            if at:
                if self.paren:
                    raise self.error("unclosed left paren")
                if trim:
                    self.pos += 2
                self.items.append(_Item("right", self.right, self.pos))
                self.pos += len(self.right)
                if trim:
                    while self.pos < len(t) and t[self.pos] in _SPACE:
                        self.pos += 1
                return
            if self.pos >= len(t):
                raise self.error("unclosed action")
            start = self.pos
            ch = t[self.pos]
            if ch in _SPACE:
                while self.pos < len(t) and t[self.pos] in _SPACE:
                    self.pos += 1
                # a lone space before a trim-marked right delimiter belongs to the delimiter
                if self._at_right(self.pos - 1) == (True, True):
                    self.pos -= 1
                    if self.pos == start:
                        continue
                self.items.append(_Item("space", t[start:self.pos], start))
                continue
            self.pos += 1
            if ch == "=":
                self.items.append(_Item("assign", "=", start))
            elif ch == ":":
                if self.pos >= len(t) or t[self.pos] != "=":
                    raise self.error("expected :=")
                self.pos += 1
                self.items.append(_Item("declare", ":=", start))
            elif ch == "|":
                self.items.append(_Item("pipe", "|", start))
            elif ch == '"':
                self._quote(start, '"', "string", "unterminated quoted string")
            elif ch == "`":
                close = t.find("`", self.pos)
                if close < 0:
                    raise self.error("unterminated raw quoted string", start)
                self.pos = close + 1
                self.items.append(_Item("raw", t[start:self.pos], start))
            elif ch == "'":
                self._quote(start, "'", "char", "unterminated character constant")
            elif ch == "$":
                self._field_or_var(start, "var")
            elif ch == "." and not (self.pos < len(t) and t[self.pos].isdigit()):
                self._field_or_var(start, "field")
            elif ch in "+-." or ch.isdigit():
                self._number(start)
            elif _is_alnum(ch):
                self._identifier(start)
            elif ch == "(":
                self.paren += 1
                self.items.append(_Item("lparen", "(", start))
            elif ch == ")":
                self.paren -= 1
                if self.paren < 0:
                    raise self.error("unexpected right paren")
                self.items.append(_Item("rparen", ")", start))
            elif ch.isascii() and ch.isprintable():
                self.items.append(_Item("comma" if ch == "," else "char", ch, start))
            else:
                raise self.error(f"unrecognized character in action: {ch!r}")

    def _quote(self, start: int, q: str, typ: str, msg: str) -> None:
        t = self.text
        while True:
            if self.pos >= len(t) or t[self.pos] == "\n":
                raise self.error(msg, start)
            ch = t[self.pos]
            self.pos += 1
            if ch == "\\":
                if self.pos >= len(t) or t[self.pos] == "\n":
                    raise self.error(msg, start)
                self.pos += 1
            elif ch == q:
                break
        self.items.append(_Item(typ, t[start:self.pos], start))

    def _at_terminator(self) -> bool:
        t = self.text
        if self.pos >= len(t):
            return True
        ch = t[self.pos]
        return ch in _SPACE or ch in ".,|:()" or t.startswith(self.right, self.pos)

    def _field_or_var(self, start: int, typ: str) -> None:
        if self._at_terminator():
            self.items.append(_Item("var" if typ == "var" else "dot", self.text[start:self.pos], start))
            return
        while self.pos < len(self.text) and _is_alnum(self.text[self.pos]):
            self.pos += 1
        if not self._at_terminator():
            raise self.error(f"bad character {self.text[self.pos]!r}")
        self.items.append(_Item(typ, self.text[start:self.pos], start))

    def _number(self, start: int) -> None:
        t = self.text
        self.pos = start
        if t[self.pos] in "+-":
            self.pos += 1
        digits, exponent = "0123456789_", "eE"
        if t.startswith(("0x", "0X"), self.pos):
            self.pos += 2
            digits, exponent = "0123456789abcdefABCDEF_", "pP"
        elif t.startswith(("0o", "0O", "0b", "0B"), self.pos):
            self.pos += 2
        while self.pos < len(t) and t[self.pos] in digits:
            self.pos += 1
        if self.pos < len(t) and t[self.pos] == ".":
            self.pos += 1
            while self.pos < len(t) and t[self.pos] in digits:
                self.pos += 1
        if self.pos < len(t) and t[self.pos] in exponent:
            self.pos += 1
            if self.pos < len(t) and t[self.pos] in "+-":
                self.pos += 1
            while self.pos < len(t) and t[self.pos] in "0123456789_":
                self.pos += 1
        if self.pos < len(t) and _is_alnum(t[self.pos]):
            raise self.error(f"bad number syntax: {t[start:self.pos + 1]!r}")
        self.items.append(_Item("number", t[start:self.pos], start))

    def _identifier(self, start: int) -> None:
        t = self.text
        while self.pos < len(t) and _is_alnum(t[self.pos]):
            self.pos += 1
        if not self._at_terminator():
            raise self.error(f"bad character {t[self.pos]!r}")
        word = t[start:self.pos]
        if word in _KEYWORDS:
            self.items.append(_Item("nil" if word == "nil" else "keyword", word, start))
        elif word in ("true", "false"):
            self.items.append(_Item("bool", word, start))
        else:
            self.items.append(_Item("ident", word, start))


def _unquote(token: str) -> str:
    """strconv.Unquote of a Go interpreted or raw string literal."""
    if token.startswith("`"):
        return token[1:-1].replace("\r", "")
    body = token[1:-1]
    out: list[str] = []
    i = 0
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
              '"': '"', "'": "'"}
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        i += 1
        if i >= len(body):
            raise ValueError("invalid syntax")
        e = body[i]
        if e in simple:
            out.append(simple[e])
            i += 1
        elif e in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[e]
            code = body[i + 1:i + 1 + size]
            if len(code) != size:
                raise ValueError("invalid syntax")
            out.append(chr(int(code, 16)))
            i += 1 + size
        elif e in "01234567":
            code = body[i:i + 3]
            if len(code) != 3:
                raise ValueError("invalid syntax")
            out.append(chr(int(code, 8)))
            i += 3
        else:
            raise ValueError("invalid syntax")
    return "".join(out)


# -- nodes --------------------------------------------------------------------------------
class Node:
    """A node of the parse tree (text/template/parse), at offset ``pos`` of the template."""

    __slots__ = ("pos",)

    def __init__(self, pos: int) -> None:
        self.pos = pos


class Text(Node):
    """Literal text between actions."""

    __slots__ = ("text",)

    def __init__(self, pos: int, text: str) -> None:
        self.pos = pos
        self.text = text


class Const(Node):
    """A constant: a bool, number, string, nil or dot."""

    __slots__ = ("value", "kind")

    def __init__(self, pos: int, value: Any, kind: str) -> None:
        self.pos = pos
        self.value = value
        self.kind = kind  # bool, number, string, nil, dot


class Field(Node):
    """``.a.b``: fields of dot."""

    __slots__ = ("names",)

    def __init__(self, pos: int, names: list[str]) -> None:
        self.pos = pos
        self.names = names


class Variable(Node):
    """``$x.a.b``: a variable and the fields after it."""

    __slots__ = ("name", "names")

    def __init__(self, pos: int, name: str, names: list[str]) -> None:
        self.pos = pos
        self.name = name
        self.names = names


class Ident(Node):
    """A function name."""

    __slots__ = ("name",)

    def __init__(self, pos: int, name: str) -> None:
        self.pos = pos
        self.name = name


class Chain(Node):
    """``(pipe).a.b``: fields of a term's value."""

    __slots__ = ("node", "names")

    def __init__(self, pos: int, node: Node, names: list[str]) -> None:
        self.pos = pos
        self.node = node
        self.names = names


class Command(Node):
    """One command of a pipeline: a function or value and its arguments."""

    __slots__ = ("args", "end")

    def __init__(self, pos: int, args: list[Node], end: int = 0) -> None:
        self.pos = pos
        self.args = args
        self.end = end


class Pipe(Node):
    """A pipeline, with the variables it declares or assigns."""

    __slots__ = ("decl", "is_assign", "cmds")

    def __init__(self, pos: int, decl: list[str], is_assign: bool, cmds: list[Command]) -> None:
        self.pos = pos
        self.decl = decl
        self.is_assign = is_assign
        self.cmds = cmds


class Action(Node):
    """``{{pipeline}}``: its value is printed."""

    __slots__ = ("pipe",)

    def __init__(self, pos: int, pipe: Pipe) -> None:
        self.pos = pos
        self.pipe = pipe


class Branch(Node):
    """``if``/``range``/``with``: a pipeline, a body and an else body."""

    __slots__ = ("kind", "pipe", "body", "else_body")

    def __init__(self, pos: int, kind: str, pipe: Pipe, body: list[Node], else_body: list[Node] | None) -> None:
        self.pos = pos
        self.kind = kind  # if, range, with
        self.pipe = pipe
        self.body = body
        self.else_body = else_body


class Include(Node):
    """``{{template "name" pipeline}}``."""

    __slots__ = ("name", "pipe")

    def __init__(self, pos: int, name: str, pipe: Pipe | None) -> None:
        self.pos = pos
        self.name = name
        self.pipe = pipe


class Jump(Node):
    """``{{break}}`` or ``{{continue}}``."""

    __slots__ = ("kind",)

    def __init__(self, pos: int, kind: str) -> None:
        self.pos = pos
        self.kind = kind  # break, continue


class _EndOrElse(Node):
    __slots__ = ("kind",)

    def __init__(self, pos: int, kind: str):
        super().__init__(pos)
        self.kind = kind


# -- parser -------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str, items: list[_Item], funcs: Callable[[str], bool]):
        self.text = text
        self.items = items
        self.i = 0
        self.funcs = funcs
        self.vars: list[str] = ["$"]
        self.range_depth = 0
        self.defines: dict[str, list[Node]] = {}

    def error(self, msg: str, pos: int | None = None) -> TemplateError:
        p = self.items[min(self.i, len(self.items) - 1)].pos if pos is None else pos
        return TemplateError(msg, self.text.count("\n", 0, p) + 1)

    def next(self) -> _Item:
        it = self.items[self.i]
        self.i += 1
        return it

    def peek(self) -> _Item:
        return self.items[self.i]

    def next_non_space(self) -> _Item:
        it = self.next()
        while it.typ == "space":
            it = self.next()
        return it

    def peek_non_space(self) -> _Item:
        it = self.next_non_space()
        self.i -= 1
        return it

    def expect(self, typ: str, context: str) -> _Item:
        it = self.next_non_space()
        if it.typ != typ:
            raise self.error(f"unexpected {it.val!r} in {context}", it.pos)
        return it

    def parse(self) -> list[Node]:
        root: list[Node] = []
        while self.peek().typ != "eof":
            if self.peek().typ == "left":
                save = self.i
                self.next()
                kw = self.next_non_space()
                if kw.typ == "keyword" and kw.val == "define":
                    self._define()
                    continue
                self.i = save
            n = self._text_or_action()
            if isinstance(n, _EndOrElse):
                raise self.error(f"unexpected {{{{{n.kind}}}}}", n.pos)
            if n is not None:
                root.append(n)
        return root

    def _define(self) -> None:
        name_tok = self.next_non_space()
        if name_tok.typ not in ("string", "raw"):
            raise self.error("define: expected string", name_tok.pos)
        self.expect("right", "define clause")
        body, nxt = self._item_list()
        if nxt.kind != "end":
            raise self.error("unexpected {{else}} in define", nxt.pos)
        self.defines[_unquote(name_tok.val)] = body

    def _item_list(self) -> tuple[list[Node], _EndOrElse]:
        out: list[Node] = []
        while self.peek_non_space().typ != "eof":
            n = self._text_or_action()
            if isinstance(n, _EndOrElse):
                return out, n
            if n is not None:
                out.append(n)
        raise self.error("unexpected EOF")

    def _text_or_action(self) -> Node | None:
        it = self.next_non_space()
        if it.typ == "text":
            return Text(it.pos, it.val)
        if it.typ == "left":
            return self._action()
        raise self.error(f"unexpected {it.val!r} in input", it.pos)

    def _action(self) -> Node:
        tok = self.next_non_space()
        if tok.typ == "keyword":
            if tok.val in ("if", "range", "with"):
                return self._control(tok.val, tok.pos)
            if tok.val == "else":
                nxt = self.peek_non_space()
                if nxt.typ == "keyword" and nxt.val in ("if", "with"):
                    return _EndOrElse(tok.pos, "else")
                self.expect("right", "else")
                return _EndOrElse(tok.pos, "else")
            if tok.val == "end":
                self.expect("right", "end")
                return _EndOrElse(tok.pos, "end")
            if tok.val in ("break", "continue"):
                if self.range_depth == 0:
                    raise self.error(f"{{{{{tok.val}}}}} outside {{{{range}}}}", tok.pos)
                self.expect("right", tok.val)
                return Jump(tok.pos, tok.val)
            if tok.val in ("template", "block"):
                return self._template(tok.val, tok.pos)
            raise self.error(f"unexpected {tok.val!r} in command", tok.pos)
        self.i -= 1
        start = self.peek().pos
        return Action(start, self._pipeline("command", "right"))

    def _template(self, kind: str, pos: int) -> Node:
        name_tok = self.next_non_space()
        if name_tok.typ not in ("string", "raw"):
            raise self.error(f"unexpected {name_tok.val!r} in {kind} clause", name_tok.pos)
        name = _unquote(name_tok.val)
        pipe = None
        if self.peek_non_space().typ != "right":
            pipe = self._pipeline(kind, "right")
        else:
            self.next_non_space()
        if kind == "block":
            body, nxt = self._item_list()
            if nxt.kind != "end":
                raise self.error("unexpected {{else}} in block", nxt.pos)
            self.defines[name] = body
        return Include(pos, name, pipe)

    def _control(self, kind: str, pos: int) -> Node:
        nvars = len(self.vars)
        pipe = self._pipeline(kind, "right")
        if kind == "range":
            self.range_depth += 1
        body, nxt = self._item_list()
        if kind == "range":
            self.range_depth -= 1
        else_body = None
        if nxt.kind == "else":
            follow = self.peek_non_space()
            if kind in ("if", "with") and follow.typ == "keyword" and follow.val == kind:
                self.next_non_space()
                else_body = [self._control(kind, follow.pos)]
            else:
                else_body, nxt = self._item_list()
                if nxt.kind != "end":
                    raise self.error("expected end; found {{else}}", nxt.pos)
        del self.vars[nvars:]
        return Branch(pos, kind, pipe, body, else_body)

    def _pipeline(self, context: str, end: str) -> Pipe:
        pipe = Pipe(self.peek_non_space().pos, [], False, [])
        while self.peek_non_space().typ == "var":
            save = self.i
            v = self.next_non_space()
            nxt = self.peek_non_space()
            if nxt.typ in ("assign", "declare"):
                self.next_non_space()
                pipe.is_assign = nxt.typ == "assign"
                pipe.decl.append(v.val)
                if nxt.typ == "declare":
                    self.vars.append(v.val)
                elif v.val not in self.vars:
                    raise self.error(f"undefined variable {v.val!r}", v.pos)
                break
            if nxt.typ == "comma":
                self.next_non_space()
                pipe.decl.append(v.val)
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in ("var", "right", "rparen"):
                        continue
                    raise self.error("range can only initialize variables", v.pos)
                raise self.error(f"too many declarations in {context}", v.pos)
            self.i = save
            break
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                if not pipe.cmds:
                    raise self.error(f"missing value for {context}", tok.pos)
                for k, cmd in enumerate(pipe.cmds[1:], start=2):
                    if isinstance(cmd.args[0], Const):
                        raise self.error(f"non executable command in pipeline stage {k}", cmd.pos)
                return pipe
            if tok.typ in ("bool", "char", "number", "nil", "dot", "field", "ident", "raw", "string",
                           "var", "lparen"):
                self.i -= 1
                pipe.cmds.append(self._command())
            else:
                raise self.error(f"unexpected {tok.val!r} in {context}", tok.pos)

    def _command(self) -> Command:
        cmd = Command(self.peek_non_space().pos, [])
        while True:
            self.peek_non_space()
            op = self._operand()
            if op is not None:
                cmd.args.append(op)
            tok = self.next()
            if tok.typ == "space":
                continue
            if tok.typ in ("right", "rparen"):
                self.i -= 1
            elif tok.typ != "pipe":
                raise self.error(f"unexpected {tok.val!r} in operand", tok.pos)
            cmd.end = tok.pos
            break
        if not cmd.args:
            raise self.error("empty command", cmd.pos)
        return cmd

    def _operand(self) -> Node | None:
        node = self._term()
        if node is None:
            return None
        if self.peek().typ == "field":
            names: list[str] = []
            while self.peek().typ == "field":
                names.append(self.next().val[1:])
            if isinstance(node, Field):
                node = Field(node.pos, node.names + names)
            elif isinstance(node, Variable):
                node = Variable(node.pos, node.name, node.names + names)
            elif isinstance(node, Const):
                raise self.error(f"unexpected . after term {self.text[node.pos:self.items[self.i - 1].pos]!r}",
                                 node.pos)
            else:
                node = Chain(node.pos, node, names)
        return node

    def _term(self) -> Node | None:
        tok = self.next_non_space()
        if tok.typ == "ident":
            if not self.funcs(tok.val):
                raise self.error(f"function {tok.val!r} not defined".replace("'", '"'), tok.pos)
            return Ident(tok.pos, tok.val)
        if tok.typ == "dot":
            return Const(tok.pos, None, "dot")
        if tok.typ == "nil":
            return Const(tok.pos, None, "nil")
        if tok.typ == "var":
            parts = tok.val.split(".")
            if parts[0] not in self.vars:
                raise self.error(f"undefined variable {parts[0]!r}".replace("'", '"'), tok.pos)
            return Variable(tok.pos, parts[0], parts[1:])
        if tok.typ == "field":
            return Field(tok.pos, [tok.val[1:]])
        if tok.typ == "bool":
            return Const(tok.pos, tok.val == "true", "bool")
        if tok.typ in ("number", "char"):
            return Const(tok.pos, self._number(tok), "number")
        if tok.typ == "lparen":
            return self._pipeline("parenthesized pipeline", "rparen")
        if tok.typ in ("string", "raw"):
            try:
                return Const(tok.pos, _unquote(tok.val), "string")
            except (ValueError, IndexError):
                raise self.error("invalid syntax", tok.pos) from None
        self.i -= 1
        return None

    def _number(self, tok: _Item) -> int | float:
        text = tok.val
        if tok.typ == "char":
            try:
                s = _unquote('"' + text[1:-1].replace('"', '\\"') + '"')
            except (ValueError, IndexError):
                s = ""
            if len(s) != 1:
                raise self.error(f"malformed character constant: {text}", tok.pos)
            return ord(s)
        clean = text.replace("_", "")
        digits = clean.lstrip("+-")
        try:
            if len(digits) > 1 and digits[0] == "0" and digits.isdigit():
                return int(clean, 8)  # Go reads a leading 0 as octal
            return int(clean, 0)
        except ValueError:
            pass
        try:
            if digits.lower().startswith("0x"):
                return float.fromhex(clean)
            return float(clean)
        except ValueError:
            raise self.error(f"illegal number syntax: {text!r}", tok.pos) from None


# -- functions ----------------------------------------------------------------------------
class Func(namedtuple("Func", "fn params variadic", defaults=((), False))):
    """A template function: its Python body, parameter kinds and whether it is variadic.

    Kinds: "any", "str", "int", "float", "bool", "map", "raw" (unchecked). The last kind of a
    variadic function applies to every extra argument.
    """

    __slots__ = ()

    fn: Callable[..., Any]
    params: tuple[str, ...]
    variadic: bool


_GO_PARAM_TYPE = {"str": "string", "int": "int", "float": "float64", "bool": "bool",
                  "map": "map[string]interface {}"}


def _check_arg(kind: str, value: Any) -> Any:
    if kind in ("any", "raw"):
        return None if value is MISSING and kind == "any" else value
    if value is MISSING or value is None:
        if kind == "map":
            return None
        raise _ExecError(f"invalid value; expected {_GO_PARAM_TYPE[kind]}")
    ok = {"str": isinstance(value, str),
          "int": isinstance(value, int) and not isinstance(value, bool),
          "float": isinstance(value, (int, float)) and not isinstance(value, bool),
          "bool": isinstance(value, bool),
          "map": isinstance(value, dict)}[kind]
    if not ok:
        raise _ExecError(f"wrong type for value; expected {_GO_PARAM_TYPE[kind]}; got {go_type(value)}")
    return float(value) if kind == "float" else value


class _ExecError(Exception):
    """An execution error before it is placed at a node."""


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def _basic_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return "other"


def _eq(a: Any, *rest: Any) -> bool:
    if not rest:
        raise _ExecError("missing argument for comparison")
    ka = _basic_kind(a)
    for b in rest:
        kb = _basic_kind(b)
        if ka != kb:
            if a not in (None, MISSING) and b not in (None, MISSING):
                raise _ExecError("incompatible types for comparison")
            truth_ = False
        elif ka == "other":
            if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
                if (a is None or a is MISSING) == (b is None or b is MISSING) and (a is None or a is MISSING):
                    truth_ = True
                else:
                    raise _ExecError(f"non-comparable type {go_str(b)}: {go_type(b)}")
            else:
                truth_ = (a is None or a is MISSING) == (b is None or b is MISSING)
        else:
            truth_ = a == b
        if truth_:
            return True
    return False


def _lt(a: Any, b: Any) -> bool:
    ka, kb = _basic_kind(a), _basic_kind(b)
    if ka == "other" or kb == "other" or ka == "bool" or kb == "bool":
        raise _ExecError("invalid type for comparison")
    if ka != kb:
        raise _ExecError("incompatible types for comparison")
    return a < b


def _index(item: Any, *keys: Any) -> Any:
    if item is None or item is MISSING:
        raise _ExecError("index of untyped nil")
    for k in keys:
        if isinstance(item, dict):
            if not isinstance(k, str):
                raise _ExecError(f"value has type {go_type(k)}; should be string")
            item = item.get(k, MISSING)
            if item is MISSING:
                item = None
        elif isinstance(item, (list, str)):
            if not isinstance(k, int) or isinstance(k, bool):
                raise _ExecError(f"cannot index slice/array with type {go_type(k)}")
            if k < 0 or k >= len(item):
                raise _ExecError(f"index out of range: {k}")
            item = item[k] if isinstance(item, list) else item.encode()[k]
        elif item is None:
            raise _ExecError("index of nil pointer")
        else:
            raise _ExecError(f"can't index item of type {go_type(item)}")
    return item


def _len(v: Any) -> int:
    if isinstance(v, str):
        return len(v.encode())
    if isinstance(v, (list, dict)):
        return len(v)
    raise _ExecError(f"len of type {go_type(v)}")


def _html_escape(text: str) -> str:
    """text/template's html: HTML-escaped, the apostrophe as Go writes it (the html module loads on first use)."""
    import html

    return html.escape(text).replace("&#x27;", "&#39;")


def _js(*args: Any) -> str:
    s = go_sprint(list(args))
    out = []
    for ch in s:
        if ch in "\\'\"":
            out.append("\\" + ch)
        elif ch in "<>&=":
            out.append(f"\\u{ord(ch):04X}")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


BUILTINS: dict[str, Func] = {
    "and": Func(lambda *a: a, ("raw", "raw"), True),  # evaluated lazily by the executor
    "or": Func(lambda *a: a, ("raw", "raw"), True),
    "not": Func(lambda a: not truth(a), ("raw",)),
    "eq": Func(_eq, ("raw", "raw"), True),
    "ne": Func(lambda a, b: not _eq(a, b), ("raw", "raw")),
    "lt": Func(_lt, ("raw", "raw")),
    "le": Func(lambda a, b: _lt(a, b) or _eq(a, b), ("raw", "raw")),
    "gt": Func(lambda a, b: not (_lt(a, b) or _eq(a, b)), ("raw", "raw")),
    "ge": Func(lambda a, b: not _lt(a, b), ("raw", "raw")),
    "len": Func(_len, ("raw",)),
    "index": Func(_index, ("raw", "raw"), True),
    "print": Func(lambda *a: go_sprint(list(a)), ("any",), True),
    "printf": Func(lambda f, *a: go_sprintf(f, list(a)), ("str", "any"), True),
    "println": Func(lambda *a: " ".join(go_str(x) for x in a) + "\n", ("any",), True),
    "html": Func(lambda *a: _html_escape(go_sprint(list(a))), ("any",), True),
    "js": Func(_js, ("any",), True),
    "urlquery": Func(lambda *a: urllib.parse.quote_plus(go_sprint(list(a))), ("any",), True),
}


# -- template ----------------------------------------------------------------------------------
class Template:
    """A parsed template, ready to execute against data with a function map."""

    __slots__ = ("text", "root", "defines", "funcs")

    def __init__(self, text: str, root: list[Node], defines: dict[str, list[Node]], funcs: dict[str, Func]) -> None:
        self.text = text
        self.root = root
        self.defines = defines
        self.funcs = funcs

    def execute(self, data: Any = MISSING, budget: Budget | None = None) -> Rendered:
        """Run with ``data`` as dot and `$` (flux-operator passes none: `.x` fails with "nil data")."""
        ex = _Executor(self, budget or Budget())
        ex.vars.append(("$", data))
        ex.walk(self.root, data)
        return Rendered("".join(ex.out), ex.origins)


class Rendered:
    """Output text and, for each written piece, (output offset, template offset) to trace lines back."""

    __slots__ = ("text", "origins")

    def __init__(self, text: str, origins: list[tuple[int, int, bool]] | None = None) -> None:
        self.text = text
        self.origins = [] if origins is None else origins

    def template_offset(self, out_offset: int) -> int:
        """Where in the template the output character at ``out_offset`` came from (an action's start
        for text an action printed)."""
        lo, hi = 0, len(self.origins) - 1
        best = 0
        while lo <= hi:
            mid = (lo + hi) // 2
            if self.origins[mid][0] <= out_offset:
                best = mid
                lo = mid + 1
            else:
                hi = mid - 1
        if not self.origins:
            return 0
        start, src, exact = self.origins[best]
        return src + (out_offset - start) if exact else src


# parsed trees by (text, delimiters, function names), oldest forgotten first: a component's ResourceSet is
# expanded in every Kustomization and cluster that applies it
# (at most this many, of this many characters together; a longer text is parsed each time)
_PARSED: dict[tuple[str, str, str, frozenset[str]], tuple[list[Node], dict[str, list[Node]]]] = {}
_PARSED_MAX = 256
_PARSED_MAX_CHARS = 4 << 20
_PARSED_MAX_ONE = 256 << 10
PARSE_COUNTS = {"parsed": 0, "reused": 0, "chars": 0}


def parse(text: str, funcs: dict[str, Func], left: str = "{{", right: str = "}}") -> Template:
    """Parse ``text``; raises :class:`TemplateError` for what Go's parser refuses.

    The tree depends only on the text, the delimiters and which function names exist (the parser asks
    nothing else of ``funcs``), and execution only reads it, so a tree parsed before is reused with this
    call's functions (:data:`PARSE_COUNTS`). A text that fails to parse is not remembered."""
    all_funcs = {**BUILTINS, **funcs}
    key = (text, left, right, frozenset(all_funcs))
    known = _PARSED.get(key)
    if known is not None:
        PARSE_COUNTS["reused"] += 1
        return Template(text, known[0], known[1], all_funcs)
    try:
        items = _Lexer(text, left, right).run()
        parser = _Parser(text, items, lambda name: name in all_funcs)
        root = parser.parse()
    except TemplateError as err:
        raise TemplateError(f"template: resourceset:{err.line}: {err.message}", err.line) from None
    except RecursionError:
        raise TemplateLimit("the template nests deeper than flux-wiki parses") from None
    PARSE_COUNTS["parsed"] += 1
    if len(text) <= _PARSED_MAX_ONE:
        _PARSED[key] = (root, parser.defines)
        PARSE_COUNTS["chars"] += len(text)
        while len(_PARSED) > _PARSED_MAX or PARSE_COUNTS["chars"] > _PARSED_MAX_CHARS:
            oldest = next(iter(_PARSED))
            del _PARSED[oldest]
            PARSE_COUNTS["chars"] -= len(oldest[0])
    return Template(text, root, parser.defines, all_funcs)


class _Executor:
    def __init__(self, tmpl: Template, budget: Budget):
        self.t = tmpl
        self.budget = budget
        self.out: list[str] = []
        self.size = 0
        self.origins: list[tuple[int, int, bool]] = []
        self.depth = 0
        self.vars: list[tuple[str, Any]] = []
        self.node: Node | None = None

    def fail(self, msg: str, node: Node | None = None) -> TemplateError:
        n = node or self.node
        pos = n.pos if n is not None else 0
        line = self.t.text.count("\n", 0, pos) + 1
        col = pos - (self.t.text.rfind("\n", 0, pos) + 1)
        where = ""
        if isinstance(n, Command) and n.end > n.pos:
            where = f" at <{self.t.text[n.pos:n.end].strip()}>"
        return TemplateError(f'template: resourceset:{line}:{col}: executing "resourceset"{where}: {msg}', line)

    def tick(self) -> None:
        self.budget.step()

    def write(self, text: str, pos: int, exact: bool) -> None:
        if not text:
            return
        self.budget.output(len(text))
        self.size += len(text)
        self.origins.append((self.size - len(text), pos, exact))
        self.out.append(text)

    # -- statements -----------------------------------------------------------------
    def walk(self, nodes: list[Node], dot: Any) -> None:
        for n in nodes:
            self.tick()
            if isinstance(n, Text):
                self.write(n.text, n.pos, exact=True)
            elif isinstance(n, Action):
                val = self.pipeline(n.pipe, dot)
                if not n.pipe.decl:  # a nil result prints as Go's invalid value
                    self.write("<no value>" if val is None else go_str(val), n.pos, exact=False)
            elif isinstance(n, Branch):
                self.branch(n, dot)
            elif isinstance(n, Jump):
                raise _Break() if n.kind == "break" else _Continue()
            elif isinstance(n, Include):
                self.include(n, dot)

    def include(self, n: Include, dot: Any) -> None:
        body = self.t.defines.get(n.name)
        if body is None:
            raise self.fail(f'no such template "{n.name}"', n)
        value = self.pipeline(n.pipe, dot) if n.pipe is not None else None
        self.depth += 1
        if self.depth > self.budget.depth:
            raise TemplateLimit("templates nested deeper than flux-wiki allows")
        saved = self.vars
        self.vars = [("$", value)]
        try:
            self.walk(body, value)
        finally:
            self.vars = saved
            self.depth -= 1

    def branch(self, n: Branch, dot: Any) -> None:
        mark = len(self.vars)
        try:
            val = self.pipeline(n.pipe, dot)
            if n.kind == "if":
                if truth(val):
                    self.walk(n.body, dot)
                elif n.else_body is not None:
                    self.walk(n.else_body, dot)
            elif n.kind == "with":
                if truth(val):
                    self.walk(n.body, val)
                elif n.else_body is not None:
                    self.walk(n.else_body, dot)
            else:
                self.range(n, val, dot, mark)
        finally:
            del self.vars[mark:]

    def range(self, n: Branch, val: Any, dot: Any, mark: int) -> None:
        if isinstance(val, dict):
            pairs: list[tuple[Any, Any]] = [(k, val[k]) for k in sorted(val)]
        elif isinstance(val, list):
            pairs = list(enumerate(val))
        elif isinstance(val, int) and not isinstance(val, bool):
            pairs = [(i, i) for i in range(max(val, 0))]
        elif val is None or val is MISSING:
            pairs = []
        else:
            raise self.fail(f"range can't iterate over {go_str(val)}", n)
        if not pairs:
            if n.else_body is not None:
                self.walk(n.else_body, dot)
            return
        for key, elem in pairs:
            self.budget.iteration()
            del self.vars[mark + len(n.pipe.decl):]
            if len(n.pipe.decl) == 1:
                self._set(n.pipe.decl[0], elem)
            elif len(n.pipe.decl) == 2:
                self._set(n.pipe.decl[0], key)
                self._set(n.pipe.decl[1], elem)
            try:
                self.walk(n.body, elem)
            except _Break:
                break
            except _Continue:
                continue

    def _set(self, name: str, value: Any) -> None:
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                self.vars[i] = (name, value)
                return
        self.vars.append((name, value))

    # -- expressions ----------------------------------------------------------------
    def pipeline(self, pipe: Pipe, dot: Any) -> Any:
        self.depth += 1
        if self.depth > self.budget.depth:
            raise TemplateLimit("pipelines nested deeper than flux-wiki allows")
        try:
            value: Any = _NO_FINAL
            for cmd in pipe.cmds:
                value = self.command(cmd, dot, value)
            for name in pipe.decl:
                if pipe.is_assign:
                    self._assign(name, value)
                else:
                    self.vars.append((name, value))
            return value
        finally:
            self.depth -= 1

    def _assign(self, name: str, value: Any) -> None:
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                self.vars[i] = (name, value)
                return
        raise self.fail(f"undefined variable: {name}")

    def _var(self, name: str) -> Any:
        for n, v in reversed(self.vars):
            if n == name:
                return v
        raise self.fail(f"undefined variable: {name}")

    def command(self, cmd: Command, dot: Any, final: Any) -> Any:
        self.tick()
        self.node = cmd
        first = cmd.args[0]
        try:
            if isinstance(first, Ident):
                return self.call(first.name, cmd.args[1:], dot, final, cmd)
            has_more = len(cmd.args) > 1 or final is not _NO_FINAL
            if isinstance(first, Field):
                if has_more:
                    raise _ExecError(f"{first.names[-1]} is not a method but has arguments")
                return self.fields(dot, first.names)
            if isinstance(first, Chain):
                if has_more:
                    raise _ExecError(f"{first.names[-1]} is not a method but has arguments")
                base = self.arg(first.node, dot)
                return self.fields(base, first.names)
            if isinstance(first, Variable):
                if has_more:
                    raise _ExecError(f"can't give argument to non-function {self.t.text[first.pos:cmd.end].strip()}")
                return self.fields(self._var(first.name), first.names) if first.names else self._var(first.name)
            if has_more:
                raise _ExecError(f"can't give argument to non-function {self.t.text[first.pos:cmd.end].split()[0]}")
            if isinstance(first, Pipe):
                return self.pipeline(first, dot)
            assert isinstance(first, Const)
            if first.kind == "nil":
                raise _ExecError("nil is not a command")
            return dot if first.kind == "dot" else first.value
        except _ExecError as err:
            raise self.fail(str(err), cmd) from None
        except (NotSimulated, TemplateLimit, TemplateError):
            raise
        except RecursionError:
            raise TemplateLimit("template recursion too deep") from None

    def fields(self, receiver: Any, names: list[str]) -> Any:
        for i, name in enumerate(names):
            if receiver is MISSING:
                raise _ExecError(f'nil data; no entry for key "{name}"')
            if isinstance(receiver, dict):
                if name not in receiver:
                    raise _ExecError(f'map has no entry for key "{name}"')
                receiver = receiver[name]
                if receiver is None and i < len(names) - 1:
                    raise _ExecError(f"nil pointer evaluating interface {{}}.{names[i + 1]}")
            elif receiver is None:
                raise _ExecError(f"nil pointer evaluating interface {{}}.{name}")
            else:
                raise _ExecError(f"can't evaluate field {name} in type {go_type(receiver)}")
        return receiver

    def arg(self, node: Node, dot: Any) -> Any:
        self.tick()
        if isinstance(node, Const):
            return dot if node.kind == "dot" else node.value
        if isinstance(node, Field):
            return self.fields(dot, node.names)
        if isinstance(node, Variable):
            value = self._var(node.name)
            return self.fields(value, node.names) if node.names else value
        if isinstance(node, Pipe):
            return self.pipeline(node, dot)
        if isinstance(node, Ident):
            return self.call(node.name, [], dot, _NO_FINAL, node)
        if isinstance(node, Chain):
            if isinstance(node.node, Const) and node.node.kind == "nil":
                raise _ExecError("indirection through explicit nil")
            return self.fields(self.arg(node.node, dot), node.names)
        raise _ExecError("can't handle argument")

    def call(self, name: str, args: list[Node], dot: Any, final: Any, node: Node) -> Any:
        f = self.t.funcs[name]
        n_in = len(args) + (0 if final is _NO_FINAL else 1)
        if f.variadic:
            if n_in < len(f.params) - 1:
                raise _ExecError(f"wrong number of args for {name}: want at least {len(f.params) - 1} got {n_in}")
        elif n_in != len(f.params):
            raise _ExecError(f"wrong number of args for {name}: want {len(f.params)} got {n_in}")
        if name in ("and", "or"):
            value: Any = MISSING
            for a in args:
                value = self.arg(a, dot)
                if truth(value) == (name == "or"):
                    return value
            return final if final is not _NO_FINAL else value
        values = [self.arg(a, dot) for a in args]
        if final is not _NO_FINAL:
            values.append(final)
        checked = []
        for i, v in enumerate(values):
            kind = f.params[min(i, len(f.params) - 1)] if f.params else "any"
            checked.append(_check_arg(kind, v))
        try:
            result = f.fn(*checked)
        except (_ExecError, NotSimulated, TemplateLimit, TemplateError):
            raise
        except RecursionError:
            raise TemplateLimit("template recursion too deep") from None
        except Exception as err:  # a function's own failure, as Go's "error calling X"
            raise _ExecError(f"error calling {name}: {err}") from None
        return result


class _NoFinal:
    pass


_NO_FINAL: Any = _NoFinal()


def render(text: str, funcs: dict[str, Func], data: Any = MISSING, *, left: str = "{{", right: str = "}}",
           budget: Budget | None = None) -> Rendered:
    """Parse and execute in one go."""
    return parse(text, funcs, left, right).execute(data, budget)
