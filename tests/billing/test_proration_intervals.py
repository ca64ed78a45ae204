"""Proration over several intervals, shares and their text, and every rejected share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext
from zoneinfo import ZoneInfo

import pytest

from partnercore import ValidationError
from partnercore.billing import (
    ProratedShare,
    Proration,
    daily_share,
    exact_share,
    license_share,
    prorate,
)
from partnercore.billing._proration import (
    PeriodFrame,
    ShareUnit,
    checked_license_share,
    days_touched,
    merge_intervals,
)
from partnercore.money import Money, Rounding
from partnercore.time import BillingPeriod, Span

PARIS = ZoneInfo("Europe/Paris")
OCTOBER_PARIS = BillingPeriod(2025, 10, "Europe/Paris")  # 31 days, 745 hours
NOVEMBER = BillingPeriod(2025, 11, "UTC")  # 30 days, 720 hours


def paris(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, 10, day, hour, minute, tzinfo=PARIS)


def utc(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=UTC)


# -- several intervals in one period -------------------------------------------------------


def test_two_separate_intervals_are_billed_for_the_days_of_both() -> None:
    # Full from the 3rd to the 6th, then again from the 20th to the 24th: 4 + 5 local days.
    spans = [Span(paris(3, 10), paris(6, 18)), Span(paris(20, 9), paris(24, 12))]

    share = daily_share(spans, OCTOBER_PARIS)

    assert "9 of 31 days" == str(share)
    assert Money("29.03", "EUR") == prorate(Money("100.00", "EUR"), share)


def test_three_separate_intervals_are_billed_for_the_days_of_all_three() -> None:
    spans = [Span(utc(1), utc(2)), Span(utc(10, 12), utc(12, 1)), Span(utc(28), None)]

    assert "7 of 30 days" == str(daily_share(spans, NOVEMBER))


def test_a_suspension_and_resumption_on_the_same_local_day_bill_that_day_once() -> None:
    # Full until 14:00 on the 10th, suspended, full again from 16:00 the same day to the 20th.
    spans = [Span(paris(1), paris(10, 14)), Span(paris(10, 16), paris(20, 12))]

    assert "20 of 31 days" == str(daily_share(spans, OCTOBER_PARIS))
    assert "466h of 745h" == str(exact_share(spans, OCTOBER_PARIS))


def test_a_suspension_for_a_few_hours_of_one_day_still_bills_the_whole_month() -> None:
    spans = [Span(paris(1), paris(10, 14)), Span(paris(10, 16), None)]

    share = daily_share(spans, OCTOBER_PARIS)

    assert "31 of 31 days" == str(share)
    assert share.is_whole
    assert Money("100.00", "EUR") == prorate(Money("100.00", "EUR"), share)


def test_an_interval_ending_after_local_midnight_touches_that_local_day() -> None:
    # 00:30 on the 7th in Paris is still the 6th in UTC: the local day counts.
    spans = [Span(paris(3, 10), paris(7, 0, 30))]

    assert "5 of 31 days" == str(daily_share(spans, OCTOBER_PARIS))


def test_intervals_resuming_on_the_local_day_after_a_suspension_count_that_day() -> None:
    # The first interval ends at 23:00 local on the 10th, the next starts at 01:00 on the 11th.
    spans = [Span(paris(1), paris(10, 23)), Span(paris(11, 1), paris(13))]

    assert "12 of 31 days" == str(daily_share(spans, OCTOBER_PARIS))


def test_an_interval_inside_the_day_another_one_ended_on_adds_nothing() -> None:
    spans = [Span(paris(1), paris(10, 14)), Span(paris(10, 16), paris(10, 18))]

    assert "10 of 31 days" == str(daily_share(spans, OCTOBER_PARIS))


def test_days_touched_counts_every_local_day_of_merged_intervals_once() -> None:
    frame = PeriodFrame.of(OCTOBER_PARIS)
    merged = merge_intervals(
        [Span(paris(3, 10), paris(6, 18)), Span(paris(6, 20), paris(8))], frame
    )

    assert 5 == days_touched(merged, frame)
    assert 0 == days_touched([], frame)


# -- merging -------------------------------------------------------------------------------


def test_intervals_are_clipped_to_the_period_sorted_and_merged() -> None:
    spans = [
        Span(utc(20), None),  # open-ended: runs to the period's end
        Span(datetime(2025, 10, 1, tzinfo=UTC), utc(3)),  # starts before the period
        Span(utc(2), utc(5)),  # overlaps the one before
        Span(utc(5), utc(7)),  # touches the one before: merged
        Span(utc(6), utc(6, 12)),  # inside the one before: adds nothing
        Span(utc(9), utc(9)),  # empty
        Span(datetime(2025, 12, 3, tzinfo=UTC), None),  # after the period
    ]

    merged = merge_intervals(spans, NOVEMBER)

    assert [(utc(1), utc(7)), (utc(20), datetime(2025, 12, 1, tzinfo=UTC))] == merged


def test_a_single_interval_is_clipped_to_the_period() -> None:
    spans = [Span(datetime(2025, 10, 30, tzinfo=UTC), datetime(2025, 12, 2, tzinfo=UTC))]

    assert [(utc(1), datetime(2025, 12, 1, tzinfo=UTC))] == merge_intervals(spans, NOVEMBER)


def test_intervals_in_other_zones_are_merged_as_instants() -> None:
    # 01:00 in Paris on November 5th is midnight UTC: the two intervals touch.
    spans = [Span(utc(1), utc(5)), Span(datetime(2025, 11, 5, 1, tzinfo=PARIS), utc(6))]

    assert [(utc(1), utc(6))] == merge_intervals(spans, NOVEMBER)


def test_anything_but_a_span_is_rejected_with_its_index() -> None:
    with pytest.raises(ValidationError) as caught:
        merge_intervals([Span(utc(1), utc(2)), (utc(3), None)], NOVEMBER)  # type: ignore[list-item]

    assert ["intervals[1]"] == [problem.path for problem in caught.value.problems]


def test_a_span_checks_its_own_bounds_before_any_share_reads_it() -> None:
    with pytest.raises(ValidationError) as caught:
        Span(utc(5), utc(4))

    assert ["end"] == [problem.path for problem in caught.value.problems]


def test_an_interval_of_no_time_is_allowed_and_bills_nothing() -> None:
    assert daily_share([Span(utc(4), utc(4))], NOVEMBER).is_zero


# -- the licence's share by the price book's proration -------------------------------------


def test_a_licence_share_follows_the_price_books_proration() -> None:
    spans = [Span(utc(16, 12), None)]
    frame = PeriodFrame.of(NOVEMBER)

    assert "15 of 30 days" == str(license_share(spans, NOVEMBER, Proration.DAILY))
    assert "348h of 720h" == str(license_share(spans, NOVEMBER, Proration.EXACT))
    assert "15 of 30 days" == str(license_share(spans, frame, Proration.DAILY))
    assert "348h of 720h" == str(license_share(spans, frame, Proration.EXACT))
    assert "15 of 30 days" == str(checked_license_share(spans, frame, Proration.DAILY))
    assert "348h of 720h" == str(checked_license_share(spans, frame, Proration.EXACT))


def test_a_licence_share_in_a_31_day_month_differs_by_proration() -> None:
    spans = [Span(paris(26), None)]
    frame = PeriodFrame.of(OCTOBER_PARIS)

    for period in (OCTOBER_PARIS, frame):
        assert "6 of 31 days" == str(license_share(spans, period, Proration.DAILY))
        assert "6 of 30 days" == str(license_share(spans, period, Proration.THIRTY_DAY))
        assert "145h of 745h" == str(license_share(spans, period, Proration.EXACT))
    checked = [Span(paris(26).astimezone(UTC))]
    assert "6 of 31 days" == str(checked_license_share(checked, frame, Proration.DAILY))
    assert "6 of 30 days" == str(checked_license_share(checked, frame, Proration.THIRTY_DAY))


def test_a_licence_full_all_period_gets_the_whole_period_in_either_unit() -> None:
    frame = PeriodFrame.of(OCTOBER_PARIS)
    spans = [Span(paris(1), None)]

    assert ProratedShare(Decimal(31), Decimal(31), "days") == license_share(
        spans, frame, Proration.DAILY
    )
    assert ProratedShare(Decimal(2682000), Decimal(2682000), "seconds") == license_share(
        spans, frame, Proration.EXACT
    )


def test_a_period_frame_holds_the_periods_instants_and_days() -> None:
    frame = PeriodFrame.of(OCTOBER_PARIS)

    assert OCTOBER_PARIS == frame.period
    assert datetime(2025, 9, 30, 22, tzinfo=UTC) == frame.start
    assert datetime(2025, 10, 31, 23, tzinfo=UTC) == frame.end
    assert 31 == frame.days
    assert datetime(2025, 10, 1).toordinal() == frame.first_day
    assert 745 * 3600 * 1_000_000 == frame.micros
    assert int is type(frame.micros)
    assert ProratedShare(Decimal(31), Decimal(31), "days") == frame.all_days
    assert ProratedShare(Decimal(2682000), Decimal(2682000), "seconds") == frame.all_seconds
    assert PARIS == frame.zone


def test_a_period_frame_is_covered_only_by_one_interval_from_its_start_to_its_end() -> None:
    frame = PeriodFrame.of(NOVEMBER)
    end = datetime(2025, 12, 1, tzinfo=UTC)

    assert frame.covers([(utc(1), end)])
    assert not frame.covers([(utc(1), end - timedelta(microseconds=1))])
    assert not frame.covers([(utc(1, 0, 1), end)])
    assert not frame.covers([(utc(1), utc(2)), (utc(2, 1), end)])
    assert not frame.covers([])


def test_an_exact_share_of_whole_seconds_is_in_whole_seconds() -> None:
    share = exact_share([Span(utc(16), None)], NOVEMBER)

    assert ("1296000", "2592000") == (str(share.numerator), str(share.denominator))


def test_an_exact_share_counts_microseconds() -> None:
    spans = [Span(utc(1), utc(1) + timedelta(seconds=90, microseconds=250))]

    share = exact_share(spans, NOVEMBER)

    assert Decimal("90.000250") == share.numerator
    assert Decimal(2592000) == share.denominator
    assert "0h 1m 30.00025s of 720h" == str(share)


# -- the text of a share -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        ("0", "0h"),
        ("3600", "1h"),
        ("45000", "12h 30m"),
        ("3605", "1h 0m 5s"),
        ("60", "0h 1m"),
        ("1.5", "0h 0m 1.5s"),
        ("5400.50", "1h 30m 0.5s"),
        ("3630", "1h 0m 30s"),
        ("3600.000100", "1h 0m 0.0001s"),
        ("522000", "145h"),
    ],
)
def test_an_exact_share_reads_in_hours_minutes_and_seconds(seconds: str, text: str) -> None:
    share = ProratedShare(Decimal(seconds), Decimal(2682000), "seconds")

    assert f"{text} of 745h" == str(share)


def test_the_text_of_a_share_does_not_depend_on_the_callers_decimal_context() -> None:
    share = ProratedShare(Decimal("90.000250"), Decimal(2592000), "seconds")

    with localcontext() as context:
        context.prec = 3
        text = str(share)

    assert "0h 1m 30.00025s of 720h" == text


def test_a_daily_share_reads_in_days() -> None:
    assert "0 of 28 days" == str(ProratedShare(Decimal(0), Decimal(28), ShareUnit.DAYS))


# -- the share's value ---------------------------------------------------------------------


def test_a_share_is_zero_whole_or_a_part_of_its_period() -> None:
    zero = ProratedShare(Decimal(0), Decimal(30), "days")
    part = ProratedShare(Decimal(6), Decimal(30), "days")
    whole = ProratedShare(Decimal(30), Decimal(30), "days")

    assert (True, False) == (zero.is_zero, zero.is_whole)
    assert (False, False) == (part.is_zero, part.is_whole)
    assert (False, True) == (whole.is_zero, whole.is_whole)


def test_a_share_is_an_exact_integer_ratio() -> None:
    assert (6, 30) == ProratedShare(Decimal(6), Decimal(30), "days").fraction
    assert (360001, 4000 * 2592000) == ProratedShare(
        Decimal("90.000250"), Decimal(2592000), "seconds"
    ).fraction


def test_a_share_converts_integers_and_decimal_strings() -> None:
    share = ProratedShare(6, "30", "days")

    assert (Decimal(6), Decimal(30), ShareUnit.DAYS) == (
        share.numerator,
        share.denominator,
        share.unit,
    )


def test_a_tie_is_rounded_half_up_by_default_and_to_even_on_request() -> None:
    eighth = ProratedShare(Decimal(1), Decimal(8), "days")

    assert Money("0.13", "EUR") == prorate(Money("1.00", "EUR"), eighth)
    assert Money("0.13", "EUR") == prorate(Money("1.00", "EUR"), eighth, Rounding.HALF_UP)
    assert Money("0.12", "EUR") == prorate(Money("1.00", "EUR"), eighth, Rounding.HALF_EVEN)
    assert Money("-0.13", "EUR") == prorate(Money("-1.00", "EUR"), eighth)


def test_prorating_multiplies_the_exact_price_by_the_exact_share() -> None:
    share = ProratedShare(Decimal("1.5"), Decimal(2592000), "seconds")

    assert Money("0.00", "USD") == prorate(Money("100.00", "USD"), share)
    assert Money("579", "JPY") == prorate(
        Money("123456789", "JPY"), ProratedShare(Decimal(7), Decimal(1492537), "seconds")
    )
    assert Money("3.333", "KWD") == prorate(
        Money("10.000", "KWD"), ProratedShare(Decimal(1), Decimal(3), "days")
    )


# -- rejected shares -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "message"),
    [
        (Decimal(-1), Decimal(31), "numerator: must not be negative, got -1"),
        (Decimal(1), Decimal(-31), "denominator: must not be negative, got -31"),
        (Decimal(0), Decimal(0), "denominator: must be positive"),
        (Decimal(32), Decimal(31), "numerator: 32 exceeds the period's 31"),
        (1.5, Decimal(31), "numerator: expected a decimal string or an integer, got the float 1.5"),
        (
            Decimal(1),
            31.0,
            "denominator: expected a decimal string or an integer, got the float 31.0",
        ),
        (Decimal("NaN"), Decimal(31), "numerator: must be a finite number, got Decimal('NaN')"),
        (
            Decimal(1),
            Decimal("Infinity"),
            "denominator: must be a finite number, got Decimal('Infinity')",
        ),
    ],
)
def test_a_share_that_is_not_part_of_a_period_is_rejected_naming_the_field(
    numerator: object, denominator: object, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ProratedShare(numerator, denominator, "days")  # type: ignore[arg-type]

    assert message == str(caught.value)


def test_a_share_with_an_unknown_unit_is_rejected_naming_the_units() -> None:
    with pytest.raises(ValidationError) as caught:
        ProratedShare(Decimal(1), Decimal(31), "weeks")

    assert "unit: expected one of days, seconds, got 'weeks'" == str(caught.value)
