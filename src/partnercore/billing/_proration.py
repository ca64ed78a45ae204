"""Proration: which share of a period a licence or a seat was held, in local days or in seconds."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal

import attrs

from partnercore._errors import ValidationError
from partnercore._fields import to_enum
from partnercore.billing._policies import Proration
from partnercore.billing._rounding import EXACT, from_minor, round_to_minor
from partnercore.money import Money, Rounding, to_decimal
from partnercore.time import BillingPeriod, Span, resolve_timezone

__all__ = [
    "PeriodFrame",
    "ProratedShare",
    "ShareUnit",
    "checked_license_share",
    "daily_share",
    "days_touched",
    "exact_share",
    "license_share",
    "merge_checked",
    "merge_intervals",
    "prorate",
    "thirty_day_share",
]

_MICROSECOND = timedelta(microseconds=1)
#: The bounds of a span as the merging below works on them: (start, end or None), in UTC.
_Bounds = tuple[datetime, datetime | None]


class ShareUnit(enum.StrEnum):
    """What a prorated share counts."""

    DAYS = "days"
    SECONDS = "seconds"


def _non_negative(_: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if value < 0:
        raise ValidationError.at(attribute.name, f"must not be negative, got {value}")


def _unit(value: object) -> ShareUnit:
    return to_enum(ShareUnit, value, "unit")


def _numerator(value: object) -> Decimal:
    if value.__class__ is Decimal and value.is_finite():
        return value
    return to_decimal(value, "numerator")


def _denominator(value: object) -> Decimal:
    if value.__class__ is Decimal and value.is_finite():
        return value
    return to_decimal(value, "denominator")


@attrs.frozen
class ProratedShare:
    """``numerator / denominator`` of a period, in local days or in seconds (``6 of 31 days``)."""

    numerator: Decimal = attrs.field(converter=_numerator, validator=_non_negative)
    denominator: Decimal = attrs.field(converter=_denominator, validator=_non_negative)
    unit: ShareUnit = attrs.field(converter=_unit)

    def __attrs_post_init__(self) -> None:
        if self.denominator == 0:
            raise ValidationError.at("denominator", "must be positive")
        if self.numerator > self.denominator:
            raise ValidationError.at(
                "numerator", f"{self.numerator} exceeds the period's {self.denominator}"
            )

    @property
    def is_zero(self) -> bool:
        return self.numerator == 0

    @property
    def is_whole(self) -> bool:
        """Whether the whole period is covered."""
        return self.numerator == self.denominator

    @property
    def fraction(self) -> tuple[int, int]:
        """The share as an exact integer ratio (not reduced)."""
        n_top, n_bottom = self.numerator.as_integer_ratio()
        d_top, d_bottom = self.denominator.as_integer_ratio()
        return n_top * d_bottom, n_bottom * d_top

    def __str__(self) -> str:
        if self.unit is ShareUnit.DAYS:
            return f"{self.numerator} of {self.denominator} days"
        return f"{_duration(self.numerator)} of {_duration(self.denominator)}"


def _duration(seconds: Decimal) -> str:
    """Seconds as hours, minutes and seconds: ``145h``, ``12h 30m``, ``0h 0m 1.5s``."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, _ = divmod(rest, 60)
    left = EXACT.subtract(seconds, Decimal(hours * 3600 + minutes * 60))
    text = f"{hours}h"
    if minutes or left:
        text += f" {minutes}m"
    if left:
        text += f" {format(left.normalize(EXACT), 'f')}s"
    return text


def prorate(price: Money, share: ProratedShare, rounding: Rounding = Rounding.HALF_UP) -> Money:
    """``price x share``, rounded once to the currency's minor unit."""
    top, bottom = share.fraction
    price_top, price_bottom = price.amount.as_integer_ratio()
    amount = round_to_minor(
        price_top * top, price_bottom * bottom, price.currency.minor_units, rounding
    )
    return Money(amount, price.currency)


@attrs.frozen
class PeriodFrame:
    """A period's instants and local days, computed once for many calculations."""

    period: BillingPeriod
    start: datetime
    end: datetime
    days: int
    first_day: int
    micros: int
    all_days: ProratedShare
    all_seconds: ProratedShare
    zone: tzinfo
    #: ``start`` and ``end`` in UTC, as every instant inside the library is: comparing
    #: instants of one zone is the fast path.
    utc_start: datetime
    utc_end: datetime

    @classmethod
    def of(cls, period: BillingPeriod) -> PeriodFrame:
        start, end = period.start, period.end
        micros = (end - start) // _MICROSECOND
        days = Decimal(period.days)
        seconds = _seconds(micros)
        return cls(
            period,
            start,
            end,
            period.days,
            period.first_day.toordinal(),
            micros,
            ProratedShare(days, days, ShareUnit.DAYS),
            ProratedShare(seconds, seconds, ShareUnit.SECONDS),
            resolve_timezone(period.timezone),
            start.astimezone(UTC),
            end.astimezone(UTC),
        )

    def covers(self, merged: list[tuple[datetime, datetime]]) -> bool:
        """Whether merged intervals cover the whole period."""
        return len(merged) == 1 and merged[0][0] == self.utc_start and merged[0][1] == self.utc_end


