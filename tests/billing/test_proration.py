"""Full-licence proration: local days (daily) or seconds measured in UTC (exact)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from partnercore import ValidationError
from partnercore.billing import (
    ClientBillingInput,
    PartnerBillingInput,
    PriceBook,
    ProratedShare,
    calculate_run,
    daily_share,
    exact_share,
    prorate,
)
from partnercore.money import Money
from partnercore.time import BillingPeriod, Span

PARIS = ZoneInfo("Europe/Paris")
OCTOBER_PARIS = BillingPeriod(2025, 10, "Europe/Paris")
HUNDRED = Money("100.00", "EUR")


def _licence_amount(proration: str, start: datetime, period: BillingPeriod) -> str:
    book = PriceBook.of(
        "b",
        "EUR",
        advisor_monthly_fee="0",
        full_license_monthly_fee="100.00",
        proration=proration,
    )
    partner = PartnerBillingInput(
        partner_id="acme",
        price_book=book,
        timezone=period.timezone,
        clients=[
            ClientBillingInput(
                client_id="c1", billing_model="non_reseller", full_intervals=[Span(start, None)]
            )
        ],
    )
    run = calculate_run(period, [partner])
    return run.invoice("inv-c1-" + period.key).lines[0].amount.format_amount()


def test_october_2025_in_paris_lasts_745_hours_and_31_days() -> None:
    share = exact_share([Span(OCTOBER_PARIS.start, None)], OCTOBER_PARIS)
    assert Decimal(745 * 3600) == share.denominator
    assert Decimal(31) == daily_share([Span(OCTOBER_PARIS.start, None)], OCTOBER_PARIS).denominator


def test_exact_proration_charges_the_145_of_745_hours_from_local_october_26() -> None:
    start = datetime(2025, 10, 26, tzinfo=PARIS)
    share = exact_share([Span(start, None)], OCTOBER_PARIS)
    assert "145h of 745h" == str(share)
    assert Money("19.46", "EUR") == prorate(HUNDRED, share)
    assert "19.46" == _licence_amount("exact", start, OCTOBER_PARIS)


def test_daily_proration_charges_the_6_of_31_local_days_from_october_26() -> None:
    start = datetime(2025, 10, 26, tzinfo=PARIS)
    share = daily_share([Span(start, None)], OCTOBER_PARIS)
    assert "6 of 31 days" == str(share)
    assert Money("19.35", "EUR") == prorate(HUNDRED, share)
    assert "19.35" == _licence_amount("daily", start, OCTOBER_PARIS)


def test_a_conversion_at_midday_counts_its_whole_day_daily_but_half_of_it_exactly() -> None:
    november = BillingPeriod(2025, 11, "UTC")
    midday = datetime(2025, 11, 16, 12, tzinfo=UTC)
    assert "15 of 30 days" == str(daily_share([Span(midday, None)], november))
    assert "348h of 720h" == str(exact_share([Span(midday, None)], november))
    assert "50.00" == _licence_amount("daily", midday, november)
    assert "48.33" == _licence_amount("exact", midday, november)


def test_a_licence_full_for_one_instant_of_a_day_pays_for_that_day_under_daily() -> None:
    november = BillingPeriod(2025, 11, "UTC")
    span = Span(datetime(2025, 11, 3, 23, 59, tzinfo=UTC), datetime(2025, 11, 4, 0, 1, tzinfo=UTC))
    assert Decimal(2) == daily_share([span], november).numerator
    assert Decimal(120) == exact_share([span], november).numerator


def test_an_interval_ending_at_local_midnight_does_not_touch_the_next_day() -> None:
    spans = [Span(OCTOBER_PARIS.start, datetime(2025, 10, 3, tzinfo=PARIS))]
    assert Decimal(2) == daily_share(spans, OCTOBER_PARIS).numerator


def test_overlapping_and_repeated_spans_are_counted_once() -> None:
    november = BillingPeriod(2025, 11, "UTC")
    a = Span(datetime(2025, 11, 1, tzinfo=UTC), datetime(2025, 11, 11, tzinfo=UTC))
    b = Span(datetime(2025, 11, 5, tzinfo=UTC), datetime(2025, 11, 16, tzinfo=UTC))
    assert Decimal(15) == daily_share([a, b, a], november).numerator
    assert Decimal(15 * 86400) == exact_share([b, a], november).numerator


def test_time_outside_the_period_is_never_charged() -> None:
    november = BillingPeriod(2025, 11, "UTC")
    before = Span(datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 11, 1, tzinfo=UTC))
    after = Span(datetime(2025, 12, 1, tzinfo=UTC), None)
    assert daily_share([before, after], november).is_zero
    assert exact_share([before, after], november).is_zero


def test_march_2026_in_paris_is_an_hour_short_under_exact_proration() -> None:
    march = BillingPeriod(2026, 3, "Europe/Paris")
    share = exact_share([Span(datetime(2026, 3, 29, tzinfo=PARIS), None)], march)
    assert "71h of 743h" == str(share)
    assert Money("9.56", "EUR") == prorate(HUNDRED, share)


def test_a_naive_interval_is_rejected_with_its_path() -> None:
    with pytest.raises(ValidationError, match=r"^start: naive datetime"):
        daily_share([Span(datetime(2025, 11, 1), None)], BillingPeriod(2025, 11))


def test_an_interval_ending_before_it_starts_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"^end: must not be before start"):
        exact_share(
            [Span(datetime(2025, 11, 2, tzinfo=UTC), datetime(2025, 11, 1, tzinfo=UTC))],
            BillingPeriod(2025, 11),
        )


def test_a_share_larger_than_its_period_is_rejected() -> None:
    with pytest.raises(ValidationError, match="numerator"):
        ProratedShare(Decimal(32), Decimal(31), "days")


def test_a_share_with_an_unknown_unit_is_rejected() -> None:
    with pytest.raises(ValidationError, match="unit"):
        ProratedShare(Decimal(1), Decimal(31), "weeks")
