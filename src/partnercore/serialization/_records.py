"""Decoding stored records fast: a per-class key table instead of the general converter.

The stores keep each record whole as JSON, written through the library's converter; reading
one back through cattrs costs far more than the query that found it (a hook per field, and a
scan of an enum's members per enum value). The records billing and the access check read by
the thousand (teams, users, memberships, grants, consent changes, team changes, licences,
billing accounts) are decoded here from a table of their fields built once per class: the
keys a record may hold, whether each is required, and how its value is decoded (text taken
as it is, an enum member looked up by value, an instant parsed once per spelling, a nested
record through its own table). The record is then built by its class, whose validators run
as they always do.

The result is exactly what the converter gives: every field is decoded as the converter
would decode it, and anything else (a key the class does not have, a value of an unexpected
type, a record the class refuses) is handed to the converter, which decodes it or raises its
own error. Only a store's own converter (``make_converter()``) is short-cut; a host's
converter is always used as it is.

Every store on a database (SQLite, PostgreSQL) decodes through this one module, next to the
converter whose results it reproduces; no store imports another.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs

from partnercore.billing import BillingAccount, ClientTerms, Discount
from partnercore.licensing import License, LicenseEvent, LicensePolicy
from partnercore.money import to_decimal
from partnercore.serialization import structure
from partnercore.tenancy import (
    ConsentChange,
    Grant,
    Membership,
    StatusChange,
    Team,
    Transfer,
    User,
)
from partnercore.time import ensure_aware

__all__ = ["HOT", "RecordDecoder"]

T = TypeVar("T")

HOT: tuple[type, ...] = (
    Team,
    User,
    Membership,
    Grant,
    ConsentChange,
    Transfer,
    StatusChange,
    License,
    LicenseEvent,
    LicensePolicy,
    BillingAccount,
    ClientTerms,
    Discount,
)
"""The classes decoded through a key table (and the records nested in them)."""

#: A surrogate in a ``str`` is always a lone one (as the converter checks).
_SURROGATE = re.compile("[\ud800-\udfff]")

#: Instants parsed, by spelling (records share a few: when a world was created, ...).
_INSTANTS_KEPT = 4096


class _Slow(Exception):
    """The value is not one the table decodes: the converter decodes the record."""


_MISSING = object()

# Field kinds, checked inline in the decoding loop (the common ones) or through a function.
_TEXT, _OPTIONAL_TEXT, _ENUM, _CALL = range(4)

_Decode = Callable[[Any], Any]
_Field = tuple[str, int, Any, bool]


def _text(value: Any) -> str:
    if value.__class__ is not str or (not value.isascii() and _SURROGATE.search(value)):
        raise _Slow
    return value


def _integer(value: Any) -> int:
    if value.__class__ is not int:
        raise _Slow
    return value


def _flag(value: Any) -> bool:
    if value.__class__ is not bool:
        raise _Slow
    return value


def _decimal(value: Any) -> Decimal:
    return to_decimal(value, "")


class _Instants:
    """Instants parsed as the converter parses them, each spelling once."""

    def __init__(self) -> None:
        self._known: dict[str, datetime] = {}

    def __call__(self, value: Any) -> datetime:
        known = self._known.get(value) if value.__class__ is str else None
        if known is not None:
            return known
        if value.__class__ is not str:
            raise _Slow
        parsed = ensure_aware(datetime.fromisoformat(value), "")
        if len(self._known) >= _INSTANTS_KEPT:
            self._known.clear()
        self._known[value] = parsed
        return parsed


def _optional(decode: _Decode) -> _Decode:
    def optional(value: Any) -> Any:
        return None if value is None else decode(value)

    return optional


def _tuple_of(decode: _Decode) -> _Decode:
    def items(value: Any) -> tuple[Any, ...]:
        if value.__class__ is not list:
            raise _Slow
        return tuple([decode(item) for item in value])

    return items


def _members(kind: type[enum.Enum]) -> dict[Any, Any] | None:
    """``{value: member}`` of an enum whose values are all text (else ``None``)."""
    members = {member.value: member for member in kind}
    if not all(value.__class__ is str for value in members):
        return None
    return members


def _enum(members: dict[Any, Any]) -> _Decode:
    def member(value: Any) -> Any:
        found = members.get(value) if value.__class__ is str else None
        if found is None:
            raise _Slow
        return found

    return member


class RecordDecoder:
    """Decodes stored JSON data into records: through key tables for :data:`HOT` classes,
    through ``converter`` for everything else (and for anything a table does not decode)."""

    def __init__(self, converter: cattrs.Converter) -> None:
        self._converter = converter
        self._plans: dict[type, Callable[[Any], Any] | None] = {}
        self._instants = _Instants()

    def decode(self, data: Any, cls: type[T]) -> T:
        """The ``cls`` ``data`` describes (the converter's errors if it describes none)."""
        plan = self._plans.get(cls, _MISSING)
        if plan is _MISSING:
            plan = self._plans[cls] = self._plan(cls) if cls in HOT else None
        if plan is not None:
            try:
                return plan(data)  # type: ignore[operator, no-any-return]
            except Exception:  # the converter decodes it, or says what is wrong
                pass
        return structure(data, cls, converter=self._converter)

    # -- tables -------------------------------------------------------------------------

    def _plan(self, cls: type) -> Callable[[Any], Any] | None:
        """The function decoding a ``cls`` record from its table (``None``: no table)."""
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # pragma: no cover - every HOT class resolves
            return None
        fields: list[_Field] = []
        for field in attrs.fields(cls):
            if not field.init:
                continue
            if field.alias != field.name:
                return None
            kind = self._kind(hints.get(field.name))
            if kind is None:
                return None
            required = field.default is attrs.NOTHING
            fields.append((field.name, kind[0], kind[1], required))
        names = frozenset(name for name, _, _, _ in fields)
        table = tuple(fields)

        def plan(data: Any) -> Any:
            if data.__class__ is not dict or not names.issuperset(data):
                raise _Slow
            values: dict[str, Any] = {}
            for name, kind, how, required in table:
                value = data.get(name, _MISSING)
                if value is _MISSING:
                    if required:
                        raise _Slow
                    continue
                if kind == _TEXT:
                    if value.__class__ is not str or (
                        not value.isascii() and _SURROGATE.search(value)
                    ):
                        raise _Slow
                elif kind == _OPTIONAL_TEXT:
                    if value is not None and (
                        value.__class__ is not str
                        or (not value.isascii() and _SURROGATE.search(value))
                    ):
                        raise _Slow
                elif kind == _ENUM:
                    value = how.get(value) if value.__class__ is str else None
                    if value is None:
                        raise _Slow
                else:
                    value = how(value)
                values[name] = value
            return cls(**values)

        return plan

    def _kind(self, hint: Any) -> tuple[int, Any] | None:
        """How a field of type ``hint`` is decoded (``None``: the table cannot)."""
        if hint is str:
            return _TEXT, None
        args = typing.get_args(hint)
        origin = typing.get_origin(hint)
        if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
            (inner,) = [arg for arg in args if arg is not type(None)]
            if inner is str:
                return _OPTIONAL_TEXT, None
            decode = self._decoder(inner)
            return None if decode is None else (_CALL, _optional(decode))
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            members = _members(hint)
            return None if members is None else (_ENUM, members)
        decode = self._decoder(hint)
        return None if decode is None else (_CALL, decode)

    def _decoder(self, hint: Any) -> _Decode | None:
        """A function decoding a value of type ``hint`` (``None``: the table cannot)."""
        if hint is str:
            return _text
        if hint is bool:
            return _flag
        if hint is int:
            return _integer
        if hint is datetime:
            return self._instants
        if hint is Decimal:
            return _decimal
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            members = _members(hint)
            return None if members is None else _enum(members)
        if typing.get_origin(hint) is tuple:
            args = typing.get_args(hint)
            if len(args) == 2 and args[1] is Ellipsis:
                item = self._decoder(args[0])
                return None if item is None else _tuple_of(item)
            return None
        if isinstance(hint, type) and hint in HOT:
            return self._nested(hint)
        return None

    def _nested(self, cls: type) -> _Decode:
        def nested(value: Any) -> Any:
            plan = self._plans.get(cls, _MISSING)
            if plan is _MISSING:
                plan = self._plans[cls] = self._plan(cls)
            if plan is None:
                raise _Slow
            return plan(value)  # type: ignore[operator]

        return nested
