"""Money: an exact ``Decimal`` amount in one ISO 4217 currency."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from typing import Any

import attrs

from partnercore._errors import CurrencyMismatchError, ValidationError
from partnercore._fields import to_enum
from partnercore.money._currency import Currency, to_currency

__all__ = ["DECIMAL_CONTEXT", "Money", "Rounding", "to_decimal"]

#: Money arithmetic runs in this context, never in the caller's (``decimal.getcontext()``),
#: so a host that lowers the precision cannot make sums or products round silently. A hundred
#: significant digits keep every realistic computation exact.
DECIMAL_CONTEXT = Context(
    prec=100,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

#: Amounts must be smaller than this in magnitude (rounding larger ones is not meaningful).
_LIMIT = Decimal(10) ** 30

_ASCII_SPACE = " \t\n\r\f\v"
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: NaN and the infinities parse, to be refused as "not finite" with that message.
_NOT_FINITE_TEXT = re.compile(r"[+-]?(?:s?nan[0-9]*|inf|infinity)", re.IGNORECASE)

#: Ratios are kept between 1e-1000 and 1e1000 (zero aside): they are split exactly, as fractions.
_RATIO_EXPONENT = 1000


class Rounding(enum.StrEnum):
    """How an amount is rounded to its currency's minor unit."""

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"

    @property
    def decimal_mode(self) -> str:
        return ROUND_HALF_UP if self is Rounding.HALF_UP else ROUND_HALF_EVEN


def _rounding(value: object) -> Rounding:
    return to_enum(Rounding, value, "rounding")


