"""Boundary checks of the billing records: period keys, money, quantities.

Ids, enum values and instants are checked by ``partnercore._fields`` and ``ensure_aware``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import ValidationError
from partnercore.money import Money, to_decimal

__all__ = ["describe", "money_field", "period_key", "to_quantity"]

_PERIOD_KEY = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")  # ASCII digits (\d takes any script's)


def period_key(value: object, field: str = "period") -> str:
    """``value`` if it is a ``YYYY-MM`` period key, else a ValidationError."""
    if not isinstance(value, str) or _PERIOD_KEY.fullmatch(value) is None:
        raise ValidationError.at(field, f"expected YYYY-MM, got {value!r}")
    return value


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
