"""Flux's envsubst: a port of fluxcd/pkg ``envsubst`` (itself a fork of drone/envsubst).

Scanner, parser, string functions and the glob matcher whose ``*`` also crosses ``/``, with the same
errors as Flux; evaluation is bounded (no text past the API server's request limit, a budget of
pattern-removal steps). Where the variables come from and which objects are substituted is
``substitute.py``.
"""

from __future__ import annotations

import _thread  # threading.Lock is _thread.allocate_lock; threading itself costs ~3 M instructions to import
import re
from collections import namedtuple
from typing import Any, Callable

from ..records import slots_equal, slots_repr

# function names that handle an unset variable themselves, so strict mode lets it pass (template.go's
# isDefaultOp; '-', '+' and '?' alone do not parse)
DEFAULT_FUNCS = frozenset({"=", ":=", ":-", ":?", ":+", "-", "+", "?"})


class SubstitutionError(Exception):
    """Text Flux's envsubst rejects, or an unset variable under strict substitution."""


class SubstitutionLimit(SubstitutionError):
    """Work beyond flux-wiki's own budget (Flux would go on)."""


# -- parse tree ---------------------------------------------------------------

class _Text(namedtuple("_Text", "value")):
    """Literal text."""

    __slots__ = ()

    value: str


class _Func:
    """``${param}``, or ``${param<name><args>}``: a function (a default, a substring, a replacement) of it.
    The parser appends the arguments as it reads them."""

    __slots__ = ("param", "name", "args")

    def __init__(self, param: str, name: str = "", args: list[Any] | None = None) -> None:
        self.param = param
        self.name = name
        self.args = [] if args is None else args

    __eq__ = slots_equal
    __repr__ = slots_repr
    __hash__ = None  # type: ignore[assignment]  # changed while parsed, compared by value: not hashable


class _List(namedtuple("_List", "nodes")):
    """Text and references one after another."""

    __slots__ = ()

    nodes: list[Any]


_EMPTY = _Text("")

# -- scanner (parse/scan.go) --------------------------------------------------

_EOF = ""
_T_ILLEGAL, _T_EOF, _T_IDENT, _T_LBRACK, _T_RBRACK = range(5)
_M_IDENT, _M_LBRACK, _M_RBRACK, _M_ESCAPE = 1, 2, 4, 8
_E_DOLLAR, _E_BACKSLASH = 1, 2
_E_ALL = _E_DOLLAR | _E_BACKSLASH

_Accept = Callable[[str, int], bool]


def _is_ident(r: str, i: int) -> bool:
    return r.isalpha() or r.isdecimal() or r == "_"


def _accept_rune(r: str, i: int) -> bool:
    return True


def _accept_colon(r: str, i: int) -> bool:
    return r == ":"


def _accept_one_hash(r: str, i: int) -> bool:
    return r == "#" and i == 1


def _accept_not_closing(r: str, i: int) -> bool:
    return r != "}"


def _accept_hash_func(r: str, i: int) -> bool:
    return r == "#" and i < 3


def _accept_percent_func(r: str, i: int) -> bool:
    return r == "%" and i < 3


def _accept_default_func(r: str, i: int) -> bool:
    return (i == 1 and r == ":") or (i == 2 and r in "=-?+")


def _accept_replace_func(r: str, i: int) -> bool:
    return (i == 1 and r == "/") or (i == 2 and r in "/#%")


def _accept_one_equal(r: str, i: int) -> bool:
    return i == 1 and r == "="


def _accept_one_colon(r: str, i: int) -> bool:
    return i == 1 and r == ":"


def _reject_colon_close(r: str, i: int) -> bool:
    return r not in (":", "}")


def _accept_slash(r: str, i: int) -> bool:
    return r == "/"


def _accept_not_slash(r: str, i: int) -> bool:
    return r != "/"


def _accept_casing_func(r: str, i: int) -> bool:
    return r in (",", "^") and i < 3


