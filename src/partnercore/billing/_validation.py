"""Boundary checks shared by the billing records: ids, enum values, money, quantities."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

import attrs

from partnercore._errors import ValidationError
from partnercore.money import Money, to_decimal
from partnercore.time import ensure_aware

__all__ = [
    "id_field",
    "money_field",
    "optional_id_field",
    "period_key",
    "to_enum",
    "to_quantity",
    "utc_instant",
    "validate_id",
]

_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_PERIOD_KEY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
E = TypeVar("E", bound=enum.Enum)


@lru_cache(maxsize=1 << 16)
def _is_id(value: str) -> bool:
    return _ID.match(value) is not None


def validate_id(value: object, field: str) -> str:
    """``value`` if it is an id (1-64 characters of ``[A-Za-z0-9._-]``), else a ValidationError."""
    if value.__class__ is not str or not _is_id(value):
        raise ValidationError.at(field, f"expected an id of 1-64 [A-Za-z0-9._-], got {value!r}")
    return value


def id_field(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    """An attrs validator for id fields."""
    validate_id(value, attribute.name)


def optional_id_field(_: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    """An attrs validator for optional id fields."""
    if value is not None:
        validate_id(value, attribute.name)


def period_key(value: object, field: str = "period") -> str:
    """``value`` if it is a ``YYYY-MM`` period key, else a ValidationError."""
    if not isinstance(value, str) or _PERIOD_KEY.match(value) is None:
        raise ValidationError.at(field, f"expected YYYY-MM, got {value!r}")
    return value


def to_enum(enum_type: type[E], value: object, field: str) -> E:
    """``value`` as a member of ``enum_type``, or a ValidationError naming ``field``."""
    if value.__class__ is enum_type:
        return value
    try:
        return enum_type(value)
    except ValueError:
        allowed = " | ".join(str(member.value) for member in enum_type)
        raise ValidationError.at(field, f"expected {allowed}, got {value!r}") from None


def describe(value: object) -> str:
    """How a wrong value is named in a message (floats are called out)."""
    if isinstance(value, float):
        return f"the float {value!r}: money is never a float"
    return type(value).__name__


def money_field(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: ``value`` must be :class:`Money` (never a float)."""
    if not isinstance(value, Money):
        raise ValidationError.at(attribute.name, f"expected Money, got {describe(value)}")


def to_quantity(value: object) -> Decimal:
    """An attrs converter to a finite Decimal quantity (floats rejected)."""
    if value.__class__ is Decimal and value.is_finite():
        return value
    return to_decimal(value, "quantity")


def utc_instant(value: object, field: str) -> datetime:
    """``value`` as an aware UTC datetime (fast when it already is one)."""
    if value.__class__ is datetime and value.tzinfo is UTC:
        return value
    return ensure_aware(value, field)
