"""Boundary checks of the billing records: period keys, money, quantities.

Ids, enum values and instants are checked by ``partnercore._fields`` and ``ensure_aware``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from partnercore._errors import ValidationError
from partnercore.money import Money, to_decimal

__all__ = ["describe", "money_field", "to_quantity"]


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
