"""Write JSON-like data as YAML text the way sigs.k8s.io/yaml (go-yaml v2) does.

flux-operator turns each `spec.resources` entry into template text with `yaml.JSONToYAML` and its
`toYaml` function marshals with the same library, so the text a template sees (key order, quoting,
literal blocks, where long lines are folded) decides what the template renders. This module follows
go-yaml v2's encoder and emitter (encode.go stringv, emitterc.go analyze_scalar,
select_scalar_style, write_*_scalar): keys in go-yaml's "natural" order, sequences not indented under
their key, `|` blocks for multi-line strings, quotes only where a plain scalar would read back as
something else, and lines folded at spaces past column 80.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from typing import Any

_BEST_WIDTH = 80
_BEST_INDENT = 2

_BOOL_NULL = frozenset("y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF "
                       "~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF".split())
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_GO_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$")
_TIMESTAMP_FORMATS = (
    re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$"),
    re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[Tt ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[-+]\d{2}:\d{2})?$"),
)


class MarshalError(ValueError):
    """A value JSON cannot hold (NaN, infinity)."""


class TooLarge(Exception):
    """A value with more nodes, or nested deeper, than flux-wiki walks (shared YAML aliases count each time)."""


_MAX_NODES = 2_000_000
_MAX_DEPTH = 200


def go_float(value: float) -> str:
    """strconv.FormatFloat(v, 'g', -1, 64), which fmt's %v uses: shortest digits, %e below 1e-4 and from 1e+06."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    from decimal import Decimal  # floats in templates are rare: most runs never load decimal

    sign, digits, exp = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(str(d) for d in digits)
    point = len(text) + int(exp)  # position of the decimal point within the digit string
    e = point - 1
    neg = "-" if sign else ""
    if e < -4 or e >= 6:
        mant = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{neg}{mant}e{'-' if e < 0 else '+'}{abs(e):02d}"
    if point <= 0:
        return f"{neg}0.{'0' * -point}{text}"
    if point >= len(text):
        return neg + text + "0" * (point - len(text))
    return f"{neg}{text[:point]}.{text[point:]}"


def json_normalize(value: Any, max_nodes: int = _MAX_NODES) -> Any:
    """The value as it comes back from a JSON round trip in Go (k8s.io/apimachinery/pkg/util/json).

    Integral floats become ints, dates become their ISO text, mapping keys become strings; the result
    is a tree (YAML aliases are copied), bounded by ``max_nodes`` and a nesting depth (:class:`TooLarge`).
    """
    return _normalize(value, [max_nodes], 0)