class _Scanner:
    """Character scanner with the same quirks as the Go one.

    Go's scanner drops an escape character by rebuilding its buffer (quadratic in a long run of
    escapes); this one keeps the buffer and records the dropped positions of the current token.
    """

    def __init__(self, buf: str) -> None:
        self.buf = buf
        self.pos = 0
        self.start = 0
        self.skipped: list[int] = []  # positions of the current token dropped as escape characters
        self.width = 0
        self.mode = 0
        self.escape_chars = 0
        self.accept: _Accept = _accept_rune

    def read(self) -> str:
        if self.pos >= len(self.buf):
            self.width = 0
            return _EOF
        r = self.buf[self.pos]
        self.width = 1
        self.pos += 1
        return r

    def unread(self) -> None:
        self.pos -= self.width

    def skip(self) -> None:
        """Drop the escape character just read; the character it escapes is taken into the token."""
        self.skipped.append(self.pos - 1)
        self.pos += 1

    def peek(self) -> str:
        r = self.read()
        self.unread()
        return r

    def string(self) -> str:
        if not self.skipped:
            return self.buf[self.start:self.pos]
        out, at = [], self.start
        for i in self.skipped:
            out.append(self.buf[at:i])
            at = i + 1
        out.append(self.buf[at:self.pos])
        return "".join(out)

    def scan(self) -> int:
        self.start = self.pos
        self.skipped = []
        r = self.read()
        if r == _EOF:
            return _T_EOF
        if self._lbrack(r):
            return _T_LBRACK
        if self._rbrack(r):
            return _T_RBRACK
        if self._ident(r):
            return _T_IDENT
        return _T_ILLEGAL

    def _ident(self, r: str) -> bool:
        if not self.mode & _M_IDENT:
            return False
        if self._escaped(r):
            self.skip()
        elif not self.accept(r, self.pos - self.start - len(self.skipped)):  # the index in Go's edited buffer
            return False
        while True:
            r = self.read()
            if r == _EOF:
                self.unread()
                break
            if self._lbrack(r):
                self.unread()
                self.unread()
                break
            if self._escaped(r):
                self.skip()
                continue
            if not self.accept(r, self.pos - self.start - len(self.skipped)):
                self.unread()
                break
        return True

    def _lbrack(self, r: str) -> bool:
        if not self.mode & _M_LBRACK:
            return False
        if r == "$":
            if self.read() == "{":
                return True
            self.unread()
        return False

    def _rbrack(self, r: str) -> bool:
        return bool(self.mode & _M_RBRACK) and r == "}"

    def _escaped(self, r: str) -> bool:
        if not self.mode & _M_ESCAPE:
            return False
        if r == "$" and self.escape_chars & _E_DOLLAR and self.peek() == "$":
            return True
        if r == "\\" and self.escape_chars & _E_BACKSLASH:
            return self.peek() in ("/", "\\")
        return False


# -- parser (parse/parse.go) --------------------------------------------------

_BAD = "bad substitution"
_MISSING_BRACE = "missing closing brace"
_BAD_NAME = "unable to parse variable name"
_BAD_FUNC_SUB = "unable to parse substitution within function"
_BAD_DEFAULT = "unable to parse default function"


