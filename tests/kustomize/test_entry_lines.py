"""The line a kustomization entry is reported at: indexed once per file (build._EntryLines) and answering as the
scan per entry it replaced (issue 14)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.flux.kustomize.build import _Builder, _Kustomization
from flux_wiki.load import ParseCache


def scanned(text: str, fallback: int, value: Any, key: str | None) -> int:
    """The scan of every line per entry, as entry_line did it before the index."""
    for i, raw in enumerate(text.split("\n")):
        s = raw.strip()
        if key and s.startswith(f"{key}:"):
            fallback = i + 1
        body = s[2:].strip() if s.startswith("- ") else s
        for prefix in ("path:", "name:", "patch:"):
            if body.startswith(prefix):
                body = body[len(prefix):].strip()
        if isinstance(value, str) and body.strip("'\"") == value:
            return i + 1
    return fallback


class OneFile:
    """What the builder reads to place an entry: one kustomization file's text (and the parse cache that keeps
    its index)."""

    def __init__(self, text: str, cache: ParseCache | None = None) -> None:
        self.text = text
        self.cache = cache or ParseCache()

    def read_text(self, rel: str) -> str:
        return self.text


def indexed(text: str, fallback: int, value: Any, key: str | None) -> int:
    builder = _Builder(OneFile(text))  # type: ignore[arg-type]
    return builder.entry_line(_Kustomization("app", "app/kustomization.yaml", fallback, {}), value, key)


WORDS = ["resources", "components", "patches", "app", "./app", "base.yaml", "x: y", ""]
lines = st.builds(lambda indent, dash, prefix, quote, word, colon: " " * indent + dash + prefix + quote + word + quote
                  + colon, st.integers(0, 4), st.sampled_from(["", "- ", "-"]),
                  st.sampled_from(["", "path: ", "name: ", "patch: ", "resources:", "name:"]),
                  st.sampled_from(["", "'", '"']), st.sampled_from(WORDS), st.sampled_from(["", ":", " :"]))


@settings(max_examples=500, deadline=None)
@given(st.lists(lines, max_size=12).map("\n".join), st.integers(1, 5),
       st.one_of(st.none(), st.integers(), st.sampled_from([*WORDS, "not listed"])),
       st.sampled_from([None, "", "resources", "components", "patches", "x"]))
def test_the_index_answers_as_the_scan(text: str, fallback: int, value: Any, key: str | None) -> None:
    assert indexed(text, fallback, value, key) == scanned(text, fallback, value, key)


def test_builds_on_one_parse_cache_index_a_file_once() -> None:
    """Every build reading a shared component asks about the same file: its index is made once per cache."""
    cache = ParseCache()
    text = "resources:\n  - app.yaml\n  - ./base\n"
    k = _Kustomization("app", "app/kustomization.yaml", 1, {})
    first, second = _Builder(OneFile(text, cache)), _Builder(OneFile(text, cache))  # type: ignore[arg-type]
    assert first.entry_line(k, "./base") == second.entry_line(k, "./base") == 3
    assert first._entries[k.file] is second._entries[k.file]
    other = _Builder(OneFile(text.replace("app.yaml", "web.yaml"), cache))  # type: ignore[arg-type]
    assert other.entry_line(k, "web.yaml") == 2 and other._entries[k.file] is not first._entries[k.file]
