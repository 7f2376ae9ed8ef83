"""field_line finds a key by searching the text (issue 14): the same line the line-by-line scan it replaced finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.load.yamldocs import _has_key, _nth_item, field_line

_MARKER = re.compile(r"^(---|\.\.\.)(?:[ \t].*)?$")  # a document marker line


def scanned(text: str, first_line: int, path: tuple[str | int, ...]) -> int:
    """The line-by-line scan: each line from the current one tested for the key, up to the next document marker."""
    lines = tuple(text.split("\n"))
    found = i = max(first_line - 1, 0)
    for n, part in enumerate(path):
        if isinstance(part, int):
            hit = _nth_item(lines, i if n == 0 else i + 1, part)
        else:
            hit = None
            for j in range(i, len(lines)):
                line = lines[j]
                if j > i and line[:3] in ("---", "...") and _MARKER.match(line):
                    break
                if part in line and _has_key(line, part):
                    hit = j
                    break
        if hit is None:
            break
        found = i = hit
    return found + 1


LINES = ["---", "--- x", "---\r", "...", "... #c", "a: 1", "  b: 2", "- c: 3", "  - d: x", "{e: 1, f: 2}", "key:",
         "'g': 1", '"h" : 2', "spec:", "  spec: x", "# spec: y", "x-spec: 1", "a:b", "", "   ", "--- spec: 1",
         "\tspec: 2", "spec :", "sp\rec: 1", "a: spec: 1"]
KEYS = ["a", "b", "c", "d", "e", "f", "g", "h", "spec", "key", "x", "", "ec", "a\nb", 0, 1, 2]


@given(st.lists(st.sampled_from(LINES), max_size=14), st.sampled_from(["\n", "\r\n"]),
       st.lists(st.sampled_from(KEYS), min_size=1, max_size=3).map(tuple), st.integers(0, 16))
@settings(max_examples=500, deadline=None)
def test_searching_the_text_finds_the_line_scanning_found(lines: list[str], eol: str, path: tuple, first: int) -> None:
    text = eol.join(lines)
    assert field_line(text, first, path) == scanned(text, first, path)


def test_a_key_past_the_next_document_is_not_found() -> None:
    text = "a: 1\nspec:\n  x: 1\n---\nspec:\n  y: 1\n"
    assert field_line(text, 1, ("spec", "y")) == 2  # stops at the marker: the deepest line found
    assert field_line(text, 5, ("spec", "y")) == 6


def test_the_indexed_texts_are_the_most_recently_used_within_bounds(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from flux_wiki.load import yamldocs

    monkeypatch.setattr(yamldocs, "_LINES", {})
    monkeypatch.setattr(yamldocs, "_LINES_SIZE", [0])
    monkeypatch.setattr(yamldocs, "_LINES_MAX", 2)
    monkeypatch.setattr(yamldocs, "_LINES_MAX_CHARS", 30)
    a, b, c = "a: 1\nb: 2\n", "c: 3\n", "d: 4\ne: 5\n"
    for text in (a, b, a, c):
        field_line(text, 1, ("b",))
    assert list(yamldocs._LINES) == [a, c]  # b, the least recently used, went first
    big = "x: " + "y" * 40 + "\n"
    assert field_line(big, 1, ("x",)) == 1
    assert list(yamldocs._LINES) == [big] and yamldocs._LINES_SIZE[0] == len(big)  # over the characters: alone
