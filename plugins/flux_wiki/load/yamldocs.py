"""Parse multi-document YAML with the line where each document starts, within bounds.

Splitting on document markers (`---` at column 0) keeps the fast C loader for
the content while still knowing each document's first line. A marker inside a
block scalar cannot sit at column 0 (block scalar content is indented), so the
split agrees with YAML's own rules.

A repository is untrusted input, so every document is inspected once, between
composing and constructing, on its node graph (where aliases are still shared):

- aliasing is bounded with go-yaml's own rule (the library kustomize and Flux
  decode with): once more than 100 of over 1,000 decoded nodes come from alias
  expansion, their share may not exceed 99% (up to 400,000 nodes, scaling down
  to 10% at 4,000,000). The count runs over a whole file, so a file of many
  documents cannot multiply the allowance. An anchor that contains itself is
  refused, as go-yaml does;
- nesting is bounded at :data:`MAX_DEPTH` levels, aliases included, so no later
  stage (copying, dumping for postBuild, rendering) can exhaust the stack;
- duplicate mapping keys are recorded on the :class:`Document` with both lines:
  kustomize refuses them in a manifest or patch, and keeps the last one in a
  kustomization file; the reader of each kind decides.

Bytes must be UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured), as go-yaml requires.

libyaml composes the node graph; a document of plain maps, sequences and core scalars with no shared
collection (nearly every manifest) is then built and inspected in one walk (:func:`_construct_tree`);
any other goes through the inspection and PyYAML's own constructor, which decide every error.
"""

from __future__ import annotations

import _thread  # threading.Lock is _thread.allocate_lock; threading itself costs ~3 M instructions to import
import bisect
import codecs
import itertools
import operator
import re
from collections import Counter, namedtuple
from collections.abc import Callable
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from ..model import InputError, slots_repr
from ..problems import problem_class

# Nesting levels one document may hold. The deepest manifest in the test corpora is 20 levels (a CRD
# schema); 100 leaves five times that, and keeps every recursive stage far below Python's stack limit.
MAX_DEPTH = 100

# go-yaml v3 decode.go: the share of decoded nodes that may come from alias expansion.
_ALIAS_RANGE_LOW = 400_000
_ALIAS_RANGE_HIGH = 4_000_000


def allowed_alias_ratio(decoded: int) -> float:
    """go-yaml's allowedAliasRatio: 99% for small documents, scaling down to 10% for very large ones."""
    if decoded <= _ALIAS_RANGE_LOW:
        return 0.99
    if decoded >= _ALIAS_RANGE_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decoded - _ALIAS_RANGE_LOW) / (_ALIAS_RANGE_HIGH - _ALIAS_RANGE_LOW)


class LimitError(yaml.MarkedYAMLError):
    """A document that is valid YAML but beyond a bound (aliasing, nesting, a self-containing anchor); ``code``
    is its problem code: go-yaml's own bounds are the repository's problem, flux-wiki's nesting bound a limit."""

    def __init__(self, problem: str, node: yaml.Node | None = None, code: str = "FW-YAML-ALIASES"):
        super().__init__(problem=problem, problem_mark=node.start_mark if node is not None else None)
        self.code = code


class DuplicateKey(namedtuple("DuplicateKey", "key line first_line")):
    """A mapping key written twice in one mapping (1-based lines of the repeat and of the first)."""

    __slots__ = ()

    key: str
    line: int
    first_line: int

    def message(self) -> str:
        return f'mapping key "{self.key}" already defined at line {self.first_line}'


class _AliasBudget:
    """go-yaml's decode and alias counters, kept across the documents of one file."""

    __slots__ = ("decoded", "aliased")

    def __init__(self) -> None:
        self.decoded = 0
        self.aliased = 0

    def add(self, decoded: int, aliased: int, where: yaml.Node) -> None:
        self.decoded += decoded
        self.aliased += aliased
        if self.aliased > 100 and self.decoded > 1000 and \
                self.aliased / self.decoded > allowed_alias_ratio(self.decoded):
            raise LimitError("document contains excessive aliasing (go-yaml, which Flux uses, refuses it)", where)


def _duplicates(node: MappingNode, out: list[tuple[ScalarNode, ScalarNode]]) -> None:
    pairs = node.value
    if len(pairs) < 2:
        return
    keys = [k.value for k, _ in pairs if k.__class__ is ScalarNode]
    if len(set(keys)) == len(keys):
        return
    seen: dict[str, ScalarNode] = {}
    for k, _ in pairs:
        if k.__class__ is ScalarNode:
            first = seen.setdefault(k.value, k)
            if first is not k:
                out.append((k, first))