def _frame(period: BillingPeriod | PeriodFrame) -> PeriodFrame:
    return period if isinstance(period, PeriodFrame) else PeriodFrame.of(period)


def merge_intervals(
    spans: Iterable[Span], period: BillingPeriod | PeriodFrame
) -> list[tuple[datetime, datetime]]:
    """The spans clipped to the period, without empty ones, sorted and merged, as bounds."""
    return merge_checked(_bounds(spans), _frame(period))


def _bounds(spans: Iterable[Span]) -> list[_Bounds]:
    bounds: list[_Bounds] = []
    for index, span in enumerate(spans):
        if not isinstance(span, Span):
            raise ValidationError.at(f"intervals[{index}]", f"expected a Span, got {span!r}")
        bounds.append((span.start, span.end))
    return bounds


def merge_checked(
    intervals: Iterable[_Bounds], frame: PeriodFrame
) -> list[tuple[datetime, datetime]]:
    """:func:`merge_intervals` of bounds already checked (UTC, none ending before it starts)."""
    period_start, period_end = frame.utc_start, frame.utc_end
    clipped: list[tuple[datetime, datetime]] = []
    for start, end in intervals:
        low = start if start > period_start else period_start
        high = period_end if end is None or end > period_end else end
        if low < high:
            clipped.append((low, high))
    if len(clipped) < 2:
        return clipped
    clipped.sort()
    merged = [clipped[0]]
    for low, high in clipped[1:]:
        last_low, last_high = merged[-1]
        if low <= last_high:
            if high > last_high:
                merged[-1] = (last_low, high)
        else:
            merged.append((low, high))
    return merged


def days_touched(merged: list[tuple[datetime, datetime]], frame: PeriodFrame) -> int:
    """How many local days of the frame's zone the merged intervals touch at any instant."""
    zone = frame.zone
    counted = 0
    last = -1
    for low, high in merged:
        first = low.astimezone(zone).toordinal()
        final = (high - _MICROSECOND).astimezone(zone).toordinal()
        if first <= last:
            first = last + 1
        if final >= first:
            counted += final - first + 1
            last = final
    return counted


def daily_share(intervals: Iterable[Span], period: BillingPeriod | PeriodFrame) -> ProratedShare:
    """Local days of the period touched by the intervals (at any instant) / days in the period."""
    frame = _frame(period)
    return _daily(merge_intervals(intervals, frame), frame)


def _daily(merged: list[tuple[datetime, datetime]], frame: PeriodFrame) -> ProratedShare:
    if frame.covers(merged):
        return frame.all_days
    days = days_touched(merged, frame)
    return ProratedShare(Decimal(days), Decimal(frame.days), ShareUnit.DAYS)


def _seconds(micros: int) -> Decimal:
    whole, rest = divmod(micros, 1_000_000)
    return Decimal(whole) if rest == 0 else from_minor(micros, 6)


def exact_share(intervals: Iterable[Span], period: BillingPeriod | PeriodFrame) -> ProratedShare:
    """Seconds of the period covered by the intervals / seconds in the period (in UTC)."""
    frame = _frame(period)
    return _exact(merge_intervals(intervals, frame), frame)


def _exact(merged: list[tuple[datetime, datetime]], frame: PeriodFrame) -> ProratedShare:
    if frame.covers(merged):
        return frame.all_seconds
    covered = sum(((high - low) // _MICROSECOND for low, high in merged), 0)
    return ProratedShare(_seconds(covered), _seconds(frame.micros), ShareUnit.SECONDS)


_THIRTY = Decimal(30)


def thirty_day_share(
    intervals: Iterable[Span], period: BillingPeriod | PeriodFrame
) -> ProratedShare:
    """The 30/360 share: the whole period when the intervals touch every local day of it
    (February included), otherwise min(30, local days touched) / 30."""
    frame = _frame(period)
    return _thirty_day(merge_intervals(intervals, frame), frame)


def _thirty_day(merged: list[tuple[datetime, datetime]], frame: PeriodFrame) -> ProratedShare:
    if frame.covers(merged):
        return frame.all_days
    days = days_touched(merged, frame)
    if days == frame.days:
        return frame.all_days
    return ProratedShare(Decimal(min(days, 30)), _THIRTY, ShareUnit.DAYS)


def license_share(
    intervals: Iterable[Span], period: BillingPeriod | PeriodFrame, proration: Proration
) -> ProratedShare:
    """The share of the period a licence was ``full`` in, by the price book's proration."""
    if proration is Proration.EXACT:
        return exact_share(intervals, period)
    if proration is Proration.THIRTY_DAY:
        return thirty_day_share(intervals, period)
    return daily_share(intervals, period)


def checked_license_share(
    intervals: Iterable[Span], frame: PeriodFrame, proration: Proration
) -> ProratedShare:
    """:func:`license_share` of spans known to be spans (a client's ``full_intervals``)."""
    merged = merge_checked([(span.start, span.end) for span in intervals], frame)
    if proration is Proration.EXACT:
        return _exact(merged, frame)
    if proration is Proration.THIRTY_DAY:
        return _thirty_day(merged, frame)
    return _daily(merged, frame)
