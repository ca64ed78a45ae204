"""Instants and time zones: aware datetimes only, UTC inside, zone-correct calendar steps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import tz as dateutil_tz

from partnercore._errors import ValidationError

__all__ = [
    "add_calendar_days",
    "ensure_aware",
    "format_instant",
    "local_date",
    "local_midnight",
    "resolve_timezone",
    "validate_timezone",
]


@cache
def resolve_timezone(name: str) -> tzinfo:
    """The ``tzinfo`` for an IANA name; :class:`ValidationError` if there is none."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValidationError.at("timezone", f"not an IANA time zone name: {name!r}")
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    # dateutil ships its own copy of the tz database; use it where the system has none.
    zone = dateutil_tz.gettz(name)
    if zone is None:
        raise ValidationError.at("timezone", f"unknown IANA time zone {name!r}") from None
    return zone


def validate_timezone(_: object, attribute: object, value: str) -> None:
    """An attrs validator: ``value`` must name a known IANA time zone."""
    try:
        resolve_timezone(value)
    except ValidationError as error:
        name = getattr(attribute, "name", "timezone")
        raise ValidationError.at(name, error.problems[0].message) from None


def ensure_aware(value: object, field: str = "at") -> datetime:
    """``value`` as a timezone-aware datetime converted to UTC.

    Naive datetimes (and anything that is not a datetime) are rejected with a
    :class:`ValidationError` naming ``field``. Inside the library every instant is UTC.
    """
    if not isinstance(value, datetime):
        raise ValidationError.at(field, f"expected a timezone-aware datetime, got {value!r}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValidationError.at(
            field, f"naive datetime {value.isoformat()} rejected: give it a time zone"
        )
    return value.astimezone(UTC)


def local_date(instant: datetime, zone: str) -> date:
    """The calendar date of ``instant`` in the time zone ``zone``."""
    return instant.astimezone(resolve_timezone(zone)).date()


def local_midnight(day: date, zone: str) -> datetime:
    """The UTC instant at which local ``day`` starts in ``zone``."""
    local = datetime(day.year, day.month, day.day, tzinfo=resolve_timezone(zone))
    return dateutil_tz.resolve_imaginary(local).astimezone(UTC)


def add_calendar_days(instant: datetime, days: int, zone: str) -> datetime:
    """``instant`` moved ``days`` calendar days at the same local wall-clock time in ``zone``.

    Across a daylight-saving change the result is not a multiple of 24 hours. A wall-clock
    time that does not exist on the target day (a spring-forward gap) moves forward by the
    gap; an ambiguous one (the autumn repeat) takes its first occurrence.
    """
    zone_info = resolve_timezone(zone)
    local = ensure_aware(instant).astimezone(zone_info)
    wall = local.replace(tzinfo=None) + timedelta(days=days)
    target = wall.replace(tzinfo=zone_info, fold=0)
    return dateutil_tz.resolve_imaginary(target).astimezone(UTC)


def format_instant(instant: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix: ``2026-11-03T09:00:00Z``."""
    text = ensure_aware(instant).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