def _too_deep(node: yaml.Node) -> LimitError:
    return LimitError(f"nesting deeper than {MAX_DEPTH} levels", node, "FW-LIMIT-YAML-DEPTH")


def _inspect_tree(root: yaml.Node, dups: list[tuple[ScalarNode, ScalarNode]], budget: _AliasBudget,
                  shared: bool = False) -> bool:
    """Depth and duplicate keys of a document whose collections are not shared, level by level.

    With ``shared`` (the text may hold aliases) it answers False, without counting anything, as soon as
    a collection is reached twice: only the graph walk can measure that document. An alias of a scalar
    needs no more: at most half of what go-yaml decodes can then come from aliases, far below its limit,
    and it nests nothing.
    """
    if root.__class__ is ScalarNode:
        budget.add(2, 0, root)
        return True
    level = [root]
    depth = 0
    count = 2  # the document node and the root
    seen: set[int] = set()
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise _too_deep(level[0])
        below = []
        for node in level:
            if shared:
                if id(node) in seen:
                    return False
                seen.add(id(node))
            value = node.value
            if node.__class__ is MappingNode:
                n = len(value)
                count += n + n
                if n > 1:
                    try:
                        unique = len({k.value for k, _ in value}) == n
                    except TypeError:  # a collection as a key
                        unique = False
                    if not unique:
                        _duplicates(node, dups)
                for k, v in value:
                    if v.__class__ is not ScalarNode:
                        below.append(v)
                    if k.__class__ is not ScalarNode:
                        below.append(k)
            else:
                count += len(value)
                below.extend(v for v in value if v.__class__ is not ScalarNode)
        level = below
    budget.add(count, 0, root)
    return True


def _children(node: yaml.Node) -> list[yaml.Node]:
    if node.__class__ is MappingNode:
        return [n for pair in node.value for n in pair]
    if node.__class__ is SequenceNode:
        return node.value
    return []


def _inspect_graph(root: yaml.Node, dups: list[tuple[ScalarNode, ScalarNode]], budget: _AliasBudget) -> None:
    """Depth, duplicate keys and alias expansion of a document whose nodes may be shared.

    Walks in document order, so the first visit of a node is its definition and any later one is an
    alias; the expanded size and height of each finished node are remembered, so an alias costs one
    step however much it expands to. go-yaml counts each node it decodes (the document node, keys,
    values, and every node of an alias's expansion); within an expansion the aliased share only
    grows, so checking at the end of each one finds every point where go-yaml would stop.
    """
    finished: dict[int, tuple[int, int]] = {}  # id -> (expanded nodes, height)
    opened: set[int] = set()
    if root.__class__ is ScalarNode:
        budget.add(2, 0, root)
        return
    decoded = 2  # the document node and the root
    aliased = 0
    opened.add(id(root))
    if root.__class__ is MappingNode:
        _duplicates(root, dups)
    # frame: node, its children, next child, expanded size so far, height of the tallest child
    stack: list[list[Any]] = [[root, _children(root), 0, 1, 0]]
    while stack:
        frame = stack[-1]
        node, kids, i = frame[0], frame[1], frame[2]
        if i == len(kids):
            stack.pop()
            opened.discard(id(node))
            height = frame[4] + 1
            if height > MAX_DEPTH:
                raise _too_deep(node)
            finished[id(node)] = (frame[3], height)
            if stack:
                parent = stack[-1]
                parent[3] += frame[3]
                parent[4] = max(parent[4], height)
            continue
        frame[2] = i + 1
        child = kids[i]
        key = id(child)
        done = finished.get(key)
        if done is not None:
            size, height = done
            budget.add(decoded + 1 + size, aliased + size, node)
            decoded = aliased = 0
            frame[3] += 1 + size
            frame[4] = max(frame[4], height)
        elif key in opened:
            raise LimitError("anchor value contains itself", node)
        elif child.__class__ is ScalarNode:
            decoded += 1
            finished[key] = (1, 0)
            frame[3] += 1
        else:
            decoded += 1
            opened.add(key)
            if child.__class__ is MappingNode:
                _duplicates(child, dups)
            stack.append([child, _children(child), 0, 1, 0])
    budget.add(decoded, aliased, root)


_FastBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"

# the tag of each short plain scalar text met so far (Resolver.resolve tries patterns chosen by its first
# character); bounded in count and length, as a file of unique or long values would otherwise fill it
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 20_000
_PLAIN_TAGS_TEXT = 200
# the first characters of the plain scalars PyYAML's resolver tries a pattern on ('' stands for the empty text)
_PATTERN_FIRST = frozenset(c for c in _FastBase.yaml_implicit_resolvers if c)


