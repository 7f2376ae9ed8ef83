"""Flux postBuild variable substitution, as kustomize-controller's ``kustomize_varsub.go`` does it.

Where variables come from (``substituteFrom`` ConfigMaps and Secrets, the inline ``substitute`` map),
which objects are skipped, and how each object is serialised, substituted with :mod:`.envsubst` and
parsed back; substituted objects are remembered on the parse cache.

Two deliberate departures, because the wiki shows a repository, not a live
cluster: values that come from Secrets are never read and their references stay
``${VAR}``; variables that no source defines stay ``${VAR}`` (Flux would write an
empty string, or fail under strict substitution) unless the reference carries a
default, which is used as Flux does.
"""

from __future__ import annotations

import functools
import marshal
import re
from collections import namedtuple
from typing import Any, Callable, Iterable, Protocol

import yaml

try:  # hashlib.blake2b is CPython's own _blake2 (never OpenSSL's); hashlib would load OpenSSL, ~10 M instructions
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

from ..analysis.redact import names_secret
from ..load.yamldocs import MAX_DEPTH, ParseCache, load_text
from ..model import Diagnostic, InputError, Resource
from ..problems import problem_class
from .envsubst import Budget, Evaluator, SubstitutionError, SubstitutionLimit, parse
from .objects import PostBuild
from .runtime import RuntimeSecret

_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

SUBSTITUTE_KEY = "kustomize.toolkit.fluxcd.io/substitute"
DISABLED = "disabled"
# kustomize_varsub.go varsubRegex; RE2 [:alpha:] is ASCII only
VAR_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")  # matched whole (fullmatch): Python's $ also matches before a last \n
# The entry standing for every key of a run-time Secret whose keys only its controller knows: any variable
# no other source sets may come from it, so it stays ``${VAR}`` as a Secret's variable does.
RUNTIME_KEYS = "*"


# -- variables (kustomize_varsub.go loadVars) ---------------------------------

class Variable(namedtuple("Variable", "name value secret origin")):
    """One substitution variable and where its value comes from."""

    __slots__ = ()

    name: str
    value: str | None  # None for Secret-sourced values: never read
    secret: bool
    origin: str  # "ConfigMap flux-system/cluster-vars", "Secret ...", "inline"


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _plain_variable(name: str, value: Any, origin: str) -> Variable:
    if names_secret(name):
        return Variable(name, None, True, origin)
    return Variable(name, _scalar_text(value).replace("\n", ""), False, origin)


def collect_variables(post: PostBuild, find_object: Callable[[str, str, str], Resource | None],
                      file: str, line: int, *, namespace: str = "flux-system",
                      find_runtime: Callable[[str, str], RuntimeSecret | None] | None = None,
                      ) -> tuple[dict[str, Variable], list[Diagnostic]]:
    """The variables of a Kustomization's ``spec.postBuild``.

    ``substituteFrom`` entries are read in order from ``namespace`` (the
    Kustomization's own) via ``find_object(kind, namespace, name)``, later ones
    overriding earlier ones; then the inline ``substitute`` map overrides them.
    Secret values are never read (``secret=True``, ``value=None``), nor are ConfigMap or inline values of a
    variable whose name says it holds a secret (``DB_PASSWORD``, ``API_TOKEN``). Newlines are
    dropped from values. A key that is not a valid variable name fails the
    Kustomization in Flux: raises :class:`InputError` at ``file:line``.
    """
    diags: list[Diagnostic] = []
    variables: dict[str, Variable] = {}
    for i, ref in enumerate(post.substitute_from):
        if ref is None:
            raise InputError(file, line, f"spec.postBuild.substituteFrom[{i}] must be a mapping",
                             code="FW-SUBST-INVALID")
        kind, name, optional = ref.kind, ref.name, ref.optional
        if kind not in ("ConfigMap", "Secret"):
            raise InputError(file, line, f"substituteFrom[{i}]: kind must be ConfigMap or Secret, got '{kind}'",
                             code="FW-SUBST-INVALID")
        origin = f"{kind} {namespace}/{name}"
        obj = find_object(kind, namespace, name)
        made = find_runtime(namespace, name) if obj is None and kind == "Secret" and find_runtime else None
        if made is not None:
            for key in sorted(made.keys) if made.keys is not None else [RUNTIME_KEYS]:
                variables[key] = Variable(key, None, True, made.origin())
            continue
        if obj is None:
            if not optional:
                made_by = ("; no object in the repository creates it at run time (ExternalSecret, SealedSecret, ...)"
                           if kind == "Secret" else "")
                diags.append(Diagnostic(file, line, f"substitute from '{kind}/{name}': not found in namespace "
                                        f"'{namespace}' (Flux would fail to reconcile){made_by}",
                                        code="FW-SUBST-FROM-MISSING", ref_namespace=namespace))
            continue
        if kind == "Secret":
            for section in ("data", "stringData"):
                data = obj.obj.get(section)
                if isinstance(data, dict):
                    for key in data:
                        variables[str(key)] = Variable(str(key), None, True, origin)
            continue
        found, problems = _config_map_variables(obj, origin)
        variables.update(found)
        diags += problems
    for key, value in post.substitute.items():
        if not isinstance(value, str):
            diags.append(Diagnostic(file, line, f"spec.postBuild.substitute.{key} is not a string "
                                    "(the Kubernetes API would reject it)", code="FW-SCHEMA-REJECTED"))
        variables[key] = _plain_variable(key, value, "inline")
    for var in variables.values():
        if not _valid_name(var.name):
            raise InputError(file, line, f"'{var.name}' var name is invalid (from {var.origin}), "
                             f"must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'", code="FW-SUBST-INVALID")
    return variables, diags


