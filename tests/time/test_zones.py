"""Aware instants, IANA zones and zone-correct calendar arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.time import (
    _zones,
    add_calendar_days,
    check_timezone,
    ensure_aware,
    format_instant,
    local_date,
    local_midnight,
    resolve_timezone,
    validate_timezone,
)
from tests.strategies.time import INTERESTING_ZONES, utc_instants

PARIS = ZoneInfo("Europe/Paris")
LONDON = ZoneInfo("Europe/London")

# -- zones ------------------------------------------------------------------------------------


def test_an_iana_name_resolves_to_its_zone() -> None:
    zone = resolve_timezone("Europe/Paris")

    assert timedelta(hours=2) == datetime(2026, 7, 1, tzinfo=zone).utcoffset()
    assert timedelta(hours=1) == datetime(2026, 1, 1, tzinfo=zone).utcoffset()


@pytest.mark.parametrize("name", ["UTC", "utc"])
def test_utc_resolves_to_the_builtin_utc(name: str) -> None:
    assert UTC is resolve_timezone(name)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Mars/Olympus_Mons", "timezone: unknown IANA time zone 'Mars/Olympus_Mons'"),
        ("", "timezone: not an IANA time zone name: ''"),
        (" Europe/Paris", "timezone: not an IANA time zone name: ' Europe/Paris'"),
        (None, "timezone: not an IANA time zone name: None"),
        (["Europe/Paris"], "timezone: not an IANA time zone name: ['Europe/Paris']"),
        ("../../etc/passwd", "timezone: unknown IANA time zone '../../etc/passwd'"),
        ("/usr/share/zoneinfo/UTC", "timezone: unknown IANA time zone '/usr/share/zoneinfo/UTC'"),
        ("ABC+3", "timezone: unknown IANA time zone 'ABC+3'"),
        ("localtime", "timezone: unknown IANA time zone 'localtime'"),
    ],
)
def test_a_name_that_is_not_a_known_zone_is_rejected(name: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        resolve_timezone(name)  # type: ignore[arg-type]

    assert message == str(caught.value)


def test_without_a_system_tz_database_dateutils_zone_files_are_used_but_never_tz_strings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(name: str) -> ZoneInfo:
        raise ZoneInfoNotFoundError(name)

    monkeypatch.setattr(_zones, "ZoneInfo", missing)
    resolve = _zones._resolve.__wrapped__  # the uncached lookup

    paris = resolve("Europe/Paris")
    assert timedelta(hours=2) == datetime(2026, 7, 1, tzinfo=paris).utcoffset()
    with pytest.raises(ValidationError, match="unknown IANA time zone 'ABC\\+3'"):
        resolve("ABC+3")
    with pytest.raises(ValidationError, match="unknown IANA time zone 'Nowhere/City'"):
        resolve("Nowhere/City")


def test_validate_timezone_is_an_attrs_validator_naming_the_field() -> None:
    @attrs.frozen
    class Partner:
        billing_zone: str = attrs.field(validator=validate_timezone)

    assert "Asia/Tokyo" == Partner("Asia/Tokyo").billing_zone
    with pytest.raises(ValidationError) as caught:
        Partner("Asia/Nowhere")

    assert "billing_zone: unknown IANA time zone 'Asia/Nowhere'" == str(caught.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (7, "billing_timezone: expected an IANA time zone name, got 7"),
        (None, "billing_timezone: expected an IANA time zone name, got None"),
        ("", "billing_timezone: not an IANA time zone name: ''"),
        ("Nowhere/Land", "billing_timezone: unknown IANA time zone 'Nowhere/Land'"),
        ("localtime", "billing_timezone: unknown IANA time zone 'localtime'"),
    ],
)
def test_check_timezone_names_the_field_it_checks(value: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_timezone(value, "billing_timezone")

    assert message == str(caught.value)


@pytest.mark.parametrize("name", ["Europe/Paris", "UTC", "utc", "America/Port-au-Prince"])
def test_check_timezone_returns_the_name_it_accepts(name: str) -> None:
    assert name == check_timezone(name)


def test_an_attrs_zone_field_given_no_text_says_it_expected_a_zone_name() -> None:
    @attrs.frozen
    class Partner:
        billing_zone: str = attrs.field(validator=validate_timezone)

    with pytest.raises(ValidationError) as caught:
        Partner(7)  # type: ignore[arg-type]

    assert "billing_zone: expected an IANA time zone name, got 7" == str(caught.value)


# -- aware instants ---------------------------------------------------------------------------


def test_a_naive_datetime_is_rejected_with_a_readable_message() -> None:
    with pytest.raises(ValidationError) as caught:
        ensure_aware(datetime(2026, 11, 3, 9, 0), "granted_at")

    assert "granted_at: naive datetime 2026-11-03T09:00:00 rejected: give it a time zone" == str(
        caught.value
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (date(2026, 1, 1), "at: expected a timezone-aware datetime, got datetime.date(2026, 1, 1)"),
        ("2026-01-01T00:00Z", "at: expected a timezone-aware datetime, got '2026-01-01T00:00Z'"),
        (None, "at: expected a timezone-aware datetime, got None"),
    ],
)
def test_anything_but_a_datetime_is_rejected(value: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ensure_aware(value)

    assert message == str(caught.value)


def test_an_aware_datetime_becomes_the_same_instant_in_utc() -> None:
    paris = datetime(2026, 11, 3, 10, 0, tzinfo=PARIS)
    offset = datetime(2026, 11, 3, 4, 0, tzinfo=timezone(timedelta(hours=-5)))

    assert datetime(2026, 11, 3, 9, 0, tzinfo=UTC) == ensure_aware(paris)
    assert UTC is ensure_aware(paris).tzinfo
    assert datetime(2026, 11, 3, 9, 0, tzinfo=UTC) == ensure_aware(offset)


def test_an_instant_outside_the_utc_range_is_rejected_not_an_overflow() -> None:
    too_early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))

    with pytest.raises(ValidationError) as caught:
        ensure_aware(too_early)

    assert "at: 0001-01-01T00:00:00+01:00 is outside the range of UTC datetimes" == str(
        caught.value
    )


def test_format_instant_writes_utc_with_a_z() -> None:
    assert "2026-11-03T09:00:00Z" == format_instant(datetime(2026, 11, 3, 10, 0, tzinfo=PARIS))
    assert "2026-11-03T09:00:00.000001Z" == format_instant(
        datetime(2026, 11, 3, 9, 0, 0, 1, tzinfo=UTC)
    )
    with pytest.raises(ValidationError, match="naive datetime"):
        format_instant(datetime(2026, 11, 3))


# -- local calendar ---------------------------------------------------------------------------


def test_the_local_date_depends_on_the_zone() -> None:
    instant = datetime(2025, 10, 31, 23, 30, tzinfo=UTC)

    assert date(2025, 10, 31) == local_date(instant, "UTC")
    assert date(2025, 11, 1) == local_date(instant, "Europe/Paris")
    assert date(2025, 10, 31) == local_date(instant, "America/New_York")


def test_local_date_rejects_a_naive_instant_instead_of_guessing_the_machines_zone() -> None:
    with pytest.raises(ValidationError) as caught:
        local_date(datetime(2025, 10, 31, 23, 30), "Europe/Paris")

    assert "instant" == caught.value.problems[0].path


def test_local_midnight_is_the_utc_instant_a_local_day_starts() -> None:
    assert datetime(2025, 9, 30, 22, 0, tzinfo=UTC) == local_midnight(
        date(2025, 10, 1), "Europe/Paris"
    )
    assert datetime(2026, 1, 1, 0, 0, tzinfo=UTC) == local_midnight(date(2026, 1, 1), "UTC")


def test_a_day_whose_midnight_is_skipped_starts_after_the_gap() -> None:
    # Asuncion moved its clocks from 00:00 (-04) to 01:00 (-03) on 2023-10-01.
    start = local_midnight(date(2023, 10, 1), "America/Asuncion")

    assert datetime(2023, 10, 1, 4, 0, tzinfo=UTC) == start
    assert datetime(2023, 10, 1, 1, 0) == start.astimezone(ZoneInfo("America/Asuncion")).replace(
        tzinfo=None
    )


def test_a_day_whose_midnight_repeats_starts_at_the_first_midnight() -> None:
    # Havana moved its clocks back from 01:00 (-04) to 00:00 (-05) on 2023-11-05.
    assert datetime(2023, 11, 5, 4, 0, tzinfo=UTC) == local_midnight(
        date(2023, 11, 5), "America/Havana"
    )


def test_local_midnight_rejects_what_is_not_a_date() -> None:
    with pytest.raises(ValidationError, match="day: expected a date"):
        local_midnight("2026-01-01", "UTC")  # type: ignore[arg-type]


# -- calendar arithmetic ----------------------------------------------------------------------


def test_fourteen_calendar_days_across_the_end_of_summer_time_keep_the_wall_clock() -> None:
    start = datetime(2026, 10, 20, 9, 0, tzinfo=LONDON)

    end = add_calendar_days(start, 14, "Europe/London")

    assert datetime(2026, 11, 3, 9, 0, tzinfo=UTC) == end
    assert timedelta(days=14, hours=1) == end - start
    assert end == add_calendar_days(datetime(2026, 10, 20, 8, 0, tzinfo=UTC), 14, "Europe/London")


def test_a_wall_clock_time_in_the_spring_forward_gap_moves_forward_by_the_gap() -> None:
    # 2026-03-29 02:30 does not exist in Paris: clocks jump from 02:00 to 03:00.
    start = datetime(2026, 3, 28, 2, 30, tzinfo=PARIS)

    end = add_calendar_days(start, 1, "Europe/Paris")

    assert datetime(2026, 3, 29, 1, 30, tzinfo=UTC) == end
    assert datetime(2026, 3, 29, 3, 30) == end.astimezone(PARIS).replace(tzinfo=None)


def test_an_ambiguous_wall_clock_time_takes_its_first_occurrence() -> None:
    # 2026-10-25 02:30 happens twice in Paris; the first one is still summer time (+02).
    end = add_calendar_days(datetime(2026, 10, 24, 2, 30, tzinfo=PARIS), 1, "Europe/Paris")

    assert datetime(2026, 10, 25, 0, 30, tzinfo=UTC) == end


def test_calendar_days_can_go_backwards() -> None:
    end = add_calendar_days(datetime(2026, 3, 29, 3, 30, tzinfo=PARIS), -1, "Europe/Paris")

    assert datetime(2026, 3, 28, 3, 30) == end.astimezone(PARIS).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (1.5, "days: expected a whole number of days, got 1.5"),
        ("3", "days: expected a whole number of days, got '3'"),
        (True, "days: expected a whole number of days, got True"),
        (10**7, "days: 2026-01-01T00:00:00+00:00 plus 10000000 days is out of range"),
    ],
)
def test_a_bad_number_of_days_is_rejected(days: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        add_calendar_days(datetime(2026, 1, 1, tzinfo=UTC), days, "UTC")  # type: ignore[arg-type]

    assert message == str(caught.value)


def test_add_calendar_days_rejects_a_naive_start() -> None:
    with pytest.raises(ValidationError, match="instant: naive datetime"):
        add_calendar_days(datetime(2026, 1, 1), 1, "UTC")


@given(utc_instants(), st.integers(-400, 400), st.sampled_from(INTERESTING_ZONES))
def test_adding_calendar_days_lands_on_the_same_wall_clock_time_or_just_after_a_gap(
    instant: datetime, days: int, zone: str
) -> None:
    tz = ZoneInfo(zone)
    wall = instant.astimezone(tz).replace(tzinfo=None) + timedelta(days=days)

    # PEP 495: fold=0 means the first occurrence of a repeated time, and for a time in a gap
    # the offset from before the change, which lands after the gap by the gap's length.
    assert wall.replace(tzinfo=tz, fold=0).astimezone(UTC) == add_calendar_days(instant, days, zone)


@given(utc_instants(), st.integers(-400, 400), st.sampled_from(INTERESTING_ZONES))
def test_adding_and_removing_calendar_days_returns_to_an_unambiguous_start(
    instant: datetime, days: int, zone: str
) -> None:
    tz = ZoneInfo(zone)
    there = add_calendar_days(instant, days, zone)
    wall = there.astimezone(tz).replace(tzinfo=None)
    start_wall = instant.astimezone(tz).replace(tzinfo=None)
    unambiguous = (
        wall.replace(tzinfo=tz, fold=0).utcoffset() == wall.replace(tzinfo=tz, fold=1).utcoffset()
        and start_wall.replace(tzinfo=tz, fold=0).utcoffset()
        == start_wall.replace(tzinfo=tz, fold=1).utcoffset()
        and wall == start_wall + timedelta(days=days)
    )

    if unambiguous:
        assert instant == add_calendar_days(there, -days, zone)
