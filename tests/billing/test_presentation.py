"""Invoices and runs in notebooks and on the wire: str, HTML, the JSON document, rows."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
from partnercore.billing._presentation import html_table, text_table
from partnercore.cli import main
from partnercore.money import Money
from partnercore.scenario import load
from partnercore.time import Span

DATA = Path(__file__).resolve().parent.parent / "data"
WORLD = str(DATA / "world.toml")
INVOICING = str(DATA / "invoicing.toml")

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
        client_id="c1", billing_model="reseller", full_intervals=[Span(START, None)], usage=[usage]
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
        client_id="c2", billing_model="non_reseller", full_intervals=[Span(START, None)]
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


def test_str_reads_as_an_aligned_invoice_with_a_client_column() -> None:
    expected = """\
Invoice inv-acme-2026-11, billed to acme, partner acme, USD
client  kind           description                                   quantity  unit price  amount
------  -------------  --------------------------------------------  --------  ----------  ------
        advisor_seats  Advisor seats held at any time in the period         2       50.00  100.00
c1      license        Full licence                                         1      400.00  400.00
c1      usage          Usage: assessments                                   3        5.00   15.00
c1      subtotal                                                                           415.00
        total                                                                              515.00"""

    assert expected == str(_documented_run().invoices[0])


def test_str_of_a_run_shows_its_period_then_invoices_and_statements() -> None:
    text = str(_documented_run())

    assert text.startswith("Billing period 2026-11\n\nInvoice inv-acme-2026-11, billed to acme")
    assert "\n\nReferral statement ref-acme-2026-11, partner acme, USD, rate 0.20\n" in text


def test_the_command_line_prints_a_run_exactly_as_str_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["bill", WORLD, "--period", "2026-11"])

    assert (0, str(load(WORLD).bill("2026-11")) + "\n") == (status, capsys.readouterr().out)


def test_a_taxed_invoice_shows_its_subtotal_and_tax_in_text_html_and_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = load(INVOICING).bill("2026-10")
    invoice = run.invoice("inv-kookaburra-2026-10")

    main(["bill", INVOICING, "--period", "2026-10"])

    out = capsys.readouterr().out
    rows = [line.split() for line in str(invoice).splitlines()[-3:]]
    assert [["subtotal", "460.00"], ["tax", "GST", "0.10", "46.00"], ["total", "506.00"]] == rows
    assert str(invoice) in out
    assert '<td style="text-align:left">GST 0.10</td>' in invoice._repr_html_()


def test_a_reverse_charged_invoice_says_so_and_an_untaxed_one_has_no_tax_rows() -> None:
    run = load(INVOICING).bill("2026-10")

    reverse = str(run.invoice("inv-rhein-2026-10")).splitlines()[-2].split()
    untaxed = str(_documented_run().invoices[0])

    assert ["tax", "reverse", "charge", "0.00"] == reverse
    assert ("tax " in untaxed, "subtotal  " in untaxed.splitlines()[-2]) == (False, True)


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


def test_every_html_cell_is_aligned_text_left_and_amounts_right() -> None:
    html = _documented_run()._repr_html_()

    cells = re.findall(r"<(td|th)( style=\"text-align:(left|right)\")?>([^<]*)<", html)
    unaligned = [cell for tag, style, align, cell in cells if not style]
    aligned = {cell: align for tag, style, align, cell in cells if cell}
    assert [] == unaligned
    assert ("left", "left", "right", "right") == (
        aligned["Full licence"],
        aligned["c1"],
        aligned["400.00"],
        aligned["unit price"],
    )


_NUMBER = re.compile(r"-?[0-9][0-9,]*(\.[0-9]+)?%?")
_CELL = st.one_of(
    st.none(),
    st.from_regex(r"-?[0-9]{1,4}\.[0-9]{2}", fullmatch=True),
    st.text(st.characters(codec="utf-8", exclude_categories=("C", "Z")), max_size=8),
)


@given(st.integers(1, 4).flatmap(lambda n: st.lists(st.lists(_CELL, min_size=n, max_size=n))))
def test_text_and_html_tables_put_numbers_right_and_text_left_alike(
    rows: list[list[str | None]],
) -> None:
    width = len(rows[0]) if rows else 1
    headers = [f"h{index}" for index in range(width)]

    lines = text_table(headers, rows).split("\n")
    styles = re.findall(r"<th style=\"text-align:(left|right)\">h\d", html_table(headers, rows))

    shown = [["-" if cell is None else cell for cell in row] for row in rows]
    spans = [match.span() for match in re.finditer("-+", lines[1])]
    for index, (start, end) in enumerate(spans):
        values = [row[index] for row in shown if row[index] not in ("", "-")]
        right = bool(values) and all(_NUMBER.fullmatch(value) for value in values)
        assert ("right" if right else "left") == styles[index]
        for line, row in zip(lines[2:], shown, strict=True):
            cell = line.ljust(spans[-1][1])[start:end]
            assert row[index] == (cell.rstrip() if not right else cell.lstrip())
    assert all(line == line.rstrip() for line in lines)
