"""Properties of the pricing models and deal terms (§5.1), over random tiers and clients."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from partnercore.billing import (
    BillingRun,
    ClientBillingInput,
    InvoiceLine,
    LineKind,
    PartnerBillingInput,
    PriceBook,
    UsagePricing,
    UsageTotal,
    calculate_run,
)
from partnercore.billing._rounding import round_ratio
from partnercore.time import BillingPeriod
from tests.strategies.pricing import (
    deal_partners,
    tier_quantities,
    usage_pricings,
)


def _client_lines(run: BillingRun, client_id: str) -> tuple[InvoiceLine, ...]:
    for invoice in run.invoices:
        if invoice.billed_to == client_id:
            return invoice.lines
        for group in invoice.clients:
            if group.client_id == client_id:
                return group.lines
    return ()


@given(usage_pricings(model="graduated"), tier_quantities(), tier_quantities())
def test_a_graduated_amount_never_falls_as_the_quantity_grows(
    pricing: UsagePricing, first: Decimal, second: Decimal
) -> None:
    low, high = sorted((first, second))

    assert pricing.price(low).amount <= pricing.price(high).amount


@given(usage_pricings(model="graduated"), tier_quantities())
def test_a_graduated_amount_is_the_sum_of_its_tiers(
    pricing: UsagePricing, quantity: Decimal
) -> None:
    priced = pricing.price(quantity)

    expected = sum(
        (
            tier.quantity * tier.unit_price.amount + (tier.flat_fee.amount if tier.flat_fee else 0)
            for tier in priced.tiers
        ),
        Decimal(0),
    )
    assert expected == priced.amount
    assert quantity == sum((tier.quantity for tier in priced.tiers), Decimal(0))


@given(usage_pricings(model="volume"), tier_quantities())
def test_a_volume_amount_is_the_price_of_the_tier_the_total_falls_in_times_the_quantity(
    pricing: UsagePricing, quantity: Decimal
) -> None:
    tier = next(t for t in pricing.tiers if t.up_to is None or quantity <= t.up_to)
    flat = tier.flat_fee.amount if tier.flat_fee is not None else Decimal(0)

    expected = tier.unit_price.amount * quantity + flat if quantity else Decimal(0)
    assert expected == pricing.price(quantity).amount


@given(usage_pricings(model="package"), tier_quantities())
def test_a_package_amount_is_every_started_package_at_the_package_price(
    pricing: UsagePricing, quantity: Decimal
) -> None:
    assert pricing.size is not None
    assert pricing.package_price is not None
    top, bottom = quantity.as_integer_ratio()
    packages = -(-top // (bottom * pricing.size))

    assert packages * pricing.package_price.amount == pricing.price(quantity).amount


@given(usage_pricings(), tier_quantities(), st.sampled_from(["half_up", "half_even"]))
def test_a_tier_priced_line_is_its_exact_amount_rounded_once(
    pricing: UsagePricing, quantity: Decimal, rounding: str
) -> None:
    book = PriceBook.of(
        "b",
        pricing.currency,
        advisor_monthly_fee="0",
        full_license_monthly_fee="0",
        usage_tiers={"reviews": pricing},
        rounding=rounding,
    )
    period = BillingPeriod(2026, 11)
    client = ClientBillingInput(
        client_id="c1",
        billing_model="non_reseller",
        usage=[UsageTotal(client_id="c1", metric="reviews", period=period, quantity=quantity)],
    )
    run = calculate_run(
        period, [PartnerBillingInput(partner_id="acme", price_book=book, clients=[client])]
    )

    lines = _client_lines(run, "c1")
    if not quantity:
        assert () == lines
        return
    [line] = lines
    digits = pricing.currency.minor_units
    top, bottom = pricing.price(quantity).amount.as_integer_ratio()
    units = round_ratio(top * 10**digits, bottom, book.rounding)
    assert (Decimal(units).scaleb(-digits), None, pricing.model) == (
        line.amount.amount,
        line.unit_price,
        line.model,
    )


@given(deal_partners())
def test_a_discount_never_makes_a_clients_subtotal_negative(
    drawn: tuple[BillingPeriod, PartnerBillingInput],
) -> None:
    period, partner = drawn
    run = calculate_run(period, [partner])

    for client in partner.clients:
        lines = _client_lines(run, client.client_id)
        assert sum((line.amount.amount for line in lines), Decimal(0)) >= 0
        discounts = [line for line in lines if line.kind is LineKind.DISCOUNT]
        assert len(discounts) <= 1
        assert all(line.amount.amount <= 0 for line in discounts)


@given(deal_partners())
def test_the_referral_base_is_the_clients_charges_after_its_discount(
    drawn: tuple[BillingPeriod, PartnerBillingInput],
) -> None:
    period, partner = drawn
    run = calculate_run(period, [partner])
    statement = run.referral("acme")
    usage_only = partner.price_book.referral_base.value == "usage_only"

    for client in partner.clients:
        lines = _client_lines(run, client.client_id)
        amounts = {kind: Decimal(0) for kind in LineKind}
        for line in lines:
            amounts[line.kind] += line.amount.amount
        line = statement.line(client.client_id)
        assert line is not None
        if not usage_only:
            expected = (
                amounts[LineKind.LICENSE]
                + amounts[LineKind.USAGE]
                + amounts[LineKind.ADJUSTMENT]
                + amounts[LineKind.DISCOUNT]
            )
        else:
            usage = amounts[LineKind.USAGE] + amounts[LineKind.ADJUSTMENT]
            [percent] = [d.percent for d in client.discounts if d.covers(run.period)] or [None]
            off = Decimal(0)
            if percent is not None and amounts[LineKind.DISCOUNT] and usage > 0:
                book = client.price_book or partner.price_book
                digits = book.currency.minor_units
                top, bottom = (usage * percent).as_integer_ratio()
                off = Decimal(round_ratio(top * 10**digits, bottom, book.rounding)).scaleb(-digits)
            expected = usage - off
        assert expected == line.base.amount
