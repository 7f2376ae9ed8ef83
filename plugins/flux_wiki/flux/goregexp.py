"""Regular expressions a repository writes (a kustomize patch target's name and namespace, an image name) or that
flux-wiki builds from it (a CI push URL with variables), compiled as Go compiles them: Go's regexp is RE2, which
matches in time linear in the text.

Python's backtracking engine would let a pattern such as ``(a+)+`` take time exponential in a name's length, and
a repository is untrusted input. A pattern without quantifiers, escapes or classes (a plain name, or the Flux
docs' ``(kustomize-controller|helm-controller)``) means the same to both engines and cannot backtrack more than
once per alternative: it stays with ``re``, and google-re2 is loaded only for the first pattern that needs it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_NEEDS_RE2 = frozenset("*+?{[\\")  # quantifiers, classes and escapes: where the engines differ


class GoRegexpError(ValueError):
    """Go's regexp would not compile the pattern."""


@lru_cache(maxsize=1024)
def compile_go(pattern: str) -> Any:
    """``pattern`` compiled with RE2 (Go's syntax and semantics), or with ``re`` when it has no quantifier,
    class or escape; the result has ``fullmatch``. Raises :class:`GoRegexpError` where Go's regexp.Compile
    fails (``re`` compiles the same patterns: unbalanced parentheses raise there too)."""
    if _NEEDS_RE2.isdisjoint(pattern):
        try:
            return re.compile(pattern)
        except re.error as err:
            raise GoRegexpError(str(err)) from None
    import re2

    options = re2.Options()
    options.log_errors = False  # a pattern Go refuses is the caller's answer, not a line on stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as err:
        raise GoRegexpError(str(err)) from None