@functools.lru_cache(maxsize=4096)
def _valid_name(name: str) -> bool:
    """Whether kustomize-controller takes ``name`` as a variable's (asked again by every Kustomization reading the
    same ConfigMaps and Secrets)."""
    return name == RUNTIME_KEYS or VAR_NAME.fullmatch(name) is not None


# the variables of a ConfigMap's data, by (origin, file, line, data): every Kustomization substituting from a
# cluster's settings reads the same ConfigMap again (oldest forgotten first)
_CONFIG_MAP_VARIABLES: dict[tuple[Any, ...], tuple[dict[str, Variable], list[Diagnostic]]] = {}
_CONFIG_MAP_VARIABLES_MAX = 256


def _config_map_variables(obj: Resource, origin: str) -> tuple[dict[str, Variable], list[Diagnostic]]:
    """The variables a ConfigMap's ``data`` gives (and a diagnostic per value that is not a string).

    Remembered only for data of text keys and text values, whose items compare equal only when they are the
    same text (``1 == True`` would make two other data look alike); the variables are only read."""
    data = obj.obj.get("data")
    if not isinstance(data, dict):
        return {}, []
    key = (origin, obj.file, obj.line, tuple(data.items())) \
        if all(k.__class__ is str and v.__class__ is str for k, v in data.items()) else None
    found = _CONFIG_MAP_VARIABLES.get(key) if key is not None else None
    if found is None:
        variables: dict[str, Variable] = {}
        diags: list[Diagnostic] = []
        for name, value in data.items():
            if not isinstance(value, str):
                diags.append(Diagnostic(obj.file, obj.line, f"{origin}: data.{name} is not a string",
                                        code="FW-SCHEMA-REJECTED"))
            variables[str(name)] = _plain_variable(str(name), value, origin)
        found = (variables, diags)
        if key is not None:
            _CONFIG_MAP_VARIABLES[key] = found
            while len(_CONFIG_MAP_VARIABLES) > _CONFIG_MAP_VARIABLES_MAX:
                del _CONFIG_MAP_VARIABLES[next(iter(_CONFIG_MAP_VARIABLES))]
    return found


# -- applying to resources (kustomize_varsub.go SubstituteVariables) ----------

class SubstitutionResult:
    """The objects after substitution, the variables left unset or kept (Secret-sourced), and the diagnostics."""

    __slots__ = ("resources", "unresolved", "secret_vars", "diagnostics")

    def __init__(self, resources: list[Resource], unresolved: list[str], secret_vars: list[str],
                 diagnostics: list[Diagnostic]) -> None:
        self.resources = resources
        self.unresolved = unresolved
        self.secret_vars = secret_vars
        self.diagnostics = diagnostics


