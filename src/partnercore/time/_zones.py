"""Instants and time zones: aware datetimes only, UTC inside, zone-correct calendar steps."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import tz as dateutil_tz

from partnercore._errors import ValidationError

__all__ = [
    "add_calendar_days",
    "check_timezone",
    "ensure_aware",
    "format_instant",
    "local_date",
    "local_midnight",
    "resolve_timezone",
    "validate_timezone",
]


#: The shape of an IANA zone name ("Europe/Paris", "Etc/GMT+5", "America/Port-au-Prince"):
#: no file paths, no "..", no POSIX TZ strings reach the zone loaders.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*")

#: Files in a system zone directory that are not zones: "localtime" is the machine's own
#: setting, so a period in it would mean different instants on different machines.
_NOT_ZONES = frozenset({"localtime", "posixrules"})


def resolve_timezone(name: str) -> tzinfo:
    """The ``tzinfo`` for an IANA name; :class:`ValidationError` if there is none."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValidationError.at("timezone", f"not an IANA time zone name: {name!r}")
    return _resolve(name)


@cache
def _resolve(name: str) -> tzinfo:
    if name.upper() == "UTC":
        return UTC
    if _ZONE_NAME.fullmatch(name) is None or name in _NOT_ZONES:
        raise ValidationError.at("timezone", f"unknown IANA time zone {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    # Where the system has no tz database, dateutil may have one of its own. Only a zone
    # file counts: gettz would also turn a string like "ABC+3" into a POSIX rule.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zone = dateutil_tz.gettz(name)
    if not isinstance(zone, dateutil_tz.tzfile):
        raise ValidationError.at("timezone", f"unknown IANA time zone {name!r}")
    return zone


def check_timezone(value: object, field: str = "timezone") -> str:
    """``value`` if it names a known IANA time zone, else a :class:`ValidationError` naming
    ``field``.

    This is the one time-zone check of the library: records validate their zone fields with
    it (through :func:`validate_timezone`), services and loaders call it directly.
    """
    if not isinstance(value, str):
        raise ValidationError.at(field, f"expected an IANA time zone name, got {value!r}")
    try:
        resolve_timezone(value)
    except ValidationError as error:
        raise ValidationError.at(field, error.problems[0].message) from None
    return value


def validate_timezone(_: object, attribute: object, value: object) -> None:
    """An attrs validator: ``value`` must name a known IANA time zone (see
    :func:`check_timezone`); the error names the attribute."""
    check_timezone(value, getattr(attribute, "name", "timezone"))


def ensure_aware(value: object, field: str = "at") -> datetime:
    """``value`` as a timezone-aware datetime converted to UTC.

    Naive datetimes (and anything that is not a datetime) are rejected with a
    :class:`ValidationError` naming ``field``. Inside the library every instant is UTC.
    """
    if value.__class__ is datetime and value.tzinfo is UTC:  # already UTC: the common case
        return value
    if not isinstance(value, datetime):
        raise ValidationError.at(field, f"expected a timezone-aware datetime, got {value!r}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValidationError.at(
            field, f"naive datetime {value.isoformat()} rejected: give it a time zone"
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValidationError.at(
            field, f"{value.isoformat()} is outside the range of UTC datetimes"
        ) from None


def local_date(instant: datetime, zone: str) -> date:
    """The calendar date of ``instant`` in the time zone ``zone`` (naive instants rejected)."""
    aware = ensure_aware(instant, "instant")
    try:
        return aware.astimezone(resolve_timezone(zone)).date()
    except OverflowError:
        raise ValidationError.at("instant", f"{aware.isoformat()} has no date in {zone}") from None


def local_midnight(day: date, zone: str) -> datetime:
    """The UTC instant at which local ``day`` starts in ``zone``.

    Where midnight does not exist (a daylight-saving change at 00:00), the day starts at
    the first instant after the gap.
    """
    if not isinstance(day, date):
        raise ValidationError.at("day", f"expected a date, got {day!r}")
    local = datetime(day.year, day.month, day.day, tzinfo=resolve_timezone(zone))
    try:
        return dateutil_tz.resolve_imaginary(local).astimezone(UTC)
    except OverflowError:
        raise ValidationError.at("day", f"{day.isoformat()} in {zone} is out of range") from None


def add_calendar_days(instant: datetime, days: int, zone: str) -> datetime:
    """``instant`` moved ``days`` calendar days at the same local wall-clock time in ``zone``.

    Across a daylight-saving change the result is not a multiple of 24 hours. A wall-clock
    time that does not exist on the target day (a spring-forward gap) moves forward by the
    gap; an ambiguous one (the autumn repeat) takes its first occurrence.
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise ValidationError.at("days", f"expected a whole number of days, got {days!r}")
    zone_info = resolve_timezone(zone)
    start = ensure_aware(instant, "instant")
    try:
        wall = start.astimezone(zone_info).replace(tzinfo=None) + timedelta(days=days)
        target = wall.replace(tzinfo=zone_info, fold=0)
        return dateutil_tz.resolve_imaginary(target).astimezone(UTC)
    except OverflowError:
        raise ValidationError.at(
            "days", f"{start.isoformat()} plus {days} days is out of range"
        ) from None


def format_instant(instant: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix: ``2026-11-03T09:00:00Z``."""
    text = ensure_aware(instant).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
