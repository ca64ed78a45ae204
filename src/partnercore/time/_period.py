"""Billing periods: calendar months in a billing time zone, half-open [start, end)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import lru_cache

import attrs
from dateutil.relativedelta import relativedelta

from partnercore._errors import ValidationError
from partnercore.time._zones import ensure_aware, local_date, local_midnight, validate_timezone

__all__ = ["BillingPeriod", "period_key"]

#: The one grammar of a period: ``YYYY-MM``, optionally ``[zone]``. ASCII digits, the whole
#: text (``\d`` would take other scripts' digits, ``$`` a final newline).
_PERIOD = re.compile(r"([0-9]{4})-([0-9]{2})(?:\[([^\]]+)\])?")


def _period_match(text: object, field: str) -> re.Match[str]:
    match = _PERIOD.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValidationError.at(field, f"expected YYYY-MM, got {text!r}")
    return match


def period_key(value: object, field: str = "period") -> str:
    """``value`` if it is a period key ``YYYY-MM`` (month 01..12, no zone), else a
    :class:`ValidationError` naming ``field``: ``expected YYYY-MM, got '2026-13'``.

    The key of a month wherever a record names one (an invoice's period, a discount's first
    month); :meth:`BillingPeriod.parse` reads the same text into a period.
    """
    match = _period_match(value, field)
    if match[3] is not None or not "01" <= match[2] <= "12":
        raise ValidationError.at(field, f"expected YYYY-MM, got {value!r}")
    return match[0]


def _month(_: object, __: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise ValidationError.at("month", f"month must be 1..12, got {value!r}")


#: Year 1 and 9999 are left out so that every period's start and end exist in every zone.
_FIRST_YEAR, _LAST_YEAR = 2, 9998


def _year(_: object, __: object, value: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not _FIRST_YEAR <= value <= _LAST_YEAR
    ):
        raise ValidationError.at("year", f"year must be {_FIRST_YEAR}..{_LAST_YEAR}, got {value!r}")


def _zone_name(value: str) -> str:
    # "utc" and "UTC" are one zone: spell it one way so the periods compare equal.
    return "UTC" if isinstance(value, str) and value.upper() == "UTC" else value


@lru_cache(maxsize=4096)
def _month_start(year: int, month: int, timezone: str) -> datetime:
    return local_midnight(date(year, month, 1), timezone)


@attrs.frozen(order=True)
class BillingPeriod:
    """A calendar month ``YYYY-MM`` in an IANA time zone.

    ``start`` and ``end`` are UTC instants: the local midnights that open this month and
    the next. Instants are compared in UTC; days are the zone's local calendar days.
    """

    year: int = attrs.field(validator=_year)
    month: int = attrs.field(validator=_month)
    timezone: str = attrs.field(default="UTC", converter=_zone_name, validator=validate_timezone)

    @classmethod
    def parse(cls, text: str, timezone: str = "UTC") -> BillingPeriod:
        """``BillingPeriod.parse("2026-11", "Europe/Paris")``.

        ``"2026-11[Europe/Paris]"`` names its own zone and overrides ``timezone``.
        """
        match = _period_match(text, "period")
        year, month, zone = int(match[1]), int(match[2]), match[3] or timezone
        if not 1 <= month <= 12:
            raise ValidationError.at("period", f"month must be 01..12, got {text!r}")
        try:
            return cls(year, month, zone)
        except ValidationError as error:
            raise error.prefixed("period") from None

    @classmethod
    def containing(cls, instant: datetime, timezone: str = "UTC") -> BillingPeriod:
        """The period of ``timezone`` that contains ``instant``."""
        day = local_date(ensure_aware(instant), timezone)
        return cls(day.year, day.month, timezone)

    # -- instants ---------------------------------------------------------------------

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def start(self) -> datetime:
        """The UTC instant the period starts (inclusive)."""
        return _month_start(self.year, self.month, self.timezone)

    @property
    def end(self) -> datetime:
        """The UTC instant the next period starts (exclusive)."""
        if self.month == 12:
            return _month_start(self.year + 1, 1, self.timezone)
        return _month_start(self.year, self.month + 1, self.timezone)

    @property
    def duration(self) -> timedelta:
        """The real length, measured in UTC (a DST month is an hour longer or shorter)."""
        return self.end - self.start

    def contains(self, instant: datetime) -> bool:
        return self.start <= ensure_aware(instant) < self.end

    def __contains__(self, instant: object) -> bool:
        return isinstance(instant, datetime) and self.contains(instant)

    # -- local days -------------------------------------------------------------------

    @property
    def days(self) -> int:
        """How many local calendar days the month has."""
        return (self.first_day + relativedelta(months=1) - self.first_day).days

    def local_days(self) -> tuple[date, ...]:
        first = self.first_day
        return tuple(first + timedelta(days=i) for i in range(self.days))

    def local_date(self, instant: datetime) -> date:
        return local_date(ensure_aware(instant), self.timezone)

    # -- navigation -------------------------------------------------------------------

    @property
    def is_first(self) -> bool:
        """Whether this is January of year 2, the first period there is (no :meth:`previous`)."""
        return self.year == _FIRST_YEAR and self.month == 1

    @property
    def is_last(self) -> bool:
        """Whether this is December 9998, the last period there is (no :meth:`next`)."""
        return self.year == _LAST_YEAR and self.month == 12

    def next(self) -> BillingPeriod:
        """The following month; ValidationError after the last period (:attr:`is_last`)."""
        if self.is_last:
            raise ValidationError.at(
                "period", f"{self.key} is the last billing period: there is none after it"
            )
        following = self.first_day + relativedelta(months=1)
        return BillingPeriod(following.year, following.month, self.timezone)

    def previous(self) -> BillingPeriod:
        """The month before; ValidationError before the first period (:attr:`is_first`)."""
        if self.is_first:
            raise ValidationError.at(
                "period", f"{self.key} is the first billing period: there is none before it"
            )
        before = self.first_day - relativedelta(months=1)
        return BillingPeriod(before.year, before.month, self.timezone)

    def until(self, last: BillingPeriod) -> Iterator[BillingPeriod]:
        """This period and every one after it up to and including ``last``."""
        if not isinstance(last, BillingPeriod) or last.timezone != self.timezone:
            raise ValidationError.at("last", f"expected a period in {self.timezone}, got {last!r}")
        period = self
        while period <= last:
            yield period
            if period.is_last:
                return
            period = period.next()

    def in_timezone(self, timezone: str) -> BillingPeriod:
        return BillingPeriod(self.year, self.month, timezone)

    # -- text -------------------------------------------------------------------------

    @property
    def key(self) -> str:
        """``"2026-11"``."""
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.key

    def isoformat(self) -> str:
        """``"2026-11"`` in UTC, ``"2026-11[Europe/Paris]"`` elsewhere: parses back exactly."""
        return self.key if self.timezone == "UTC" else f"{self.key}[{self.timezone}]"
