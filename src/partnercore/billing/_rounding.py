"""Rounding a line once, exactly: integer arithmetic on exact ratios, no Decimal context."""

from __future__ import annotations

from decimal import (
    Decimal,
)

from partnercore._errors import ValidationError
from partnercore.money import DECIMAL_CONTEXT, Rounding

__all__ = ["EXACT", "from_minor", "round_product", "round_ratio", "round_to_minor"]

#: Billing's Decimal arithmetic runs in the library's one context (``money.DECIMAL_CONTEXT``),
#: never in the caller's: a host that lowers the precision cannot make a sum round.
EXACT = DECIMAL_CONTEXT


def from_minor(units: int, digits: int) -> Decimal:
    """``units`` minor units as an exact Decimal with ``digits`` places (``1935, 2 -> 19.35``)."""
    return Decimal(units).scaleb(-digits, EXACT)


_POWERS = tuple(10**digits for digits in range(10))


def round_ratio(numerator: int, denominator: int, rounding: Rounding) -> int:
    """``numerator / denominator`` rounded to a whole number with ``rounding``.

    Ties go away from zero under ``half_up`` and to the even neighbour under ``half_even``,
    as :mod:`decimal` does. Exact for any integers: nothing is ever rounded twice.
    """
    if denominator <= 0:
        raise ValidationError.at("denominator", f"must be positive, got {denominator}")
    negative = numerator < 0
    whole, rest = divmod(-numerator if negative else numerator, denominator)
    twice = 2 * rest
    if twice > denominator or (
        twice == denominator and (rounding is Rounding.HALF_UP or whole & 1)
    ):
        whole += 1
    return -whole if negative else whole


def round_to_minor(numerator: int, denominator: int, digits: int, rounding: Rounding) -> Decimal:
    """The amount ``numerator / denominator`` rounded once to ``digits`` minor digits."""
    units = round_ratio(numerator * _POWERS[digits], denominator, rounding)
    return from_minor(units, digits)


def round_product(
    factors: tuple[Decimal, ...],
    digits: int,
    rounding: Rounding,
    numerator: int = 1,
    denominator: int = 1,
) -> Decimal:
    """The exact product of ``factors`` times ``numerator / denominator``, rounded once."""
    top, bottom = numerator, denominator
    for factor in factors:
        n, d = factor.as_integer_ratio()
        top *= n
        bottom *= d
    return round_to_minor(top, bottom, digits, rounding)