class _Dumper(_BaseDumper):
    """Block style; multi-line strings as literal blocks, as kyaml writes them."""


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def _needs_envsubst(value: Any) -> bool:
    """True when envsubst could change the object's text: some string holds ``${`` or ``$$``."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if "$" in v and ("${" in v or "$$" in v):
                return True
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def substitution_disabled(res: Resource) -> bool:
    """Labelled or annotated ``kustomize.toolkit.fluxcd.io/substitute: disabled``: postBuild skips it."""
    md = res.obj.get("metadata")  # asked of every object of every Kustomization that substitutes: no loop
    if not isinstance(md, dict):
        return False
    labels, annotations = md.get("labels"), md.get("annotations")
    return (isinstance(labels, dict) and labels.get(SUBSTITUTE_KEY) == DISABLED
            or isinstance(annotations, dict) and annotations.get(SUBSTITUTE_KEY) == DISABLED)


def _describe(res: Resource) -> str:
    return f"{res.kind} {res.ident()}".strip()


MEMO_LIMIT = 50_000  # substituted objects remembered per parse cache (oldest forgotten first)


class _Values(Protocol):
    def get(self, name: str) -> str | None: ...


class _Asked:
    """The variables one substitution consults, through its ``values.get`` and ``is_secret``.

    Evaluating a text asks about variables in an order fixed by the text and the answers so far, so the
    result is a function of the text and these answers: another Kustomization (another cluster) whose variables
    answer the same gets the same result, whatever else it defines."""

    def __init__(self, values: dict[str, str], is_secret: Callable[[str], bool]) -> None:
        self._values = values
        self._is_secret = is_secret
        self.names: dict[str, None] = {}  # in the order first asked

    def get(self, name: str) -> str | None:
        self.names[name] = None
        return self._values.get(name)

    def is_secret(self, name: str) -> bool:
        self.names[name] = None
        return self._is_secret(name)


def _answers(names: tuple[str, ...], values: dict[str, str], is_secret: Callable[[str], bool]) -> tuple[Any, ...]:
    """What ``values`` and ``is_secret`` answer about ``names``: with the text, the key of a remembered result.
    Each answer carries its name, so answers about other variables (another evaluation path) never match."""
    return tuple((n, values.get(n), is_secret(n)) for n in names)


class _Substituted(namedtuple("_Substituted", "obj problem unset kept code",
                              defaults=(None, None, frozenset(), frozenset(), "FW-SUBST-FAILED"))):
    """The outcome of substituting one object's text: the object, or why it stays as it was."""

    __slots__ = ()

    obj: Any
    problem: str | None  # a diagnostic without the object's file:line, when substitution failed
    unset: frozenset[str]
    kept: frozenset[str]
    code: str  # the problem's code


def _substitute_object(obj: dict[str, Any], values: _Values, is_secret: Callable[[str], bool],
                       budget: Budget) -> _Substituted:
    """kustomize-controller's round trip: the object as YAML text, envsubst on the text, the text parsed back.

    Most objects take a shortcut with the same result (:func:`_substitute_strings`); the rest, and any
    object whose substitution fails (so the diagnostic is the round trip's own), go through the text.
    """
    steps = budget.pattern_steps
    ev = Evaluator(values.get, False, is_secret, True, budget)
    try:
        new = _substitute_strings(obj, ev, 0, [_SHORTCUT_CHARS])
    except (_NoShortcut, SubstitutionError):
        budget.pattern_steps = steps  # what the shortcut spent is spent again below
    else:
        return _Substituted(new, None, frozenset(ev.unset), frozenset(ev.kept))
    return _round_trip(obj, values, is_secret, budget)


def _round_trip(obj: dict[str, Any], values: _Values, is_secret: Callable[[str], bool],
                budget: Budget) -> _Substituted:
    text = yaml.dump(obj, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30)
    ev = Evaluator(values.get, False, is_secret, True, budget)
    try:
        new_text = ev.run(parse(text))
    except SubstitutionError as err:
        return _Substituted(problem=f"variable substitution failed: {err}",
                            code="FW-LIMIT-SUBST" if isinstance(err, SubstitutionLimit) else "FW-SUBST-FAILED")
    try:
        new = load_text(new_text)
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None) or str(err)
        return _Substituted(problem=f"substituted text is not valid YAML: {problem}")
    if not isinstance(new, dict):
        return _Substituted(problem="substituted text is not a Kubernetes object")
    return _Substituted(new, None, frozenset(ev.unset), frozenset(ev.kept))


