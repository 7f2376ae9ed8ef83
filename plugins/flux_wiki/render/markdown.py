"""Markdown helpers for templates: escaping manifest text and linking between pages."""

from __future__ import annotations

import hashlib
import posixpath
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def md_escape(value: object) -> str:
    """Escape text from a manifest for Markdown (and the HTML it becomes): no markup survives."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def md_code(value: object) -> str:
    """Inline code span that survives any backticks in ``value`` and table pipes."""
    text = " ".join(("" if value is None else str(value)).split())
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace('|', '&#124;')}{pad}{fence}"


def relative_link(from_page: str, to_page: str, anchor: str | None = None) -> str:
    """Relative link from one docs-relative ``.md`` path to another, as MkDocs expects in Markdown."""
    base = posixpath.dirname(from_page)
    rel = posixpath.relpath(to_page, base or ".")
    return rel + (f"#{anchor}" if anchor else "")


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
