"""Usage: raw records, per-period totals, and late usage for periods already finalised (§5)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import id_validator, text_validator
from partnercore.billing._rounding import EXACT
from partnercore.billing._validation import period_key, to_quantity
from partnercore.time import BillingPeriod, ensure_aware

__all__ = ["LateUsage", "UsageRecord", "UsageTotal", "aggregate_usage"]


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
    """``quantity`` of ``metric`` used by a client at the instant ``at`` (stored in UTC)."""

    client_id: str = attrs.field(validator=id_validator)
    metric: str = attrs.field(validator=text_validator)
    quantity: Decimal = attrs.field(converter=to_quantity, validator=_non_negative)
    at: datetime = attrs.field(converter=ensure_aware)


@attrs.frozen(kw_only=True)
class UsageTotal:
    """The summed usage of one metric by one client in one period (in its billing time zone)."""

    client_id: str = attrs.field(validator=id_validator)
    metric: str = attrs.field(validator=text_validator)
    period: BillingPeriod = attrs.field(converter=_period)
    quantity: Decimal = attrs.field(converter=to_quantity)


def _key(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    period_key(value, attribute.name)


@attrs.frozen(kw_only=True)
class LateUsage:
    """Usage of a finalised period not billed on its invoices: billed as an ``adjustment``."""

    client_id: str = attrs.field(validator=id_validator)
    metric: str = attrs.field(validator=text_validator)
    original_period: str = attrs.field(validator=_key)
    quantity: Decimal = attrs.field(converter=to_quantity)


def aggregate_usage(
    records: Iterable[UsageRecord],
    period: BillingPeriod,
    client_ids: Collection[str] | None = None,
) -> list[UsageTotal]:
    """Totals per (client, metric) of the records whose ``at`` lies in ``period``.

    Sorted by client and metric; ``client_ids`` restricts the clients considered.
    """
    start, end = period.start, period.end
    sums: dict[tuple[str, str], Decimal] = {}
    for record in records:
        if start <= record.at < end and (client_ids is None or record.client_id in client_ids):
            key = (record.client_id, record.metric)
            sums[key] = EXACT.add(sums[key], record.quantity) if key in sums else record.quantity
    return [
        UsageTotal(client_id=client, metric=metric, period=period, quantity=quantity)
        for (client, metric), quantity in sorted(sums.items())
    ]