# -- the shortcut: substituting each string where the round trip provably gives the same object ----------
#
# The dumper writes a single-line printable ASCII string without quotes exactly when reading that text
# back as a plain scalar gives the string again (libyaml's scalar analysis, mirrored by :func:`_plain`).
# When every string holding a ``$`` is such a plain scalar, the dumped text holds each one verbatim,
# no reference can span two scalars (one would have to end a key or a value with an unclosed ``${``,
# which fails on its own), and envsubst changes nothing else. If the substituted string is again plain,
# the round trip reads it as YAML reads that plain scalar: the resolver's type (``3`` an int, ``true`` a
# bool), constructed here with the loader's own functions.
#
# A multi-line string goes out as a literal block (``|``, our dumper asks for it), when libyaml allows one:
# printable ASCII and line feeds, no space at the end or before a line break (:func:`_literal_hints`).
# Its lines are then in the text verbatim after the indentation, so envsubst substitutes each line as it
# stands when no reference spans two lines (a line that does not parse alone, or ends in ``$``, steps
# aside), and the block reads back as the substituted string when that string is again a literal block
# with the same header (a new leading space or trailing line break would change how the block reads).
# Anything else (a key with ``$``, a quoted string, a result that is not plain or a literal block alike,
# or resolves to another type, a failure) takes the round trip.

class _NoShortcut(Exception):
    pass


_SHORTCUT_CHARS = 1 << 20  # strings of one object the shortcut takes; the round trip bounds bigger texts
_NOT_FIRST = frozenset("#,[]{}&*!|>'\"%@` ")
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_TYPES: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:str": lambda text: text,
    "tag:yaml.org,2002:null": lambda text: None,
    "tag:yaml.org,2002:bool": lambda text: _CONSTRUCTOR.construct_yaml_bool(yaml.ScalarNode("", text)),
    "tag:yaml.org,2002:int": lambda text: _CONSTRUCTOR.construct_yaml_int(yaml.ScalarNode("", text)),
    "tag:yaml.org,2002:float": lambda text: _CONSTRUCTOR.construct_yaml_float(yaml.ScalarNode("", text)),
}


def _plain(text: str) -> bool:
    """Whether the dumper writes ``text`` as a plain scalar, which then reads back as ``text`` (before typing)."""
    if not text or not text.isascii() or not text.isprintable():  # no tab, no line break
        return False
    first, last = text[0], text[-1]
    if first in _NOT_FIRST or last == " " or last == ":":
        return False
    if first in "?:-" and (len(text) == 1 or text[1] == " "):
        return False
    return not text.startswith(("---", "...")) and ": " not in text and " #" not in text


def _literal_hints(text: str) -> str | None:
    """The header hints (indentation, chomping) of ``text`` written as a literal block by libyaml's emitter,
    or None when it would not write one (or writes characters a reader changes: only printable ASCII and
    line feeds are taken). Mirrors yaml_emitter_analyze_scalar and yaml_emitter_write_block_scalar_hints."""
    if not text.isascii() or not text.replace("\n", "").isprintable() or text.endswith(" ") or " \n" in text:
        return None
    indent = "2" if text[0] in " \n" else ""  # the dumper's best indentation
    if not text.endswith("\n"):
        return indent + "-"
    return indent + ("+" if len(text) == 1 or text[-2] == "\n" else "")


def _substitute_block(value: str, ev: Evaluator) -> str:
    """A multi-line string substituted line by line, as envsubst changes it inside its literal block (or, when
    libyaml writes no literal block for it, inside its double-quoted scalar: :func:`_substitute_quoted`)."""
    hints = _literal_hints(value)
    if hints is None:
        return _substitute_quoted(value, ev)
    lines = value.split("\n")
    for i, line in enumerate(lines):
        if "$" in line:
            if line.endswith("$"):
                raise _NoShortcut
            lines[i] = ev.run(parse(line))  # a reference left open raises: it spans lines
    new = "\n".join(lines)
    if new != value and _literal_hints(new) != hints:
        raise _NoShortcut
    return new


# A string of printable ASCII (and line feeds) that is not written plain nor as a literal block is written on one
# line, quoted: single quotes (a quote doubled) when it has no line break, else double quotes with ``\\``, ``\"``
# and ``\n`` escapes (libyaml's yaml_emitter_select_scalar_style: single quotes are allowed for any single-line
# printable text; the dumper's width never folds). envsubst runs on that quoted text, so the shortcut runs it on
# the same text, then reads it back as YAML reads the quoted scalar: a quoted scalar is always a string. A result
# that holds what would end the scalar early or is another escape (a value with a quote or backslash) takes the
# round trip.
# the same language as (?:[^"\\]|\\[\\"n])*, written as runs between escapes: one step per run, not per character
_DOUBLE_ESCAPED = re.compile(r'[^"\\]*(?:\\[\\"n][^"\\]*)*')


