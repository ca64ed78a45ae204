"""Usage: raw records, per-period totals, and late usage for periods already finalised (§5)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import check_instance, id_validator, text_validator
from partnercore._trusted import trusted
from partnercore.billing._rounding import EXACT
from partnercore.billing._validation import money_field, to_quantity
from partnercore.money import Money
from partnercore.time import BillingPeriod, ensure_aware, period_key

__all__ = ["LateUsage", "UsageRecord", "UsageTotal", "aggregate_usage", "summed_total"]


#: A usage record's quantity is below 10**21; a total (or a late difference of totals) is
#: below 10**30, like an amount of money: room for a billion records of the largest size.
_RECORD_LIMIT = Decimal(10) ** 21
_TOTAL_LIMIT = Decimal(10) ** 30
_TOTAL_FLOOR = _TOTAL_LIMIT.copy_negate()

#: Quantities are multiples of 10**-18 (trailing zeros past that are only a way of writing).
_PLACES = 18


def _bounded(value: object, limit: Decimal, bound: str) -> Decimal:
    quantity = to_quantity(value)
    shown = value if isinstance(value, Decimal | int) else repr(value)
    if quantity.copy_abs() >= limit:
        raise ValidationError.at("quantity", f"must be below {bound}, got {shown}")
    _, digits, exponent = quantity.as_tuple()
    assert isinstance(exponent, int)  # finite: to_quantity refused NaN and the infinities
    # the digits past the 18th decimal place must all be zeros
    if exponent < -_PLACES and any(digits[exponent + _PLACES :]):
        raise ValidationError.at("quantity", f"at most {_PLACES} decimal places, got {shown}")
    return quantity


def _exact(quantity: Decimal | int) -> Decimal:
    return quantity if quantity.__class__ is Decimal else Decimal(quantity)


def _record_quantity(value: object) -> Decimal:
    return _bounded(value, _RECORD_LIMIT, "10**21")


def _total_quantity(value: object) -> Decimal:
    return _bounded(value, _TOTAL_LIMIT, "10**30 in magnitude")


def _non_negative(_: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if value < 0:
        raise ValidationError.at(attribute.name, f"must not be negative, got {value}")


def _period(value: object) -> BillingPeriod:
    if isinstance(value, BillingPeriod):
        return value
    if isinstance(value, str):
        return BillingPeriod.parse(value)
    raise ValidationError.at("period", f"expected a BillingPeriod, got {value!r}")


@attrs.frozen(kw_only=True)
class UsageRecord:
    """``quantity`` of ``metric`` used by a client at the instant ``at`` (stored in UTC).

    A quantity is an exact decimal from 0 to below 10**21, with at most 18 decimal places.
    """

    client_id: str = attrs.field(validator=id_validator)
    metric: str = attrs.field(validator=text_validator)
    quantity: Decimal = attrs.field(converter=_record_quantity, validator=_non_negative)
    at: datetime = attrs.field(converter=ensure_aware)


@attrs.frozen(kw_only=True)
class UsageTotal:
    """The summed usage of one metric by one client in one period (in its billing time zone).

    The quantity is below 10**30 in magnitude, with at most 18 decimal places.
    """

    client_id: str = attrs.field(validator=id_validator)
    metric: str = attrs.field(validator=text_validator)
    period: BillingPeriod = attrs.field(converter=_period)
    quantity: Decimal = attrs.field(converter=_total_quantity)


def _key(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    period_key(value, attribute.name)


def _optional_money(
    instance: object, attribute: attrs.Attribute[Money | None], value: object
) -> None:
    if value is not None:
        money_field(instance, attribute, value)


@attrs.frozen(kw_only=True)
class LateUsage:
    """Usage of a finalised period not billed on its invoices: billed as an ``adjustment``.

    ``billed_quantity`` and ``billed_amount`` are what the finalised invoices already billed
    for that client, metric and period: a tier-priced metric's adjustment is the amount of
    ``billed_quantity + quantity`` less ``billed_amount`` (§5.1). A per-unit metric's is
    ``quantity`` at the unit price, and ignores them.
    """

    client_id: str = attrs.field(validator=id_validator)
    metric: str = attrs.field(validator=text_validator)
    original_period: str = attrs.field(validator=_key)
    quantity: Decimal = attrs.field(converter=_total_quantity)
    billed_quantity: Decimal = attrs.field(default=Decimal(0), converter=to_quantity)
    billed_amount: Money | None = attrs.field(default=None, validator=_optional_money)


def summed_total(
    client_id: str, metric: str, period: BillingPeriod, quantity: Decimal | int
) -> UsageTotal:
    """The total of ``quantity`` (an exact sum of valid records' quantities, an integer when
    they were all whole) of ``metric`` for ``client_id`` in ``period``.

    The client id, metric and period come from checked records, and a sum of quantities
    with at most 18 decimal places has at most 18: only the bound is left to check (a total
    beyond it is refused by :class:`UsageTotal` itself).
    """
    exact = _exact(quantity)
    if _TOTAL_FLOOR < exact < _TOTAL_LIMIT:
        return trusted(
            UsageTotal, client_id=client_id, metric=metric, period=period, quantity=exact
        )
    return UsageTotal(client_id=client_id, metric=metric, period=period, quantity=exact)


def aggregate_usage(
    records: Iterable[UsageRecord],
    period: BillingPeriod,
    client_ids: Collection[str] | None = None,
) -> list[UsageTotal]:
    """Totals per (client, metric) of the records whose ``at`` lies in ``period``.

    Sorted by client and metric; ``client_ids`` restricts the clients considered.
    """
    check_instance(period, BillingPeriod, "period")
    start, end = period.start, period.end
    sums: dict[tuple[str, str], Decimal] = {}
    for record in records:
        check_instance(record, UsageRecord, "records")
        if start <= record.at < end and (client_ids is None or record.client_id in client_ids):
            key = (record.client_id, record.metric)
            sums[key] = EXACT.add(sums[key], record.quantity) if key in sums else record.quantity
    return [
        summed_total(client, metric, period, quantity)
        for (client, metric), quantity in sorted(sums.items())
    ]
