"""JSON text exactly as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it, at four times its speed.

Python 3.11's json uses its C encoder only without ``indent``; with it, every value passes through a chain of
nested generators (the pure-Python encoder), which is most of the time it takes to write a large inventory.
Here one recursive function appends to a list and the leaves go through the same C functions json uses (its
string encoder, ``int.__repr__``, ``float.__repr__``), so the text is the same byte for byte
(tests/render/test_indented_json.py compares the two on generated values).

Most containers of an inventory are flat (their items are scalars or empty containers: a surface, a label
map): such a container is written whole by json's C encoder, whose item separator carries the line break and
the indentation of its items, so only the opening and closing lines are added here (:func:`_flat_encoder`).

The value must be a tree of dicts, lists, tuples, str, int, float, bool and None, as the renderers build it:
anything else is a TypeError, as with json (a reference cycle ends in RecursionError, not json's ValueError).
"""

from __future__ import annotations

from json.encoder import c_make_encoder  # json's C encoder (None where the C accelerator is missing)
from json.encoder import encode_basestring  # the C encoder's string function (ensure_ascii=False)
from typing import Any, Callable

_INFINITY = float("inf")


def _float(value: float) -> str:
    """A float as json writes it with ``allow_nan=True`` (its default)."""
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    """A mapping key that is not a str as json writes it: float, bool, None and int as their JSON text."""
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _refuse(value: Any) -> Any:
    """json's own ``default``: what is not JSON is refused with json's message."""
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _flat_encoder(newline: str) -> Callable[[Any, int], Any] | None:
    """json's C encoder (as ``json.dumps`` builds it without ``indent``) for the items of a flat container opened on
    a line whose break and indentation are ``newline``: it writes ``{"a": 1,<newline>  "b": 2}``, the text
    ``indent=2`` gives but for the breaks after ``{`` and before ``}``. No circular check is needed: a flat
    container holds no non-empty container, so not itself."""
    if c_make_encoder is None:
        return None
    return c_make_encoder(None, _refuse, encode_basestring, None, ": ", "," + newline + "  ", False, False, True)


_CONTAINERS = (dict, list, tuple)


def indented_json(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, the same text."""
    chunks: list[str] = []
    append = chunks.append
    encoders: dict[str, Callable[[Any, int], Any] | None] = {}
    written: dict[tuple[int, str], str | None] = {}  # see flat_items_text

    def encoder(newline: str) -> Callable[[Any, int], Any] | None:
        """:func:`_flat_encoder` for that line break and indentation, made once per call."""
        if newline not in encoders:
            encoders[newline] = _flat_encoder(newline)
        return encoders[newline]

    def flat_text(value: Any, items: Any, newline: str) -> str | None:
        """A non-empty container written by json's C encoder, when it is flat (no item is a non-empty container;
        json writes an empty one as ``[]`` or ``{}`` at any indentation)."""
        for item in items:
            if item and isinstance(item, _CONTAINERS):
                return None
        flat = encoder(newline)
        if flat is None:
            return None
        text = "".join(flat(value, 0))
        return text[0] + newline + "  " + text[1:-1] + newline + text[-1]

    def flat_items_text(value: Any, newline: str) -> str | None:
        """A list of non-empty flat mappings (a Kustomization's variables, its objects) written by one call of json's
        C encoder: the list's items are separated as their own items are, by a line break and the indentation of
        an item's items, so the text differs from ``indent=2``'s only where an item opens and closes, which is
        where ``},`` and that separator come before ``{`` (never inside an item, whose items start with a key).

        A list met again at the same indentation (the value may share one: an inventory's Kustomizations that list
        the same variables) is written once: it is the same object for as long as the value is written, so the text
        is the same."""
        key = (id(value), newline)
        if key in written:
            return written[key]
        written[key] = None  # until it is known to be flat
        for item in value:
            if item.__class__ is not dict or not item:
                return None
            for v in item.values():
                if v and isinstance(v, _CONTAINERS):
                    return None
        inner = newline + "  "
        flat = encoder(inner)
        if flat is None:
            return None
        text = "".join(flat(value, 0))
        body = text[2:-2].replace("}," + inner + "  {", inner + "}," + inner + "{" + inner + "  ")
        text = written[key] = "[" + inner + "{" + inner + "  " + body + inner + "}" + newline + "]"
        return text

    def write(value: Any, newline: str) -> None:  # newline: "\n" and the indentation of value's own line
        if isinstance(value, str):
            append(encode_basestring(value))
        elif value is None:
            append("null")
        elif value is True:
            append("true")
        elif value is False:
            append("false")
        elif isinstance(value, int):
            append(int.__repr__(value))
        elif isinstance(value, float):
            append(_float(value))
        elif isinstance(value, (list, tuple)):
            if not value:
                append("[]")
                return
            text = flat_text(value, value, newline)
            if text is None:
                text = flat_items_text(value, newline)
            if text is not None:
                append(text)
                return
            inner = newline + "  "
            separator = "[" + inner
            for item in value:
                if item.__class__ is dict and item and (text := flat_text(item, item.values(), inner)) is not None:
                    append(separator + text)  # most items: a flat mapping, written without a call of write
                else:
                    append(separator)
                    write(item, inner)
                separator = "," + inner
            append(newline + "]")
        elif isinstance(value, dict):
            if not value:
                append("{}")
                return
            text = flat_text(value, value.values(), newline)
            if text is not None:
                append(text)
                return
            inner = newline + "  "
            separator = "{" + inner
            for key, item in value.items():
                entry = separator + encode_basestring(key if isinstance(key, str) else _key(key)) + ": "
                if isinstance(item, str):  # most values: key and value in one string
                    append(entry + encode_basestring(item))
                else:
                    append(entry)
                    write(item, inner)
                separator = "," + inner
            append(newline + "}")
        else:
            raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")

    write(value, "\n")
    return "".join(chunks)
