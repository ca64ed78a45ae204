"""Currencies: an ISO 4217 code and its minor units."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import attrs

from partnercore._errors import ValidationError
from partnercore.money._iso4217 import MINOR_UNITS

__all__ = ["Currency", "to_currency"]


def _known_code(_: object, __: attrs.Attribute[str], code: str) -> None:
    if not isinstance(code, str):
        raise ValidationError.at("currency", f"expected an ISO 4217 code, got {code!r}")
    if code not in MINOR_UNITS:
        raise ValidationError.at("currency", f"unknown ISO 4217 currency code {code!r}")


@attrs.frozen(order=True)
class Currency:
    """An ISO 4217 currency. Build one with ``Currency.of("EUR")``."""

    code: str = attrs.field(validator=_known_code)

    @classmethod
    def of(cls, code: object) -> Currency:
        """The currency for ``code``; raises :class:`ValidationError` for unknown codes."""
        if isinstance(code, Currency):
            return code
        if not isinstance(code, str):
            raise ValidationError.at("currency", f"expected an ISO 4217 code, got {code!r}")
        return _currency(code)

    @property
    def minor_units(self) -> int:
        """Digits after the decimal point (USD 2, JPY 0, KWD 3)."""
        return MINOR_UNITS[self.code]

    @property
    def quantum(self) -> Decimal:
        """The smallest amount: ``Decimal("0.01")`` for USD, ``Decimal("1")`` for JPY."""
        return _quantum(self.minor_units)

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """Every known currency code, sorted."""
        return tuple(sorted(MINOR_UNITS))

    def __str__(self) -> str:
        return self.code


@cache
def _currency(code: str) -> Currency:
    return Currency(code)


@cache
def _quantum(minor_units: int) -> Decimal:
    return Decimal(1).scaleb(-minor_units)


def to_currency(value: object) -> Currency:
    """``value`` (a ``Currency`` or an ISO 4217 code) as a ``Currency``: an attrs converter."""
    return Currency.of(value)
