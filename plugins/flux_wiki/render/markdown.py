"""Markdown helpers for templates: escaping manifest text and linking between pages."""

from __future__ import annotations

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


def slug(text: str) -> str:
    """A file-name-safe slug for a page path."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"