class _Loader(_FastBase):  # type: ignore[misc,valid-type]
    """The C loader, reading a bare `=` (YAML 1.1 value tag, seen in Alertmanager configs) as a string.

    libyaml composes the nodes but asks Python for each node's tag: without path resolvers (PyYAML's
    loaders have none) that tag depends only on the kind and, for a plain scalar, its text, so the path
    bookkeeping is skipped. PyYAML's resolver picks the patterns to try by a plain scalar's first character
    (and has none for any character): one that starts with a character no pattern starts with (most
    names, ``apiVersion``, ``nginx``) is a string without a look-up; the others are answered from
    :data:`_PLAIN_TAGS`.
    """

    if not _FastBase.yaml_path_resolvers and None not in _FastBase.yaml_implicit_resolvers:
        def resolve(self, kind, value, implicit):  # type: ignore[no-untyped-def]
            if kind is ScalarNode:
                if not implicit[0] or (value and value[0] not in _PATTERN_FIRST):  # quoted, or no pattern to try
                    return _STR_TAG
                tag = _PLAIN_TAGS.get(value)
                if tag is None:
                    tag = super().resolve(kind, value, implicit)
                    if len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX and len(value) <= _PLAIN_TAGS_TEXT:
                        _PLAIN_TAGS[value] = tag
                return tag
            return _MAP_TAG if kind is MappingNode else _SEQ_TAG

        # libyaml's composer calls these two around every node, for path resolvers there are none of: built-in
        # callables that take the same arguments and do nothing cost a fraction of a Python function's call
        descend_resolver = staticmethod(operator.is_)  # (parent node, index) -> a bool no one reads
        ascend_resolver = staticmethod(tuple)  # () -> the empty tuple, no one reads


class _RedefinableAnchors(Composer):
    """PyYAML's composer, accepting a redefined anchor (the latest definition wins, as in Go's yaml)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not isinstance(event, yaml.AliasEvent):
            self.anchors.pop(anchor, None)
        return super().compose_node(parent, index)


class _PureLenientLoader(_RedefinableAnchors, yaml.SafeLoader):
    """The pure-Python loader with a redefined anchor allowed: it words the errors of such a document."""


if yaml.__with_libyaml__:
    class _LenientLoader(_RedefinableAnchors, yaml.cyaml.CParser, SafeConstructor, Resolver):  # type: ignore[misc]
        """A redefined anchor allowed, over libyaml's events: only the composing is in Python (the pure-Python
        scanner and parser cost several times more). A document libyaml refuses goes to
        :class:`_PureLenientLoader`, whose error messages these documents have always had."""

        def __init__(self, stream: str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            _RedefinableAnchors.__init__(self)
else:
    _LenientLoader = _PureLenientLoader


def _timestamp_or_text(loader: Any, node: ScalarNode) -> Any:
    """A timestamp, or the text itself when it only looks like one (``2024-13-45``): go-yaml resolves a
    timestamp only when it parses, and PyYAML's constructor would raise a bare ValueError."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


for _cls in (_Loader, _LenientLoader, _PureLenientLoader):
    _cls.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))
    _cls.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _compose(chunk: str, loader_cls: type) -> tuple[Any, yaml.Node | None]:
    loader = loader_cls(chunk)
    try:
        try:
            return loader, loader.get_single_node()
        except RecursionError:  # only the pure-Python composer recurses; libyaml stops at 1,000 levels
            raise LimitError(f"nesting deeper than {MAX_DEPTH} levels", code="FW-LIMIT-YAML-DEPTH") from None
    except BaseException:
        loader.dispose()
        raise


def _load(chunk: str, budget: _AliasBudget) -> tuple[Any, list[tuple[ScalarNode, ScalarNode]]]:
    try:
        loader, node = _compose(chunk, _Loader)
    except yaml.composer.ComposerError as err:
        if "duplicate anchor" not in str(err):
            raise
        try:
            loader, node = _compose(chunk, _LenientLoader)
        except yaml.YAMLError:
            loader, node = _compose(chunk, _PureLenientLoader)
    dups: list[tuple[ScalarNode, ScalarNode]] = []
    try:
        if node is None:
            return None, dups
        # an alias needs the `*` indicator: without one the graph is a tree
        shared = "*" in chunk
        try:
            data, decoded = _construct_tree(loader, node, dups, shared)
        except Exception:  # noqa: BLE001 - whatever the one pass leaves, the two passes below decide
            dups.clear()
        else:
            budget.add(decoded, 0, node)
            return data, dups
        return _inspect_and_construct(loader, node, dups, budget, shared), dups
    finally:
        loader.dispose()


