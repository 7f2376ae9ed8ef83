"""Escaping for every context a repo value lands in, and linking between pages.

A repo (and the author files in ``data/``) is untrusted: every value that comes from one goes through one of
these helpers, never into output as is. Markdown text (:func:`md_escape`), inline code (:func:`md_code`),
link targets (:func:`link_target`, :func:`md_link`, :func:`file_url`), YAML front matter
(:func:`front_matter`) and HTML (:func:`html_text`) each have one helper. The output is Markdown that
Python-Markdown (MkDocs) and goldmark (Hugo) both read as plain text: no raw HTML, no link, no
attribute list and no Hugo shortcode can come out of a value.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from typing import Any
from urllib.parse import quote

import markupsafe
import yaml

# Punctuation that Python-Markdown (with `tables`) and CommonMark both honour a backslash escape for.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Control characters that are not white space, and the bidirectional overrides that make text read
# differently from what it is: shown as visible escapes (``\u202e``).
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# Characters kept as they are in a link target; everything else is percent-encoded (``%`` is kept so an
# already encoded URL stays as it is).
_URL_SAFE = "/:?#@!$&+,;=%~.-_"


def one_line(value: object) -> str:
    """``value`` as text on one line: white space collapsed, other control and bidi characters made visible."""
    text = "" if value is None else str(value)
    if text.isprintable() and not text.startswith(" ") and not text.endswith(" ") and "  " not in text:
        # already one line (the common case, skipped for speed): every character _INVISIBLE escapes is a
        # control or format character, and the only white space a printable text can hold is the space
        return text
    return " ".join(_INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).split())


def md_escape(value: object) -> str:
    """Text from a manifest as Markdown text: shown as written, on one line, never markup of any kind."""
    text = one_line(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # `~` (pymdownx.tilde) has no Python-Markdown backslash escape: a character reference is never markup
    return _MD_SPECIAL.sub(r"\\\1", text).replace("~", "&#126;")


def md_code(value: object) -> str:
    """Inline code of ``value`` on one line; a fence longer than any backtick run inside it.

    A ``|`` ends the code span and is written as an escaped pipe between two spans, since a table cell
    would otherwise end there (GitHub-flavoured tables split on a pipe even inside code).
    """
    text = one_line(value)
    if "|" in text:
        return "\\|".join(md_code(part) if part else "" for part in text.split("|"))
    return code_span(text)


def code_span(text: str) -> str:
    """``text`` (already on one line) as one code span: a fence longer than any backtick run inside it."""
    if not text:
        return ""
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def link_target(url: object) -> str | None:
    """A link target that can neither end the Markdown link early nor run script.

    Relative targets and ``http``/``https``/``mailto`` URLs are kept (unsafe characters percent-encoded);
    any other scheme (``javascript:``, ``data:``, …) gives None: show the text without a link.
    """
    text = _CONTROL.sub("", "" if url is None else str(url)).strip()
    if not text:
        return None
    scheme = _SCHEME.match(text)
    if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
        return None
    return quote(text, safe=_URL_SAFE)


def md_link(label: str, url: object) -> str:
    """``[label](url)`` for a label that is already Markdown; the bare label when the URL is unsafe or missing."""
    target = link_target(url) if url else None
    return f"[{label}]({target})" if target else label


def file_url(base: str | None, path: str, line: int | None = None) -> str | None:
    """The browse URL of a repo file: ``base`` + the path (percent-encoded) + ``#L<line>``."""
    if not base:
        return None
    return base.rstrip("/") + "/" + quote(path, safe="/") + (f"#L{line}" if line else "")


def relative_link(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """Relative link target from one docs-relative ``.md`` path to another, as MkDocs expects in Markdown."""
    rel = _relative_target(posixpath.dirname(from_page), to_page)
    return rel + (f"#{quote(anchor, safe='-_.')}" if anchor else "")


@functools.lru_cache(maxsize=8192)
def _relative_target(base: str, to_page: str) -> str:
    """The quoted relative path from folder ``base`` to ``to_page``. Cached: the pages of one folder (a cluster's
    layer pages) link to the same pages again and again, and ``posixpath.relpath`` is most of a link's cost."""
    rel = posixpath.relpath(to_page, base or ".")
    if _SCHEME.match(rel):  # a first folder named like a scheme ("x:y/page.md") stays a path
        rel = "./" + rel
    return quote(rel, safe="/.-_~")


def html_text(value: object) -> str:
    """Text (or an attribute value) in HTML: markupsafe's escaping of ``& < > " '``."""
    return str(markupsafe.escape("" if value is None else str(value)))


def front_matter(fields: dict[str, Any]) -> str:
    """A YAML front matter block written by a YAML dumper: a value can never add a key or end the block."""
    dumped = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096)
    return f"---\n{dumped}---\n"


# Longest slug: every file made from one (`<slug>.md`, `<slug>/index.html`, `<slug>.surface-map.dot`, a Hugo
# bundle) stays far below the 255-byte file-name limit of common file systems.
SLUG_MAX = 200


def slug(text: str, distinct: str | None = None) -> str:
    """The file-name-safe slug of ``text``: lowercase ASCII letters, digits and dashes, at most SLUG_MAX long.

    A longer slug is cut and ends in a hash of the whole text; with ``distinct`` (an object's id, for texts that
    share a slug) it always ends in a hash of text and id. Hashes are stable across runs and machines.
    """
    plain = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"
    if distinct is None and len(plain) <= SLUG_MAX:
        return plain
    key = text if distinct is None else f"{text}\0{distinct}"
    tag = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{plain[:SLUG_MAX - len(tag) - 1].rstrip('-')}-{tag}"
