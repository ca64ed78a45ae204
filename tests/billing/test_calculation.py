"""Billing a period from its inputs: who pays, usage, referral, currencies (§5)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from partnercore import CurrencyMismatchError, ValidationError
from partnercore.billing import (
    ClientBillingInput,
    ContentCharge,
    LateUsage,
    LineKind,
    PartnerBillingInput,
    PriceBook,
    SeatHolding,
    UsageTotal,
    calculate_run,
)
from partnercore.money import Money
from partnercore.time import BillingPeriod, Span

NOVEMBER = BillingPeriod(2026, 11)
ALWAYS = Span(datetime(2026, 1, 1, tzinfo=UTC))


def _book(currency: str = "USD", **changes: object) -> PriceBook:
    values: dict[str, object] = {
        "advisor_monthly_fee": "50.00",
        "full_license_monthly_fee": "400.00",
        "usage": {"assessments": "5.00", "reports": "4.975"},
    }
    values.update(changes)
    return PriceBook.of("standard", currency, **values)  # type: ignore[arg-type]


def _usage(client: str, quantity: object, metric: str = "assessments") -> UsageTotal:
    return UsageTotal(client_id=client, metric=metric, period=NOVEMBER, quantity=quantity)


def _client(client: str, model: str = "reseller", **changes: object) -> ClientBillingInput:
    values: dict[str, object] = {"full_intervals": [ALWAYS]}
    values.update(changes)
    return ClientBillingInput(client_id=client, billing_model=model, **values)  # type: ignore[arg-type]


def _partner(*clients: ClientBillingInput, book: PriceBook | None = None) -> PartnerBillingInput:
    return PartnerBillingInput(
        partner_id="acme",
        price_book=book or _book(),
        referral_rate="0.20",
        seats=[SeatHolding("alice", ALWAYS.start), SeatHolding("bob", ALWAYS.start)],
        clients=clients,
    )


def test_a_reseller_clients_charges_are_grouped_on_its_partners_invoice() -> None:
    run = calculate_run("2026-11", [_partner(_client("c1", usage=[_usage("c1", 3)]))])
    [invoice] = run.invoices
    assert "inv-acme-2026-11" == invoice.id
    assert "acme" == invoice.billed_to
    group = invoice.group("c1")
    assert [("license", "400.00"), ("usage", "15.00")] == [
        (line.kind.value, line.amount.format_amount()) for line in group.lines
    ]
    assert Money("415.00", "USD") == group.subtotal
    assert Money("515.00", "USD") == invoice.total


def test_a_non_reseller_client_gets_its_own_invoice_billed_to_it() -> None:
    run = calculate_run("2026-11", [_partner(_client("c2", "non_reseller"))])
    partner, client = run.invoices
    assert () == partner.clients
    assert Money("100.00", "USD") == partner.total
    assert ("inv-c2-2026-11", "c2", "acme") == (client.id, client.billed_to, client.partner_id)
    assert [LineKind.LICENSE] == [line.kind for line in client.lines]
    assert () == client.clients
    assert Money("400.00", "USD") == client.total


def test_a_client_without_charges_gets_no_invoice_and_no_group() -> None:
    free = {"full_intervals": []}
    run = calculate_run(
        "2026-11", [_partner(_client("c1", **free), _client("c2", "non_reseller", **free))]
    )
    assert ["inv-acme-2026-11"] == [invoice.id for invoice in run.invoices]
    assert () == run.invoices[0].clients


def test_every_client_has_a_referral_line_under_either_model() -> None:
    run = calculate_run(
        "2026-11",
        [_partner(_client("c1", usage=[_usage("c1", 3)]), _client("c2", "non_reseller"))],
    )
    statement = run.referral("acme")
    assert [("c1", "415.00", "83.00"), ("c2", "400.00", "80.00")] == [
        (line.client_id, line.base.format_amount(), line.amount.format_amount())
        for line in statement.lines
    ]
    assert Money("163.00", "USD") == statement.total


def test_a_usage_only_referral_base_leaves_the_licence_out() -> None:
    book = _book(referral_base="usage_only")
    run = calculate_run("2026-11", [_partner(_client("c1", usage=[_usage("c1", 3)]), book=book)])
    [line] = run.referral("acme").lines
    assert (Money("15.00", "USD"), Money("3.00", "USD")) == (line.base, line.amount)


def test_referral_is_rounded_once_per_client() -> None:
    book = _book(full_license_monthly_fee="0.05", usage={})
    clients = [_client(f"c{i}") for i in range(3)]
    run = calculate_run("2026-11", [_partner(*clients, book=book)])
    # 0.05 x 0.20 = 0.01 per client; never 0.15 x 0.20 rounded once at the end.
    assert ["0.01", "0.01", "0.01"] == [
        line.amount.format_amount() for line in run.referral("acme").lines
    ]
    assert Money("0.03", "USD") == run.referral("acme").total


def test_net_on_invoice_puts_one_negative_referral_credit_on_the_partner_invoice() -> None:
    book = _book(referral_settlement="net_on_invoice")
    run = calculate_run(
        "2026-11",
        [
            _partner(
                _client("c1", usage=[_usage("c1", 3)]), _client("c2", "non_reseller"), book=book
            )
        ],
    )
    partner = run.invoice("inv-acme-2026-11")
    credit = [line for line in partner.lines if line.kind is LineKind.REFERRAL_CREDIT]
    assert [Money("-163.00", "USD")] == [line.amount for line in credit]
    # 100.00 seats + 415.00 for c1 - 163.00 referral on c1 and c2
    assert Money("352.00", "USD") == partner.total
    assert Money("163.00", "USD") == run.referral("acme").total


def test_a_statement_settlement_puts_no_credit_on_the_invoice() -> None:
    run = calculate_run("2026-11", [_partner(_client("c1"))])
    assert LineKind.REFERRAL_CREDIT not in [line.kind for line in run.invoices[0].lines]


def test_usage_is_charged_at_the_metric_unit_price_and_rounded_once() -> None:
    client = _client("c1", full_intervals=[], usage=[_usage("c1", 3, "reports")])
    half_up = calculate_run("2026-11", [_partner(client)])
    half_even = calculate_run("2026-11", [_partner(client, book=_book(rounding="half_even"))])
    assert Money("14.93", "USD") == half_up.invoices[0].group("c1").lines[0].amount
    assert Money("14.92", "USD") == half_even.invoices[0].group("c1").lines[0].amount


def test_usage_totals_of_one_metric_are_added_into_one_line() -> None:
    client = _client("c1", full_intervals=[], usage=[_usage("c1", 1), _usage("c1", 2)])
    [line] = calculate_run("2026-11", [_partner(client)]).invoices[0].group("c1").lines
    assert (Decimal(3), Money("15.00", "USD")) == (line.quantity, line.amount)


def test_an_unknown_metric_is_an_error_not_a_silent_zero() -> None:
    client = _client("c1", usage=[_usage("c1", 3, "logins")])
    with pytest.raises(ValidationError, match=r"partners\[acme\]\.clients\[c1\]\.usage.*'logins'"):
        calculate_run("2026-11", [_partner(client)])


def test_a_usage_total_of_another_period_is_rejected() -> None:
    october = UsageTotal(client_id="c1", metric="assessments", period="2026-10", quantity=3)
    with pytest.raises(ValidationError, match="period"):
        calculate_run("2026-11", [_partner(_client("c1", usage=[october]))])


def test_a_usage_total_of_another_client_is_rejected() -> None:
    with pytest.raises(ValidationError, match="client_id"):
        calculate_run("2026-11", [_partner(_client("c1", usage=[_usage("c2", 3)]))])


def test_late_usage_becomes_an_adjustment_line_naming_its_period() -> None:
    late = LateUsage(client_id="c1", metric="assessments", original_period="2026-10", quantity=2)
    [line] = (
        calculate_run("2026-11", [_partner(_client("c1", full_intervals=[], late_usage=[late]))])
        .invoices[0]
        .group("c1")
        .lines
    )
    assert (LineKind.ADJUSTMENT, "2026-10", Money("10.00", "USD")) == (
        line.kind,
        line.original_period,
        line.amount,
    )
    assert "Late usage: assessments for 2026-10" == line.description


def test_yen_amounts_have_no_minor_digits() -> None:
    book = _book("JPY", advisor_monthly_fee="5000", full_license_monthly_fee="10000", usage={})
    start = datetime(2025, 10, 26, tzinfo=ZoneInfo("Europe/Paris"))
    partner = PartnerBillingInput(
        partner_id="acme",
        price_book=book,
        referral_rate="0.20",
        timezone="Europe/Paris",
        clients=[_client("c1", full_intervals=[Span(start, None)])],
    )
    run = calculate_run("2025-10", [partner])
    line = run.invoices[0].group("c1").lines[0]
    assert "1935" == line.amount.format_amount()  # 10000 x 6 / 31 = 1935.48
    assert "387" == run.referral("acme").total.format_amount()  # 1935 x 0.20


def test_dinar_amounts_have_three_minor_digits() -> None:
    book = _book(
        "KWD",
        advisor_monthly_fee="15.000",
        full_license_monthly_fee="100.000",
        proration="exact",
        usage={},
    )
    start = datetime(2025, 10, 26, tzinfo=ZoneInfo("Europe/Paris"))
    partner = PartnerBillingInput(
        partner_id="acme",
        price_book=book,
        referral_rate="0.20",
        timezone="Europe/Paris",
        clients=[_client("c1", "non_reseller", full_intervals=[Span(start, None)])],
    )
    run = calculate_run("2025-10", [partner])
    assert "19.463" == run.invoice("inv-c1-2025-10").total.format_amount()  # 100 x 145 / 745
    assert "3.893" == run.referral("acme").total.format_amount()


def test_content_charges_follow_the_billing_model_and_stay_out_of_the_referral_base() -> None:
    def charge(client: str) -> ContentCharge:
        return ContentCharge(
            client_id=client,
            item_id="gap",
            owner_id="acme",
            amount=Money("25.00", "USD"),
            description="Gap assessment (monthly)",
        )

    book = _book(content_revenue_share="0.70")
    run = calculate_run(
        "2026-11",
        [
            _partner(
                _client("c1", content=[charge("c1")]),
                _client("c2", "non_reseller", content=[charge("c2")]),
                book=book,
            )
        ],
    )
    assert Money("425.00", "USD") == run.invoices[0].group("c1").subtotal
    assert LineKind.CONTENT == run.invoice("inv-c2-2026-11").lines[1].kind
    statement = run.referral("acme")
    assert ["400.00", "400.00"] == [line.base.format_amount() for line in statement.lines]
    revenue = statement.content_revenue
    assert [("c1", "gap", "17.50"), ("c2", "gap", "17.50")] == [
        (line.client_id, line.item_id, line.amount.format_amount()) for line in revenue.lines
    ]
    assert Money("35.00", "USD") == revenue.total
    assert Money("160.00", "USD") == statement.total


def test_a_content_charge_in_another_currency_is_a_currency_mismatch() -> None:
    charge = ContentCharge(
        client_id="c1",
        item_id="gap",
        owner_id="acme",
        amount=Money("25.00", "EUR"),
        description="Gap",
    )
    with pytest.raises(CurrencyMismatchError):
        calculate_run("2026-11", [_partner(_client("c1", content=[charge]))])


def test_content_owned_by_another_billed_partner_earns_on_its_statement() -> None:
    charge = ContentCharge(
        client_id="c1",
        item_id="kit",
        owner_id="beta",
        amount=Money("10.00", "USD"),
        description="Kit",
    )
    beta = PartnerBillingInput(partner_id="beta", price_book=_book(), referral_rate="0.10")
    run = calculate_run("2026-11", [_partner(_client("c1", content=[charge])), beta])
    assert () == run.referral("acme").content_revenue.lines
    assert Money("10.00", "USD") == run.referral("beta").content_revenue.total


def test_the_same_partner_twice_is_rejected() -> None:
    with pytest.raises(ValidationError, match="given twice"):
        calculate_run("2026-11", [_partner(), _partner()])


def test_the_same_client_twice_is_rejected() -> None:
    with pytest.raises(ValidationError, match="listed twice"):
        _partner(_client("c1"), _client("c1"))


def test_an_unknown_billing_model_is_rejected() -> None:
    with pytest.raises(ValidationError, match="billing_model"):
        _client("c1", "barter")


def test_a_bad_period_is_rejected() -> None:
    with pytest.raises(ValidationError, match="period"):
        calculate_run("2026-13", [_partner()])


def test_each_partner_is_billed_in_its_own_time_zone() -> None:
    # Full from Nov 1 00:00 in Tokyo = Oct 31 15:00 UTC: the whole Tokyo November.
    start = datetime(2026, 10, 31, 15, tzinfo=UTC)
    tokyo = PartnerBillingInput(
        partner_id="acme",
        price_book=_book(proration="exact"),
        timezone="Asia/Tokyo",
        clients=[_client("c1", full_intervals=[Span(start, None)])],
    )
    run = calculate_run("2026-11", [tokyo])
    assert Money("400.00", "USD") == run.invoices[0].group("c1").subtotal


def test_a_callers_low_decimal_precision_changes_nothing() -> None:
    from decimal import localcontext

    partner = _partner(
        _client("c1", usage=[_usage("c1", "123456.789")]),
        _client("c2", "non_reseller", usage=[_usage("c2", 7, "reports")]),
    )
    expected = calculate_run("2026-11", [partner]).to_dict()
    with localcontext() as context:
        context.prec = 3
        assert expected == calculate_run("2026-11", [partner]).to_dict()


def test_equal_usage_lines_are_one_line_but_each_keeps_its_quantity_as_written() -> None:
    clients = [
        _client("c1", full_intervals=[], usage=[_usage("c1", Decimal("3"))]),
        _client("c2", full_intervals=[], usage=[_usage("c2", Decimal("3"))]),
        _client("c3", full_intervals=[], usage=[_usage("c3", Decimal("3.0"))]),
    ]
    invoice = calculate_run("2026-11", [_partner(*clients)]).invoices[0]
    [[c1], [c2], [c3]] = [invoice.group(client).lines for client in ("c1", "c2", "c3")]
    assert c1 is c2
    assert (Decimal("3"), Decimal("3.0")) == (c1.quantity, c3.quantity)
    assert ("3", "3.0") == (str(c1.quantity), str(c3.quantity))
    assert c1.amount == c3.amount
