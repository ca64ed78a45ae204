"""Deal terms (§5.1): deal price books, discounts, licence fees by client size."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from partnercore import CurrencyMismatchError, ValidationError
from partnercore.billing import (
    BillingAccount,
    BillingRun,
    ClientBillingInput,
    ClientTerms,
    ContentCharge,
    Discount,
    InvoiceLine,
    PartnerBillingInput,
    PriceBook,
    SeatHolding,
    UsageTotal,
    calculate_run,
)
from partnercore.billing._presentation import line_to_dict
from partnercore.money import Money
from partnercore.serialization import structure, unstructure
from partnercore.time import BillingPeriod, Span

NOVEMBER = BillingPeriod(2026, 11)
JAN = datetime(2026, 1, 1, tzinfo=UTC)
FULL = [Span(JAN, None)]

STANDARD = PriceBook.of(
    "standard",
    "USD",
    advisor_monthly_fee="50.00",
    full_license_monthly_fee="400.00",
    usage={"assessments": "5.00"},
)
BANDED = PriceBook.of(
    "banded",
    "USD",
    advisor_monthly_fee="50.00",
    full_license_fee_by_size=[
        {"up_to": 10, "fee": "100.00"},
        {"up_to": 50, "fee": "250.00"},
        {"up_to": 200, "fee": "500.00"},
        {"fee": "1000.00"},
    ],
)


def usage(client_id: str, quantity: int, metric: str = "assessments") -> UsageTotal:
    return UsageTotal(client_id=client_id, metric=metric, period=NOVEMBER, quantity=quantity)


def client(client_id: str = "c1", **terms: object) -> ClientBillingInput:
    values: dict[str, object] = {"billing_model": "reseller", "full_intervals": FULL}
    return ClientBillingInput(client_id=client_id, **(values | terms))  # type: ignore[arg-type]


def run_of(
    *clients: ClientBillingInput, book: PriceBook = STANDARD, rate: str = "0.20"
) -> BillingRun:
    partner = PartnerBillingInput(
        partner_id="acme",
        price_book=book,
        referral_rate=rate,
        seats=[SeatHolding("alice", JAN)],
        clients=clients,
    )
    return calculate_run(NOVEMBER, [partner])


def lines_of(run: BillingRun, client_id: str) -> list[tuple[str, str]]:
    found: list[InvoiceLine] = []
    for invoice in run.invoices:
        if invoice.billed_to == client_id:
            found = list(invoice.lines)
        for group in invoice.clients:
            if group.client_id == client_id:
                found = list(group.lines)
    return [(line.kind.value, line.amount.format_amount()) for line in found]


# -- discounts -------------------------------------------------------------------------------


def test_a_discount_is_one_negative_line_on_the_licence_and_usage() -> None:
    ten = Discount(percent="0.10", first_period="2026-10", last_period="2026-12")
    run = run_of(client(usage=[usage("c1", 3)], discounts=[ten]))

    assert [("license", "400.00"), ("usage", "15.00"), ("discount", "-41.50")] == lines_of(
        run, "c1"
    )


def test_the_referral_base_is_the_charges_after_the_discount() -> None:
    ten = Discount(percent="0.10", first_period="2026-10")
    run = run_of(client(usage=[usage("c1", 3)], discounts=[ten]))

    line = run.referral("acme").line("c1")
    assert (Money("373.50", "USD"), Money("74.70", "USD")) == (line.base, line.amount)


def test_under_usage_only_the_base_is_usage_less_its_discount_rounded_once() -> None:
    book = PriceBook.of(
        "usage-only",
        "USD",
        advisor_monthly_fee="0",
        full_license_monthly_fee="400.00",
        usage={"assessments": "0.35"},
        referral_base="usage_only",
    )
    # usage 3 x 0.35 = 1.05; a third off: 0.35 exactly; the licence's 400 is not in the base
    third = Discount(percent="0.333", first_period="2026-11", last_period="2026-11")
    run = run_of(client(usage=[usage("c1", 3)], discounts=[third]), book=book)

    line = run.referral("acme").line("c1")
    # discount line: 401.05 x 0.333 = 133.54965 -> -133.55; base: 1.05 - 0.34965 -> 1.05 - 0.35
    assert [("license", "400.00"), ("usage", "1.05"), ("discount", "-133.55")] == lines_of(
        run, "c1"
    )
    assert Money("0.70", "USD") == line.base


def test_a_discount_applies_only_in_its_periods() -> None:
    later = Discount(percent="0.50", first_period="2026-12")
    earlier = Discount(percent="0.50", first_period="2026-01", last_period="2026-10")

    for discount in (later, earlier):
        run = run_of(client(discounts=[discount]))
        assert [("license", "400.00")] == lines_of(run, "c1")


def test_a_whole_discount_leaves_a_zero_subtotal_and_base() -> None:
    run = run_of(client(discounts=[Discount(percent="1", first_period="2026-11")]))

    assert [("license", "400.00"), ("discount", "-400.00")] == lines_of(run, "c1")
    assert Money("0.00", "USD") == run.referral("acme").line("c1").base


def test_a_discount_takes_nothing_off_content_or_seats() -> None:
    charge = ContentCharge(
        client_id="c1",
        item_id="kit",
        owner_id="acme",
        amount=Money("25.00", "USD"),
        description="Kit",
    )
    run = run_of(
        client(content=[charge], discounts=[Discount(percent="0.10", first_period="2026-11")])
    )

    assert [("license", "400.00"), ("discount", "-40.00"), ("content", "25.00")] == lines_of(
        run, "c1"
    )
    seats = run.invoice("inv-acme-2026-11").lines
    assert [Money("50.00", "USD")] == [line.amount for line in seats]


def test_a_discount_line_reads_as_its_percent_base_and_months() -> None:
    run = run_of(client(discounts=[Discount(percent="0.125", first_period="2026-10")]))

    group = run.invoice("inv-acme-2026-11").group("c1")
    line = group.lines[-1]
    assert ("Discount: 12.5 % of 400.00 (from 2026-10)", Decimal("0.125")) == (
        line.description,
        line.percent,
    )
    assert "0.125" == line_to_dict(line)["percent"]


@pytest.mark.parametrize(
    ("percent", "message"),
    [
        ("0", "percent: must be more than 0 and at most 1"),
        ("1.01", "percent: must be more than 0 and at most 1"),
        (0.1, "percent: expected a decimal string or an integer, got the float 0.1"),
    ],
)
def test_a_discount_of_nothing_more_than_everything_or_a_float_is_refused(
    percent: object, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Discount(percent=percent, first_period="2026-11")
    assert str(caught.value).startswith(message)


def test_a_discount_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError, match="last_period: 2026-09 is before the first period"):
        Discount(percent="0.1", first_period="2026-10", last_period="2026-09")


def test_two_overlapping_discounts_of_one_client_are_refused() -> None:
    first = Discount(percent="0.1", first_period="2026-01", last_period="2026-06")
    second = Discount(percent="0.2", first_period="2026-06")

    with pytest.raises(ValidationError, match=r"discounts\[1\]: overlaps discounts\[0\]"):
        ClientTerms(client_id="c1", discounts=[first, second])
    with pytest.raises(ValidationError, match="overlap"):
        client(discounts=[first, second])


def test_back_to_back_discounts_do_not_overlap() -> None:
    first = Discount(percent="0.1", first_period="2026-01", last_period="2026-06")
    second = Discount(percent="0.2", first_period="2026-07")

    terms = ClientTerms(client_id="c1", discounts=[second, first])

    assert (first, second) == terms.discounts
    assert second == terms.discount_in("2026-11")


# -- deal price books ------------------------------------------------------------------------


DEAL = PriceBook.of(
    "deal-c1",
    "USD",
    advisor_monthly_fee="999.00",
    full_license_monthly_fee="300.00",
    usage={"assessments": "0.125"},
    rounding="half_even",
    proration="exact",
    referral_base="usage_only",
)


def test_a_deal_book_prices_the_clients_licence_and_usage() -> None:
    run = run_of(client(usage=[usage("c1", 3)], price_book=DEAL), client("c2"))

    # 3 x 0.125 = 0.375: the deal rounds half-even to 0.38
    assert [("license", "300.00"), ("usage", "0.38")] == lines_of(run, "c1")
    assert [("license", "400.00")] == lines_of(run, "c2")


def test_seats_and_referral_terms_stay_with_the_partners_book() -> None:
    run = run_of(client(usage=[usage("c1", 3)], price_book=DEAL))

    seats = run.invoice("inv-acme-2026-11").lines
    assert [Money("50.00", "USD")] == [line.amount for line in seats]
    line = run.referral("acme").line("c1")
    # all_charges (the partner's), not the deal's usage_only
    assert Money("300.38", "USD") == line.base


def test_the_deal_books_proration_applies_to_its_client() -> None:
    midday = [Span(datetime(2026, 11, 16, 12, tzinfo=UTC))]
    run = run_of(client(full_intervals=midday, price_book=DEAL))

    # exact: 348h of 720h of 300.00 = 145.00
    assert [("license", "145.00")] == lines_of(run, "c1")


def test_a_deal_book_in_another_currency_is_refused() -> None:
    euros = PriceBook.of("deal-eur", "EUR", advisor_monthly_fee="0", full_license_monthly_fee="1")

    with pytest.raises(CurrencyMismatchError, match="deal price book 'deal-eur' of 'c1'"):
        run_of(client(price_book=euros))


# -- licence fees by client size -------------------------------------------------------------


@pytest.mark.parametrize(
    ("employees", "fee"),
    [(1, "100.00"), (10, "100.00"), (11, "250.00"), (150, "500.00"), (201, "1000.00")],
)
def test_a_banded_book_charges_the_fee_of_the_clients_size(employees: int, fee: str) -> None:
    run = run_of(client(employee_count=employees), book=BANDED)

    assert [("license", fee)] == lines_of(run, "c1")


def test_proration_applies_to_the_band_fee() -> None:
    run = run_of(
        client(employee_count=150, full_intervals=[Span(datetime(2026, 11, 16, tzinfo=UTC), None)]),
        book=BANDED,
    )

    assert [("license", "250.00")] == lines_of(run, "c1")


def test_a_client_without_an_employee_count_under_a_banded_book_is_an_error() -> None:
    with pytest.raises(ValidationError) as caught:
        run_of(client(), book=BANDED)

    assert (
        "partners[acme].clients[c1].employee_count: required: price book 'banded' prices full "
        "licences by employee count"
    ) == str(caught.value)


def test_a_client_never_full_needs_no_employee_count() -> None:
    run = run_of(client(full_intervals=[]), book=BANDED)

    assert [] == lines_of(run, "c1")


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (
            {"full_license_monthly_fee": "400", "full_license_fee_by_size": [{"fee": "1"}]},
            "full_license_monthly_fee: give either full_license_monthly_fee or "
            "full_license_fee_by_size, not both",
        ),
        (
            {},
            "full_license_monthly_fee: give either full_license_monthly_fee or "
            "full_license_fee_by_size",
        ),
        (
            {
                "full_license_fee_by_size": [
                    {"up_to": 50, "fee": "1"},
                    {"up_to": 10, "fee": "1"},
                    {"fee": "1"},
                ]
            },
            "full_license_fee_by_size[1].up_to: must be greater than the previous tier's up_to",
        ),
        (
            {"full_license_fee_by_size": [{"fee": "1"}, {"up_to": 10, "fee": "1"}]},
            "full_license_fee_by_size[0].up_to: only the last tier may have no up_to",
        ),
        (
            {"full_license_fee_by_size": [{"up_to": 10, "fee": "1"}]},
            "full_license_fee_by_size[0].up_to: the last tier must have no up_to",
        ),
    ],
)
def test_invalid_size_bands_are_refused(terms: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PriceBook.of("b", "USD", advisor_monthly_fee="0", **terms)  # type: ignore[arg-type]

    assert str(caught.value).startswith(message)


def test_an_employee_count_is_a_positive_integer() -> None:
    for bad, message in [(0, "must be at least 1"), (True, "expected a positive integer")]:
        with pytest.raises(ValidationError, match=message):
            client(employee_count=bad)
        with pytest.raises(ValidationError, match=message):
            ClientTerms(client_id="c1", employee_count=bad)


# -- the billing account keeps the terms -----------------------------------------------------


def test_an_account_keeps_each_clients_terms_by_client() -> None:
    terms = ClientTerms(
        client_id="c1",
        price_book_id="deal-c1",
        employee_count=12,
        discounts=[Discount(percent="0.10", first_period="2026-10")],
    )

    account = BillingAccount("acme", "standard", "0.20", clients=[terms])

    assert terms == account.terms_of("c1")
    assert account.terms_of("c2") is None
    with pytest.raises(ValidationError, match="client 'c1' listed twice"):
        BillingAccount("acme", "standard", clients=[terms, terms])


def test_accounts_and_books_with_deal_terms_survive_the_converter() -> None:
    account = BillingAccount(
        "acme",
        "banded",
        clients=[
            ClientTerms(
                client_id="c1",
                price_book_id="deal",
                employee_count=12,
                discounts=[Discount(percent="0.10", first_period="2026-10", last_period="2026-12")],
            )
        ],
    )
    book = PriceBook.of(
        "banded",
        "USD",
        advisor_monthly_fee="0",
        full_license_fee_by_size=[{"up_to": 10, "fee": "100.00"}, {"fee": "250.00"}],
        usage_tiers={"bullets": {"model": "package", "size": 100, "package_price": "2.95"}},
        partner_tiers=[{"name": "silver", "from_trailing_revenue": "0", "referral_rate": "0.1"}],
        proration="thirty_day",
    )

    assert account == structure(unstructure(account), BillingAccount)
    assert book == structure(unstructure(book), PriceBook)


def test_a_rate_is_optional_on_an_account() -> None:
    assert BillingAccount("acme", "standard").referral_rate is None
