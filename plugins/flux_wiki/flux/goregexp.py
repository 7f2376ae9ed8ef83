"""Regular expressions a repository writes (a kustomize patch target's name and namespace, an image name) or that
flux-wiki builds from it (a CI push URL with variables), compiled as Go compiles them: Go's regexp is RE2, which
matches in time linear in the text.

Python's backtracking engine would let a pattern such as ``(a+)+`` take time exponential in a name's length, and
a repository is untrusted input. A pattern without any regular-expression syntax (most names) stays with ``re``:
it cannot backtrack, and google-re2 is loaded only for the first pattern that needs it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_SYNTAX = frozenset(".^$*+?{}[]|()\\")


class GoRegexpError(ValueError):
    """Go's regexp would not compile the pattern."""


@lru_cache(maxsize=1024)
def compile_go(pattern: str) -> Any:
    """``pattern`` compiled with RE2 (Go's syntax and semantics), or with ``re`` when it is a plain name; the
    result has ``fullmatch``/``match``. Raises :class:`GoRegexpError` where Go's regexp.Compile fails."""
    if _SYNTAX.isdisjoint(pattern):
        return re.compile(pattern)
    import re2

    options = re2.Options()
    options.log_errors = False  # a pattern Go refuses is the caller's answer, not a line on stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as err:
        raise GoRegexpError(str(err)) from None
