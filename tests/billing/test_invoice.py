"""Invoices guard their invariant: one currency, rounded lines, exact sums, their own id."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnercore import CurrencyMismatchError, NotFoundError, ValidationError
from partnercore.billing import ClientGroup, Invoice, InvoiceLine, invoice_id
from partnercore.money import Currency, Money

USD = Currency.of("USD")


def _line(amount: str = "10.00", currency: str = "USD", **changes: object) -> InvoiceLine:
    values: dict[str, object] = {
        "kind": "usage",
        "description": "Usage: assessments",
        "quantity": Decimal(2),
        "unit_price": Money("5.00", currency),
        "amount": Money(amount, currency),
        "metric": "assessments",
    }
    values.update(changes)
    return InvoiceLine(**values)  # type: ignore[arg-type]


def _invoice(**changes: object) -> Invoice:
    values: dict[str, object] = {
        "id": "inv-acme-2026-11",
        "period": "2026-11",
        "partner_id": "acme",
        "billed_to": "acme",
        "currency": "USD",
        "lines": (_line(),),
        "clients": (ClientGroup.of("c1", [_line("2.50")], USD),),
        "total": Money("12.50", "USD"),
    }
    values.update(changes)
    return Invoice(**values)  # type: ignore[arg-type]


def test_the_invoice_id_is_derived_from_the_billed_team_and_the_period() -> None:
    assert "inv-c7-2026-01" == invoice_id("c7", "2026-01")


def test_a_well_formed_invoice_is_accepted() -> None:
    invoice = _invoice()
    assert Money("2.50", "USD") == invoice.group("c1").subtotal
    assert invoice.is_partner_invoice


def test_invoice_of_computes_the_total_as_the_exact_sum_of_lines_and_subtotals() -> None:
    invoice = Invoice.of(
        period="2026-11",
        partner_id="acme",
        billed_to="acme",
        currency="USD",
        lines=[_line("0.01"), _line("0.02")],
        clients=[ClientGroup.of("c1", [_line("0.04")], USD)],
    )
    assert (
        _invoice(
            lines=(_line("0.01"), _line("0.02")),
            clients=(ClientGroup.of("c1", [_line("0.04")], USD),),
            total=Money("0.07", "USD"),
        )
        == invoice
    )


def test_a_total_that_is_not_the_sum_of_the_lines_is_rejected() -> None:
    with pytest.raises(ValidationError, match="total"):
        _invoice(total=Money("12.49", "USD"))


def test_a_subtotal_that_is_not_the_sum_of_its_lines_is_rejected() -> None:
    with pytest.raises(ValidationError, match="subtotal"):
        ClientGroup(client_id="c1", lines=(_line(),), subtotal=Money("9.99", "USD"))


def test_an_unrounded_line_amount_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"lines\[0\]\.amount"):
        _invoice(lines=(_line("10.005"),), total=Money("12.505", "USD"))


def test_a_line_in_another_currency_is_a_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatchError):
        _invoice(lines=(_line(currency="EUR"),))


def test_a_wrong_id_is_rejected() -> None:
    with pytest.raises(ValidationError, match="id"):
        _invoice(id="inv-acme-2026-12")


def test_a_client_invoice_cannot_group_clients() -> None:
    with pytest.raises(ValidationError, match="clients"):
        _invoice(id="inv-c2-2026-11", billed_to="c2")


def test_a_client_listed_twice_is_rejected() -> None:
    group = ClientGroup.of("c1", [_line("2.50")], USD)
    with pytest.raises(ValidationError, match="twice"):
        _invoice(clients=(group, group), total=Money("15.00", "USD"))


def test_a_float_amount_on_a_line_is_rejected() -> None:
    with pytest.raises(ValidationError, match="amount: expected Money, got the float"):
        InvoiceLine(
            kind="usage",
            description="Usage: assessments",
            quantity=2,
            unit_price=Money("5.00", "USD"),
            amount=10.0,  # type: ignore[arg-type]
        )


def test_an_unknown_line_kind_is_rejected() -> None:
    with pytest.raises(ValidationError, match="kind"):
        _line(kind="rebate")


def test_an_adjustment_names_a_valid_original_period() -> None:
    with pytest.raises(ValidationError, match="original_period"):
        _line(kind="adjustment", original_period="October")


def test_a_missing_group_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        _invoice().group("c9")


def test_client_lines_name_the_client_of_each_line() -> None:
    own = Invoice.of(
        period="2026-11", partner_id="acme", billed_to="c2", currency="USD", lines=[_line()]
    )
    assert ["c2"] == [client for client, _ in own.client_lines()]
    assert ["c1"] == [client for client, _ in _invoice().client_lines()]


def test_a_group_subtotal_in_another_currency_is_a_currency_mismatch() -> None:
    group = ClientGroup(client_id="c1", lines=(), subtotal=Money("0.00", "EUR"))
    with pytest.raises(CurrencyMismatchError):
        _invoice(clients=(group,), total=Money("10.00", "USD"))
