"""Currencies: an ISO 4217 code and its minor units."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import attrs

from partnercore._errors import ValidationError
from partnercore.money._iso4217 import MINOR_UNITS, WITHDRAWN, WITHDRAWN_NOTES

__all__ = ["Currency", "to_currency", "to_current_currency"]

_CURRENT = tuple(sorted(code for code in MINOR_UNITS if code not in WITHDRAWN))
_KNOWN = tuple(sorted(MINOR_UNITS))


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

    @property
    def withdrawn(self) -> bool:
        """Whether ISO 4217 has withdrawn this code (it still reads historic amounts)."""
        return self.code in WITHDRAWN

    @property
    def successor(self) -> Currency | None:
        """The code that replaced a withdrawn one (``BGN`` -> ``EUR``); ``None`` otherwise."""
        code = WITHDRAWN.get(self.code)
        return None if code is None else _currency(code)

    @classmethod
    def codes(cls, *, withdrawn: bool = False) -> tuple[str, ...]:
        """The codes of ISO 4217 List One (2026-01-01) with a minor unit, sorted;
        ``withdrawn=True`` adds the withdrawn codes still read for historic amounts."""
        return _KNOWN if withdrawn else _CURRENT

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


def to_current_currency(value: object, path: str = "currency") -> Currency:
    """``value`` as a ``Currency`` that is still in ISO 4217 List One, for new prices.

    A withdrawn code is a :class:`ValidationError` naming the code that replaced it.
    """
    currency = Currency.of(value)
    if currency.withdrawn:
        code, successor = currency.code, WITHDRAWN[currency.code]
        if successor is None:
            note = WITHDRAWN_NOTES.get(code)
            reason = f"without a successor ({note})" if note else "without a successor"
            message = f"{code} is withdrawn from ISO 4217 {reason}: new prices cannot use it"
        else:
            message = (
                f"{code} is withdrawn from ISO 4217 (replaced by {successor}): "
                f"new prices must be in {successor}"
            )
        raise ValidationError.at(path, message)
    return currency