# the rest of a ``${NAME}`` after its ``${``: ASCII characters the scanner takes into a name, then the brace
_SIMPLE_REFERENCE = re.compile(r"([A-Za-z0-9_]+)\}")


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = _Scanner(text)

    def parse(self) -> Any:
        """parseAny, iterative, with the text between references found by ``str.find``.

        At the top level the Go scanner only ever stops a text token at ``${``
        and turns ``$$`` into ``$``; jumping from ``$`` to ``$`` gives the same
        tokens without a Python step per character.
        """
        nodes: list[Any] = []
        s = self.s
        while True:
            buf, pos = s.buf, s.pos
            text: list[str] = []
            while True:
                i = buf.find("$", pos)
                nxt = buf[i + 1:i + 2] if i >= 0 else ""
                if i < 0 or nxt == "{":
                    break
                if nxt == "$":
                    text.append(buf[pos:i + 1])
                    pos = i + 2
                else:
                    text.append(buf[pos:i + 1])
                    pos = i + 1
            if i < 0:
                text.append(buf[pos:])
                pos = len(buf)
            else:
                text.append(buf[pos:i])
                pos = i + 2
            if any(text):
                nodes.append(_Text("".join(text)))
            if i < 0:
                break
            s.pos = pos
            nodes.append(self._func())
        if not nodes:
            return _EMPTY
        return nodes[0] if len(nodes) == 1 else _List(nodes)

    def _func(self) -> _Func:
        s = self.s
        simple = _SIMPLE_REFERENCE.match(s.buf, s.pos)
        if simple is not None:  # the common ``${NAME}``: the state the steps below leave, in one match
            s.escape_chars, s.accept, s.mode = _E_ALL, _is_ident, _M_RBRACK
            s.pos, s.start, s.skipped, s.width = simple.end(), simple.end() - 1, [], 1
            return _Func(simple[1])
        s.escape_chars = _E_ALL
        if s.peek() == "#":
            return self._len_func()
        s.accept = _is_ident
        s.mode = _M_IDENT
        if s.scan() != _T_IDENT:
            raise SubstitutionError(_BAD_NAME)
        name = s.string()
        nxt = s.peek()
        if nxt == ":":
            return self._default_or_substr(name)
        if nxt == "=":
            return self._default_func(name)
        if nxt in (",", "^"):
            return self._casing_func(name)
        if nxt == "/":
            return self._replace_func(name)
        if nxt == "#":
            return self._remove_func(name, _accept_hash_func)
        if nxt == "%":
            return self._remove_func(name, _accept_percent_func)
        s.accept = _is_ident
        s.mode = _M_RBRACK
        if s.scan() == _T_RBRACK:
            return _Func(name)
        raise SubstitutionError(_MISSING_BRACE)

    def _param(self, accept: _Accept, mode: int) -> Any:
        s = self.s
        s.accept = accept
        s.mode = mode | _M_LBRACK
        tok = s.scan()
        if tok == _T_LBRACK:
            return self._func()
        if tok in (_T_IDENT, _T_RBRACK):
            return _Text(s.string())
        raise SubstitutionError(_BAD_FUNC_SUB)

    def _operator(self, accept: _Accept, error: str = _BAD) -> str:
        s = self.s
        s.accept = accept
        s.mode = _M_IDENT
        if s.scan() != _T_IDENT:
            raise SubstitutionError(error)
        return s.string()

    def _default_or_substr(self, name: str) -> _Func:
        s = self.s
        s.read()
        r = s.peek()
        s.unread()
        if r and r in "=-?+":
            return self._default_func(name)
        return self._substr_func(name)

    def _substr_func(self, name: str) -> _Func:
        node = _Func(name, self._operator(_accept_one_colon))
        node.args.append(self._param(_reject_colon_close, _M_IDENT))
        s = self.s
        s.accept = _accept_colon
        s.mode = _M_IDENT | _M_RBRACK
        tok = s.scan()
        if tok == _T_RBRACK:
            return node
        if tok != _T_IDENT:
            raise SubstitutionError(_BAD)
        node.args.append(self._param(_accept_not_closing, _M_IDENT))
        self._rbrack()
        return node

    def _remove_func(self, name: str, accept: _Accept) -> _Func:
        node = _Func(name, self._operator(accept))
        node.args.append(self._param(_accept_not_closing, _M_IDENT))
        self._rbrack()
        return node

    def _replace_func(self, name: str) -> _Func:
        node = _Func(name, self._operator(_accept_replace_func))
        # an empty pattern: the delimiter comes next (``${v/#/prefix-}``)
        node.args.append(_EMPTY if self.s.peek() == "/" else self._param(_accept_not_slash, _M_IDENT | _M_ESCAPE))
        self._operator(_accept_slash)
        if self.s.peek() == "}":
            self._rbrack()
            return node
        node.args.append(self._param(_accept_not_closing, _M_IDENT | _M_ESCAPE))
        self._rbrack()
        return node

    def _default_func(self, name: str) -> _Func:
        accept = _accept_one_equal if self.s.peek() == "=" else _accept_default_func
        node = _Func(name, self._operator(accept, _BAD_DEFAULT))
        while True:
            if self.s.peek() == "}":
                self._rbrack()
                return node
            node.args.append(self._param(_accept_not_closing, _M_IDENT))

    def _casing_func(self, name: str) -> _Func:
        node = _Func(name, self._operator(_accept_casing_func))
        self._rbrack()
        return node

    def _len_func(self) -> _Func:
        op = self._operator(_accept_one_hash)
        param = self._operator(_is_ident)
        self._rbrack()
        return _Func(param, op)

    def _rbrack(self) -> None:
        self.s.mode = _M_RBRACK
        if self.s.scan() != _T_RBRACK:
            raise SubstitutionError(_BAD)