def _normalize(value: Any, budget: list[int], depth: int) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise TooLarge("value has more nodes than flux-wiki walks")
    if depth > _MAX_DEPTH:
        raise TooLarge("value is nested deeper than flux-wiki walks")
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise MarshalError(f"json: unsupported value: {go_float(value)}")
        if value.is_integer() and abs(value) < 1e21:
            return int(value)
        return value
    if isinstance(value, dict):
        return {_key_text(k): _normalize(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalize(v, budget, depth + 1) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return go_float(key)
    return str(key)


def _is_letter(ch: str) -> bool:
    return ch.isalpha()


def _key_less(a: str, b: str) -> bool:
    """go-yaml v2 sorter.go keyList.Less for two string keys: letters after other runes, digit runs by value.

    A digit is Go's unicode.IsDigit (a decimal digit of any script, Python's isdecimal: not ``²``), valued as Go
    does, by its distance from ``0``."""
    for i in range(min(len(a), len(b))):
        if a[i] == b[i]:
            continue
        al, bl = _is_letter(a[i]), _is_letter(b[i])
        if al and bl:
            return a[i] < b[i]
        if al or bl:
            return bl
        an = bn = 0
        if a[i] == "0" or b[i] == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdecimal():
            an = an * 10 + ord(a[ai]) - 48
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdecimal():
            bn = bn * 10 + ord(b[bi]) - 48
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return a[i] < b[i]
    return len(a) < len(b)


_sort_key = functools.cmp_to_key(lambda a, b: -1 if _key_less(a, b) else (1 if _key_less(b, a) else 0))


def _resolves_to_non_string(s: str) -> bool:
    """Would a plain scalar `s` read back as null, bool, number or timestamp (go-yaml v2 resolve)?"""
    if s == "" or s in _BOOL_NULL:
        return True
    first = s[0]
    if first == ".":
        return bool(_YAML_FLOAT.match(s))
    if first in "+-0123456789":
        if first.isdigit() and any(f.match(s) for f in _TIMESTAMP_FORMATS):
            return True
        plain = s.replace("_", "")
        if _GO_INT.match(plain) or _YAML_FLOAT.match(plain):
            return True
        if _BASE60_FLOAT.match(s):
            return True
    return False


def _printable(ch: str) -> bool:
    o = ord(ch)
    return ch == "\n" or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)


_BREAKS = "\r\n\x85\u2028\u2029"
# text analyze_scalar allows in every style: no indicator first (nor `.`, for `...`), no `:` or `#`, no space at
# either end, no line break, nothing unprintable (most names, images, paths)
_SIMPLE = re.compile(r"[A-Za-z0-9_/](?:[A-Za-z0-9_./ -]*[A-Za-z0-9_./-])?")
# ASCII text a quoted scalar writes as it stands: printable, without a line break, a quote or a backslash
_VERBATIM = re.compile(r"[ !#-&(-\[\]-~]*")
# mapping keys whose go-yaml order is the order of their text: letters and the ASCII punctuation before them (no
# digit, whose runs go-yaml compares by value, and nothing after `Z`, which go-yaml puts before letters)
_TEXT_ORDERED_KEY = re.compile(r"[ -/:-Za-z]*")


@functools.lru_cache(maxsize=4096)
def _analyze(value: str) -> tuple[bool, bool, bool, bool]:
    """(multiline, block_plain_allowed, single_quoted_allowed, block_allowed) per emitterc.go analyze_scalar."""
    if not value:
        return False, True, True, False
    if _SIMPLE.fullmatch(value):
        return False, True, True, True
    return _analyze_chars(value)


def _analyze_chars(value: str) -> tuple[bool, bool, bool, bool]:
    """:func:`_analyze` of a non-empty text, character by character as analyze_scalar goes."""
    block_ind = value.startswith(("---", "..."))
    line_breaks = special = False
    leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = False
    previous_space = previous_break = False
    preceded_by_ws = True
    n = len(value)
    for i, ch in enumerate(value):
        followed_by_ws = i + 1 >= n or value[i + 1] in " \t" + _BREAKS
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                block_ind = True
            elif ch in "?:" and followed_by_ws:
                block_ind = True
            elif ch == "-" and followed_by_ws:
                block_ind = True
        else:
            if ch == ":" and followed_by_ws:
                block_ind = True
            elif ch == "#" and preceded_by_ws:
                block_ind = True
        if not _printable(ch):
            special = True
        if ch == " ":
            leading_space = leading_space or i == 0
            trailing_space = trailing_space or i == n - 1
            break_space = break_space or previous_break
            previous_space, previous_break = True, False
        elif ch in _BREAKS:
            line_breaks = True
            leading_break = leading_break or i == 0
            trailing_break = trailing_break or i == n - 1
            space_break = space_break or previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_ws = ch in " \t" + _BREAKS
    plain = single = block = True
    if leading_space or leading_break or trailing_space or trailing_break:
        plain = False
    if trailing_space:
        block = False
    if break_space:
        plain = single = False
    if space_break or special:
        plain = single = block = False
    if line_breaks:
        plain = False
    if block_ind:
        plain = False
    return line_breaks, plain, single, block


_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r",
            "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P"}