def to_decimal(value: object, path: str = "amount") -> Decimal:
    """``value`` as a finite ``Decimal``; floats, booleans, NaN and infinities are rejected."""
    if isinstance(value, bool):
        raise ValidationError.at(
            path, f"expected a decimal string or an integer, got the boolean {value!r}"
        )
    if isinstance(value, float):
        raise ValidationError.at(
            path, f"expected a decimal string or an integer, got the float {value!r}"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        result = _parse_decimal(value, path)
    else:
        raise ValidationError.at(
            path, f"expected a decimal string or an integer, got {type(value).__name__}"
        )
    if not result.is_finite():
        raise ValidationError.at(path, f"must be a finite number, got {value!r}")
    return result


def _parse_decimal(value: str, path: str) -> Decimal:
    # Decimal() alone would also read other scripts' digits ("١٢"), "1_000" and Unicode
    # spaces: a number in text is ASCII, with optional surrounding ASCII white space.
    text = value.strip(_ASCII_SPACE)
    if _DECIMAL_TEXT.fullmatch(text) is None and _NOT_FINITE_TEXT.fullmatch(text) is None:
        raise ValidationError.at(path, f"not a decimal number: {value!r}")
    try:
        with localcontext(DECIMAL_CONTEXT):  # the library's traps, whatever the caller's are
            return Decimal(text)
    except InvalidOperation:  # an exponent beyond what decimal can hold
        raise ValidationError.at(path, f"not a decimal number: {value!r}") from None


def _amount(value: object) -> Decimal:
    amount = to_decimal(value, "amount")
    if amount.copy_abs() >= _LIMIT:
        raise ValidationError.at("amount", f"must be below 10**30 in magnitude, got {value!r}")
    return amount


@attrs.frozen(eq=True, order=False, repr=False)
class Money:
    """An exact amount in a currency.

    Amounts are never floats. Arithmetic keeps full precision; :meth:`rounded` rounds once
    to the currency's minor unit. Combining two currencies raises
    :class:`~partnercore.CurrencyMismatchError`.
    """

    amount: Decimal = attrs.field(converter=_amount)
    currency: Currency = attrs.field(converter=to_currency)

    @classmethod
    def of(cls, amount: object, currency: str | Currency) -> Money:
        """``Money.of("12.50", "USD")``."""
        return cls(amount, currency)

    @classmethod
    def zero(cls, currency: str | Currency) -> Money:
        return cls(Decimal(0), Currency.of(currency))

    # -- arithmetic -------------------------------------------------------------------

    def _same(self, other: object, operation: str) -> Money:
        """``other`` if it is Money in this currency; anything else is the library's error
        (never ``NotImplemented``, which Python turns into a bare ``TypeError``)."""
        if not isinstance(other, Money):
            raise ValidationError.at(
                "other", f"cannot {operation} money and {other!r}: expected Money"
            )
        if self.currency != other.currency:
            raise CurrencyMismatchError(self.currency.code, other.currency.code, operation)
        return other

    def __add__(self, other: object) -> Money:
        # sum() starts from the integer 0: that one number is accepted, and changes nothing
        if other.__class__ is int and other == 0:
            return self
        return Money(
            DECIMAL_CONTEXT.add(self.amount, self._same(other, "add").amount), self.currency
        )

    __radd__ = __add__

    def __sub__(self, other: object) -> Money:
        amount = DECIMAL_CONTEXT.subtract(self.amount, self._same(other, "subtract").amount)
        return Money(amount, self.currency)

    def __rsub__(self, other: object) -> Money:
        # only reached when ``other`` is not Money
        return self._same(other, "subtract")

    def __neg__(self) -> Money:
        return Money(self.amount.copy_negate(), self.currency)

    def __abs__(self) -> Money:
        return Money(self.amount.copy_abs(), self.currency)

    def __mul__(self, factor: object) -> Money:
        product = DECIMAL_CONTEXT.multiply(self.amount, to_decimal(factor, "factor"))
        return Money(product, self.currency)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Money:
        raise ValidationError.at(
            "other", "money is not divided: split it with allocate(), which always sums exactly"
        )

    __rtruediv__ = __floordiv__ = __rfloordiv__ = __truediv__

    def __lt__(self, other: object) -> bool:
        return self.amount < self._same(other, "compare").amount

    def __le__(self, other: object) -> bool:
        return self.amount <= self._same(other, "compare").amount

    def __gt__(self, other: object) -> bool:
        return self.amount > self._same(other, "compare").amount

    def __ge__(self, other: object) -> bool:
        return self.amount >= self._same(other, "compare").amount

    # -- rounding and allocation ------------------------------------------------------

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    @property
    def is_rounded(self) -> bool:
        """Whether the amount is a whole number of minor units."""
        return self.amount == self._quantized(ROUND_HALF_EVEN)

    def _quantized(self, mode: str) -> Decimal:
        return self.amount.quantize(self.currency.quantum, rounding=mode, context=DECIMAL_CONTEXT)

    def rounded(self, rounding: Rounding | str = Rounding.HALF_UP) -> Money:
        """This amount rounded to the currency's minor unit with an explicit mode."""
        return Money(self._quantized(_rounding(rounding).decimal_mode), self.currency)

    def allocate(
        self, ratios: Iterable[object], rounding: Rounding | str = Rounding.HALF_UP
    ) -> list[Money]:
        """Split this amount over ``ratios`` by largest remainder.

        The amount is first rounded to the minor unit; the parts always sum to it exactly.
        Each part is its exact share rounded down to a minor unit, plus one unit for the
        parts with the largest remainders; ties between equal remainders go to the earlier
        ratio. A negative amount is split like its absolute value, then negated.
        """
        if isinstance(ratios, str | bytes) or not isinstance(ratios, Iterable):
            raise ValidationError.at("ratios", f"expected a sequence of numbers, got {ratios!r}")
        decimals = [to_decimal(r, f"ratios[{i}]") for i, r in enumerate(ratios)]
        if not decimals:
            raise ValidationError.at("ratios", "at least one ratio is needed")
        for i, ratio in enumerate(decimals):
            if ratio < 0:
                raise ValidationError.at(f"ratios[{i}]", "ratios must not be negative")
            if ratio and not -_RATIO_EXPONENT <= ratio.adjusted() <= _RATIO_EXPONENT:
                raise ValidationError.at(f"ratios[{i}]", f"ratio out of range: {ratio}")
        weights = [Fraction(ratio) for ratio in decimals]
        total_weight = sum(weights, Fraction(0))
        if total_weight == 0:
            raise ValidationError.at("ratios", "ratios must not all be zero")
        whole = self.rounded(rounding).amount
        sign = -1 if whole < 0 else 1
        units = int(whole.copy_abs().scaleb(self.currency.minor_units, DECIMAL_CONTEXT))
        # Exact rational shares: no decimal division, so no rounding before the split.
        exact = [units * w / total_weight for w in weights]
        parts = [share.numerator // share.denominator for share in exact]
        left = units - sum(parts)
        order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
        for i in order[:left]:
            parts[i] += 1
        quantum = self.currency.quantum
        return [
            Money(DECIMAL_CONTEXT.multiply(Decimal(sign * u), quantum), self.currency)
            for u in parts
        ]

    # -- display ----------------------------------------------------------------------

    def format_amount(self) -> str:
        """The amount with exactly the currency's minor digits (``"12.50"``).

        An amount with more digits than its currency has is shown as it is, never
        rounded silently.
        """
        if self.is_rounded:
            return str(self._quantized(ROUND_HALF_EVEN))
        return str(self.amount)

    def __str__(self) -> str:
        return f"{self.format_amount()} {self.currency.code}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency.code}')"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def to_dict(self) -> dict[str, Any]:
        return {"amount": self.format_amount(), "currency": self.currency.code}