def _inspect_and_construct(loader: Any, node: yaml.Node, dups: list[tuple[ScalarNode, ScalarNode]],
                           budget: _AliasBudget, shared: bool) -> Any:
    """Inspect the composed document (bounds, duplicate keys), then build it: :func:`_construct_graph` when it
    can, PyYAML's constructor otherwise (and for every error, which it reports as it always did)."""
    if not _inspect_tree(node, dups, budget, shared=shared):
        dups.clear()
        _inspect_graph(node, dups, budget)
    try:
        return _construct_graph(loader, node)
    except Exception:  # noqa: BLE001 - what the fast build leaves, PyYAML's constructor decides
        return loader.construct_document(node)


# scalar tags whose SafeConstructor is a plain function of the node's text (the merge key `<<` is not one)
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "binary",
                                                             "timestamp", "value"))


class _NotPlain(Exception):
    """The document holds something the one-pass construction leaves to the two passes (see _construct_tree)."""


def _construct_tree(loader: Any, root: yaml.Node, dups: list[tuple[ScalarNode, ScalarNode]],
                    shared: bool) -> tuple[Any, int]:
    """Build a document whose collections are not shared and inspect it in the same walk: (data, nodes
    go-yaml decodes).

    The result is the one :func:`_inspect_tree` followed by ``construct_document`` gives, for the documents
    manifests are made of: plain maps, sequences and scalars of the core tags. Anything else (another tag,
    a merge key, a collection as a key, with ``shared`` a collection reached twice, nesting past
    :data:`MAX_DEPTH`, an error) raises, and the caller runs the two passes, which decide what is reported.
    Duplicate keys are found mapping by mapping and ordered level by level, as the inspection's
    breadth-first walk finds them.
    """
    constructors = loader.yaml_constructors
    found: list[tuple[int, list[tuple[ScalarNode, ScalarNode]]]] = []
    decoded = 2  # the document node and the root

    def scalar(node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR_TAG:
            return node.value
        if tag not in _SCALAR_TAGS:
            raise _NotPlain
        return constructors[tag](loader, node)

    seen: set[int] | None = set() if shared else None

    def build(node: yaml.Node, depth: int) -> Any:
        nonlocal decoded
        if depth > MAX_DEPTH:
            raise _NotPlain
        if seen is not None:
            if id(node) in seen:
                raise _NotPlain
            seen.add(id(node))
        items = node.value
        if node.__class__ is MappingNode:
            if node.tag != _MAP_TAG:
                raise _NotPlain
            decoded += 2 * len(items)
            out = {}
            plain_keys = True
            for k, v in items:
                if k.__class__ is not ScalarNode:
                    raise _NotPlain
                if k.tag == _STR_TAG:
                    key = k.value
                else:
                    plain_keys = False
                    key = scalar(k)
                if v.__class__ is ScalarNode:
                    out[key] = v.value if v.tag == _STR_TAG else scalar(v)
                else:
                    out[key] = build(v, depth + 1)
            if len(out) != len(items) or not plain_keys:
                repeated: list[tuple[ScalarNode, ScalarNode]] = []
                _duplicates(node, repeated)
                if repeated:
                    found.append((depth, repeated))
            return out
        if node.tag != _SEQ_TAG:
            raise _NotPlain
        decoded += len(items)
        return [(v.value if v.tag == _STR_TAG else scalar(v)) if v.__class__ is ScalarNode else build(v, depth + 1)
                for v in items]

    try:
        data = scalar(root) if root.__class__ is ScalarNode else build(root, 1)
    finally:
        # build refers to itself: left as it is, each parse would leave a reference cycle, holding the loader
        # and its text, that only the garbage collector frees
        del build
    if found:
        found.sort(key=lambda f: f[0])  # stable: mappings of one level stay in document order
        for _, repeated in found:
            dups.extend(repeated)
    return data, decoded


def _construct_graph(loader: Any, root: yaml.Node) -> Any:
    """Build an inspected document whose collections may be shared, as ``construct_document`` does: each
    node is built once, so an alias is the very object its anchor built (the inspection refused an anchor
    that contains itself and bounded the depth). Raises, like :func:`_construct_tree`, on what only PyYAML's
    constructor builds: other tags, merge keys, a collection as a key.
    """
    constructors = loader.yaml_constructors
    built: dict[int, Any] = {}  # id of a node -> what it built

    def scalar(node: ScalarNode) -> Any:
        done = built.get(id(node))
        if done is None:
            tag = node.tag
            if tag == _STR_TAG:
                return node.value
            if tag not in _SCALAR_TAGS:
                raise _NotPlain
            done = built[id(node)] = (constructors[tag](loader, node),)
        return done[0]

    def build(node: yaml.Node) -> Any:
        done = built.get(id(node))
        if done is not None:
            return done
        if node.__class__ is MappingNode:
            if node.tag != _MAP_TAG:
                raise _NotPlain
            out: dict[Any, Any] = {}
            built[id(node)] = out
            for k, v in node.value:
                if k.__class__ is not ScalarNode:
                    raise _NotPlain
                key = scalar(k)
                out[key] = scalar(v) if v.__class__ is ScalarNode else build(v)
            return out
        if node.tag != _SEQ_TAG:
            raise _NotPlain
        items: list[Any] = []
        built[id(node)] = items
        items.extend(scalar(v) if v.__class__ is ScalarNode else build(v) for v in node.value)
        return items

    try:
        return scalar(root) if root.__class__ is ScalarNode else build(root)
    finally:
        del build  # no cycle left behind (see _construct_tree)


def load_text(chunk: str) -> Any:
    """One YAML document as sigs.k8s.io/yaml reads it (a repeated key keeps its last value); raises yaml.YAMLError."""
    return _load(chunk, _AliasBudget())[0]



class Document:
    """One YAML document of a file: its data, the 1-based line of its first content line, repeated keys."""

    __slots__ = ("data", "file", "line", "duplicates")

    def __init__(self, data: Any, file: str, line: int, duplicates: tuple[DuplicateKey, ...] = ()) -> None:
        self.data = data
        self.file = file
        self.line = line
        self.duplicates = duplicates

    __repr__ = slots_repr

    def require_unique_keys(self) -> None:
        """Refuse a repeated mapping key, as kustomize does for a manifest or a patch."""
        if self.duplicates:
            d = self.duplicates[0]
            raise InputError(self.file, d.line, d.message(), code="FW-YAML-DUPLICATE-KEY")


def _first_content_line(text: str, pos: int, line: int) -> int:
    """The index of the first line from ``line`` (starting at offset ``pos``) that is neither blank, a
    comment nor a directive; ``line`` itself when there is none. Only the lines up to it are looked at."""
    first = line
    while True:
        end = text.find("\n", pos)
        s = (text[pos:] if end < 0 else text[pos:end]).strip()
        if s and not s.startswith("#") and not s.startswith("%"):
            return line
        if end < 0:
            return first
        pos = end + 1
        line += 1


# a document marker line: `---` or `...` alone or followed by a blank, a line break of `\r\n` included
_MARKER_LINE = re.compile(r"^(?:---|\.\.\.)(?:[ \t][^\n]*)?\r*$", re.M)


def _marker_lines(text: str) -> list[re.Match[str]]:
    """What ``_MARKER_LINE.finditer(text)`` finds, in order; the expression is tried only where a line starts
    with ``---`` or ``...``, found by searching the text for them: a fraction of the time of trying it at
    every offset."""
    found = []
    for mark in ("---", "..."):
        at = text.find(mark)
        while at >= 0:
            if at == 0 or text[at - 1] == "\n":
                m = _MARKER_LINE.match(text, at)
                if m is not None:
                    found.append(m)
            at = text.find(mark, at + 3)
    if len(found) > 1:
        found.sort(key=lambda m: m.start())
    return found


def _chunks(text: str) -> list[tuple[int, str, int]]:
    """Split into (first line index, chunk text, offset of that line in ``text``).

    The marker lines are found by one regular expression over the text, so a file is not split into
    lines; a chunk ends with the line break before its closing marker (a final `|` block scalar keeps it).
    """
    chunks: list[tuple[int, str, int]] = []
    start = pos = 0  # the current chunk's first line and its offset
    inline = False  # whether it starts with content on its `---` line (which the chunk writes as blanks)
    line = last = 0  # the line index of offset `last`
    for m in _marker_lines(text):
        at = m.start()
        line += text.count("\n", last, at)
        last = at
        chunks.append((start, "   " + text[pos + 3:at] if inline else text[pos:at], pos))
        raw = m.group()
        rest = raw[3:].strip()
        inline = raw.startswith("---") and bool(rest) and not rest.startswith("#")
        if inline:  # content after '--- ' on the marker line belongs to the next doc
            start, pos = line, at
        else:
            start, pos = line + 1, m.end() + 1
    chunks.append((start, "   " + text[pos + 3:] if inline else text[pos:], pos))
    return chunks


def parse_documents(text: str, file: str) -> list[Document]:
    """Parse every non-empty document of ``text``.

    Raises :class:`InputError` naming the file and line of the first syntax error or exceeded bound.
    """
    docs: list[Document] = []
    budget = _AliasBudget()
    for start, chunk, pos in _chunks(text):
        if not chunk or chunk.isspace():
            continue
        try:
            data, dups = _load(chunk, budget)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line = start + (mark.line if mark else 0) + 1
            problem = err.problem or str(err)
            if isinstance(err, LimitError):
                raise InputError(file, line, problem, code=err.code, cls=problem_class(err.code)) from None
            raise InputError(file, line, f"invalid YAML: {problem}", code="FW-YAML-INVALID") from None
        except yaml.YAMLError as err:
            raise InputError(file, start + 1, f"invalid YAML: {err}", code="FW-YAML-INVALID") from None
        if data is None:
            continue
        duplicates = tuple(DuplicateKey(str(k.value), start + k.start_mark.line + 1, start + first.start_mark.line + 1)
                           for k, first in dups)
        docs.append(Document(data, file, _first_content_line(text, pos, start) + 1, duplicates))
    return docs


def field_line(text: str, first_line: int, path: tuple[str | int, ...] | list[str | int]) -> int:
    """The line of a field, e.g. ``("spec", "healthChecks", 1, "name")``, in the document that starts at
    ``first_line`` (1-based): keys are found in order, list items are counted by their ``- `` markers.

    Used only to point a message at the right line, so it is a search of the text rather than a second
    parse: where the layout defeats it (flow style, a key spelled twice) it answers the deepest line found.
    """
    index = _lines(text)
    lines = index.lines
    found = i = max(first_line - 1, 0)
    for n, part in enumerate(path):
        if isinstance(part, int):
            hit = _nth_item(lines, i if n == 0 else i + 1, part)  # a document that is a list starts with its item
        else:
            hit = index.key_line(part, i)
        if hit is None:
            break
        found = i = hit
    return found + 1


# compiled by re.search at its first use (re caches it): most runs never ask for a block scalar's lines
_BLOCK_SCALAR_HEADER = r"(?:^\s*-|:)\s+[|>][0-9+-]*\s*(?:#.*)?$"


def block_scalar_line(text: str, key_line: int, inner_line: int) -> int:
    """The line in ``text`` of line ``inner_line`` (1-based) of the block scalar (``patch: |``) whose key is on
    ``key_line``; ``key_line`` itself when that value is not a block scalar (flow or quoted text)."""
    lines = _lines(text).lines
    if 0 < key_line <= len(lines) and re.search(_BLOCK_SCALAR_HEADER, lines[key_line - 1].rstrip()):
        return min(key_line + max(inner_line, 1), len(lines))
    return key_line


class _TextLines:
    """A file's text split into lines once, with where each line starts and which lines are document markers,
    so that finding a key searches the text (``str.find``) instead of testing it line by line."""

    __slots__ = ("text", "lines", "starts", "markers")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = tuple(text.split("\n"))
        before = itertools.accumulate(map(len, self.lines), initial=0)  # characters of the lines before each
        self.starts = list(map(operator.add, before, range(len(self.lines))))  # and one line break per line
        self.markers = [bisect.bisect_right(self.starts, m.start()) - 1 for m in _MARKER_AT_LINE.finditer(text)]

    def key_line(self, key: str, i: int) -> int | None:
        """The first line from ``i`` on, before the next document marker (a marker on line ``i`` itself does not
        end the search), where ``key`` is written as a mapping key (:func:`_has_key`); None if there is none."""
        lines, starts = self.lines, self.starts
        if i >= len(lines):
            return None
        if not key or "\n" in key:  # every line holds the empty key; none holds a line break
            for j in range(i, len(lines)):
                line = lines[j]
                if j > i and j in self.markers:
                    break
                if key in line and _has_key(line, key):
                    return j
            return None
        k = bisect.bisect_right(self.markers, i)
        stop = starts[self.markers[k]] if k < len(self.markers) else len(self.text)
        pos = self.text.find(key, starts[i], stop)
        while pos >= 0:
            j = bisect.bisect_right(starts, pos) - 1
            if _has_key(lines[j], key):
                return j
            if j + 1 >= len(lines):
                return None
            pos = self.text.find(key, starts[j + 1], stop)
        return None


# document markers: the lines ``---`` or ``...`` begins, alone or before a blank (a line holds no line break; `.`
# takes a carriage return, `$` the line's end)
_MARKER_AT_LINE = re.compile(r"^(?:---|\.\.\.)(?:[ \t][^\n]*)?$", re.M)


# what may precede a key on its line (up to the key): at most two characters, so it is searched for in those
_BEFORE_KEY = re.compile(r"(?:^|[\s{,\-])[\"']?\Z")
_AFTER_KEY = re.compile(r"[\"']?\s*:(?:\s|$)")  # what follows a key: its colon


def _has_key(line: str, key: str) -> bool:
    """Whether ``key`` is written as a mapping key on ``line`` (``(?:^|[\\s{,\\-])["']?KEY["']?\\s*:(?:\\s|$)``),
    checked with the two fixed expressions around each place the key's text occurs: an expression compiled
    per key cost more than the lookups, for the many keys a run looks up."""
    i = line.find(key)
    while i >= 0:
        if _BEFORE_KEY.search(line, max(i - 2, 0), i) and _AFTER_KEY.match(line, i + len(key)):
            return True
        i = line.find(key, i + 1)
    return False


def _lines(text: str) -> _TextLines:
    """The lines of a file's text, indexed once for the many fields of one file (a file of thousands of
    Kustomizations would otherwise be split again for each of them) and of the files a run keeps coming back to
    (surfaces, ordering and problems look up fields file by file, in turn): the most recently used texts are
    kept, at most :data:`_LINES_MAX` of :data:`_LINES_MAX_CHARS` characters together."""
    index = _LINES.pop(text, None)
    if index is None:
        index = _TextLines(text)
        _LINES_SIZE[0] += len(text)
    _LINES[text] = index  # the most recently used last
    while len(_LINES) > _LINES_MAX or (_LINES_SIZE[0] > _LINES_MAX_CHARS and len(_LINES) > 1):
        oldest = next(iter(_LINES))
        del _LINES[oldest]
        _LINES_SIZE[0] -= len(oldest)
    return index


_LINES: dict[str, _TextLines] = {}
_LINES_SIZE = [0]  # characters of the texts in _LINES
_LINES_MAX = 256
_LINES_MAX_CHARS = 32 << 20


def _nth_item(lines: tuple[str, ...], start: int, n: int) -> int | None:
    """The line of the ``n``-th block list item from line ``start`` on, or None."""
    indent = -1
    count = -1
    for j in range(start, len(lines)):
        raw = lines[j]
        stripped = raw.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        col = len(raw) - len(stripped)
        if indent < 0:
            if not stripped.startswith("-"):
                return None
            indent = col
        if col < indent or (col == indent and not stripped.startswith("-")):
            return None
        if col == indent:
            count += 1
            if count == n:
                return j
    return None


def decode_text(content: bytes, file: str) -> str:
    """The text of a YAML file: UTF-8, or UTF-16 with a byte-order mark; anything else is refused as go-yaml does."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as err:
            raise InputError(file, 1, f"invalid UTF-16 at byte {err.start}", code="FW-YAML-ENCODING") from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = content.count(b"\n", 0, err.start) + 1
        column = err.start - (content.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(file, line, f"invalid UTF-8 (byte 0x{content[err.start]:02x} at column {column}); "
                         "Flux's YAML reader refuses the file", code="FW-YAML-ENCODING") from None


# Nodes that copies inside one kustomize build may add (JSON 6902 add/copy/replace values, replacements):
# a copy of a value into itself doubles an object, so a few dozen of them would otherwise exhaust memory.
# Real builds copy scalars and small maps; a quarter of a million nodes is far beyond them.
MAX_COPIED_NODES = 250_000


class BoundError(ValueError):
    """Data that would grow past a bound (nesting depth, copied nodes); the caller adds file and line."""


def measure(value: Any, limit: int) -> tuple[int, int]:
    """(nodes, nesting levels) of parsed data; counting stops once it passes ``limit`` nodes."""
    if not isinstance(value, (dict, list)):
        return 1, 0
    nodes, depth, level = 1, 0, [value]
    while level and nodes <= limit:
        depth += 1
        below = []
        for v in level:
            nodes += len(v)
            for x in (v.values() if isinstance(v, dict) else v):
                if isinstance(x, (dict, list)):
                    below.append(x)
        level = below
    return nodes, depth


class GrowthBudget:
    """What the copies of one build may still add; each copy must also stay within :data:`MAX_DEPTH`."""

    def __init__(self, nodes: int = MAX_COPIED_NODES) -> None:
        self.nodes = nodes

    def spend(self, value: Any, at_depth: int, copied: bool = True) -> None:
        """Account for putting ``value`` ``at_depth`` levels deep (``copied``: as a new copy);
        raise :class:`BoundError` past a bound."""
        nodes, depth = measure(value, self.nodes)
        if at_depth + depth > MAX_DEPTH:
            raise BoundError(f"the result would nest deeper than {MAX_DEPTH} levels")
        if not copied:
            return
        self.nodes -= nodes
        if self.nodes < 0:
            raise BoundError(f"copies in this build would add more than {MAX_COPIED_NODES:,} nodes "
                             "(a value copied into itself over and over?)")


def copy_data(value: Any) -> Any:
    """Deep-copy parsed YAML (dicts, lists, scalars) several times faster than copy.deepcopy.

    Builds copy every manifest they read, so the common case is spelled out: a plain dict or list (all that
    parsing makes) is told by its exact class, a string (the commonest leaf) is kept without a call, and a
    dict is filled by a loop (a comprehension is a call of its own before Python 3.12). A subclass of dict
    or list is copied as a plain one, as before.
    """
    cls = value.__class__
    if cls is dict:
        out = {}
        for k, v in value.items():
            out[k] = v if v.__class__ is str else copy_data(v)
        return out
    if cls is list:
        return [v if v.__class__ is str else copy_data(v) for v in value]
    if isinstance(value, dict):
        return {k: copy_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) for v in value]
    return value


# texts whose documents a parse cache remembers, oldest forgotten first: at most this many, of this many
# characters together; a longer text is parsed each time
MAX_TEXT_MEMO = 4_096
MAX_TEXT_MEMO_CHARS = 4 << 20
MAX_TEXT_MEMO_ONE = 256 << 10


class ParseCache:
    """Parsed documents keyed by the file and its bytes, shared across builds.

    The bytes themselves are the key (no digest): a bytes object computes its hash once, a hit compares equal
    contents, and the parsed entry they key is many times their size. Entries hold the parsed data; callers that
    mutate must copy (see :func:`flux_wiki.load.repo.Repo.documents`).
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, bytes], list[Document] | InputError] = {}
        self._lock = _thread.allocate_lock()
        self.hits = 0
        self.misses = 0
        self.counts: Counter[str] = Counter()  # work later stages did or reused (e.g. "kustomize builds")
        self.keep_builds = False  # whether Kustomization builds are kept for reuse (flux/kustomize/reuse.py)
        # results later stages compute from parsed content, by stage (e.g. "substitute"); they live as long
        # as the parse cache, so two builds sharing it (two revisions, serve rebuilds) share them too
        self.derived: dict[str, dict[Any, Any]] = {}
        self._text_chars: Counter[str] = Counter()  # characters of the texts remembered, by stage

    def get(self, file: str, content: bytes) -> list[Document]:
        key = (file, content)
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None:
            self.hits += 1
        else:
            self.misses += 1
            try:
                hit = parse_documents(decode_text(content, file), file)
            except InputError as err:
                hit = err
            with self._lock:
                self._entries[key] = hit
        if isinstance(hit, InputError):
            raise hit
        return hit

    def text_documents(self, text: str, file: str) -> list[Document]:
        """:func:`parse_documents` of a text that is not a file (an inline patch, a rendered template), remembered
        by the text alone: apps repeat the same patch in their own kustomizations, clusters the same renders.
        The documents' data is shared, so callers must not mutate it (a patch is only read, a render is
        normalised into a new tree); each call gets documents (or an error) naming its own ``file``.
        ``counts["texts parsed"]`` and ``counts["texts reused"]`` count misses and hits."""

        def parsed(chunk: str) -> list[Document] | InputError:
            try:
                return parse_documents(chunk, "")
            except InputError as err:
                return err

        hit = self._remembered("text documents", text, parsed)
        if isinstance(hit, InputError):
            raise InputError(file, hit.line, hit.message, code=hit.code, cls=hit.cls)
        return [Document(d.data, file, d.line, d.duplicates) for d in hit]

    def loaded_text(self, text: str) -> Any:
        """:func:`load_text` of ``text``, remembered by the text alone as :meth:`text_documents` does (a chart's
        values a ConfigMap holds: every rebuild, and each release reading it, parses the same text). The data is
        shared: callers must not mutate it. Raises yaml.YAMLError as load_text does."""

        def loaded(chunk: str) -> Any:
            try:
                return load_text(chunk)
            except yaml.YAMLError as err:
                return err

        hit = self._remembered("loaded texts", text, loaded)
        if isinstance(hit, yaml.YAMLError):
            raise hit
        return hit

    def _remembered(self, stage: str, text: str, compute: Callable[[str], Any]) -> Any:
        """``compute(text)``, remembered in ``derived[stage]`` for texts up to :data:`MAX_TEXT_MEMO_ONE`, the
        oldest forgotten past :data:`MAX_TEXT_MEMO` texts or :data:`MAX_TEXT_MEMO_CHARS` characters; counted
        in ``counts`` ("texts parsed", "texts reused")."""
        memo = self.derived.setdefault(stage, {})
        if text in memo:
            self.counts["texts reused"] += 1
            return memo[text]
        self.counts["texts parsed"] += 1
        hit = compute(text)
        if len(text) <= MAX_TEXT_MEMO_ONE:
            memo[text] = hit
            self._text_chars[stage] += len(text)
            while len(memo) > MAX_TEXT_MEMO or self._text_chars[stage] > MAX_TEXT_MEMO_CHARS:
                oldest = next(iter(memo))
                del memo[oldest]
                self._text_chars[stage] -= len(oldest)
        return hit
