"""Hypothesis strategies for pricing models and deal terms (§5.1)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from partnercore.billing import (
    ClientBillingInput,
    Discount,
    PartnerBillingInput,
    PriceBook,
    PriceTier,
    UsagePricing,
    UsageTotal,
)
from partnercore.money import Currency, Money
from partnercore.time import BillingPeriod
from tests.strategies.billing import billing_amounts, billing_months, spans_around

#: Metrics of the drawn books: some per unit, some by a tier model.
UNIT_METRICS = ("assessments", "api_calls")
TIERED_METRICS = ("reviews", "scans")


def currencies() -> st.SearchStrategy[Currency]:
    return st.sampled_from(["USD", "JPY", "KWD", "EUR"]).map(Currency.of)


def tier_quantities(max_units: int = 10**5) -> st.SearchStrategy[Decimal]:
    """Usage quantities: whole numbers, and some with three decimals."""
    return st.one_of(
        st.integers(0, max_units).map(Decimal),
        st.integers(0, max_units * 1000).map(lambda n: Decimal(n).scaleb(-3)),
    )


@st.composite
def price_tiers(draw: st.DrawFn, currency: Currency, max_tiers: int = 4) -> tuple[PriceTier, ...]:
    """Strictly ascending tiers, the last one unbounded, prices and flat fees drawn."""
    count = draw(st.integers(1, max_tiers))
    bounds = sorted(draw(st.sets(st.integers(1, 10_000), min_size=count - 1, max_size=count - 1)))
    prices = billing_amounts(currency, 10**5)
    tiers = []
    for bound in [*bounds, None]:
        flat = draw(st.one_of(st.none(), billing_amounts(currency, 10**5, finer=False)))
        tiers.append(PriceTier(up_to=bound, unit_price=draw(prices), flat_fee=flat))
    return tuple(tiers)


@st.composite
def usage_pricings(
    draw: st.DrawFn, currency: Currency | None = None, model: str | None = None
) -> UsagePricing:
    """A graduated, volume or package model in ``currency`` (drawn unless given)."""
    code = currency or draw(currencies())
    chosen = model or draw(st.sampled_from(["graduated", "volume", "package"]))
    if chosen == "package":
        return UsagePricing(
            model="package",
            size=draw(st.integers(1, 1000)),
            package_price=draw(billing_amounts(code, 10**5)),
        )
    return UsagePricing(model=chosen, tiers=draw(price_tiers(code)))


@st.composite
def discounts(draw: st.DrawFn, period: BillingPeriod) -> Discount:
    """A discount that covers ``period`` most of the time (sometimes open-ended)."""
    percent = draw(
        st.one_of(
            st.sampled_from(["0.10", "0.125", "0.333", "0.5", "1"]).map(Decimal),
            st.integers(1, 10**6).map(lambda n: Decimal(n).scaleb(-6)),
        )
    )
    year, month = period.year, period.month
    start_offset = draw(st.integers(-14, 2))
    length = draw(st.one_of(st.none(), st.integers(0, 14)))

    def key(offset: int) -> str:
        index = year * 12 + month - 1 + offset
        return f"{index // 12:04d}-{index % 12 + 1:02d}"

    last = None if length is None else key(start_offset + length)
    return Discount(percent=percent, first_period=key(start_offset), last_period=last)


@st.composite
def pricing_books(draw: st.DrawFn, currency: Currency, book_id: str = "book") -> PriceBook:
    """A book in ``currency`` with per-unit and tier-priced metrics, every policy drawn."""
    fees = billing_amounts(currency, finer=False)
    return PriceBook(
        id=book_id,
        currency=currency,
        advisor_monthly_fee=draw(fees),
        full_license_monthly_fee=draw(fees),
        usage_prices={metric: draw(billing_amounts(currency)) for metric in UNIT_METRICS},
        usage_tiers={metric: draw(usage_pricings(currency)) for metric in TIERED_METRICS},
        rounding=draw(st.sampled_from(["half_up", "half_even"])),
        proration=draw(st.sampled_from(["daily", "exact", "thirty_day"])),
        referral_base=draw(st.sampled_from(["all_charges", "usage_only"])),
    )


@st.composite
def deal_clients(
    draw: st.DrawFn, client_id: str, period: BillingPeriod, deal: PriceBook | None
) -> ClientBillingInput:
    """A client with licence spans, usage of per-unit and tiered metrics, maybe a deal book
    and a discount."""
    metrics = draw(
        st.lists(st.sampled_from(UNIT_METRICS + TIERED_METRICS), unique=True, max_size=4)
    )
    usage = [
        UsageTotal(
            client_id=client_id,
            metric=metric,
            period=period,
            quantity=draw(tier_quantities()),
        )
        for metric in metrics
    ]
    return ClientBillingInput(
        client_id=client_id,
        billing_model=draw(st.sampled_from(["reseller", "non_reseller"])),
        full_intervals=draw(st.lists(spans_around(period), max_size=2)),
        usage=usage,
        price_book=deal if deal is not None and draw(st.booleans()) else None,
        discounts=draw(st.lists(discounts(period), max_size=1)),
    )


@st.composite
def deal_partners(
    draw: st.DrawFn, max_clients: int = 4
) -> tuple[BillingPeriod, PartnerBillingInput]:
    """A period and a partner whose clients use tiered metrics, deal books and discounts."""
    month = draw(billing_months())
    currency = draw(currencies())
    book = draw(pricing_books(currency))
    deal = draw(pricing_books(currency, "deal"))
    clients = [
        draw(deal_clients(f"c{index}", month, deal))
        for index in range(draw(st.integers(0, max_clients)))
    ]
    return month, PartnerBillingInput(
        partner_id="acme",
        price_book=book,
        referral_rate=draw(st.sampled_from(["0", "0.20", "0.125", "1"])),
        timezone=month.timezone,
        clients=clients,
    )


def money(amount: str, currency: str = "USD") -> Money:
    return Money(Decimal(amount), Currency.of(currency))
