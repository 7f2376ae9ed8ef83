"""What the slotted record classes share: a repr, a copy with changes and an equality over their ``__slots__``
(the model's classes and the Flux records ``model`` itself imports)."""

from __future__ import annotations

import functools
from typing import Any


def _fields(self: object) -> tuple[str, ...]:
    """The record's fields: its class's ``__slots__`` but ``__weakref__``."""
    return _class_fields(type(self))


@functools.cache
def _class_fields(cls: type) -> tuple[str, ...]:
    """:func:`_fields` of a class (its ``__slots__`` never change, and the record classes are few)."""
    return tuple(name for name in cls.__slots__ if name != "__weakref__")  # type: ignore[attr-defined]


def slots_repr(self: object) -> str:
    """``Class(field=value, ...)`` over the record's fields: every field shown, so a test can tell no secret is in
    it."""
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _fields(self))
    return f"{type(self).__qualname__}({shown})"


def slots_replace(self: Any, changes: dict[str, Any]) -> Any:
    """A new instance of ``self``'s class with its fields and ``changes``, made through ``__init__`` (an unknown name
    is refused)."""
    return type(self)(**{**{name: getattr(self, name) for name in _fields(self)}, **changes})


def slots_copy(self: Any) -> Any:
    """A shallow copy, field by field: what ``copy.copy`` makes, without its pickling protocol (twice as slow)."""
    new = object.__new__(type(self))
    for name in _fields(self):
        setattr(new, name, getattr(self, name))
    return new


def slots_equal(self: Any, other: Any) -> bool:
    """Whether ``other`` is of the same class with equal fields."""
    if other.__class__ is not self.__class__:
        return NotImplemented
    names = _fields(self)
    return tuple(getattr(self, name) for name in names) == tuple(getattr(other, name) for name in names)