def _unescape_double(text: str) -> str:
    """The string a double-quoted scalar of :data:`_DOUBLE_ESCAPED` text reads as. Each backslash starts one of the
    three escapes, so the leftmost pair of backslashes is always an escaped backslash: split at those, the pieces
    hold only the two other escapes."""
    return "\\".join(piece.replace('\\"', '"').replace("\\n", "\n") for piece in text.split("\\\\"))


def _substitute_quoted(value: str, ev: Evaluator) -> str:
    """``value`` substituted inside the quoted scalar the dumper writes for it (see above)."""
    if not value.isascii() or not value.replace("\n", "").isprintable():
        raise _NoShortcut
    double = "\n" in value
    text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") if double \
        else value.replace("'", "''")
    new = ev.run(parse(text))
    if new == text:
        return value
    if not new.isascii() or not new.isprintable():
        raise _NoShortcut
    if double:
        if not _DOUBLE_ESCAPED.fullmatch(new):
            raise _NoShortcut
        return _unescape_double(new)
    if "'" in new.replace("''", ""):
        raise _NoShortcut
    return new.replace("''", "'")


_SIMPLE_KEY = 128  # libyaml writes a longer key as an explicit one (`? key`)


def _substitute_key(key: str, ev: Evaluator, chars: list[int]) -> Any:
    """A mapping key substituted as it stands in the dumped text: a plain simple key (anything else takes the
    round trip), read back as YAML reads the new plain key (``3`` an int key; a key equal to a later one is
    overwritten by it, as the reader's mapping does)."""
    chars[0] -= len(key)
    if chars[0] < 0 or len(key) > _SIMPLE_KEY or not _plain(key):
        raise _NoShortcut
    new = ev.run(parse(key))
    if new == key:
        return key
    if len(new) > _SIMPLE_KEY or not _plain(new):
        raise _NoShortcut
    make = _SCALAR_TYPES.get(_RESOLVER.resolve(yaml.ScalarNode, new, (True, False)))
    if make is None:
        raise _NoShortcut
    return make(new)


def _substitute_strings(value: Any, ev: Evaluator, depth: int, chars: list[int]) -> Any:
    """A copy of ``value`` with each string substituted; :class:`_NoShortcut` where the round trip is needed."""
    if isinstance(value, str):
        if "$" not in value:
            return value
        chars[0] -= len(value)
        if chars[0] < 0:
            raise _NoShortcut
        if "\n" in value:
            return _substitute_block(value, ev)
        if not _plain(value):
            return _substitute_quoted(value, ev)
        new = ev.run(parse(value))
        if new == value:
            return value
        if not _plain(new):
            raise _NoShortcut
        make = _SCALAR_TYPES.get(_RESOLVER.resolve(yaml.ScalarNode, new, (True, False)))
        if make is None:
            raise _NoShortcut
        return make(new)
    if depth >= MAX_DEPTH - 2:  # the round trip's reader would refuse it: its diagnostic is the one to give
        raise _NoShortcut
    # a string without ``$`` (most of them) is kept without a call, as the call would keep it
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(k, str) and "$" in k:
                k = _substitute_key(k, ev, chars)
            # a key met again keeps its place, as YAML's
            out[k] = v if v.__class__ is str and "$" not in v else _substitute_strings(v, ev, depth + 1, chars)
        return out
    if isinstance(value, list):
        return [v if v.__class__ is str and "$" not in v else _substitute_strings(v, ev, depth + 1, chars)
                for v in value]
    return value


def _content(obj: dict[str, Any]) -> bytes:
    """An object's content as bytes in which every string shows verbatim as UTF-8, and that tell apart any two
    objects of other content: marshal's format 2 (no back-references, so equal content gives equal bytes; three
    times faster than ``repr``), or, for what marshal refuses (a date YAML read), NUL and the ``repr``, which
    marshal's bytes never start with."""
    try:
        return marshal.dumps(obj, 2)
    except ValueError:
        return b"\0" + repr(obj).encode("utf-8", errors="surrogatepass")


def _digest(content: bytes) -> bytes:
    return blake2b(content, digest_size=20).digest()


