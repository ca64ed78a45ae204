"""Billing periods, price books and billing inputs."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from partnercore.billing import (
    ClientBillingInput,
    PartnerBillingInput,
    PriceBook,
    SeatHolding,
    UsageTotal,
)
from partnercore.money import Currency, Money
from partnercore.time import BillingPeriod, Span

BILLING_METRICS = ("assessments", "reports", "api_calls")
BILLING_ZONES = ("UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo")


def billing_months(zone: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[BillingPeriod]:
    """A month between 2020 and 2030 in one of a few zones (DST changes included)."""
    return st.builds(
        BillingPeriod,
        year=st.integers(2020, 2030),
        month=st.integers(1, 12),
        timezone=zone if zone is not None else st.sampled_from(BILLING_ZONES),
    )


def instants_around(period: BillingPeriod) -> st.SearchStrategy[datetime]:
    """Instants from a week before the period to a week after it, often on a whole hour."""
    span = int((period.end - period.start).total_seconds())
    week = 7 * 86400
    seconds = st.integers(-week, span + week)
    on_hour = st.integers(-week // 3600, (span + week) // 3600).map(lambda h: h * 3600)
    micros = st.integers(0, 999_999)
    return st.one_of(
        on_hour.map(lambda s: period.start + timedelta(seconds=s)),
        st.tuples(seconds, micros).map(
            lambda p: period.start + timedelta(seconds=p[0], microseconds=p[1])
        ),
    )


@st.composite
def spans_around(draw: st.DrawFn, period: BillingPeriod, open_ended: bool = True) -> Span:
    """A span near the period (open-ended when ``open_ended`` allows and a coin says so)."""
    start = draw(instants_around(period))
    if open_ended and draw(st.booleans()):
        return Span(start)
    end = draw(instants_around(period))
    return Span(start, end) if start <= end else Span(end, start)


def billing_amounts(
    currency: Currency, max_units: int = 10**7, *, finer: bool = True
) -> st.SearchStrategy[Money]:
    """Non-negative Money, usually rounded, sometimes (``finer``) with two extra digits."""
    rounded = st.integers(0, max_units).map(
        lambda n: Money(Decimal(n).scaleb(-currency.minor_units), currency)
    )
    if not finer:
        return rounded
    fine = st.integers(0, max_units * 100).map(
        lambda n: Money(Decimal(n).scaleb(-currency.minor_units - 2), currency)
    )
    return st.one_of(rounded, rounded, fine)


@st.composite
def price_books(draw: st.DrawFn, currency: Currency | None = None) -> PriceBook:
    """A price book with every policy drawn, in USD, JPY, KWD or EUR unless given."""
    code = currency or Currency.of(draw(st.sampled_from(["USD", "JPY", "KWD", "EUR"])))
    fees = billing_amounts(code, finer=False)
    return PriceBook(
        id="book",
        currency=code,
        advisor_monthly_fee=draw(fees),
        full_license_monthly_fee=draw(fees),
        usage_prices={metric: draw(billing_amounts(code)) for metric in BILLING_METRICS},
        rounding=draw(st.sampled_from(["half_up", "half_even"])),
        seat_policy=draw(st.sampled_from(["any_time", "prorated_daily", "period_end"])),
        proration=draw(st.sampled_from(["daily", "exact"])),
        referral_base=draw(st.sampled_from(["all_charges", "usage_only"])),
        referral_settlement=draw(st.sampled_from(["statement", "net_on_invoice"])),
        content_revenue_share=draw(st.sampled_from(["1.00", "0.70", "0.333"])),
    )


@st.composite
def client_billing_inputs(
    draw: st.DrawFn, client_id: str, period: BillingPeriod
) -> ClientBillingInput:
    """A client with random full-licence spans and usage totals of the period."""
    usage = [
        UsageTotal(
            client_id=client_id,
            metric=metric,
            period=period,
            quantity=draw(
                st.one_of(
                    st.integers(0, 10**6).map(Decimal),
                    st.integers(0, 10**6).map(lambda n: Decimal(n).scaleb(-3)),
                )
            ),
        )
        for metric in draw(st.lists(st.sampled_from(BILLING_METRICS), unique=True, max_size=3))
    ]
    return ClientBillingInput(
        client_id=client_id,
        billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
        full_intervals=draw(st.lists(spans_around(period), max_size=3)),
        usage=usage,
    )


@st.composite
def partner_billing_inputs(
    draw: st.DrawFn,
    partner_id: str = "acme",
    period: BillingPeriod | None = None,
    max_clients: int = 5,
) -> tuple[BillingPeriod, PartnerBillingInput]:
    """A period and a partner with up to ``max_clients`` clients and up to 4 advisor seats."""
    month = period or draw(billing_months())
    spans = [draw(spans_around(month)) for _ in range(draw(st.integers(0, 4)))]
    seats = [SeatHolding(f"u{index}", span.start, span.end) for index, span in enumerate(spans)]
    clients = [
        draw(client_billing_inputs(f"{partner_id}-c{index}", month))
        for index in range(draw(st.integers(0, max_clients)))
    ]
    return month, PartnerBillingInput(
        partner_id=partner_id,
        price_book=draw(price_books()),
        referral_rate=draw(st.sampled_from(["0", "0.20", "0.125", "0.333", "1"])),
        timezone=month.timezone,
        seats=seats,
        clients=clients,
    )