class _ParseMemo:
    """Trees of the texts parsed before, within a bound on their total length (the oldest forgotten first).

    The same strings are substituted in every Kustomization that builds the same manifests (a component
    used by a dozen apps, a chart's values), each time with other variables: the tree depends on the text
    alone, and evaluation never changes it, so one tree serves them all. A text that fails to parse is
    not remembered (it raises again).
    """

    MAX_CHARS = 4 << 20

    def __init__(self) -> None:
        self.trees: dict[str, Any] = {}
        self.chars = 0
        self._lock = _thread.allocate_lock()

    def parse(self, text: str) -> Any:
        tree = self.trees.get(text)
        if tree is None:
            tree = _Parser(text).parse()
            if len(text) <= self.MAX_CHARS:
                with self._lock:
                    if self.trees.setdefault(text, tree) is tree:
                        self.chars += len(text)
                    while self.chars > self.MAX_CHARS:
                        oldest = next(iter(self.trees))
                        del self.trees[oldest]
                        self.chars -= len(oldest)
        return tree


_MEMO = _ParseMemo()


def parse(text: str) -> Any:
    """Parse ``text`` into envsubst's tree; raises :class:`SubstitutionError` like Flux does.

    The tree is shared with earlier parses of the same text: callers only read it.
    """
    return _MEMO.parse(text)


# -- glob matcher (drone/envsubst path.Match: '*' and '?' also match '/') -----

class _BadPattern(Exception):
    pass


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    star = False
    while pattern.startswith("*"):
        pattern = pattern[1:]
        star = True
    inrange = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 < len(pattern):
                i += 1
        elif c == "[":
            inrange = True
        elif c == "]":
            inrange = False
        elif c == "*" and not inrange:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _get_esc(chunk: str) -> tuple[str, str]:
    if not chunk or chunk[0] in "-]":
        raise _BadPattern
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            raise _BadPattern
    r, rest = chunk[0], chunk[1:]
    if not rest:
        raise _BadPattern
    return r, rest


def _match_chunk(chunk: str, s: str) -> str | None:
    """The rest of ``s`` after ``chunk`` matched its start, or None."""
    while chunk:
        if not s:
            return None
        c = chunk[0]
        if c == "[":
            r, s = s[0], s[1:]
            chunk = chunk[1:]
            negated = bool(chunk) and chunk[0] == "^"
            if negated:
                chunk = chunk[1:]
            matched = False
            nrange = 0
            while True:
                if chunk and chunk[0] == "]" and nrange > 0:
                    chunk = chunk[1:]
                    break
                lo, chunk = _get_esc(chunk)
                hi = lo
                if chunk[0] == "-":
                    hi, chunk = _get_esc(chunk[1:])
                if lo <= r <= hi:
                    matched = True
                nrange += 1
            if matched == negated:
                return None
        elif c == "?":
            s, chunk = s[1:], chunk[1:]
        else:
            if c == "\\":
                chunk = chunk[1:]
                if not chunk:
                    raise _BadPattern
            if chunk[0] != s[0]:
                return None
            s, chunk = s[1:], chunk[1:]
    return s


def _path_match(pattern: str, name: str) -> bool:
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return True
        t = _match_chunk(chunk, name)
        if t is not None and (not t or pattern):
            name = t
            continue
        if star:
            for i in range(len(name)):
                t = _match_chunk(chunk, name[i + 1:])
                if t is not None:
                    if not pattern and t:
                        continue
                    name = t
                    break
            else:
                return False
            continue
        return False
    return not name


