"""Invoice documents (§5.2): legal numbers and dates, tax, credit notes, the finalised view.

A world of partner ``acme`` (AU, the issuer's country) with reseller ``c1`` (AU), non-reseller
``c2`` (NZ, no rate configured) and non-reseller ``d1`` (DE with a tax id: reverse charged
when the issuer's zone is configured), and partner ``beta`` with reseller ``b1``. Every
client holds a full licence from January 2026; acme's referral rate is 0.20.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

from partnercore import ConflictError, ValidationError
from partnercore.billing import (
    BillingAccount,
    CreditLine,
    Invoicing,
    PriceBook,
    TaxRate,
    TaxTable,
    UsageRecord,
    add_price_book,
    bill_period,
    credit_notes,
    finalise,
    finalised_documents,
    finalised_invoices,
    issue_credit_note,
    open_billing_account,
    record_usage,
)
from partnercore.events import SYSTEM, CreditNoteIssued
from partnercore.licensing import open_license
from partnercore.memory import InMemoryStore
from partnercore.money import Money
from partnercore.sqlite import SqliteStore
from partnercore.store import Store
from partnercore.tenancy import Membership, Team, User, add_membership, add_team, add_user

T0 = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 3, 1, 2, tzinfo=UTC)
"""When February is finalised."""
MAR = datetime(2026, 4, 1, 2, tzinfo=UTC)
FEB7 = datetime(2026, 2, 7, tzinfo=UTC)

TAXED = Invoicing(
    number_prefix="PC-",
    issuer_country="AU",
    reverse_charge_zone=["AT", "DE", "FR"],
    tax_rates=TaxTable([TaxRate(country="AU", rate="0.10", name="GST")]),
)
ZONED = Invoicing(
    issuer_country="FR",
    reverse_charge_zone=["DE", "FR"],
    tax_rates=TaxTable(
        [
            TaxRate(country="FR", rate="0.20", name="TVA"),
            TaxRate(country="DE", rate="0.19", name="MwSt"),
        ]
    ),
)


def build(store: Store, fee: str = "400.00") -> Store:
    def team(id: str, partner: str | None, model: str, **tax: str) -> None:
        record = (
            Team.partner(id, id.title(), created_at=T0)
            if partner is None
            else Team.client(
                id, id.upper(), parent_id=partner, operated_by="partner",
                billing_model=model, created_at=T0,
            )
        )  # fmt: skip
        add_team(store, Team(**{**_fields(record), **tax}), by=SYSTEM)
        if partner is not None:
            open_license(store, id, at=T0, by=SYSTEM, initial_state="full")

    team("acme", None, "", country="AU", tax_id="AU-1")
    team("beta", None, "")
    team("c1", "acme", "reseller", country="AU")
    team("c2", "acme", "non_reseller", country="NZ", tax_id="NZ-9")
    team("d1", "acme", "non_reseller", country="DE", tax_id="DE-7")
    team("b1", "beta", "reseller", country="FR")
    book = PriceBook.of(
        "standard", "USD", advisor_monthly_fee="50.00", full_license_monthly_fee=fee,
        usage={"assessments": "5.00"},
    )  # fmt: skip
    add_price_book(store, book, at=T0, by=SYSTEM)
    open_billing_account(store, BillingAccount("acme", "standard", "0.20"), at=T0, by=SYSTEM)
    open_billing_account(store, BillingAccount("beta", "standard", "0.10"), at=T0, by=SYSTEM)
    usage = [
        UsageRecord(
            client_id="c1", metric="assessments", quantity=3, at=datetime(2026, 2, 5, tzinfo=UTC)
        )
    ]
    record_usage(store, usage, at=T0, by=SYSTEM)
    return store


def _fields(team: Team) -> dict[str, object]:
    return attrs.asdict(team, recurse=False)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        yield build(InMemoryStore())
        return
    with SqliteStore(":memory:") as opened:
        yield build(opened)


def taxes(run_invoices: object) -> dict[str, tuple[str, str, str, str | None, bool]]:
    return {
        invoice.id: (
            str(invoice.subtotal.amount),
            str(invoice.tax_amount.amount),
            str(invoice.total.amount),
            None if invoice.tax is None else invoice.tax.name,
            False if invoice.tax is None else invoice.tax.reverse_charge,
        )
        for invoice in run_invoices  # type: ignore[attr-defined]
    }


# -- tax ---------------------------------------------------------------------------------


def test_without_tax_configured_invoices_carry_no_tax_and_totals_are_as_before(
    store: Store,
) -> None:
    run = bill_period(store, "2026-02")
    plain = bill_period(store, "2026-02", invoicing=Invoicing())

    assert run == plain
    assert all(invoice.tax is None for invoice in run.invoices)
    no_tax = {"rate": "0", "name": None, "amount": "0.00", "reverse_charge": False}
    assert ("415.00", no_tax) == (
        run.invoices[0].to_dict()["subtotal"],
        run.invoices[0].to_dict()["tax"],
    )
    expected = {
        "inv-acme-2026-02": ("415.00", "0.00", "415.00", None, False),
        "inv-c2-2026-02": ("400.00", "0.00", "400.00", None, False),
        "inv-d1-2026-02": ("400.00", "0.00", "400.00", None, False),
        "inv-beta-2026-02": ("400.00", "0.00", "400.00", None, False),
    }
    assert expected == taxes(run.invoices)


def test_the_rate_of_the_billed_teams_country_applies_and_a_country_without_a_rate_pays_none(
    store: Store,
) -> None:
    run = bill_period(store, "2026-02", invoicing=TAXED)

    expected = {
        # acme is in AU: the consolidated invoice (c1's charges included) pays GST.
        "inv-acme-2026-02": ("415.00", "41.50", "456.50", "GST", False),
        # a consumer in another country (NZ, no rate configured) pays none.
        "inv-c2-2026-02": ("400.00", "0.00", "400.00", None, False),
        # DE is in the zone but AU, the issuer, is not: no reverse charge, no DE rate.
        "inv-d1-2026-02": ("400.00", "0.00", "400.00", None, False),
        # beta has no country: no tax.
        "inv-beta-2026-02": ("400.00", "0.00", "400.00", None, False),
    }
    assert expected == taxes(run.invoices)
    assert {"rate": "0.10", "name": "GST", "amount": "41.50", "reverse_charge": False} == (
        run.invoice("inv-acme-2026-02").to_dict()["tax"]
    )


def test_reverse_charge_applies_to_a_team_with_a_tax_id_in_another_zone_country(
    store: Store,
) -> None:
    run = bill_period(store, "2026-02", invoicing=ZONED)

    d1 = run.invoice("inv-d1-2026-02")
    assert ("400.00", "0.00", "400.00", None, True) == taxes([d1])["inv-d1-2026-02"]
    assert {"rate": "0", "name": None, "amount": "0.00", "reverse_charge": True} == (
        d1.to_dict()["tax"]
    )
    assert "reverse charge" in str(d1)


def test_a_team_in_the_zone_without_a_tax_id_pays_its_countrys_rate(store: Store) -> None:
    # beta (no country) bills b1's charges: no tax; b1 would be FR but is grouped.
    run = bill_period(store, "2026-02", invoicing=ZONED)

    assert ("400.00", "0.00", "400.00", None, False) == taxes(run.invoices)["inv-beta-2026-02"]


def test_tax_is_rounded_once_per_invoice_not_per_line() -> None:
    # Two lines of 0.05 at 10 %: per line 0.01 + 0.01 = 0.02 (half up); once: 0.01.
    store = build(InMemoryStore(), fee="0.05")
    invoicing = Invoicing(
        issuer_country="AU", tax_rates=TaxTable([TaxRate(country="NZ", rate="0.10", name="GST")])
    )
    record_usage(
        store,
        [UsageRecord(client_id="c2", metric="assessments", quantity=Decimal("0.01"), at=FEB7)],
        at=T0,
        by=SYSTEM,
    )  # fmt: skip

    invoice = bill_period(store, "2026-02", invoicing=invoicing).invoice("inv-c2-2026-02")

    assert ("0.10", "0.01", "0.11") == (
        str(invoice.subtotal.amount),
        str(invoice.tax_amount.amount),
        str(invoice.total.amount),
    )


def test_the_referral_base_never_includes_tax(store: Store) -> None:
    plain = bill_period(store, "2026-02").referral("acme")
    taxed = bill_period(store, "2026-02", invoicing=TAXED).referral("acme")

    assert plain == taxed


# -- numbers and dates -------------------------------------------------------------------


def test_finalising_numbers_the_new_invoices_gap_free_in_ascending_id_order(
    store: Store,
) -> None:
    finalise(store, "2026-02", at=FEB, by=SYSTEM, invoicing=TAXED)
    finalise(store, "2026-03", at=MAR, by=SYSTEM, invoicing=TAXED)

    numbers = [(item.number, item.invoice.id) for item in finalised_invoices(store)]
    assert [
        ("PC-2026-000001", "inv-acme-2026-02"),
        ("PC-2026-000002", "inv-beta-2026-02"),
        ("PC-2026-000003", "inv-c2-2026-02"),
        ("PC-2026-000004", "inv-d1-2026-02"),
        ("PC-2026-000005", "inv-acme-2026-03"),
        ("PC-2026-000006", "inv-beta-2026-03"),
        ("PC-2026-000007", "inv-c2-2026-03"),
        ("PC-2026-000008", "inv-d1-2026-03"),
    ] == numbers


def test_a_finalised_invoice_records_its_issue_and_due_instants(store: Store) -> None:
    finalise(store, "2026-02", at=FEB, by=SYSTEM, invoicing=TAXED)

    item = finalised_invoices(store, "2026-02")[0]
    expected = {
        "number": "PC-2026-000001",
        "id": "inv-acme-2026-02",
        "period": "2026-02",
        "partner": "acme",
        "billed_to": "acme",
        "currency": "USD",
        "issued_at": "2026-03-01T02:00:00Z",
        "due_at": "2026-03-31T02:00:00Z",
        "payment_terms_days": 30,
        "subtotal": "415.00",
        "tax": {"rate": "0.10", "name": "GST", "amount": "41.50", "reverse_charge": False},
        "referral_credit": "0.00",
        "total": "456.50",
        "credited": "0.00",
        "balance": "456.50",
    }
    assert expected == item.to_dict()


def test_re_finalising_numbers_nothing(store: Store) -> None:
    finalise(store, "2026-02", at=FEB, by=SYSTEM, invoicing=TAXED)
    before = [item.number for item in finalised_invoices(store)]

    finalise(store, "2026-02", at=MAR, by=SYSTEM, invoicing=TAXED)

    assert (before, 4) == (
        [item.number for item in finalised_invoices(store)],
        store.numbers.last("invoice", 2026),
    )


def test_finalising_one_partner_then_another_continues_the_sequence(store: Store) -> None:
    finalise(store, "2026-02", at=FEB, by=SYSTEM, partner_id="beta", invoicing=TAXED)
    finalise(store, "2026-02", at=FEB, by=SYSTEM, partner_id="acme", invoicing=TAXED)

    assert [
        ("PC-2026-000001", "inv-beta-2026-02"),
        ("PC-2026-000002", "inv-acme-2026-02"),
        ("PC-2026-000003", "inv-c2-2026-02"),
        ("PC-2026-000004", "inv-d1-2026-02"),
    ] == [(item.number, item.invoice.id) for item in finalised_invoices(store)]


def test_a_new_year_starts_a_new_sequence(store: Store) -> None:
    finalise(store, "2026-02", at=datetime(2026, 12, 31, 23, tzinfo=UTC), by=SYSTEM)
    finalise(store, "2026-03", at=datetime(2027, 1, 1, 1, tzinfo=UTC), by=SYSTEM)

    numbers = [item.number for item in finalised_invoices(store)]
    assert ["INV-2026-000001", "INV-2027-000001"] == [numbers[0], numbers[4]]


def test_a_failed_finalisation_gives_its_numbers_back(store: Store) -> None:
    finalise(store, "2026-02", at=FEB, by=SYSTEM, partner_id="acme")

    def fails() -> None:
        with store.unit_of_work():
            finalise(store, "2026-02", at=FEB, by=SYSTEM, partner_id="beta")
            raise RuntimeError("the host's own write failed")

    with pytest.raises(RuntimeError):
        fails()
    finalise(store, "2026-02", at=FEB, by=SYSTEM, partner_id="beta")

    assert ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003", "INV-2026-000004"] == [
        item.number for item in finalised_invoices(store)
    ]


# -- credit notes ------------------------------------------------------------------------


def finalised_world(store: Store) -> Store:
    finalise(store, "2026-02", at=FEB, by=SYSTEM, invoicing=TAXED)
    return store


def usage_line(amount: str, client: str = "c1") -> CreditLine:
    return CreditLine(
        kind="usage", metric="assessments", client_id=client, amount=Money(amount, "USD")
    )


def test_a_credit_note_credits_a_line_with_proportional_tax(store: Store) -> None:
    finalised_world(store)
    at = datetime(2026, 3, 10, tzinfo=UTC)

    note = issue_credit_note(
        store, "cn-1", "inv-acme-2026-02", reason="usage recorded twice",
        lines=[usage_line("5.00")], at=at, by=SYSTEM, invoicing=TAXED,
    )  # fmt: skip

    assert ("CN-2026-000001", "PC-2026-000001", "5.00", "0.50", "5.50") == (
        note.number,
        note.invoice_number,
        str(note.subtotal.amount),
        str(note.tax.amount),
        str(note.total.amount),
    )
    item = finalised_invoices(store, "2026-02")[0]
    assert ("5.50", "451.00") == (str(item.credited.amount), str(item.balance.amount))
    event = store.events.since(store.revision() - 1)[0]
    assert isinstance(event, CreditNoteIssued)
    assert ("CN-2026-000001", "cn-1", "inv-acme-2026-02", "5.50") == (
        event.number,
        event.request_id,
        event.invoice_id,
        event.total,
    )


def test_proportional_tax_is_rounded_once_and_the_last_note_takes_the_remaining_tax(
    store: Store,
) -> None:
    finalised_world(store)  # acme: subtotal 415.00, tax 41.50
    at = datetime(2026, 3, 10, tzinfo=UTC)
    first = issue_credit_note(
        store, "cn-1", "inv-acme-2026-02", reason="r", lines=[usage_line("0.05")],
        at=at, by=SYSTEM,
    )  # fmt: skip
    rest = issue_credit_note(
        store, "cn-2", "inv-acme-2026-02", reason="r", full=True, at=at, by=SYSTEM
    )

    # 0.05 x 0.10 = 0.005 -> 0.01 (half up); the full note takes 41.50 - 0.01.
    assert (("0.05", "0.01"), ("414.95", "41.49")) == (
        (str(first.subtotal.amount), str(first.tax.amount)),
        (str(rest.subtotal.amount), str(rest.tax.amount)),
    )
    assert "0.00" == finalised_invoices(store, "2026-02")[0].to_dict()["balance"]


def test_a_credit_note_reduces_the_referral_of_the_period_it_is_issued_in(
    store: Store,
) -> None:
    finalised_world(store)
    issue_credit_note(
        store, "cn-1", "inv-acme-2026-02", reason="usage recorded twice",
        lines=[usage_line("10.00")], at=datetime(2026, 3, 10, tzinfo=UTC), by=SYSTEM,
    )  # fmt: skip

    march = bill_period(store, "2026-03").referral("acme")
    february = bill_period(store, "2026-02").referral("acme")

    assert [
        ("c1", "400.00", "80.00", None),
        ("c2", "400.00", "80.00", None),
        ("d1", "400.00", "80.00", None),
        ("c1", "-10.00", "-2.00", "CN-2026-000001"),
    ] == [
        (line.client_id, str(line.base.amount), str(line.amount.amount), line.credit_note)
        for line in march.lines
    ]
    assert ("238.00", "243.00") == (str(march.total.amount), str(february.total.amount))
    assert {
        "client": "c1",
        "base": "-10.00",
        "amount": "-2.00",
        "credit_note": "CN-2026-000001",
    } == (march.to_dict()["lines"][-1])


def test_seats_credited_take_no_referral_back(store: Store) -> None:
    add_user(store, User("alice", "alice@example.com", "Alice"), at=T0, by=SYSTEM)
    advisor = Membership(user_id="alice", team_id="acme", role="advisor", active_from=T0)
    add_membership(store, advisor, at=T0, by=SYSTEM)
    finalised_world(store)
    seats = CreditLine(kind="advisor_seats", amount=Money("10.00", "USD"))
    issue_credit_note(
        store, "cn-1", "inv-acme-2026-02", reason="seat", lines=[seats],
        at=datetime(2026, 3, 10, tzinfo=UTC), by=SYSTEM,
    )  # fmt: skip

    assert 3 == len(bill_period(store, "2026-03").referral("acme").lines)


def test_the_same_request_again_returns_the_first_note_and_stores_nothing(store: Store) -> None:
    finalised_world(store)
    at = datetime(2026, 3, 10, tzinfo=UTC)
    first = issue_credit_note(
        store, "cn-1", "inv-c2-2026-02", reason="r", full=True, at=at, by=SYSTEM
    )
    revision = store.revision()

    again = issue_credit_note(
        store, "cn-1", "inv-c2-2026-02", reason="r", full=True, at=at, by=SYSTEM
    )

    assert (first, revision, 1) == (again, store.revision(), len(credit_notes(store)))


def stored_notes(store: Store) -> tuple[object, ...]:
    return (credit_notes(store), store.numbers.last("credit_note", 2026), store.revision())


@pytest.mark.parametrize(
    ("request_id", "invoice", "arguments", "message"),
    [
        ("cn-2", "inv-c2-2026-02", {"lines": [usage_line("1.00", "c2")]}, "has no usage"),
        (
            "cn-2",
            "inv-acme-2026-02",
            {"lines": [usage_line("15.01")]},
            "only 15.00 remains",
        ),
        (
            "cn-2",
            "inv-acme-2026-02",
            {"lines": [usage_line("10.00"), usage_line("5.01")]},
            "only 15.00 remains",
        ),
        ("cn-2", "inv-acme-2026-03", {"full": True}, "not a finalised invoice"),
        ("cn-2", "inv-c2-2026-02", {"full": True}, "nothing remains"),
        (
            "cn-2",
            "inv-acme-2026-02",
            {"lines": [CreditLine(kind="referral_credit", amount=Money("1.00", "USD"))]},
            "cannot be credited",
        ),
        ("cn-2", "inv-acme-2026-02", {"lines": [usage_line("-1.00")]}, "positive amount"),
        ("cn-2", "inv-acme-2026-02", {}, "at least one line"),
    ],
    ids=[
        "no such line",
        "more than the line",
        "more than the line in two parts",
        "a draft invoice",
        "a fully credited invoice",
        "a referral credit",
        "a negative amount",
        "no lines",
    ],
)
def test_a_credit_note_that_cannot_be_issued_is_an_error_and_stores_nothing(
    store: Store, request_id: str, invoice: str, arguments: dict[str, object], message: str
) -> None:
    finalised_world(store)
    at = datetime(2026, 3, 10, tzinfo=UTC)
    issue_credit_note(store, "cn-1", "inv-c2-2026-02", reason="r", full=True, at=at, by=SYSTEM)
    before = stored_notes(store)

    with pytest.raises(ValidationError) as raised:
        issue_credit_note(
            store,
            request_id,
            invoice,
            reason="r",
            at=at,
            by=SYSTEM,
            **arguments,  # type: ignore[arg-type]
        )

    assert message in str(raised.value)
    assert before == stored_notes(store)


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "other"},
        {"at": datetime(2026, 3, 11, tzinfo=UTC)},
        {"lines": [usage_line("4.00")]},
        {"invoice_id": "inv-d1-2026-02", "lines": (), "full": True},
    ],
    ids=["reason", "instant", "lines", "invoice"],
)
def test_a_reused_request_id_with_other_content_is_a_conflict_and_stores_nothing(
    store: Store, change: dict[str, object]
) -> None:
    finalised_world(store)
    request: dict[str, object] = {
        "invoice_id": "inv-acme-2026-02",
        "reason": "r",
        "lines": [usage_line("5.00")],
        "at": datetime(2026, 3, 10, tzinfo=UTC),
    }
    issue_credit_note(store, "cn-1", by=SYSTEM, **request)  # type: ignore[arg-type]
    before = stored_notes(store)

    with pytest.raises(ConflictError):
        issue_credit_note(store, "cn-1", by=SYSTEM, **{**request, **change})  # type: ignore[arg-type]

    assert before == stored_notes(store)


def test_the_finalised_documents_render_as_text_html_and_json(store: Store) -> None:
    finalised_world(store)
    issue_credit_note(
        store, "cn-1", "inv-acme-2026-02", reason="usage recorded twice",
        lines=[usage_line("10.00")], at=datetime(2026, 3, 10, tzinfo=UTC), by=SYSTEM,
    )  # fmt: skip

    documents = finalised_documents(store, "2026-02")

    data = documents.to_dict()
    assert ["PC-2026-000001", "PC-2026-000002", "PC-2026-000003", "PC-2026-000004"] == [
        item["number"] for item in data["invoices"]
    ]
    assert {
        "number": "CN-2026-000001",
        "request_id": "cn-1",
        "invoice": "PC-2026-000001",
        "invoice_id": "inv-acme-2026-02",
        "billed_to": "acme",
        "currency": "USD",
        "at": "2026-03-10T00:00:00Z",
        "reason": "usage recorded twice",
        "full": False,
        "lines": [{"client": "c1", "kind": "usage", "metric": "assessments", "amount": "10.00"}],
        "subtotal": "10.00",
        "tax": "1.00",
        "total": "11.00",
    } == data["credit_notes"][0]
    text = str(documents)
    assert ("CN-2026-000001" in text, "PC-2026-000001" in text, "GST 0.10" in text) == (
        True,
        True,
        True,
    )
    html = documents._repr_html_()
    assert ("<table>" in html, "CN-2026-000001" in html) == (True, True)