def substitute_resources(resources: Iterable[Resource], variables: dict[str, Variable], *,
                         enabled: bool, strict: bool = False, cache: ParseCache | None = None,
                         seen: dict[int, tuple[Any, bytes | None]] | None = None) -> SubstitutionResult:
    """Substitute each resource as kustomize-controller does.

    Nothing happens unless ``enabled`` (see :attr:`PostBuild.enabled`).
    Objects labelled or annotated ``kustomize.toolkit.fluxcd.io/substitute:
    disabled`` are skipped. Each object is serialised to YAML, substituted and
    parsed back; objects whose strings hold neither ``${`` nor ``$$`` are passed
    through untouched. Secret-sourced variables stay ``${VAR}``; unset ones stay
    ``${VAR}`` unless the reference has a default. A syntax error or a result
    that is not YAML keeps the object unsubstituted with a diagnostic; under
    ``strict`` each unset variable is reported as Flux would fail on it.

    With a ``cache``, an object already substituted where the variables it uses had the same values (another
    Kustomization or cluster, another revision, a rebuild) is not serialised and parsed again. With ``seen`` too
    (objects one run shares between clusters, never changed in place: see reuse.py), what an object's text gives
    (the digest of its text, None when nothing in it can be substituted) is remembered by the object itself, so
    another cluster reusing the build does not write the object out again (``cache.counts["substitution objects
    seen again"]``).
    """
    resources = list(resources)
    result = SubstitutionResult(resources, [], [], [])
    if not enabled:
        return result
    values = {n: v.value for n, v in variables.items() if not v.secret}
    secret = {n for n, v in variables.items() if v.secret}
    is_secret = (lambda n: n in secret or n not in values) if RUNTIME_KEYS in secret else secret.__contains__
    # (text digest, answers) -> result, and text digest -> the variables its last substitution asked about
    memo = cache.derived.setdefault("substitute", {}) if cache is not None else None
    asked = cache.derived.setdefault("substitute asked", {}) if cache is not None else None
    unresolved: set[str] = set()
    kept: set[str] = set()
    out: list[Resource] = []
    budget = Budget()
    for res in resources:
        if substitution_disabled(res):
            out.append(res)
            continue
        fact = seen.get(id(res.obj)) if seen is not None and memo is not None else None
        if fact is not None and fact[0] is res.obj:  # the object is kept alive by the entry: its id is its own
            assert cache is not None
            cache.counts["substitution objects seen again"] += 1
            digest = fact[1]
            if digest is None:
                out.append(res)
                continue
        else:
            # every string shows verbatim in the object's content: without ``${`` or ``$$`` there, no string holds
            # one (with one, a string may hold it or the bytes around two strings may: the walk tells)
            content = _content(res.obj)
            digest = None if (b"${" not in content and b"$$" not in content) or not _needs_envsubst(res.obj) \
                else _digest(content)
            if seen is not None and memo is not None and len(seen) < MEMO_LIMIT:
                seen[id(res.obj)] = (res.obj, digest)
            if digest is None:
                out.append(res)
                continue
        if memo is None or asked is None:
            done = _substitute_object(res.obj, values, is_secret, budget)
        else:
            names = asked.get(digest)
            found = memo.get((digest, _answers(names, values, is_secret))) if names is not None else None
            if found is not None:
                done = found
            else:
                questions = _Asked(values, is_secret)
                done = _substitute_object(res.obj, questions, questions.is_secret, budget)
                if done.problem is None:  # a failure may be this Kustomization's budget: never reuse it
                    names = asked[digest] = tuple(questions.names)
                    memo[(digest, _answers(names, values, is_secret))] = done
            while len(memo) > MEMO_LIMIT:
                del memo[next(iter(memo))]
            while len(asked) > MEMO_LIMIT:
                del asked[next(iter(asked))]
        if done.problem is not None:
            result.diagnostics.append(Diagnostic(res.file, res.line, f"{_describe(res)}: {done.problem}",
                                                 code=done.code, cls=problem_class(done.code)))
            out.append(res)
            continue
        if strict:
            for name in sorted(done.unset):
                result.diagnostics.append(Diagnostic(res.file, res.line, f"{_describe(res)}: variable not set "
                                                                         f"(strict mode): \"{name}\" (Flux would fail)",
                                                     code="FW-SUBST-UNSET"))
        unresolved |= done.unset
        kept |= done.kept
        out.append(res.replace(obj=done.obj))  # shared with the memo: no later stage changes it (reuse.py)
    result.resources = out
    result.unresolved = sorted(unresolved)
    result.secret_vars = sorted(kept)
    return result
