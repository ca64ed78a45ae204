"""Referral statements built by hand: exact totals, every view of them, and every check."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, localcontext
from typing import Any

import pytest

from partnercore import CurrencyMismatchError, ValidationError
from partnercore.billing import (
    ClientBillingInput,
    ContentRevenue,
    ContentRevenueLine,
    PartnerBillingInput,
    PriceBook,
    ReferralLine,
    ReferralStatement,
    UsageTotal,
    calculate_run,
)
from partnercore.billing._presentation import ROW_COLUMNS
from partnercore.money import Currency, Money
from partnercore.time import Span

USD = Currency.of("USD")


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


C1 = ReferralLine("c1", usd("400.00"), usd("40.00"))
C2 = ReferralLine("c2", usd("125.50"), usd("12.55"))
GUIDE = ContentRevenueLine(
    client_id="c3", item_id="guide", charge=usd("30.00"), amount=usd("21.00")
)


def statement(**changes: Any) -> ReferralStatement:
    fields: dict[str, Any] = {
        "period": "2026-11",
        "partner_id": "acme",
        "currency": "USD",
        "rate": Decimal("0.10"),
        "lines": (C1, C2),
        "content_revenue": (GUIDE,),
    }
    return ReferralStatement.of(**(fields | changes))


def checked(**changes: Any) -> ReferralStatement:
    """A statement built field by field (the constructor checks everything again)."""
    fields: dict[str, Any] = {
        "id": "ref-acme-2026-11",
        "period": "2026-11",
        "partner_id": "acme",
        "currency": "USD",
        "rate": Decimal("0.10"),
        "lines": (C1, C2),
        "total": usd("52.55"),
        "content_revenue": ContentRevenue.of((GUIDE,), USD),
    }
    return ReferralStatement(**(fields | changes))


def row(**values: Any) -> dict[str, Any]:
    common = {
        "period": "2026-11",
        "document": "referral_statement",
        "document_id": "ref-acme-2026-11",
        "partner": "acme",
        "billed_to": "acme",
        "currency": "USD",
    }
    return dict.fromkeys(ROW_COLUMNS) | common | values


# -- building -----------------------------------------------------------------------------


def test_a_statement_of_its_lines_totals_them_exactly() -> None:
    built = statement()

    assert "ref-acme-2026-11" == built.id
    assert "2026-11" == built.period
    assert "acme" == built.partner_id
    assert USD == built.currency
    assert Decimal("0.10") == built.rate
    assert (C1, C2) == built.lines
    assert usd("52.55") == built.total
    assert ContentRevenue((GUIDE,), usd("21.00")) == built.content_revenue
    assert built == checked()


def test_a_statement_without_lines_or_content_totals_zero_in_its_currency() -> None:
    built = statement(currency="JPY", lines=(), content_revenue=())

    assert Money("0", "JPY") == built.total
    assert ContentRevenue((), Money("0", "JPY")) == built.content_revenue


def test_a_statement_finds_the_line_of_each_of_its_clients_and_none_for_others() -> None:
    built = statement()

    assert C2 == built.line("c2")
    assert C1 == built.line("c1")
    assert None is built.line("c3")


def test_a_currency_built_apart_is_the_same_currency() -> None:
    # ``Currency("USD")`` is equal to, but not the same object as, ``Currency.of("USD")``.
    apart = Currency("USD")
    line = ReferralLine("c1", Money("400.00", apart), Money("40.00", apart))

    built = checked(lines=(line,), total=Money("40.00", apart))

    assert usd("40.00") == built.total
    assert usd("21.00") == ContentRevenue((GUIDE,), Money("21.00", apart)).total


def test_a_statement_is_checked_in_the_librarys_decimal_context_not_the_callers() -> None:
    big = ReferralLine("c1", usd("99999999999999999999999999.99"), usd("12345678.91"))
    revenue = ContentRevenueLine(
        client_id="c3", item_id="guide", charge=usd("1234567.89"), amount=usd("123456.78")
    )

    with localcontext() as context:
        context.prec = 5
        built = statement(lines=(big,), content_revenue=(revenue,))
        again = checked(
            lines=(big,),
            total=usd("12345678.91"),
            content_revenue=ContentRevenue((revenue,), usd("123456.78")),
        )

    assert usd("12345678.91") == built.total
    assert usd("123456.78") == built.content_revenue.total
    assert built == again


def test_the_calculators_statement_is_the_one_built_from_its_lines() -> None:
    book = PriceBook.of(
        "standard",
        "USD",
        advisor_monthly_fee="50.00",
        full_license_monthly_fee="400.00",
        usage={"assessments": "5.00"},
    )
    usage = UsageTotal(client_id="c1", metric="assessments", period="2026-11", quantity=3)
    client = ClientBillingInput(
        client_id="c1",
        billing_model="reseller",
        full_intervals=[Span(datetime(2026, 1, 1, tzinfo=UTC), None)],
        usage=[usage],
    )
    partner = PartnerBillingInput(
        partner_id="acme", price_book=book, referral_rate="0.20", clients=[client]
    )

    [calculated] = calculate_run("2026-11", [partner]).referrals

    expected = statement(
        rate=Decimal("0.20"),
        lines=(ReferralLine("c1", usd("415.00"), usd("83.00")),),
        content_revenue=(),
    )
    assert expected == calculated
    assert expected.to_dict() == calculated.to_dict()
    assert str(expected) == str(calculated)


# -- every view ----------------------------------------------------------------------------


def test_a_statement_reads_as_a_table_of_referrals_then_its_content_revenue() -> None:
    expected = "\n".join(
        [
            "Referral statement ref-acme-2026-11, partner acme, USD, rate 0.10",
            "client    base  referral",
            "------  ------  --------",
            "c1      400.00     40.00",
            "c2      125.50     12.55",
            "total              52.55",
            "Content revenue",
            "client  item   charge  earned",
            "------  -----  ------  ------",
            "c3      guide   30.00   21.00",
            "total                   21.00",
        ]
    )

    assert expected == str(statement())


def test_a_statement_without_content_revenue_reads_as_its_referrals_only() -> None:
    expected = "\n".join(
        [
            "Referral statement ref-acme-2026-11, partner acme, USD, rate 0.10",
            "client  base  referral",
            "------  ----  --------",
            "total             0.00",
        ]
    )

    assert expected == str(statement(lines=(), content_revenue=()))


def test_a_statement_shows_in_a_notebook_as_html_tables() -> None:
    left, right = ' style="text-align:left"', ' style="text-align:right"'
    expected = (
        "<table><caption>Referral statement ref-acme-2026-11, partner acme, USD, rate 0.10"
        f"</caption><tr><th{left}>client</th><th{right}>base</th><th{right}>referral</th></tr>"
        f"<tr><td{left}>c1</td><td{right}>400.00</td><td{right}>40.00</td></tr>"
        f"<tr><td{left}>c2</td><td{right}>125.50</td><td{right}>12.55</td></tr>"
        f"<tr><th{left}>total</th><th{right}></th><th{right}>52.55</th></tr></table>"
        f"<table><caption>Content revenue</caption><tr><th{left}>client</th><th{left}>item</th>"
        f"<th{right}>charge</th><th{right}>earned</th></tr>"
        f"<tr><td{left}>c3</td><td{left}>guide</td><td{right}>30.00</td><td{right}>21.00</td></tr>"
        f"<tr><th{left}>total</th><th{left}></th><th{right}></th><th{right}>21.00</th></tr>"
        "</table>"
    )

    assert expected == statement()._repr_html_()


def test_a_statement_without_content_revenue_shows_one_html_table() -> None:
    left, right = ' style="text-align:left"', ' style="text-align:right"'
    expected = (
        "<table><caption>Referral statement ref-acme-2026-11, partner acme, USD, rate 0.10"
        f"</caption><tr><th{left}>client</th><th{right}>base</th><th{right}>referral</th></tr>"
        f"<tr><th{left}>total</th><th{right}></th><th{right}>0.00</th></tr></table>"
    )

    assert expected == statement(lines=(), content_revenue=())._repr_html_()


def test_a_statement_gives_one_row_per_referral_and_per_content_revenue_line() -> None:
    expected = [
        row(
            client="c1",
            kind="referral",
            description="Referral on c1",
            rate=Decimal("0.10"),
            base=Decimal("400.00"),
            amount=Decimal("40.00"),
        ),
        row(
            client="c2",
            kind="referral",
            description="Referral on c2",
            rate=Decimal("0.10"),
            base=Decimal("125.50"),
            amount=Decimal("12.55"),
        ),
        row(
            client="c3",
            kind="content_revenue",
            description="Content revenue: guide",
            item="guide",
            base=Decimal("30.00"),
            amount=Decimal("21.00"),
        ),
    ]

    assert expected == statement().to_rows()


def test_a_statement_as_in_the_json_document() -> None:
    expected = {
        "id": "ref-acme-2026-11",
        "period": "2026-11",
        "partner": "acme",
        "currency": "USD",
        "rate": "0.10",
        "lines": [
            {"client": "c1", "base": "400.00", "amount": "40.00"},
            {"client": "c2", "base": "125.50", "amount": "12.55"},
        ],
        "total": "52.55",
        "content_revenue": {
            "lines": [{"client": "c3", "item": "guide", "charge": "30.00", "amount": "21.00"}],
            "total": "21.00",
        },
    }

    assert expected == statement().to_dict()


# -- checks --------------------------------------------------------------------------------


def test_a_float_rate_is_rejected_naming_the_rate() -> None:
    with pytest.raises(ValidationError) as caught:
        statement(rate=0.1)

    assert "rate: expected a decimal string or an integer, got the float 0.1" == str(caught.value)


def test_a_referral_in_another_currency_is_a_currency_mismatch_naming_the_amounts() -> None:
    with pytest.raises(CurrencyMismatchError) as caught:
        statement(lines=(C1, ReferralLine("c2", usd("125.50"), eur("12.55"))))

    error = caught.value
    assert ("USD", "EUR", "add up lines.amount in") == (error.left, error.right, error.operation)
    assert "cannot add up lines.amount in USD and EUR: currencies differ" == str(error)


def test_a_referral_base_in_another_currency_is_a_currency_mismatch_naming_the_bases() -> None:
    line = ReferralLine("c2", eur("125.50"), usd("12.55"))

    with pytest.raises(CurrencyMismatchError) as caught:
        statement(lines=(C1, line))

    error = caught.value
    assert ("USD", "EUR", "add up lines.base in") == (error.left, error.right, error.operation)
    assert "cannot add up lines.base in USD and EUR: currencies differ" == str(error)


def test_a_referral_not_rounded_to_the_minor_unit_is_rejected_with_its_index() -> None:
    with pytest.raises(ValidationError) as caught:
        statement(lines=(C1, ReferralLine("c2", usd("125.50"), usd("12.555"))))

    assert "lines.amount[1]: 12.555 USD is not rounded" == str(caught.value)


def test_a_referral_base_not_rounded_to_the_minor_unit_is_rejected_with_its_index() -> None:
    with pytest.raises(ValidationError) as caught:
        statement(lines=(ReferralLine("c1", usd("400.001"), usd("40.00")), C2))

    assert "lines.base[0]: 400.001 USD is not rounded" == str(caught.value)


def test_content_revenue_not_rounded_to_the_minor_unit_is_rejected_with_its_index() -> None:
    odd = ContentRevenueLine(client_id="c3", item_id="kit", charge=usd("1.00"), amount=usd("0.705"))

    with pytest.raises(ValidationError) as caught:
        statement(content_revenue=(GUIDE, odd))

    assert "content_revenue.lines[1]: 0.705 USD is not rounded" == str(caught.value)


def test_content_revenue_in_another_currency_is_a_currency_mismatch() -> None:
    foreign = ContentRevenueLine(client_id="c3", item_id="g", charge=eur("30.00"), amount=eur("1"))

    with pytest.raises(CurrencyMismatchError) as caught:
        statement(content_revenue=(foreign,))

    error = caught.value
    assert ("USD", "EUR", "add up content_revenue.lines in") == (
        error.left,
        error.right,
        error.operation,
    )
    assert "cannot add up content_revenue.lines in USD and EUR: currencies differ" == str(error)


def test_a_content_revenue_total_that_is_not_the_sum_of_its_lines_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        ContentRevenue((GUIDE,), usd("21.01"))

    assert "content_revenue.total: is not the sum of its lines" == str(caught.value)


def test_a_content_revenue_total_in_another_currency_than_its_lines_is_a_mismatch() -> None:
    with pytest.raises(CurrencyMismatchError) as caught:
        ContentRevenue((GUIDE,), eur("21.00"))

    error = caught.value
    assert ("EUR", "USD", "add up content_revenue.lines in") == (
        error.left,
        error.right,
        error.operation,
    )
    assert "cannot add up content_revenue.lines in EUR and USD: currencies differ" == str(error)


def test_a_statement_whose_id_is_not_derived_from_partner_and_period_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        checked(id="ref-acme-2026-10")

    assert "id: expected 'ref-acme-2026-11'" == str(caught.value)


def test_a_statement_built_field_by_field_checks_that_its_referrals_are_rounded() -> None:
    with pytest.raises(ValidationError) as caught:
        checked(lines=(C1, ReferralLine("c2", usd("125.50"), usd("12.555"))), total=usd("52.555"))

    assert "lines.amount[1]: 12.555 USD is not rounded" == str(caught.value)


def test_a_statement_total_that_is_not_the_sum_of_its_lines_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        checked(total=usd("52.56"))

    assert "total: 52.56 USD is not the sum of the referral lines" == str(caught.value)


def test_a_statement_total_in_another_currency_is_a_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatchError) as caught:
        checked(total=eur("52.55"))

    error = caught.value
    assert "pair a statement and its total in" == error.operation
    assert "cannot pair a statement and its total in USD and EUR: currencies differ" == str(error)


def test_a_statements_content_revenue_in_another_currency_is_a_currency_mismatch() -> None:
    foreign = ContentRevenueLine(client_id="c3", item_id="g", charge=eur("30.00"), amount=eur("1"))

    with pytest.raises(CurrencyMismatchError) as caught:
        checked(content_revenue=ContentRevenue.of((foreign,), Currency.of("EUR")))

    error = caught.value
    assert ("USD", "EUR") == (error.left, error.right)
    assert (
        "cannot pair a statement and its content revenue in USD and EUR: currencies differ"
        == str(error)
    )


# -- partner tiers -------------------------------------------------------------------------


def test_a_statement_under_partner_tiers_names_its_tier_and_trailing_revenue() -> None:
    built = statement(tier="gold", trailing_revenue=usd("5200.00"))

    assert ("gold", usd("5200.00")) == (built.tier, built.trailing_revenue)
    assert (None, None) == (statement().tier, statement().trailing_revenue)


@pytest.mark.parametrize(
    ("tier", "trailing_revenue", "message"),
    [
        ("gold", None, "tier: a tier and its trailing revenue go together"),
        (None, usd("5200.00"), "tier: a tier and its trailing revenue go together"),
        (" ", usd("5200.00"), "tier: expected a tier name, got ' '"),
        (7, usd("5200.00"), "tier: expected a tier name, got 7"),
        ("gold", "5200.00", "trailing_revenue: expected Money, got '5200.00'"),
    ],
)
def test_a_tier_without_its_trailing_revenue_or_name_is_rejected(
    tier: object, trailing_revenue: object, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        statement(tier=tier, trailing_revenue=trailing_revenue)

    assert message == str(caught.value)


def test_trailing_revenue_in_another_currency_is_a_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatchError) as caught:
        statement(tier="gold", trailing_revenue=eur("5200.00"))

    error = caught.value
    assert ("USD", "EUR") == (error.left, error.right)
    assert (
        "cannot pair a statement and its trailing revenue in USD and EUR: currencies differ"
        == str(error)
    )


# -- credit notes --------------------------------------------------------------------------


def test_a_referral_line_may_name_the_credit_note_it_takes_back() -> None:
    line = ReferralLine("c1", usd("-100.00"), usd("-10.00"), credit_note="CN-7")

    assert ("CN-7", None) == (line.credit_note, C1.credit_note)


@pytest.mark.parametrize(
    ("credit_note", "message"),
    [
        (" ", "credit_note: expected text or None, got ' '"),
        ("", "credit_note: expected text or None, got ''"),
        (7, "credit_note: expected text or None, got 7"),
    ],
)
def test_a_credit_note_that_is_not_text_is_rejected_naming_it(
    credit_note: object, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ReferralLine("c1", usd("-100.00"), usd("-10.00"), credit_note=credit_note)  # type: ignore[arg-type]

    assert message == str(caught.value)