# -- string functions (funcs.go) ----------------------------------------------

def _go_upper(s: str) -> str:
    return "".join(u if len(u := c.upper()) == 1 else c for c in s)


def _go_lower(s: str) -> str:
    return "".join(u if len(u := c.lower()) == 1 else c for c in s)


def _go_atoi(s: str) -> int | None:
    return int(s) if re.fullmatch(r"[+-]?[0-9]+", s) else None


def _to_substr(s: str, args: list[str]) -> str:
    b = s.encode()
    pos = _go_atoi(args[0]) if args else None
    if pos is None:
        return s
    if pos < 0:
        pos = max(len(b) + pos, 0)
    if len(args) == 1:
        return b[pos:].decode(errors="replace") if pos < len(b) else ""
    length = _go_atoi(args[1])
    if length is None:
        return s
    if length < 0:  # counts back from the end (fluxcd/pkg#1275); bash refuses an end before the offset: empty
        end = len(b) + length
        return b[pos:end].decode(errors="replace") if end >= pos else ""
    if pos + length >= len(b):
        return b[pos:].decode(errors="replace") if pos < len(b) else ""
    return b[pos:pos + length].decode(errors="replace")


def _trim_shortest(s: str, pattern: str) -> str:
    shortest = ""
    try:
        for i in range(len(s)):
            if _path_match(pattern, s[: len(s) - i]):
                shortest = s[: len(s) - i]
    except _BadPattern:
        return s
    return s[len(shortest):] if shortest else s


def _trim_longest(s: str, pattern: str) -> str:
    try:
        for i in range(len(s)):
            if _path_match(pattern, s[: len(s) - i]):
                return s[len(s) - i:]
    except _BadPattern:
        return s
    return s


def _apply(name: str, s: str, args: list[str]) -> str:
    """lookupFunc + the function it names."""
    if name == ",":
        return _go_lower(s[:1]) + s[1:]
    if name == ",,":
        return _go_lower(s)
    if name == "^":
        return _go_upper(s[:1]) + s[1:]
    if name == "^^":
        return _go_upper(s)
    if name == "#" and not args:
        return str(len(s.encode()))
    if name in ("#", "##", "%", "%%"):
        if not args:
            return s
        if name == "#":
            return _trim_shortest(s, args[0])
        if name == "##":
            return _trim_longest(s, args[0])
        rev = _trim_shortest if name == "%" else _trim_longest
        return rev(s[::-1], args[0][::-1])[::-1]
    if name == ":":
        return _to_substr(s, args)
    if name == "/#":
        return s.replace(args[0], args[1], 1) if len(args) == 2 and s.startswith(args[0]) else s
    if name == "/%":
        if len(args) == 2 and s.endswith(args[0]):
            return s[: len(s) - len(args[0])] + args[1]
        return s
    if name in ("/", "//"):
        if not args:
            return s
        # str.replace agrees with Go's strings.Replace, also for an empty pattern
        return s.replace(args[0], args[1] if len(args) > 1 else "", 1 if name == "/" else -1)
    # "=", ":=", ":-", ":?", ":+" and anything else: toDefault
    if not s and args:
        return "".join(args)
    return s


# -- evaluation (template.go) -------------------------------------------------

# Bounds of substitution. Flux could not apply an object whose text is over the API server's 3 MiB
# request limit, so no substituted text may grow past it; pattern removal (`${v#*x}`, quadratic in the
# value's length, in Flux too) gets a budget of character steps per Kustomization.
MAX_SUBSTITUTED_CHARS = 3 << 20
PATTERN_STEPS = 5_000_000


class Budget:
    """What one Kustomization's substitution may still spend on pattern removal."""

    def __init__(self) -> None:
        self.pattern_steps = PATTERN_STEPS


def _too_long(size: int) -> SubstitutionError:
    return SubstitutionError(f"the substituted text would exceed {MAX_SUBSTITUTED_CHARS >> 20} MiB "
                             f"({size:,} characters); the API server would refuse it")


