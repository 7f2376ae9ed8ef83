"""Parse multi-document YAML with the line where each document starts.

Splitting on document markers (`---` at column 0) keeps the fast C loader for
the content while still knowing each document's first line. A marker inside a
block scalar cannot sit at column 0 (block scalar content is indented), so the
split agrees with YAML's own rules.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from typing import Any

import yaml

_FastBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_FastBase):  # type: ignore[misc,valid-type]
    """The C loader, reading a bare `=` (YAML 1.1 value tag, seen in Alertmanager configs) as a string."""


class _LenientLoader(yaml.SafeLoader):
    """Pure-Python fallback that accepts a redefined anchor (the latest definition wins, as in Go's yaml)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not isinstance(event, yaml.AliasEvent):
            self.anchors.pop(anchor, None)
        return super().compose_node(parent, index)


for _cls in (_Loader, _LenientLoader):
    _cls.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def load_text(chunk: str) -> Any:
    """One YAML document as Go's yaml (and so Flux) reads it; raises yaml.YAMLError."""
    try:
        return yaml.load(chunk, Loader=_Loader)
    except yaml.composer.ComposerError as err:
        if "duplicate anchor" not in str(err):
            raise
        return yaml.load(chunk, Loader=_LenientLoader)

from ..model import InputError

_MARKER = re.compile(r"^(---|\.\.\.)(?:[ \t].*)?$")


@dataclass(frozen=True)
class Document:
    """One YAML document of a file: its data and the 1-based line of its first content line."""

    data: Any
    file: str
    line: int


def _first_content_line(lines: list[str], start: int, end: int) -> int:
    for i in range(start, end):
        s = lines[i].strip()
        if s and not s.startswith("#") and not s.startswith("%"):
            return i
    return start


def _chunks(text: str) -> list[tuple[int, str, int]]:
    """Split into (first line index, chunk text, marker line index or -1)."""
    lines = text.split("\n")
    chunks: list[tuple[int, str, int]] = []
    start = 0
    for i, raw in enumerate(lines):
        if raw.startswith("---") or raw.startswith("..."):
            if _MARKER.match(raw.rstrip("\r")):
                chunks.append((start, "\n".join(lines[start:i]), i))
                # content after '--- ' on the marker line belongs to the next doc
                rest = raw[3:].strip()
                if raw.startswith("---") and rest and not rest.startswith("#"):
                    lines[i] = "   " + raw[3:]
                    start = i
                else:
                    start = i + 1
    chunks.append((start, "\n".join(lines[start:]), -1))
    return chunks


def parse_documents(text: str, file: str) -> list[Document]:
    """Parse every non-empty document of ``text``.

    Raises :class:`InputError` naming the file and line of the first syntax error.
    """
    docs: list[Document] = []
    lines = text.split("\n")
    for start, chunk, _ in _chunks(text):
        if not chunk.strip():
            continue
        try:
            data = load_text(chunk)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line = start + (mark.line if mark else 0) + 1
            problem = err.problem or str(err)
            raise InputError(file, line, f"invalid YAML: {problem}") from None
        except yaml.YAMLError as err:
            raise InputError(file, start + 1, f"invalid YAML: {err}") from None
        if data is None:
            continue
        docs.append(Document(data, file, _first_content_line(lines, start, len(lines)) + 1))
    return docs


def copy_data(value: Any) -> Any:
    """Deep-copy parsed YAML (dicts, lists, scalars) several times faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: copy_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) for v in value]
    return value


class ParseCache:
    """Parsed documents keyed by the SHA-1 of the file's bytes, shared across builds.

    Entries hold the parsed data; callers that mutate must copy (see
    :func:`flux_wiki.load.repo.Repo.documents`).
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], list[Document] | InputError] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        # results later stages compute from parsed content, by stage (e.g. "substitute"); they live as long
        # as the parse cache, so two builds sharing it (two revisions, serve rebuilds) share them too
        self.derived: dict[str, dict[Any, Any]] = {}

    def get(self, file: str, content: bytes) -> list[Document]:
        key = (file, hashlib.sha1(content).hexdigest())
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None:
            self.hits += 1
        else:
            self.misses += 1
            try:
                hit = parse_documents(content.decode("utf-8", errors="replace"), file)
            except InputError as err:
                hit = err
            with self._lock:
                self._entries[key] = hit
        if isinstance(hit, InputError):
            raise hit
        return hit
