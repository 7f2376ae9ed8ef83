"""Digests of plain data (parsed YAML, the model's dataclasses), which memos across ``mkdocs serve`` rebuilds
compare to tell that a result can be kept.

The value is pickled without the pickler's memo, so every object is written out in full, by value: equal
digests mean equal data of the same types (a false "unchanged" is never possible), while equal data that
differs only in dict order or in how a set iterates gives a different digest (it is computed again: only a
missed reuse). Pickling is done in C, several times faster than ``repr`` of the model's dataclasses.
"""

from __future__ import annotations

import hashlib
import io
import pickle


def fingerprint(value: object) -> bytes | None:
    """BLAKE2b of ``value`` pickled by value; None when it holds something that does not pickle (a function, a
    cycle), which no memo may compare."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: a shared object is written again where it recurs, never as a back-reference
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, ValueError, AttributeError, RecursionError):
        return None
    return hashlib.blake2b(out.getbuffer(), digest_size=20).digest()
