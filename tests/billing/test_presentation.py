"""Invoices and runs in notebooks and on the wire: str, HTML, the JSON document, rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from partnercore.billing import (
    BillingRun,
    ClientBillingInput,
    ContentCharge,
    PartnerBillingInput,
    PriceBook,
    SeatHolding,
    UsageTotal,
    calculate_run,
)
from partnercore.money import Money

START = datetime(2026, 1, 1, tzinfo=UTC)

#: The ``bill --format json`` example of scenario-format.md (keys that must exist).
DOCUMENTED = {
    "period": "2026-11",
    "invoices": [
        {
            "id": "inv-acme-2026-11",
            "billed_to": "acme",
            "currency": "USD",
            "lines": [
                {
                    "kind": "advisor_seats",
                    "quantity": "2",
                    "unit_price": "50.00",
                    "amount": "100.00",
                }
            ],
            "clients": [
                {
                    "client": "c1",
                    "lines": [
                        {"kind": "license", "amount": "400.00"},
                        {
                            "kind": "usage",
                            "metric": "assessments",
                            "quantity": "3",
                            "unit_price": "5.00",
                            "amount": "15.00",
                        },
                    ],
                    "subtotal": "415.00",
                }
            ],
            "total": "515.00",
        }
    ],
    "referrals": [
        {
            "partner": "acme",
            "currency": "USD",
            "rate": "0.20",
            "lines": [{"client": "c1", "base": "415.00", "amount": "83.00"}],
            "total": "83.00",
            "content_revenue": {"lines": [], "total": "0.00"},
        }
    ],
}


def _documented_run(*extra: ClientBillingInput) -> BillingRun:
    book = PriceBook.of(
        "standard",
        "USD",
        advisor_monthly_fee="50.00",
        full_license_monthly_fee="400.00",
        usage={"assessments": "5.00"},
    )
    usage = UsageTotal(client_id="c1", metric="assessments", period="2026-11", quantity=3)
    c1 = ClientBillingInput(
        client_id="c1", billing_model="reseller", full_intervals=[(START, None)], usage=[usage]
    )
    partner = PartnerBillingInput(
        partner_id="acme",
        price_book=book,
        referral_rate="0.20",
        seats=[SeatHolding("alice", START), SeatHolding("bob", START)],
        clients=[c1, *extra],
    )
    return calculate_run("2026-11", [partner])


def _contains(expected: Any, actual: Any, path: str = "") -> None:
    """Every key and value of ``expected`` is in ``actual`` (lists item by item)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} is missing"
            _contains(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), path
        assert len(expected) == len(actual), path
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            _contains(want, got, f"{path}[{index}]")
    else:
        assert expected == actual, path


def test_to_dict_gives_the_documented_bill_json_document() -> None:
    _contains(DOCUMENTED, _documented_run().to_dict())


def test_to_dict_is_plain_json_with_stable_extra_keys() -> None:
    document = _documented_run().to_dict()
    assert document == json.loads(json.dumps(document))
    invoice = document["invoices"][0]
    assert [
        "id",
        "period",
        "partner",
        "billed_to",
        "currency",
        "lines",
        "clients",
        "subtotal",
        "tax",
        "total",
    ] == list(invoice)
    assert "Advisor seats held at any time in the period" == invoice["lines"][0]["description"]
    assert "ref-acme-2026-11" == document["referrals"][0]["id"]


def test_a_non_reseller_invoice_has_its_lines_under_lines_and_no_clients() -> None:
    c2 = ClientBillingInput(
        client_id="c2", billing_model="non_reseller", full_intervals=[(START, None)]
    )
    document = _documented_run(c2).to_dict()
    own = document["invoices"][1]
    _contains(
        {
            "id": "inv-c2-2026-11",
            "billed_to": "c2",
            "lines": [{"kind": "license", "amount": "400.00"}],
            "clients": [],
            "total": "400.00",
        },
        own,
    )


def test_money_has_exactly_the_currencys_minor_digits() -> None:
    run = _documented_run()
    text = json.dumps(run.to_dict())
    assert '"amount": "400.00"' in text
    assert '"rate": "0.20"' in text


def test_rows_are_flat_dicts_with_the_same_columns_and_decimal_amounts() -> None:
    rows = _documented_run().to_rows()
    assert 1 == len({tuple(row) for row in rows})
    invoice_rows = [row for row in rows if row["document"] == "invoice"]
    assert [("advisor_seats", None), ("license", "c1"), ("usage", "c1")] == [
        (row["kind"], row["client"]) for row in invoice_rows
    ]
    assert Decimal("515.00") == sum(row["amount"] for row in invoice_rows)
    [referral] = [row for row in rows if row["document"] == "referral_statement"]
    assert ("c1", Decimal("415.00"), Decimal("83.00")) == (
        referral["client"],
        referral["base"],
        referral["amount"],
    )


def test_str_reads_as_an_aligned_invoice() -> None:
    text = str(_documented_run().invoices[0])
    assert text.startswith("Invoice inv-acme-2026-11  period 2026-11  billed to acme  (USD)")
    lines = text.splitlines()
    assert any(line.startswith("client c1") for line in lines)
    assert lines[-1].startswith("total")
    assert lines[-1].endswith("515.00")
    assert "subtotal c1" in text


def test_str_of_a_run_shows_invoices_and_statements() -> None:
    text = str(_documented_run())
    assert "Billing run 2026-11: 1 invoice(s)" in text
    assert "Referral statement ref-acme-2026-11" in text


def test_repr_html_is_an_escaped_table() -> None:
    charge = ContentCharge(
        client_id="c2",
        item_id="kit",
        owner_id="acme",
        amount=Money("1.00", "USD"),
        description="<script>kit</script>",
    )
    c2 = ClientBillingInput(client_id="c2", billing_model="non_reseller", content=[charge])
    run = _documented_run(c2)
    html = run._repr_html_()
    assert html.count("<table>") == 4  # two invoices, the statement, its content revenue
    assert "<script>" not in html
    assert "&lt;script&gt;kit&lt;/script&gt;" in html
    assert "<table>" in run.invoices[0]._repr_html_()
