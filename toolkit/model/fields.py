"""Model records as the API's documents: `to_dict`/`from_dict` derived from a dataclass's fields and types."""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from typing import Any, Callable, ClassVar


class Record:
    """Mixin for the frozen model dataclasses.

    `to_dict` writes the fields in their declared order (enums as their values, tuples as lists, nested
    records as dicts), with the properties named in DERIVED placed after the field each names (None: at the
    end). `from_dict` reads the fields back by their types and ignores keys that are not fields, so a stored
    document may carry more (its table's keys, derived values); a missing key takes the field's default.
    """

    __slots__ = ()
    DERIVED: ClassVar[tuple[tuple[str, str | None], ...]] = ()

    def to_dict(self) -> dict:
        return {name: _plain(getattr(self, name)) for name in _layout(type(self))}

    @classmethod
    def public(cls, doc: dict) -> dict:
        """The API document of a stored one: the stored document itself when it holds exactly this record's
        keys in order (to_dict wrote it, and there are no derived values to recompute), else
        to_dict(from_dict(doc)). A list of 100,000 then costs no model objects (issue 15)."""
        if not cls.DERIVED and tuple(doc) == _layout(cls):
            return doc
        return cls.from_dict(doc).to_dict()

    @classmethod
    def from_dict(cls, doc: dict):
        return cls(**{name: decode(doc[name]) for name, decode in _decoders(cls) if name in doc})


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Record):
        return value.to_dict()
    return value


@functools.cache
def _layout(cls: type) -> tuple[str, ...]:
    """The keys of `to_dict`, in order: each field, then the derived properties anchored on it."""
    after: dict[str | None, list[str]] = {}
    for name, anchor in cls.DERIVED:
        after.setdefault(anchor, []).append(name)
    names = []
    for field in dataclasses.fields(cls):
        names += [field.name, *after.get(field.name, ())]
    return tuple(names + after.get(None, []))


@functools.cache
def _decoders(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls) if f.init)


def _identity(value: Any) -> Any:
    return value


def _decoder(hint: Any) -> Callable[[Any], Any]:
    """A function turning a document's value back into a value of type `hint`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(arg for arg in args if arg is not type(None)))
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        item = _decoder(args[0])
        return lambda value: tuple(map(item, value))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_dict
    return _identity