def _predicted_size(name: str, s: str, args: list[str]) -> int:
    """The length of a replace function's result, without building it."""
    if name not in ("/", "//") or not args:
        return len(s)
    new = args[1] if len(args) > 1 else ""
    count = min(s.count(args[0]), 1 if name == "/" else len(s) + 1)
    return len(s) + count * (len(new) - len(args[0]))


def _written(node: _Func, args: list[str]) -> str:
    """The reference as written, its arguments substituted: what a page shows for a variable it keeps.

    ``${HOST/./-}`` stays that, not ``${HOST}``, which would claim the value is the variable's own."""
    if node.name == "#" and not args:
        return "${#" + node.param + "}"
    if node.name in ("/", "//", "/#", "/%"):  # a '/' in the pattern was written escaped
        body = args[0].replace("/", "\\/") + "/" + "".join(args[1:])
    else:
        body = ":".join(args) if node.name == ":" else "".join(args)
    return "${" + node.param + node.name + body + "}"


class Evaluator:
    """Evaluates a parsed text; records the variables it kept as ``${NAME}`` and those it found unset."""

    def __init__(self, lookup: Callable[[str], str | None], strict: bool,
                 keep: Callable[[str], bool], keep_unset: bool, budget: Budget | None = None) -> None:
        self.lookup = lookup
        self.strict = strict
        self.keep = keep
        self.keep_unset = keep_unset
        self.kept: set[str] = set()
        self.unset: set[str] = set()
        self.budget = budget or Budget()

    def run(self, node: Any) -> str:
        if isinstance(node, _Text):
            return node.value
        if isinstance(node, _List):
            parts, size = [], 0
            for n in node.nodes:
                part = self.run(n)
                size += len(part)
                if size > MAX_SUBSTITUTED_CHARS:
                    raise _too_long(size)
                parts.append(part)
            return "".join(parts)
        return self.func(node)

    def func(self, node: _Func) -> str:
        args = [self.run(a) for a in node.args]
        if self.keep(node.param):
            self.kept.add(node.param)
            return _written(node, args)
        value = self.lookup(node.param)
        if value is None:
            if node.name not in DEFAULT_FUNCS:
                self.unset.add(node.param)
                if self.strict:
                    raise SubstitutionError(f"variable not set (strict mode): \"{node.param}\"")
                if self.keep_unset:
                    return _written(node, args)
            value = ""
        size = _predicted_size(node.name, value, args)
        if size > MAX_SUBSTITUTED_CHARS:
            raise _too_long(size)
        if node.name in ("#", "##", "%", "%%") and args:
            self.budget.pattern_steps -= len(value) * (len(value) + len(args[0])) // 2 + 1
            if self.budget.pattern_steps < 0:
                raise SubstitutionLimit(f"pattern removal ${{{node.param}{node.name}...}} on a "
                                        f"{len(value):,}-character value is beyond flux-wiki's budget "
                                        "for one Kustomization")
        return _apply(node.name, value, args)


def envsubst(text: str, lookup: Callable[[str], str | None], *, strict: bool = False,
             keep: Callable[[str], bool] = lambda name: False, keep_unset: bool = False) -> str:
    """Flux's envsubst over a text.

    ``lookup(name)`` gives a value or None when unset. ``keep(name)`` True leaves
    every reference to that variable as written (``${NAME}``, ``${NAME/./-}``:
    arguments substituted, the variable not), whatever its operator or default
    (for Secret-sourced values). An unset variable reached through a default
    operator (``=``, ``:=``, ``:-``, ``:?``, ``:+``) takes its default; otherwise it
    becomes empty as in Flux, stays as written when ``keep_unset`` is set, or
    raises :class:`SubstitutionError` under ``strict`` (as Flux's strict mode).
    Syntax Flux rejects (``${VAR-x}``, ``${VAR+x}``, bad names, an unclosed
    ``${``) raises :class:`SubstitutionError`.
    """
    return Evaluator(lookup, strict, keep, keep_unset).run(parse(text))
