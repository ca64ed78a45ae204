"""Usage pricing models and 30/360 proration (§5.1): the published numbers, and bad tiers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from partnercore import CurrencyMismatchError, ValidationError
from partnercore.billing import (
    BillingAccount,
    BillingRun,
    ClientBillingInput,
    Discount,
    Invoice,
    InvoiceLine,
    LateUsage,
    PartnerBillingInput,
    PriceBook,
    PriceTier,
    UsagePricing,
    UsageRecord,
    UsageTotal,
    bill_period,
    calculate_run,
    finalise,
    prorate,
    thirty_day_share,
)
from partnercore.billing._presentation import line_to_dict
from partnercore.events import SYSTEM
from partnercore.licensing import License
from partnercore.memory import InMemoryStore
from partnercore.money import Currency, Money
from partnercore.serialization import structure, unstructure
from partnercore.tenancy import Team
from partnercore.time import BillingPeriod, Span

USD = Currency.of("USD")
NOVEMBER = BillingPeriod(2026, 11)

# Lago's published graduated example: 0-10 at 10 + 2 flat, 11-20 at 5 + 3, 21+ at 5 + 3.
LAGO_GRADUATED = {
    "model": "graduated",
    "tiers": [
        {"up_to": 10, "unit_price": "10", "flat_fee": "2"},
        {"up_to": 20, "unit_price": "5", "flat_fee": "3"},
        {"unit_price": "5", "flat_fee": "3"},
    ],
}
# Lago's published volume example: 0-100 at 2 + 10 flat, 101-200 at 1, 201+ at 0.5 + 50.
LAGO_VOLUME = {
    "model": "volume",
    "tiers": [
        {"up_to": 100, "unit_price": "2", "flat_fee": "10"},
        {"up_to": 200, "unit_price": "1", "flat_fee": "0"},
        {"unit_price": "0.5", "flat_fee": "50"},
    ],
}
# Kill Bill's published block example: blocks of 100 at 2.95.
KILL_BILL_BLOCKS = {"model": "package", "size": 100, "package_price": "2.95"}

FINALISED_AT = datetime(2030, 1, 1, tzinfo=UTC)
"""When finalisations in these tests happen (the act's instant, not the period's)."""


def book(**terms: object) -> PriceBook:
    defaults: dict[str, object] = {
        "advisor_monthly_fee": "0",
        "full_license_monthly_fee": "100.00",
    }
    return PriceBook.of("b", "USD", **(defaults | terms))  # type: ignore[arg-type]


def usage_line(models: dict[str, object], metric: str, quantity: object) -> InvoiceLine:
    client = ClientBillingInput(
        client_id="c1",
        billing_model="non_reseller",
        usage=[UsageTotal(client_id="c1", metric=metric, period=NOVEMBER, quantity=quantity)],
    )
    partner = PartnerBillingInput(
        partner_id="acme", price_book=book(usage_tiers=models), clients=[client]
    )
    [line] = calculate_run(NOVEMBER, [partner]).invoice("inv-c1-2026-11").lines
    return line


# -- the published numbers ---------------------------------------------------------------


def test_lago_graduated_twelve_units_cost_115() -> None:
    line = usage_line({"calls": LAGO_GRADUATED}, "calls", 12)

    assert Money("115.00", "USD") == line.amount
    assert "graduated" == line.model
    assert [(1, 10, Decimal(10)), (11, 20, Decimal(2))] == [
        (tier.first, tier.last, tier.quantity) for tier in line.tiers
    ]


def test_lago_volume_a_hundred_units_cost_210() -> None:
    line = usage_line({"calls": LAGO_VOLUME}, "calls", 100)

    assert Money("210.00", "USD") == line.amount
    [tier] = line.tiers
    assert (1, 100, Decimal(100), Money("10", "USD")) == (
        tier.first,
        tier.last,
        tier.quantity,
        tier.flat_fee,
    )


def test_kill_bill_199_units_in_blocks_of_100_at_2_95_cost_5_90() -> None:
    line = usage_line({"bullets": KILL_BILL_BLOCKS}, "bullets", 199)

    assert Money("5.90", "USD") == line.amount
    assert line.package is not None
    assert (2, 100) == (line.package.packages, line.package.size)


def test_zuora_14_days_of_100_on_30_360_cost_46_67() -> None:
    # Full on the 17th to the 30th of November: 14 local days of a 30-day fixed month.
    share = thirty_day_share([Span(datetime(2026, 11, 17, tzinfo=UTC), None)], NOVEMBER)

    assert ("14 of 30 days", Money("46.67", "USD")) == (
        str(share),
        prorate(Money("100.00", "USD"), share),
    )


def test_zuora_14_days_on_a_thirty_day_book_is_the_licence_line() -> None:
    client = ClientBillingInput(
        client_id="c1",
        billing_model="non_reseller",
        full_intervals=[Span(datetime(2026, 11, 17, tzinfo=UTC), None)],
    )
    partner = PartnerBillingInput(
        partner_id="acme", price_book=book(proration="thirty_day"), clients=[client]
    )

    [line] = calculate_run(NOVEMBER, [partner]).invoice("inv-c1-2026-11").lines

    assert ("Full licence, 14 of 30 days", Money("46.67", "USD")) == (
        line.description,
        line.amount,
    )


# -- the models ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [(0, "0"), (1, "12"), (10, "102"), (11, "110"), (12, "115"), (21, "163"), (25, "183")],
)
def test_graduated_charges_each_used_tier_its_units_and_flat_fee_once(
    quantity: int, expected: str
) -> None:
    pricing = UsagePricing.of(LAGO_GRADUATED, "USD")

    assert Decimal(expected) == pricing.price(Decimal(quantity)).amount


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (0, "0"),
        (1, "12"),
        (100, "210"),
        (101, "101"),
        (200, "200"),
        (300, "200"),
        ("100.5", "100.5"),
    ],
)
def test_volume_prices_every_unit_in_the_tier_the_total_falls_in(
    quantity: object, expected: str
) -> None:
    pricing = UsagePricing.of(LAGO_VOLUME, "USD")

    assert Decimal(expected) == pricing.price(Decimal(str(quantity))).amount


@pytest.mark.parametrize(
    ("quantity", "packages"), [("0", 0), ("1", 1), ("100", 1), ("100.001", 2), ("200", 2)]
)
def test_a_started_package_is_charged_in_full(quantity: str, packages: int) -> None:
    pricing = UsagePricing.of(KILL_BILL_BLOCKS, "USD")

    assert Decimal("2.95") * packages == pricing.price(Decimal(quantity)).amount


def test_a_tier_priced_amount_is_exact_and_the_line_rounds_it_once() -> None:
    graduated = {
        "model": "graduated",
        "tiers": [{"up_to": 3, "unit_price": "0.333"}, {"unit_price": "0.0125"}],
    }

    line = usage_line({"calls": graduated}, "calls", 5)

    # 3 x 0.333 + 2 x 0.0125 = 1.024 exactly: one rounding gives 1.02
    assert Decimal("1.024") == UsagePricing.of(graduated, "USD").price(Decimal(5)).amount
    assert Money("1.02", "USD") == line.amount


def test_zero_usage_of_a_tier_priced_metric_gives_no_line() -> None:
    client = ClientBillingInput(
        client_id="c1",
        billing_model="non_reseller",
        usage=[UsageTotal(client_id="c1", metric="calls", period=NOVEMBER, quantity=0)],
    )
    partner = PartnerBillingInput(
        partner_id="acme", price_book=book(usage_tiers={"calls": LAGO_GRADUATED}), clients=[client]
    )

    assert calculate_run(NOVEMBER, [partner]).invoice_of("c1") is None


def test_a_tier_priced_line_reads_as_its_tiers_and_has_no_unit_price() -> None:
    line = usage_line({"calls": LAGO_GRADUATED}, "calls", 12)

    assert "Usage: calls, graduated (1-10: 10 x 10.00 + 2.00; 11-20: 2 x 5.00 + 3.00)" == (
        line.description
    )
    assert {
        "kind": "usage",
        "description": line.description,
        "quantity": "12",
        "unit_price": None,
        "amount": "115.00",
        "metric": "calls",
        "model": "graduated",
        "tiers": [
            {"from": 1, "to": 10, "quantity": "10", "unit_price": "10.00", "flat_fee": "2.00"},
            {"from": 11, "to": 20, "quantity": "2", "unit_price": "5.00", "flat_fee": "3.00"},
        ],
    } == line_dict(line)


def test_a_package_line_lists_its_packages() -> None:
    line = usage_line({"bullets": KILL_BILL_BLOCKS}, "bullets", 199)

    expected = [{"packages": 2, "size": 100, "package_price": "2.95"}]
    assert ("Usage: bullets, package (2 packages of 100 at 2.95)", expected) == (
        line.description,
        line_dict(line)["tiers"],
    )


def test_an_unbounded_tier_reads_as_from_its_first_unit_on() -> None:
    line = usage_line({"calls": LAGO_GRADUATED}, "calls", 25)

    assert {"from": 21, "to": None, "quantity": "5", "unit_price": "5.00", "flat_fee": "3.00"} == (
        line_dict(line)["tiers"][-1]
    )
    assert "21+: 5 x 5.00 + 3.00" in line.description


def line_dict(line: InvoiceLine) -> dict[str, object]:
    return line_to_dict(line)


# -- late usage ----------------------------------------------------------------------------


def late_line(models: dict[str, object], late: LateUsage) -> InvoiceLine:
    client = ClientBillingInput(client_id="c1", billing_model="non_reseller", late_usage=[late])
    partner = PartnerBillingInput(
        partner_id="acme", price_book=book(usage_tiers=models), clients=[client]
    )
    [line] = calculate_run(NOVEMBER, [partner]).invoice("inv-c1-2026-11").lines
    return line


def test_late_usage_of_a_graduated_metric_is_the_difference_of_the_amounts() -> None:
    # 12 units were billed (115.00); 3 more arrive: 15 units cost 130.00.
    late = LateUsage(
        client_id="c1",
        metric="calls",
        original_period="2026-10",
        quantity=3,
        billed_quantity=12,
        billed_amount=Money("115.00", "USD"),
    )

    line = late_line({"calls": LAGO_GRADUATED}, late)

    assert ("adjustment", Money("15.00", "USD"), Decimal(3), None) == (
        line.kind.value,
        line.amount,
        line.quantity,
        line.unit_price,
    )
    assert "15 units cost 130.00, 115.00 billed" in line.description


def test_late_usage_of_a_volume_metric_reprices_every_unit() -> None:
    # 100 units billed at 2 + 10 (210.00); one more moves all 101 to 1.00 each: -109.00.
    late = LateUsage(
        client_id="c1",
        metric="calls",
        original_period="2026-10",
        quantity=1,
        billed_quantity=100,
        billed_amount=Money("210.00", "USD"),
    )

    assert Money("-109.00", "USD") == late_line({"calls": LAGO_VOLUME}, late).amount


def test_late_usage_without_the_billed_amount_prices_the_billed_quantity_again() -> None:
    late = LateUsage(
        client_id="c1", metric="bullets", original_period="2026-10", quantity=2, billed_quantity=99
    )

    # 99 -> one package; 101 -> two: one more package
    assert Money("2.95", "USD") == late_line({"bullets": KILL_BILL_BLOCKS}, late).amount


# -- thirty_day ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "start", "expected"),
    [
        (BillingPeriod(2026, 2), datetime(2026, 1, 1, tzinfo=UTC), "28 of 28 days"),
        (BillingPeriod(2026, 2), datetime(2026, 2, 2, tzinfo=UTC), "27 of 30 days"),
        (BillingPeriod(2026, 1), datetime(2026, 1, 2, tzinfo=UTC), "30 of 30 days"),
        (BillingPeriod(2026, 1), datetime(2026, 1, 31, 23, tzinfo=UTC), "1 of 30 days"),
        (BillingPeriod(2026, 1), datetime(2025, 12, 1, tzinfo=UTC), "31 of 31 days"),
    ],
)
def test_thirty_day_proration_counts_at_most_30_days_and_a_whole_month_is_whole(
    month: BillingPeriod, start: datetime, expected: str
) -> None:
    share = thirty_day_share([Span(start, None)], month)

    assert expected == str(share)


def test_a_full_february_costs_the_whole_fee_under_thirty_day() -> None:
    share = thirty_day_share([Span(datetime(2026, 1, 1, tzinfo=UTC), None)], BillingPeriod(2026, 2))

    assert Money("100.00", "USD") == prorate(Money("100.00", "USD"), share)


def test_thirty_of_31_days_is_the_whole_fee_under_thirty_day() -> None:
    share = thirty_day_share([Span(datetime(2026, 1, 2, tzinfo=UTC), None)], BillingPeriod(2026, 1))

    assert share.is_whole


# -- invalid models ------------------------------------------------------------------------


def problems(build: Callable[[], object]) -> str:
    with pytest.raises(ValidationError) as caught:
        build()
    return str(caught.value)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            {
                "model": "graduated",
                "tiers": [
                    {"up_to": 10, "unit_price": "1"},
                    {"up_to": 10, "unit_price": "1"},
                    {"unit_price": "1"},
                ],
            },
            "tiers[1].up_to: must be greater than the previous tier's up_to (10), got 10",
        ),
        (
            {"model": "volume", "tiers": [{"unit_price": "1"}, {"up_to": 10, "unit_price": "1"}]},
            "tiers[0].up_to: only the last tier may have no up_to",
        ),
        (
            {"model": "graduated", "tiers": [{"up_to": 10, "unit_price": "1"}]},
            "tiers[0].up_to: the last tier must have no up_to (it is unbounded)",
        ),
        ({"model": "graduated", "tiers": []}, "tiers: needs at least one tier"),
        (
            {"model": "graduated", "tiers": [{"unit_price": "-1"}]},
            "tiers[0].unit_price: must not be negative",
        ),
        ({"model": "package", "size": 0, "package_price": "1"}, "size: must be at least 1, got 0"),
        ({"model": "package", "package_price": "1"}, "size: required by the package model"),
        (
            {"model": "package", "size": 10, "package_price": "1", "tiers": [{"unit_price": "1"}]},
            "tiers: a package model has no tiers",
        ),
        ({"model": "tiered", "tiers": [{"unit_price": "1"}]}, "model: expected one of"),
        (
            {
                "model": "graduated",
                "tiers": [{"up_to": 10.0, "unit_price": "1"}, {"unit_price": "1"}],
            },
            "tiers[0].up_to: expected a whole number of units, got the float 10.0",
        ),
        (
            {"model": "graduated", "tiers": [{"unit_price": 1.5}]},
            "tiers[0].unit_price: expected a decimal string or an integer, got the float 1.5",
        ),
    ],
)
def test_invalid_tier_models_are_refused_naming_the_tier_and_key(
    model: dict[str, object], message: str
) -> None:
    text = problems(lambda: book(usage_tiers={"calls": model}))

    assert message in text
    assert text.startswith("usage_tiers['calls']")


def test_a_metric_priced_both_per_unit_and_by_a_tier_model_is_refused() -> None:
    text = problems(lambda: book(usage={"calls": "1.00"}, usage_tiers={"calls": LAGO_VOLUME}))

    assert (
        "usage_tiers['calls']: metric priced both per unit (usage_prices) and by a tier model"
        == (text)
    )


def test_a_tier_model_in_another_currency_is_refused() -> None:
    eur = UsagePricing(model="package", size=10, package_price=Money("1.00", "EUR"))

    with pytest.raises(CurrencyMismatchError):
        book(usage_tiers={"calls": eur})


def test_a_tier_priced_metric_has_no_unit_price_but_a_pricing() -> None:
    priced = book(usage={"api": "0.01"}, usage_tiers={"calls": LAGO_VOLUME})

    assert ("api", "calls") == priced.metrics
    assert isinstance(priced.pricing("calls"), UsagePricing)
    assert "priced by a volume model" in problems(lambda: priced.unit_price("calls"))
    assert "unknown usage metric 'scans'" in problems(lambda: priced.pricing("scans"))


def test_a_negative_tier_priced_quantity_is_refused() -> None:
    pricing = UsagePricing(model="graduated", tiers=(PriceTier(unit_price=Money("1", "USD")),))

    assert "must not be negative" in problems(lambda: pricing.price(Decimal(-1)))


# -- presentation and storage --------------------------------------------------------------


def kestrel_run() -> BillingRun:
    client = ClientBillingInput(
        client_id="c1",
        billing_model="non_reseller",
        full_intervals=[Span(datetime(2026, 1, 1, tzinfo=UTC), None)],
        usage=[
            UsageTotal(client_id="c1", metric=metric, period=NOVEMBER, quantity=quantity)
            for metric, quantity in [("bullets", 199), ("calls", 12)]
        ],
        discounts=[Discount(percent="0.10", first_period="2026-11")],
    )
    priced = book(usage_tiers={"calls": LAGO_GRADUATED, "bullets": KILL_BILL_BLOCKS})
    return calculate_run(
        NOVEMBER, [PartnerBillingInput(partner_id="acme", price_book=priced, clients=[client])]
    )


def test_rows_name_the_model_the_tiers_and_the_discount_percent() -> None:
    rows = [row for row in kestrel_run().to_rows() if row["billed_to"] == "c1"]

    assert [
        ("license", None, None, Decimal("100.00"), None),
        ("usage", "package", "2 packages of 100 at 2.95", None, None),
        ("usage", "graduated", "1-10: 10 x 10.00 + 2.00; 11-20: 2 x 5.00 + 3.00", None, None),
        ("discount", None, None, Decimal("-22.09"), Decimal("0.10")),
    ] == [(r["kind"], r["model"], r["tiers"], r["unit_price"], r["rate"]) for r in rows]


def test_text_and_html_show_the_tiers_and_the_discount() -> None:
    invoice = kestrel_run().invoice("inv-c1-2026-11")

    text = str(invoice)
    html = invoice._repr_html_()
    for shown in (
        "Usage: calls, graduated (1-10: 10 x 10.00 + 2.00; 11-20: 2 x 5.00 + 3.00)",
        "Usage: bullets, package (2 packages of 100 at 2.95)",
        "Discount: 10 % of 220.90 (from 2026-11)",
    ):
        assert shown in text
        assert shown in html
    usage_line = next(line for line in text.splitlines() if "usage     Usage: calls" in line)
    assert usage_line.split()[-3:] == ["12", "-", "115.00"]  # no unit price: a dash


def test_invoices_with_tiers_and_discounts_survive_the_converter() -> None:
    invoice = kestrel_run().invoice("inv-c1-2026-11")

    assert invoice == structure(unstructure(invoice), Invoice)


def test_a_tier_line_without_a_model_has_to_have_a_unit_price() -> None:
    with pytest.raises(ValidationError, match="unit_price: expected Money"):
        InvoiceLine(
            kind="usage",
            description="Usage: calls",
            quantity=1,
            unit_price=None,
            amount=Money("1.00", "USD"),
        )


# -- late usage through the services -------------------------------------------------------


def test_usage_arriving_after_finalising_is_charged_the_difference_of_the_tiered_amounts() -> None:
    jan = datetime(2026, 1, 1, tzinfo=UTC)
    store = tenancy = billing = InMemoryStore()
    licenses = store.licenses
    tenancy.teams.add(Team.partner("acme", "Acme", created_at=jan))
    tenancy.teams.add(
        Team.client(
            "c1",
            "C1",
            parent_id="acme",
            operated_by="partner",
            billing_model="non_reseller",
            created_at=jan,
        )
    )
    licenses.add(License.open("c1", jan))
    billing.price_books.add(book(usage_tiers={"calls": LAGO_VOLUME}))
    billing.accounts.add(BillingAccount("acme", "b", "0.20"))
    ports = store

    def use(quantity: int, day: int) -> None:
        at = datetime(2026, 10, day, tzinfo=UTC)
        billing.usage.add(UsageRecord(client_id="c1", metric="calls", quantity=quantity, at=at))

    use(60, 3)
    use(40, 4)
    october = finalise(ports, "2026-10", at=FINALISED_AT, by=SYSTEM)
    assert Money("210.00", "USD") == october.invoice("inv-c1-2026-10").total
    use(1, 30)  # 101 units: each at 1.00 now

    november = bill_period(ports, "2026-11").invoice("inv-c1-2026-11")
    assert november is not None
    [line] = november.lines
    assert ("adjustment", Decimal(1), Money("-109.00", "USD")) == (
        line.kind.value,
        line.quantity,
        line.amount,
    )
    finalise(ports, "2026-11", at=FINALISED_AT, by=SYSTEM)
    use(99, 31)  # 200 units: 200.00 in all, 101.00 billed so far

    december = bill_period(ports, "2026-12").invoice("inv-c1-2026-12")
    assert december is not None
    assert [Money("99.00", "USD")] == [line.amount for line in december.lines]