class _Emitter:
    """The bits of go-yaml's emitter state that decide the text: column, indent and the two flags."""

    def __init__(self, fast: bool = True) -> None:
        self.fast = fast  # write whole strings where no character needs a decision (tests compare with False)
        self.out: list[str] = []
        self.column = 0
        self.whitespace = True
        self.indention = True

    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def newline(self) -> None:
        self.out.append("\n")
        self.column = 0

    def write_indent(self, indent: int) -> None:
        indent = max(indent, 0)
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.newline()
        if self.column < indent:
            self.put(" " * (indent - self.column))
        self.whitespace = self.indention = True

    def _unfolded(self, s: str, allow_breaks: bool) -> bool:
        """Whether ``s``, written from the current column, has no space where the emitter could fold the line (a
        space past :data:`_BEST_WIDTH`)."""
        return not allow_breaks or self.column + len(s) <= _BEST_WIDTH or " " not in s

    def indicator(self, text: str, need_ws: bool, is_ws: bool = False, is_indention: bool = False) -> None:
        if need_ws and not self.whitespace:
            self.put(" ")
        self.put(text)
        self.whitespace = is_ws
        self.indention = self.indention and is_indention

    # -- scalars ------------------------------------------------------------
    def scalar(self, value: Any, indent: int, simple_key: bool) -> None:
        if value is None:
            self._plain("null", indent, not simple_key)
        elif isinstance(value, bool):
            self._plain("true" if value else "false", indent, not simple_key)
        elif isinstance(value, int):
            self._plain(str(value), indent, not simple_key)
        elif isinstance(value, float):
            text = {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(go_float(value), go_float(value))
            self._plain(text, indent, not simple_key)
        else:
            self._string(str(value), indent, simple_key)

    def _string(self, s: str, indent: int, simple_key: bool) -> None:
        multiline, plain_ok, single_ok, block_ok = _analyze(s)
        if "\n" in s:
            style = "literal"
        elif not _resolves_to_non_string(s):
            style = "plain"
        else:
            style = "double"
        if simple_key and multiline:
            style = "double"
        if style == "plain" and (not plain_ok or (not s and simple_key)):
            style = "single"
        if style == "single" and not single_ok:
            style = "double"
        if style == "literal" and (not block_ok or simple_key):
            style = "double"
        allow_breaks = not simple_key
        if style == "plain":
            self._plain(s, indent, allow_breaks)
        elif style == "single":
            self._single(s, indent, allow_breaks)
        elif style == "double":
            self._double(s, indent, allow_breaks)
        else:
            self._literal(s, indent)

    def _plain(self, s: str, indent: int, allow_breaks: bool) -> None:
        if not self.whitespace:
            self.put(" ")
        if self.fast and self._unfolded(s, allow_breaks):
            self.put(s)
            self.whitespace = self.indention = False
            return
        spaces = False
        i = 0
        while i < len(s):
            ch = s[i]
            if ch == " ":
                nxt = s[i + 1] if i + 1 < len(s) else ""
                if allow_breaks and not spaces and self.column > _BEST_WIDTH and nxt != " ":
                    self.write_indent(indent)
                else:
                    self.put(ch)
                spaces = True
            else:
                self.put(ch)
                self.indention = False
                spaces = False
            i += 1
        self.whitespace = self.indention = False

    def _single(self, s: str, indent: int, allow_breaks: bool) -> None:
        self.indicator("'", True)
        if self.fast and _VERBATIM.fullmatch(s) and self._unfolded(s, allow_breaks):
            self.put(s)
            self.indention = False
            self.indicator("'", False)
            return
        spaces = False
        for i, ch in enumerate(s):
            if ch == " ":
                nxt = s[i + 1] if i + 1 < len(s) else ""
                if (allow_breaks and not spaces and self.column > _BEST_WIDTH and 0 < i < len(s) - 1
                        and nxt != " "):
                    self.write_indent(indent)
                else:
                    self.put(ch)
                spaces = True
            else:
                self.put("''" if ch == "'" else ch)
                self.indention = False
                spaces = False
        self.indicator("'", False)

    def _double(self, s: str, indent: int, allow_breaks: bool) -> None:
        self.indicator('"', True)
        if self.fast and _VERBATIM.fullmatch(s) and self._unfolded(s, allow_breaks):
            self.put(s)
            self.indicator('"', False)
            return
        spaces = False
        for i, ch in enumerate(s):
            o = ord(ch)
            if not _printable(ch) or ch in _BREAKS or ch in '"\\' or o == 0xFEFF:
                if ch in _ESCAPES:
                    self.put("\\" + _ESCAPES[ch])
                elif o <= 0xFF:
                    self.put(f"\\x{o:02X}")
                elif o <= 0xFFFF:
                    self.put(f"\\u{o:04X}")
                else:
                    self.put(f"\\U{o:08X}")
                spaces = False
            elif ch == " ":
                if allow_breaks and not spaces and self.column > _BEST_WIDTH and i != 0 and i != len(s) - 1:
                    self.write_indent(indent)
                    if i + 1 < len(s) and s[i + 1] == " ":
                        self.put("\\")
                else:
                    self.put(ch)
                spaces = True
            else:
                self.put(ch)
                spaces = False
        self.indicator('"', False)

    def _literal(self, s: str, indent: int) -> None:
        self.indicator("|", True)
        hint = str(_BEST_INDENT) if s[0] in " " + _BREAKS else ""
        if s[-1] not in _BREAKS:
            chomp = "-"
        elif len(s) == 1 or s[-2] in _BREAKS:
            chomp = "+"
        else:
            chomp = ""
        self.put(hint + chomp)
        self.newline()
        self.indention = self.whitespace = True
        if self.fast and not any(b in s for b in _BREAKS if b != "\n"):  # lines end only at line feeds
            for i, line in enumerate(s.split("\n")):
                if i:
                    self.newline()
                    self.indention = True
                if line:
                    self.write_indent(indent)
                    self.put(line)
                    self.indention = False
            self.whitespace = True
            return
        breaks = True
        for ch in s:
            if ch in _BREAKS:
                self.newline()
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent(indent)
                    breaks = False
                self.put(ch)
                self.indention = False
        self.whitespace = True

    # -- collections -----------------------------------------------------------
    def node(self, value: Any, indent: int, mapping_context: bool) -> None:
        """Emit ``value`` whose container sits at ``indent``; scalars indent their continuation lines."""
        if isinstance(value, dict) and value:
            self._mapping(value, indent)
        elif isinstance(value, list) and value:
            self._sequence(value, indent, mapping_context)
        elif isinstance(value, dict):
            self.indicator("{", True, True)
            self.indicator("}", False)
        elif isinstance(value, list):
            self.indicator("[", True, True)
            self.indicator("]", False)
        else:
            self.scalar(value, indent + _BEST_INDENT if indent >= 0 else _BEST_INDENT, False)

    def _mapping(self, value: dict[str, Any], indent: int) -> None:
        inner = 0 if indent < 0 else indent
        if self.fast and all(_TEXT_ORDERED_KEY.fullmatch(k) for k in value):
            keys = sorted(value)
        else:
            keys = sorted(value, key=_sort_key)
        for key in keys:
            self.write_indent(inner)
            self.scalar(key, inner + _BEST_INDENT, True)
            self.indicator(":", False)
            child = value[key]
            if isinstance(child, (dict, list)) and child:
                self.node(child, inner + _BEST_INDENT if isinstance(child, dict) else inner, True)
            else:
                self.node(child, inner, True)

    def _sequence(self, value: list[Any], indent: int, mapping_context: bool) -> None:
        indentless = mapping_context and not self.indention
        inner = 0 if indent < 0 else indent
        if not indentless and indent >= 0 and not mapping_context:
            inner = indent
        for item in value:
            self.write_indent(inner)
            self.indicator("-", True, False, True)
            if isinstance(item, dict) and item:
                self._mapping(item, inner + _BEST_INDENT)
            elif isinstance(item, list) and item:
                self._sequence(item, inner + _BEST_INDENT, False)
            else:
                self.node(item, inner, False)


def marshal(value: Any, fast: bool = True) -> str:
    """YAML text of ``value`` as `sigs.k8s.io/yaml.Marshal` writes it (JSON round trip, then go-yaml v2); ``fast``
    takes the emitter's whole-string shortcuts (see :class:`_Emitter`)."""
    data = json_normalize(value)
    em = _Emitter(fast)
    if isinstance(data, dict) and data:
        em._mapping(data, -1)
    elif isinstance(data, list) and data:
        em._sequence(data, -1, False)
    else:
        em.node(data, -1, False)
    text = "".join(em.out)
    return text + "\n" if not text.endswith("\n") else text
