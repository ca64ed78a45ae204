"""Deal terms of one client (§5.1): a negotiated price book, its size, its discounts."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import id_validator, optional_id_validator
from partnercore.billing._validation import describe
from partnercore.money import to_decimal
from partnercore.time import period_key

__all__ = ["ClientTerms", "Discount", "check_discounts"]


def _percent(value: object) -> Decimal:
    percent = to_decimal(value, "percent")
    if not 0 < percent <= 1:
        raise ValidationError.at(
            "percent", f"must be more than 0 and at most 1 (0.10 is 10 %), got {percent}"
        )
    return percent


def _first(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    period_key(value, attribute.name)


def _last(instance: Discount, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is None:
        return
    key = period_key(value, attribute.name)
    if key < instance.first_period:
        raise ValidationError.at(
            attribute.name, f"{key} is before the first period {instance.first_period}"
        )


@attrs.frozen(kw_only=True)
class Discount:
    """A percentage off a client's licence and usage charges, from ``first_period`` to
    ``last_period`` (inclusive ``YYYY-MM`` months; ``None``: open-ended).

    ``percent`` is a fraction: ``0.10`` is 10 %; it must be more than 0 and at most 1.
    """

    percent: Decimal = attrs.field(converter=_percent)
    first_period: str = attrs.field(validator=_first)
    last_period: str | None = attrs.field(default=None, validator=_last)

    def covers(self, period: str) -> bool:
        """Whether the discount applies in ``period`` (``YYYY-MM``)."""
        return self.first_period <= period and (
            self.last_period is None or period <= self.last_period
        )

    def overlaps(self, other: Discount) -> bool:
        """Whether some month is in both discounts."""
        first = max(self.first_period, other.first_period)
        ends = [end for end in (self.last_period, other.last_period) if end is not None]
        return not ends or first <= min(ends)

    def __str__(self) -> str:
        percent = format((self.percent * 100).normalize(), "f")
        span = f"from {self.first_period}"
        if self.last_period == self.first_period:
            span = f"in {self.first_period}"
        elif self.last_period is not None:
            span = f"{self.first_period} to {self.last_period}"
        return f"{percent} % {span}"


def check_discounts(discounts: Sequence[Discount], path: str = "discounts") -> None:
    """Discounts of one client never overlap."""
    for index, discount in enumerate(discounts):
        for earlier in range(index):
            if discounts[earlier].overlaps(discount):
                raise ValidationError.at(
                    f"{path}[{index}]",
                    f"overlaps {path}[{earlier}] ({discounts[earlier]}): "
                    "two discounts of one client may not overlap",
                )


def _discounts(value: object) -> tuple[Discount, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError.at("discounts", f"expected a sequence of Discount, got {value!r}")
    for index, discount in enumerate(value):
        if not isinstance(discount, Discount):
            raise ValidationError.at(
                f"discounts[{index}]", f"expected a Discount, got {describe(discount)}"
            )
    check_discounts(value)
    return tuple(sorted(value, key=lambda d: d.first_period))


def _employee_count(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError.at(
            "employee_count", f"expected a positive integer, got {describe(value)}"
        )
    if value < 1:
        raise ValidationError.at("employee_count", f"must be at least 1, got {value}")
    return value


@attrs.frozen(kw_only=True)
class ClientTerms:
    """What a partner agreed with one of its clients, kept on the partner's billing account.

    ``price_book_id`` names a deal price book (in the partner's currency) that prices the
    client's licence and usage instead of the partner's book; ``employee_count`` sizes the
    client for a book with ``full_license_fee_by_size``; ``discounts`` never overlap.
    """

    client_id: str = attrs.field(validator=id_validator)
    price_book_id: str | None = attrs.field(default=None, validator=optional_id_validator)
    employee_count: int | None = attrs.field(default=None, converter=_employee_count)
    discounts: tuple[Discount, ...] = attrs.field(default=(), converter=_discounts)

    def discount_in(self, period: str) -> Discount | None:
        """The discount that applies in ``period`` (``YYYY-MM``), if any."""
        return discount_in(self.discounts, period)


def discount_in(discounts: Sequence[Discount], period: str) -> Discount | None:
    """The one of ``discounts`` that applies in ``period``, if any."""
    for discount in discounts:
        if discount.covers(period):
            return discount
    return None
