"""The template functions of a flux-operator ResourceSet: slim-sprig's hermetic map plus its own.

flux-operator (internal/builder/resourceset.go newTemplate) parses with
`sprig.HermeticTxtFuncMap()` from github.com/go-task/slim-sprig/v3, then adds `slugify`
(gosimple/slug, MaxLength 63, smart truncate), `toYaml`/`mustToYaml` (sigs.k8s.io/yaml) and
`inputs`. Each function here follows slim-sprig's Go source (functions.go, strings.go, defaults.go,
dict.go, list.go, numeric.go, regex.go, crypto.go); the ones whose result cannot be known offline
(time, randomness) raise :class:`NotSimulated`.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import posixpath
import re
import unicodedata
import zlib
from typing import Any, Callable

from .goyaml import MarshalError, json_normalize, marshal
from .gotemplate import MISSING, Func, NotSimulated, TemplateLimit, go_str, go_type

_MAX_LIST = 100_000  # seq/until/concat results: a bound of the simulation, not of sprig
_MAX_STRING = 10_000_000  # repeat results


def strval(v: Any) -> str:
    if isinstance(v, str):
        return v
    return go_str(None if v is MISSING else v)


def _bounded(n: int) -> int:
    if n > _MAX_LIST:
        raise TemplateLimit(f"a sprig function asked for more than {_MAX_LIST} items")
    return n


def to_int64(v: Any) -> int:
    """sprig toInt64: strings parse as base-10 integers (0 when they do not), floats truncate, bools 0/1."""
    if isinstance(v, str):
        try:
            return int(v, 10) if re.fullmatch(r"[+-]?\d+", v) else 0
        except ValueError:
            return 0
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return 0 if math.isnan(v) or math.isinf(v) else int(v)
    return 0


def to_float64(v: Any) -> float:
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return 0.0
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    return 0.0


def empty(v: Any) -> bool:
    """sprig empty: nil and the zero value of its kind."""
    if v is None or v is MISSING:
        return True
    if isinstance(v, bool):
        return not v
    if isinstance(v, (int, float)):
        return v == 0
    if isinstance(v, (str, list, dict)):
        return len(v) == 0
    return False


def _strslice(v: Any) -> list[str]:
    if v is None or v is MISSING:
        return []
    if isinstance(v, list):
        return [strval(x) for x in v if x is not None]
    return [strval(v)]


def _need_list(v: Any, what: str) -> list[Any]:
    if isinstance(v, list):
        return v
    raise ValueError(f"Cannot {what} on type {_kind(v)}")


def _kind(v: Any) -> str:
    if v is None or v is MISSING:
        return "invalid"
    return {"bool": "bool", "int64": "int64", "float64": "float64", "string": "string",
            "map[string]interface {}": "map", "[]interface {}": "slice"}.get(go_type(v), "struct")


# -- strings ------------------------------------------------------------------------------
def _title(s: str) -> str:
    """strings.Title: upper-case the first letter of each word (words split at non letter/digit/_ runes)."""
    out, prev_sep = [], True
    for ch in s:
        out.append(ch.upper() if prev_sep and ch.isalpha() else ch)
        prev_sep = not (ch.isalnum() or ch == "_")
    return "".join(out)


def _trunc(c: int, s: str) -> str:
    if c < 0 and len(s) + c > 0:
        return s[len(s) + c:]
    if c >= 0 and len(s) > c:
        return s[:c]
    return s


def _substr(start: int, end: int, s: str) -> str:
    if start < 0:
        return s[:end]
    if end < 0 or end > len(s):
        return s[start:]
    return s[start:end]


def _indent(spaces: int, v: str) -> str:
    pad = " " * max(spaces, 0)
    return pad + v.replace("\n", "\n" + pad)


def _quote(*args: Any) -> str:
    from .gotemplate import go_quote
    return " ".join(go_quote(strval(a)) for a in args if a is not None and a is not MISSING)


def _squote(*args: Any) -> str:
    return " ".join(f"'{strval(a)}'" for a in args if a is not None and a is not MISSING)


def _cat(*args: Any) -> str:
    return " ".join(strval(a) for a in args if a is not None and a is not MISSING)


def _split(sep: str, orig: str) -> dict[str, str]:
    parts = orig.split(sep) if sep else list(orig)
    return {f"_{i}": p for i, p in enumerate(parts)}


def _splitn(sep: str, n: int, orig: str) -> dict[str, str]:
    if n == 0:
        return {}
    parts = orig.split(sep, n - 1) if n > 0 else orig.split(sep)
    return {f"_{i}": p for i, p in enumerate(parts)}


def _seq(*params: int) -> str:
    """sprig seq: like GNU seq, counting down when the end is below the start."""
    if len(params) == 1:
        start, end = 1, params[0]
        inc = -1 if end < start else 1
        return " ".join(map(str, _until_step(start, end + inc, inc)))
    if len(params) == 2:
        start, end = params
        step = -1 if end < start else 1
        return " ".join(map(str, _until_step(start, end + step, step)))
    if len(params) == 3:
        start, step, end = params
        inc = 1
        if end < start:
            inc = -1
            if step > 0:
                return ""
        return " ".join(map(str, _until_step(start, end + inc, step)))
    return ""


def _until_step(start: int, stop: int, step: int) -> list[int]:
    """sprig untilStep: empty when the step does not lead from start towards stop."""
    if (stop < start and step >= 0) or (stop >= start and step <= 0):
        return []
    _bounded(abs(stop - start) // abs(step) + 1)
    return list(range(start, stop, step))


def _plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


def _repeat(count: int, s: str) -> str:
    if count * len(s) > _MAX_STRING:
        raise TemplateLimit(f"repeat would build a string longer than {_MAX_STRING} characters")
    return s * max(count, 0)


# -- numbers ------------------------------------------------------------------------------
def _div(a: Any, b: Any) -> int:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise ZeroDivisionError("runtime error: integer divide by zero")
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _mod(a: Any, b: Any) -> int:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise ZeroDivisionError("runtime error: integer divide by zero")
    return x - y * _div(x, y)


def _mul(a: Any, *rest: Any) -> int:
    v = to_int64(a)
    for b in rest:
        v *= to_int64(b)
    return v


def _max(a: Any, *rest: Any) -> int:
    return max([to_int64(a)] + [to_int64(x) for x in rest])


def _min(a: Any, *rest: Any) -> int:
    return min([to_int64(a)] + [to_int64(x) for x in rest])


def _round(a: Any, p: int, *r_opt: float) -> float:
    round_on = r_opt[0] if r_opt else 0.5
    val = to_float64(a)
    pow_ = 10.0 ** p
    digit = pow_ * val
    div, _ = math.modf(digit)  # Go's math.Modf returns (int, frac); Python's (frac, int)
    if div >= round_on:
        rounded = math.ceil(digit)
    else:
        rounded = math.floor(digit)
    return rounded / pow_


# -- defaults, json, reflection ----------------------------------------------------------------
def _default(d: Any, *given: Any) -> Any:
    if not given or empty(given[0]):
        return d
    return given[0]


def _coalesce(*v: Any) -> Any:
    return next((x for x in v if not empty(x)), None)


def _to_json(v: Any, indent: bool = False, escape_html: bool = True) -> str:
    data = json_normalize(None if v is MISSING else v)
    text = json.dumps(data, separators=(",", ":") if not indent else (",", ": "), indent=2 if indent else None,
                      ensure_ascii=False)
    if escape_html:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text


def _from_json(v: str) -> Any:
    try:
        return json.loads(v)
    except ValueError:
        return None


def _must_from_json(v: str) -> Any:
    try:
        return json.loads(v)
    except ValueError as err:
        raise ValueError(str(err)) from None


def _to_yaml(v: Any) -> str:
    try:
        return marshal(None if v is MISSING else v)
    except MarshalError:
        return ""


def _must_to_yaml(v: Any) -> str:
    return marshal(None if v is MISSING else v)


def _ternary(vt: Any, vf: Any, v: bool) -> Any:
    return vt if v else vf


# -- paths --------------------------------------------------------------------------------------
def _go_clean(p: str) -> str:
    if p == "":
        return "."
    cleaned = posixpath.normpath(p)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def _go_base(p: str) -> str:
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    return p.rsplit("/", 1)[-1]


def _go_dir(p: str) -> str:
    head = p[:p.rfind("/") + 1]
    return _go_clean(head)


def _go_ext(p: str) -> str:
    for i in range(len(p) - 1, -1, -1):
        if p[i] == "/":
            break
        if p[i] == ".":
            return p[i:]
    return ""


# -- encodings and hashes --------------------------------------------------------------------
def _b64dec(v: str) -> str:
    try:
        return base64.b64decode(v, validate=True).decode("utf-8", errors="replace")
    except ValueError as err:
        return f"illegal base64 data: {err}"


def _b32dec(v: str) -> str:
    try:
        return base64.b32decode(v).decode("utf-8", errors="replace")
    except ValueError as err:
        return f"illegal base32 data: {err}"


# -- dicts and lists ---------------------------------------------------------------------------
def _dict(*v: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(v), 2):
        key = strval(v[i])
        out[key] = v[i + 1] if i + 1 < len(v) else ""
    return out


def _get(d: dict[str, Any] | None, key: str) -> Any:
    if d is None or key not in d:
        return ""
    return d[key]


def _set(d: dict[str, Any] | None, key: str, value: Any) -> dict[str, Any]:
    if d is None:
        raise ValueError("assignment to entry in nil map")
    d[key] = value
    return d


def _unset(d: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    if d is not None:
        d.pop(key, None)
    return d


def _has_key(d: dict[str, Any] | None, key: str) -> bool:
    return d is not None and key in d


def _pluck(name: str, *dicts: dict[str, Any] | None) -> list[Any]:
    return [d[name] for d in dicts if d is not None and name in d]


def _keys(*dicts: dict[str, Any] | None) -> list[str]:
    return [k for d in dicts if d is not None for k in d]


def _pick(d: dict[str, Any] | None, *keys: str) -> dict[str, Any]:
    d = d or {}
    return {k: d[k] for k in keys if k in d}


def _omit(d: dict[str, Any] | None, *keys: str) -> dict[str, Any]:
    d = d or {}
    return {k: v for k, v in d.items() if k not in keys}


def _dig(*ps: Any) -> Any:
    if len(ps) < 3:
        raise ValueError("dig needs at least three arguments")
    d, default, keys = ps[-1], ps[-2], ps[:-2]
    for i, k in enumerate(keys):
        if not isinstance(d, dict):
            raise ValueError(f"interface conversion: interface {{}} is {go_type(d)}, not map[string]interface {{}}")
        if not isinstance(k, str):
            raise ValueError(f"interface conversion: interface {{}} is {go_type(k)}, not string")
        if k not in d:
            return default
        d = d[k]
        if i == len(keys) - 1:
            return d
    return d


def _push(lst: Any, v: Any) -> list[Any]:
    return list(_need_list(lst, "push")) + [v]


def _prepend(lst: Any, v: Any) -> list[Any]:
    return [v] + list(_need_list(lst, "prepend"))


def _first(lst: Any) -> Any:
    items = _need_list(lst, "find first")
    return items[0] if items else None


def _rest(lst: Any) -> Any:
    items = _need_list(lst, "find rest")
    return items[1:] if items else None


def _last(lst: Any) -> Any:
    items = _need_list(lst, "find last")
    return items[-1] if items else None


def _initial(lst: Any) -> Any:
    items = _need_list(lst, "find initial")
    return items[:-1] if items else None


def _reverse(lst: Any) -> list[Any]:
    return list(reversed(_need_list(lst, "find reverse")))


def _uniq(lst: Any) -> list[Any]:
    out: list[Any] = []
    for x in _need_list(lst, "find uniq"):
        if x not in out:
            out.append(x)
    return out


def _without(lst: Any, *omit: Any) -> list[Any]:
    return [x for x in _need_list(lst, "find without") if x not in omit]


def _has(needle: Any, haystack: Any) -> bool:
    if haystack is None or haystack is MISSING:
        return False
    return needle in _need_list(haystack, "find has")


def _compact(lst: Any) -> list[Any]:
    return [x for x in _need_list(lst, "compact") if not empty(x)]


def _slice(lst: Any, *idx: Any) -> Any:
    items = _need_list(lst, "slice")
    if not idx:
        return items
    start = to_int64(idx[0])
    end = to_int64(idx[1]) if len(idx) > 1 else len(items)
    if start < 0 or end > len(items) or start > end:
        raise ValueError(f"runtime error: slice bounds out of range [{start}:{end}]")
    return items[start:end]


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        out.extend(_need_list(lst, "concat"))
    _bounded(len(out))
    return out


def _chunk(size: int, lst: Any) -> list[list[Any]]:
    items = _need_list(lst, "chunk")
    if size <= 0:
        raise ValueError("size must be greater than 0")
    return [items[i:i + size] for i in range(0, len(items), size)]


def _hexdigest(algorithm: str, text: str) -> str:
    """sha1sum/sha256sum; hashlib (OpenSSL's start-up) is loaded by the first template that asks."""
    import hashlib

    return getattr(hashlib, algorithm)(text.encode()).hexdigest()


def _sort_alpha(lst: Any) -> list[str]:
    return sorted(_strslice(lst))


def _fail(msg: str) -> str:
    raise ValueError(msg)


# -- regular expressions: RE2, the engine and syntax of Go's regexp, in linear time --------------
@functools.cache
def _re2() -> tuple[Any, Any]:
    """google-re2 and its options, imported with the first regular expression a template uses (start-up)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    return re2, options


def _re(pattern: str) -> Any:
    re2, options = _re2()
    try:
        return re2.compile(pattern, options)
    except re2.error as err:
        detail = err.args[0].decode() if err.args and isinstance(err.args[0], bytes) else str(err)
        raise ValueError(f"error parsing regexp: {detail}") from None


def _expand(m: Any, template: str) -> str:
    """Go's Regexp.Expand: $name / ${name} (a group number or name; unknown ones are empty), $$ is $."""
    out, i = [], 0
    while i < len(template):
        ch = template[i]
        if ch != "$" or i + 1 >= len(template):
            out.append(ch)
            i += 1
            continue
        if template[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        found = re.match(r"\{(\w+)\}|(\w+)", template[i + 1:])
        if not found:
            out.append(ch)
            i += 1
            continue
        name = found.group(1) or found.group(2)
        try:
            value = m.group(int(name)) if name.isdigit() else m.group(name)
        except (IndexError, KeyError, ValueError, _re2()[0].error):
            value = None
        out.append(value or "")
        i += 1 + found.end()
    return "".join(out)


def _regex_replace_all(regex: str, s: str, repl: str) -> str:
    return _re(regex).sub(lambda m: _expand(m, repl), s)


def _regex_find_all(regex: str, s: str, n: int) -> list[str]:
    found = [m.group(0) for m in _re(regex).finditer(s)]
    return found if n < 0 else found[:n]


def _regex_find(regex: str, s: str) -> str:
    m = _re(regex).search(s)
    return m.group(0) if m else ""


def _regex_split(regex: str, s: str, n: int) -> list[str]:
    if n == 0:
        return []
    return _re(regex).split(s, maxsplit=0 if n < 0 else n - 1)


def _regex_match(regex: str, s: str) -> bool:
    try:
        return bool(_re(regex).search(s))
    except ValueError:
        return False


# -- flux-operator's own ---------------------------------------------------------------------
_SLUG_SUBS = {"&": "and", "@": "at"}


def slugify(s: str) -> str:
    """gosimple/slug Make with flux-operator's settings (MaxLength 63, EnableSmartTruncate).

    Non-ASCII letters are transliterated by their Unicode decomposition (unidecode's tables are not
    reproduced: characters without a Latin decomposition become separators).
    """
    text = s.strip()
    text = "".join(_SLUG_SUBS.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower()
    text = re.sub(r"[^a-zA-Z0-9\-_]", "-", text)
    text = re.sub(r"-+", "-", text)
    text = text.strip("-_")
    if len(text) > 63:
        cut = text.rfind("-", 0, 64)
        text = text[:cut] if cut >= 0 else text[:63]
    return text


def _not_simulated(name: str) -> Func:
    def fn(*_: Any) -> Any:
        raise NotSimulated(f"template function {name!r} depends on the time or on chance; flux-wiki cannot "
                           "know its result")
    return Func(fn, ("any",), True)


S, I, A, M = "str", "int", "any", "map"  # parameter kinds (gotemplate.Func)
_FUNCS: dict[str, Func] = {
    "hello": Func(lambda: "Hello!"),
    # strings
    "trunc": Func(_trunc, (I, S)), "trim": Func(str.strip, (S,)),
    "upper": Func(str.upper, (S,)), "lower": Func(str.lower, (S,)), "title": Func(_title, (S,)),
    "substr": Func(_substr, (I, I, S)), "repeat": Func(_repeat, (I, S)),
    "trimall": Func(lambda a, b: b.strip(a), (S, S)), "trimAll": Func(lambda a, b: b.strip(a), (S, S)),
    "trimSuffix": Func(lambda a, b: b[:-len(a)] if a and b.endswith(a) else b, (S, S)),
    "trimPrefix": Func(lambda a, b: b[len(a):] if b.startswith(a) else b, (S, S)),
    "contains": Func(lambda sub, s: sub in s, (S, S)),
    "hasPrefix": Func(lambda sub, s: s.startswith(sub), (S, S)),
    "hasSuffix": Func(lambda sub, s: s.endswith(sub), (S, S)),
    "quote": Func(_quote, (A,), True), "squote": Func(_squote, (A,), True), "cat": Func(_cat, (A,), True),
    "indent": Func(_indent, (I, S)), "nindent": Func(lambda n, v: "\n" + _indent(n, v), (I, S)),
    "replace": Func(lambda old, new, src: src.replace(old, new), (S, S, S)),
    "plural": Func(_plural, (S, S, I)),
    "sha1sum": Func(lambda s: _hexdigest("sha1", s), (S,)),
    "sha256sum": Func(lambda s: _hexdigest("sha256", s), (S,)),
    "adler32sum": Func(lambda s: str(zlib.adler32(s.encode())), (S,)),
    "toString": Func(strval, (A,)),
    "atoi": Func(lambda a: int(a) if re.fullmatch(r"[+-]?\d+", a) else 0, (S,)),
    "int64": Func(to_int64, (A,)), "int": Func(to_int64, (A,)), "float64": Func(to_float64, (A,)),
    "seq": Func(_seq, (I,), True),
    "toDecimal": Func(lambda v: int(strval(v), 8) if re.fullmatch(r"[0-7]+", strval(v)) else 0, (A,)),
    "split": Func(_split, (S, S)), "splitList": Func(lambda sep, s: s.split(sep) if sep else list(s), (S, S)),
    "splitn": Func(_splitn, (S, I, S)), "toStrings": Func(_strslice, (A,)),
    "until": Func(lambda c: _until_step(0, c, 1 if c >= 0 else -1), (I,)),
    "untilStep": Func(_until_step, (I, I, I)),
    # arithmetic
    "add1": Func(lambda i: to_int64(i) + 1, (A,)),
    "add": Func(lambda *a: sum(to_int64(x) for x in a), (A,), True),
    "sub": Func(lambda a, b: to_int64(a) - to_int64(b), (A, A)),
    "div": Func(_div, (A, A)), "mod": Func(_mod, (A, A)), "mul": Func(_mul, (A, A), True),
    "biggest": Func(_max, (A, A), True), "max": Func(_max, (A, A), True), "min": Func(_min, (A, A), True),
    "maxf": Func(lambda a, *r: max([to_float64(a)] + [to_float64(x) for x in r]), (A, A), True),
    "minf": Func(lambda a, *r: min([to_float64(a)] + [to_float64(x) for x in r]), (A, A), True),
    "ceil": Func(lambda a: float(math.ceil(to_float64(a))), (A,)),
    "floor": Func(lambda a: float(math.floor(to_float64(a))), (A,)),
    "round": Func(_round, (A, I, "float"), True),
    "join": Func(lambda sep, v: sep.join(_strslice(v)), (S, A)), "sortAlpha": Func(_sort_alpha, (A,)),
    # defaults
    "default": Func(_default, (A, A), True), "empty": Func(empty, (A,)),
    "coalesce": Func(_coalesce, (A,), True),
    "all": Func(lambda *v: all(not empty(x) for x in v), (A,), True),
    "any": Func(lambda *v: any(not empty(x) for x in v), (A,), True),
    "compact": Func(_compact, (A,)), "mustCompact": Func(_compact, (A,)),
    "fromJson": Func(_from_json, (S,)), "mustFromJson": Func(_must_from_json, (S,)),
    "toJson": Func(lambda v: _to_json(v), (A,)), "mustToJson": Func(lambda v: _to_json(v), (A,)),
    "toPrettyJson": Func(lambda v: _to_json(v, indent=True), (A,)),
    "mustToPrettyJson": Func(lambda v: _to_json(v, indent=True), (A,)),
    "toRawJson": Func(lambda v: _to_json(v, escape_html=False), (A,)),
    "mustToRawJson": Func(lambda v: _to_json(v, escape_html=False), (A,)),
    "ternary": Func(_ternary, (A, A, "bool")),
    # reflection
    "typeOf": Func(go_type, (A,)), "typeIs": Func(lambda t, v: go_type(v) == t, (S, A)),
    "typeIsLike": Func(lambda t, v: go_type(v) in (t, "*" + t), (S, A)),
    "kindOf": Func(_kind, (A,)), "kindIs": Func(lambda k, v: _kind(v) == k, (S, A)),
    "deepEqual": Func(lambda a, b: json_normalize(a) == json_normalize(b), (A, A)),
    # paths
    "base": Func(_go_base, (S,)), "dir": Func(_go_dir, (S,)), "clean": Func(_go_clean, (S,)),
    "ext": Func(_go_ext, (S,)), "isAbs": Func(lambda p: p.startswith("/"), (S,)),
    "osBase": Func(_go_base, (S,)), "osDir": Func(_go_dir, (S,)), "osClean": Func(_go_clean, (S,)),
    "osExt": Func(_go_ext, (S,)), "osIsAbs": Func(lambda p: p.startswith("/"), (S,)),
    # encodings
    "b64enc": Func(lambda s: base64.b64encode(s.encode()).decode(), (S,)), "b64dec": Func(_b64dec, (S,)),
    "b32enc": Func(lambda s: base64.b32encode(s.encode()).decode(), (S,)), "b32dec": Func(_b32dec, (S,)),
    # data structures
    "tuple": Func(lambda *v: list(v), (A,), True), "list": Func(lambda *v: list(v), (A,), True),
    "dict": Func(_dict, (A,), True), "get": Func(_get, (M, S)), "set": Func(_set, (M, S, A)),
    "unset": Func(_unset, (M, S)), "hasKey": Func(_has_key, (M, S)), "pluck": Func(_pluck, (S, M), True),
    "keys": Func(_keys, (M,), True), "pick": Func(_pick, (M, S), True), "omit": Func(_omit, (M, S), True),
    "values": Func(lambda d: list((d or {}).values()), (M,)),
    "append": Func(_push, (A, A)), "push": Func(_push, (A, A)),
    "mustAppend": Func(_push, (A, A)), "mustPush": Func(_push, (A, A)),
    "prepend": Func(_prepend, (A, A)), "mustPrepend": Func(_prepend, (A, A)),
    "first": Func(_first, (A,)), "mustFirst": Func(_first, (A,)),
    "rest": Func(_rest, (A,)), "mustRest": Func(_rest, (A,)),
    "last": Func(_last, (A,)), "mustLast": Func(_last, (A,)),
    "initial": Func(_initial, (A,)), "mustInitial": Func(_initial, (A,)),
    "reverse": Func(_reverse, (A,)), "mustReverse": Func(_reverse, (A,)),
    "uniq": Func(_uniq, (A,)), "mustUniq": Func(_uniq, (A,)),
    "without": Func(_without, (A, A), True), "mustWithout": Func(_without, (A, A), True),
    "has": Func(_has, (A, A)), "mustHas": Func(_has, (A, A)),
    "slice": Func(_slice, (A, A), True), "mustSlice": Func(_slice, (A, A), True),
    "concat": Func(_concat, (A,), True), "dig": Func(_dig, (A,), True),
    "chunk": Func(_chunk, (I, A)), "mustChunk": Func(_chunk, (I, A)),
    "fail": Func(_fail, (S,)),
    # regular expressions
    "regexMatch": Func(_regex_match, (S, S)),
    "mustRegexMatch": Func(lambda r, s: bool(_re(r).search(s)), (S, S)),
    "regexFindAll": Func(_regex_find_all, (S, S, I)), "mustRegexFindAll": Func(_regex_find_all, (S, S, I)),
    "regexFind": Func(_regex_find, (S, S)), "mustRegexFind": Func(_regex_find, (S, S)),
    "regexReplaceAll": Func(_regex_replace_all, (S, S, S)),
    "mustRegexReplaceAll": Func(_regex_replace_all, (S, S, S)),
    "regexReplaceAllLiteral": Func(lambda r, s, repl: _re(r).sub(lambda m: repl, s), (S, S, S)),
    "mustRegexReplaceAllLiteral": Func(lambda r, s, repl: _re(r).sub(lambda m: repl, s), (S, S, S)),
    "regexSplit": Func(_regex_split, (S, S, I)), "mustRegexSplit": Func(_regex_split, (S, S, I)),
    "regexQuoteMeta": Func(lambda s: re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", s), (S,)),
    # flux-operator
    "slugify": Func(slugify, (S,)),
    "toYaml": Func(_to_yaml, (A,)), "mustToYaml": Func(_must_to_yaml, (A,)),
}
_FUNCS |= {name: _not_simulated(name) for name in (
    "ago", "duration", "durationRound", "must_date_modify", "mustDateModify", "mustToDate",
    "toDate", "unixEpoch", "randInt", "urlParse", "urlJoin")}


def function_map(inputs: Callable[[], Any]) -> dict[str, Func]:
    """The function map flux-operator gives a rendering; ``inputs()`` returns the current input set."""
    return {**_FUNCS, "inputs": Func(inputs)}

