"""Issue 14: the shortcuts the renderer takes for speed give what the long way gives, for any input."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from flux_wiki.render.markdown import _INVISIBLE, _SCHEME, one_line, relative_link


def _one_line_long_way(text: str) -> str:
    return " ".join(_INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).split())


def test_the_one_line_shortcut_rests_on_two_facts_of_every_code_point() -> None:
    """one_line returns a printable text without edge or double spaces as it is. That is right because no
    character _INVISIBLE escapes is printable, and the space is the only printable white space."""
    printable = [c for c in map(chr, range(0x110000)) if c.isprintable()]
    assert not [c for c in printable if _INVISIBLE.match(c)]
    assert [c for c in printable if len(f"a{c}a".split()) > 1] == [" "]


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(codec=None), max_size=40)
       | st.text(alphabet=" \t\n\u00a0\u2028\u202ea-z\x85\x7f", max_size=12))
def test_one_line_is_the_long_way(text: str) -> None:
    assert one_line(text) == _one_line_long_way(text)


_SEGMENT = st.sampled_from(["flux", "home", "layers", "a b", "x:y", "..", "ü", "apps"])
_PAGE = st.lists(_SEGMENT, min_size=1, max_size=4).map(lambda parts: "/".join(parts) + ".md")


@given(_PAGE, _PAGE, st.none() | st.sampled_from(["flux-root", "group-a b"]))
def test_relative_link_is_the_long_way(from_page: str, to_page: str, anchor: str | None) -> None:
    """Links are cached by the folder they are made from; the text is what relpath and quote make."""
    rel = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    if _SCHEME.match(rel):
        rel = "./" + rel
    expected = quote(rel, safe="/.-_~") + (f"#{quote(anchor, safe='-_.')}" if anchor else "")
    assert relative_link(from_page, to_page, anchor) == expected
    assert relative_link(from_page, to_page, anchor) == expected  # the cached answer too


def test_compiled_templates_are_kept_only_in_a_private_folder_of_the_user() -> None:
    """Jinja's bytecode is code: it is kept in Jinja's per-user temp folder (0700, the user's own), never in a
    folder a repository could carry files into, and not at all without the plugin's `cache` option."""
    import os
    import stat
    from pathlib import Path

    from flux_wiki.render.pages import _environment

    assert _environment(None, False).bytecode_cache is None
    env = _environment(None, True)
    cache = env.bytecode_cache
    assert cache is not None
    folder = Path(cache.directory)  # type: ignore[attr-defined]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and folder.stat().st_uid == os.getuid()
    env.get_template("layer.md.j2")
    assert list(folder.glob("flux-wiki-*.cache"))
    assert Path.cwd() not in folder.parents
