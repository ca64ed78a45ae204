"""Billing periods: a month in an IANA zone, half-open [start, end), local days."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.time import BillingPeriod, local_date, local_midnight, period_key
from tests.strategies.time import aware_datetimes, billing_periods, zone_names

MICROSECOND = timedelta(microseconds=1)


def test_october_2025_in_paris_has_31_local_days_and_lasts_745_hours() -> None:
    october = BillingPeriod(2025, 10, "Europe/Paris")

    assert 31 == october.days
    assert timedelta(hours=745) == october.duration
    assert datetime(2025, 9, 30, 22, 0, tzinfo=UTC) == october.start
    assert datetime(2025, 10, 31, 23, 0, tzinfo=UTC) == october.end


def test_march_2025_in_paris_lasts_743_hours_and_in_utc_744() -> None:
    assert timedelta(hours=743) == BillingPeriod(2025, 3, "Europe/Paris").duration
    assert timedelta(hours=744) == BillingPeriod(2025, 3).duration


def test_an_instant_late_on_the_31st_in_utc_belongs_to_november_in_paris() -> None:
    instant = datetime(2025, 10, 31, 23, 30, tzinfo=UTC)

    assert BillingPeriod(2025, 11, "Europe/Paris") == BillingPeriod.containing(
        instant, "Europe/Paris"
    )
    assert BillingPeriod(2025, 10, "UTC") == BillingPeriod.containing(instant)
    assert not BillingPeriod(2025, 10, "Europe/Paris").contains(instant)
    assert BillingPeriod(2025, 11, "Europe/Paris").contains(instant)


def test_a_period_contains_its_start_but_not_its_end() -> None:
    october = BillingPeriod(2025, 10, "Europe/Paris")

    assert october.contains(october.start)
    assert october.contains(october.end - MICROSECOND)
    assert not october.contains(october.start - MICROSECOND)
    assert not october.contains(october.end)
    assert october.next().contains(october.end)


def test_in_works_for_instants_and_rejects_naive_ones() -> None:
    october = BillingPeriod(2025, 10, "Europe/Paris")

    assert datetime(2025, 10, 15, tzinfo=UTC) in october
    assert "2025-10-15" not in october
    with pytest.raises(ValidationError, match="naive datetime"):
        october.contains(datetime(2025, 10, 15))


def test_previous_and_next_cross_year_ends() -> None:
    january = BillingPeriod(2026, 1, "Europe/Paris")
    december = BillingPeriod(2025, 12, "Europe/Paris")

    assert december == january.previous()
    assert january == december.next()
    assert december.end == january.start
    assert BillingPeriod(2026, 2, "Europe/Paris") == january.next()
    assert BillingPeriod(2025, 11, "Europe/Paris") == december.previous()


def test_local_days_are_the_calendar_days_of_the_month() -> None:
    february = BillingPeriod(2028, 2, "Asia/Tokyo")

    assert 29 == february.days
    assert 28 == BillingPeriod(2026, 2).days
    assert (date(2028, 2, 1), date(2028, 2, 29)) == (
        february.local_days()[0],
        february.local_days()[-1],
    )
    assert 29 == len(february.local_days())
    assert date(2028, 2, 1) == february.first_day


def test_the_local_date_of_an_instant_is_read_in_the_periods_zone() -> None:
    november = BillingPeriod(2025, 11, "Europe/Paris")

    assert date(2025, 11, 1) == november.local_date(datetime(2025, 10, 31, 23, 30, tzinfo=UTC))


def test_a_month_that_starts_in_a_skipped_midnight_starts_after_the_gap() -> None:
    october = BillingPeriod(2023, 10, "America/Asuncion")

    assert datetime(2023, 10, 1, 4, 0, tzinfo=UTC) == october.start
    assert october.start == BillingPeriod(2023, 9, "America/Asuncion").end


def test_until_lists_the_periods_up_to_and_including_the_last() -> None:
    first = BillingPeriod(2025, 11, "Europe/Paris")
    last = BillingPeriod(2026, 2, "Europe/Paris")

    assert ["2025-11", "2025-12", "2026-01", "2026-02"] == [p.key for p in first.until(last)]
    assert [] == list(last.until(first))


def test_until_refuses_a_last_period_in_another_zone() -> None:
    with pytest.raises(ValidationError) as caught:
        list(BillingPeriod(2026, 1).until(BillingPeriod(2026, 3, "Europe/Paris")))

    assert "last" == caught.value.problems[0].path


def test_utc_has_one_spelling() -> None:
    assert BillingPeriod(2026, 1) == BillingPeriod(2026, 1, "utc")
    assert "UTC" == BillingPeriod.parse("2026-01[utc]").timezone


def test_the_same_month_in_another_zone_is_another_period() -> None:
    utc = BillingPeriod(2025, 10)
    paris = utc.in_timezone("Europe/Paris")

    assert BillingPeriod(2025, 10, "Europe/Paris") == paris
    assert utc != paris
    assert timedelta(hours=2) == utc.start - paris.start


# -- text -------------------------------------------------------------------------------------


def test_a_period_parses_and_prints_as_year_and_month() -> None:
    period = BillingPeriod.parse("2026-11", "Europe/Paris")

    assert BillingPeriod(2026, 11, "Europe/Paris") == period
    assert "2026-11" == str(period)
    assert "2026-11" == period.key
    assert "2026-11[Europe/Paris]" == period.isoformat()
    assert "2026-11" == BillingPeriod(2026, 11).isoformat()


def test_a_period_text_can_name_its_own_zone() -> None:
    assert BillingPeriod(2026, 11, "Asia/Tokyo") == BillingPeriod.parse("2026-11[Asia/Tokyo]")
    assert BillingPeriod(2026, 11, "Asia/Tokyo") == BillingPeriod.parse(
        "2026-11[Asia/Tokyo]", "Europe/Paris"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "period: month must be 01..12, got '2026-13'"),
        ("2026-00", "period: month must be 01..12, got '2026-00'"),
        ("2026-1", "period: expected YYYY-MM, got '2026-1'"),
        ("2026/11", "period: expected YYYY-MM, got '2026/11'"),
        ("26-11", "period: expected YYYY-MM, got '26-11'"),
        ("2026-11-01", "period: expected YYYY-MM, got '2026-11-01'"),
        ("", "period: expected YYYY-MM, got ''"),
        ("0001-01", "period.year: year must be 2..9998, got 1"),
        ("2026-11\n", "period: expected YYYY-MM, got '2026-11\\n'"),
        ("2026-11[UTC]\n", "period: expected YYYY-MM, got '2026-11[UTC]\\n'"),
        (" 2026-11", "period: expected YYYY-MM, got ' 2026-11'"),
        ("٢٠٢٦-١١", "period: expected YYYY-MM, got '٢٠٢٦-١١'"),
        ("2026-١١", "period: expected YYYY-MM, got '2026-١١'"),
        ("２０２６-11", "period: expected YYYY-MM, got '２０２６-11'"),
        ("2026-11[Mars/Olympus]", "period.timezone: unknown IANA time zone 'Mars/Olympus'"),
    ],
)
def test_a_malformed_period_is_rejected_with_a_readable_message(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        BillingPeriod.parse(text)

    assert message == str(caught.value)


def test_parse_rejects_what_is_not_text() -> None:
    with pytest.raises(ValidationError, match="period: expected YYYY-MM, got 202611"):
        BillingPeriod.parse(202611)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["2026-11", "0001-01", "9999-12", "2026-01"])
def test_a_period_key_is_returned_as_given(key: str) -> None:
    assert key == period_key(key)


@pytest.mark.parametrize(
    "value",
    [
        "2026-13",
        "2026-00",
        "2026-1",
        "2026-11[UTC]",
        "2026-11\n",
        "٢٠٢٦-١١",
        "２０２６-11",
        202611,
        None,
    ],
)
def test_a_period_key_is_four_ascii_digits_a_dash_and_a_month(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        period_key(value, "first_period")

    assert f"first_period: expected YYYY-MM, got {value!r}" == str(caught.value)


#: The rule billing's records checked their period keys with before ``period_key``.
_KEY_BEFORE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


@given(st.from_regex(r"[0-9١２]{4}-[0-9]{1,3}(\[UTC\])?\n?", fullmatch=True) | st.text(max_size=9))
def test_period_key_accepts_exactly_what_a_month_key_is(text: str) -> None:
    try:
        accepted = period_key(text) == text
    except ValidationError:
        accepted = False

    assert (_KEY_BEFORE.fullmatch(text) is not None) == accepted


@given(st.integers(2, 9998), st.integers(1, 12))
def test_a_period_key_parses_to_the_period_it_names(year: int, month: int) -> None:
    key = f"{year:04d}-{month:02d}"

    assert key == BillingPeriod.parse(period_key(key)).key


@pytest.mark.parametrize(
    ("year", "month", "zone", "message"),
    [
        (2026, 13, "UTC", "month: month must be 1..12, got 13"),
        (2026, 0, "UTC", "month: month must be 1..12, got 0"),
        (1, 1, "Asia/Tokyo", "year: year must be 2..9998, got 1"),
        (9999, 1, "UTC", "year: year must be 2..9998, got 9999"),
        ("2026", 1, "UTC", "year: year must be 2..9998, got '2026'"),
        (2026, True, "UTC", "month: month must be 1..12, got True"),
        (2026, 1, "Mars/Olympus", "timezone: unknown IANA time zone 'Mars/Olympus'"),
    ],
)
def test_a_period_is_validated_when_built(
    year: object, month: object, zone: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        BillingPeriod(year, month, zone)  # type: ignore[arg-type]

    assert message == str(caught.value)


def test_periods_order_by_year_then_month() -> None:
    periods = [BillingPeriod(2026, 1), BillingPeriod(2025, 12), BillingPeriod(2025, 2)]

    assert ["2025-02", "2025-12", "2026-01"] == [p.key for p in sorted(periods)]


# -- properties -------------------------------------------------------------------------------


@given(aware_datetimes(), zone_names())
def test_the_period_containing_an_instant_contains_it(instant: datetime, zone: str) -> None:
    period = BillingPeriod.containing(instant, zone)

    assert period.contains(instant)
    assert not period.previous().contains(instant)
    assert not period.next().contains(instant)
    assert (period.year, period.month) == (
        local_date(instant, zone).year,
        local_date(instant, zone).month,
    )


@given(billing_periods())
def test_periods_tile_time_without_gaps_or_overlaps(period: BillingPeriod) -> None:
    assert period.end == period.next().start
    assert period.start == period.previous().end
    assert period == period.next().previous()
    assert period.start < period.end


@given(billing_periods())
def test_a_period_runs_from_the_local_midnight_of_its_first_day_to_the_next_months(
    period: BillingPeriod,
) -> None:
    following = period.first_day + timedelta(days=period.days)

    assert local_midnight(period.first_day, period.timezone) == period.start
    assert local_midnight(following, period.timezone) == period.end
    assert (following.year, following.month, following.day) == (
        period.next().year,
        period.next().month,
        1,
    )
    assert period.days == len(period.local_days())
    assert period.first_day == period.local_date(period.start)


@given(billing_periods())
def test_a_period_lasts_its_local_days_give_or_take_a_clock_change(
    period: BillingPeriod,
) -> None:
    # The only month known to lose a whole day is December 2011 in Apia (30 December skipped).
    if (period.year, period.month) == (2011, 12) and period.timezone in {
        "Pacific/Apia",
        "Pacific/Fakaofo",
    }:
        return
    assert abs(period.duration - timedelta(days=period.days)) <= timedelta(hours=3)


@given(billing_periods())
def test_a_period_parses_back_from_its_iso_text(period: BillingPeriod) -> None:
    assert period == BillingPeriod.parse(period.isoformat())


def test_apia_skipped_the_30th_of_december_2011() -> None:
    december = BillingPeriod(2011, 12, "Pacific/Apia")

    # Days are calendar dates of the month; the duration is the real length.
    assert 31 == december.days
    assert timedelta(days=30) == december.duration
    assert date(2011, 12, 31) == december.local_date(datetime(2011, 12, 30, 10, 0, tzinfo=UTC))


def test_the_first_and_last_supported_years_have_no_neighbours_beyond_them() -> None:
    with pytest.raises(ValidationError) as before:
        BillingPeriod(2, 1, "Etc/GMT-14").previous()
    with pytest.raises(ValidationError) as after:
        BillingPeriod(9998, 12, "Etc/GMT+12").next()

    assert "period: 0002-01 is the first billing period: there is none before it" == str(
        before.value
    )
    assert "period: 9998-12 is the last billing period: there is none after it" == str(after.value)
    assert datetime(1, 12, 31, 10, 0, tzinfo=UTC) == BillingPeriod(2, 1, "Etc/GMT-14").start
    assert datetime(9999, 1, 1, 12, 0, tzinfo=UTC) == BillingPeriod(9998, 12, "Etc/GMT+12").end


def test_the_first_and_last_periods_know_they_are_the_ends() -> None:
    first, last = BillingPeriod(2, 1, "Etc/GMT-14"), BillingPeriod(9998, 12, "Etc/GMT+12")

    assert (True, False) == (first.is_first, first.is_last)
    assert (False, True) == (last.is_first, last.is_last)
    assert (False, False) == (first.next().is_first, last.previous().is_last)
    assert first == first.next().previous()
    assert last == last.previous().next()


@pytest.mark.parametrize("zone", ["UTC", "Etc/GMT-14", "Etc/GMT+12", "Pacific/Kiritimati"])
def test_until_reaches_the_last_period_there_is(zone: str) -> None:
    last = BillingPeriod(9998, 12, zone)

    assert ["9998-11", "9998-12"] == [p.key for p in BillingPeriod(9998, 11, zone).until(last)]
    assert [last] == list(last.until(last))


@pytest.mark.parametrize("text", ["0002-01", "9998-12", "0002-01[Etc/GMT-14]"])
def test_the_first_and_last_periods_parse(text: str) -> None:
    assert text == BillingPeriod.parse(text).isoformat()
