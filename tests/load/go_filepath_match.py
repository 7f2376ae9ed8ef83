"""A line-by-line port of Go's ``path/filepath.Match`` (golang/go src/path/filepath/match.go, Go 1.16+, Linux).

The test oracle for the regular expressions flux_wiki.load.sourceignore compiles globs into: slow, but it is
Go's algorithm as written (chunks between stars, leftmost match, whole pattern checked for errors).
"""

from __future__ import annotations


class BadPattern(Exception):
    """filepath.ErrBadPattern."""


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    """The next star-free run of ``pattern``, and whether stars preceded it."""
    star = False
    while pattern.startswith("*"):
        pattern, star = pattern[1:], True
    inrange, i = False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 < len(pattern):
                i += 1
        elif c == "[":
            inrange = True
        elif c == "]":
            inrange = False
        elif c == "*" and not inrange:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _get_esc(chunk: str) -> tuple[str, str]:
    """One possibly escaped character of a class, and the rest (which must not be empty)."""
    if not chunk or chunk[0] in "-]":
        raise BadPattern
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            raise BadPattern
    if len(chunk) == 1:
        raise BadPattern
    return chunk[0], chunk[1:]


def _match_chunk(chunk: str, s: str) -> str | None:
    """What is left of ``s`` after ``chunk`` matched its start, or None; the whole chunk is always checked."""
    failed = False
    while chunk:
        if not failed and not s:
            failed = True
        c = chunk[0]
        if c == "[":
            r = ""
            if not failed:
                r, s = s[0], s[1:]
            chunk = chunk[1:]
            negated = chunk.startswith("^")
            if negated:
                chunk = chunk[1:]
            match, nrange = False, 0
            while True:
                if chunk.startswith("]") and nrange > 0:
                    chunk = chunk[1:]
                    break
                lo, chunk = _get_esc(chunk)
                hi = lo
                if chunk[0] == "-":
                    hi, chunk = _get_esc(chunk[1:])
                if r and lo <= r <= hi:
                    match = True
                nrange += 1
            if match == negated:
                failed = True
        elif c == "?":
            if not failed:
                failed = s[0] == "/"
                s = s[1:]
            chunk = chunk[1:]
        else:
            if c == "\\":
                chunk = chunk[1:]
                if not chunk:
                    raise BadPattern
            if not failed:
                failed = chunk[0] != s[0]
                s = s[1:]
            chunk = chunk[1:]
    return None if failed else s


def go_match(pattern: str, name: str) -> bool:
    """filepath.Match(pattern, name) on Linux; raises BadPattern for a malformed pattern."""
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return "/" not in name
        rest = _match_chunk(chunk, name)
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        if star:
            found = False
            i = 0
            while i < len(name) and name[i] != "/":
                rest = _match_chunk(chunk, name[i + 1:])
                i += 1
                if rest is not None:
                    if not pattern and rest:
                        continue
                    name, found = rest, True
                    break
            if found:
                continue
        while pattern:
            _, chunk, pattern = _scan_chunk(pattern)
            _match_chunk(chunk, "")
        return False
    return not name
