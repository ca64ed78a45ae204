"""Properties of billing a period, over random partners, clients, policies and currencies."""

from __future__ import annotations

import itertools
from datetime import datetime

import attrs
from hypothesis import given
from hypothesis import strategies as st

from partnercore.billing import (
    BillingRun,
    InvoiceLine,
    PartnerBillingInput,
    calculate_run,
    exact_share,
    prorate,
)
from partnercore.money import Currency, Money
from partnercore.tenancy import BillingModel
from partnercore.time import BillingPeriod, Span
from tests.strategies.billing import (
    billing_amounts,
    billing_months,
    instants_around,
    partner_billing_inputs,
)


def _client_lines(run: BillingRun, client_id: str) -> tuple[InvoiceLine, ...]:
    for invoice in run.invoices:
        if invoice.billed_to == client_id:
            return invoice.lines
        for group in invoice.clients:
            if group.client_id == client_id:
                return group.lines
    return ()


@given(partner_billing_inputs())
def test_every_total_is_the_exact_sum_of_its_rounded_lines(
    drawn: tuple[BillingPeriod, PartnerBillingInput],
) -> None:
    period, partner = drawn
    run = calculate_run(period, [partner])
    currency = partner.price_book.currency
    for invoice in run.invoices:
        assert currency == invoice.currency
        lines = list(invoice.lines) + [line for g in invoice.clients for line in g.lines]
        for line in lines:
            assert currency == line.amount.currency
            assert line.amount.is_rounded
        for group in invoice.clients:
            assert sum(line.amount.amount for line in group.lines) == group.subtotal.amount
        assert sum(line.amount.amount for line in lines) == invoice.total.amount
    [statement] = run.referrals
    assert sum(line.amount.amount for line in statement.lines) == statement.total.amount
    assert all(line.amount.is_rounded and line.base.is_rounded for line in statement.lines)


@given(partner_billing_inputs(), st.data())
def test_flipping_a_clients_billing_model_moves_its_charges_without_changing_them(
    drawn: tuple[BillingPeriod, PartnerBillingInput], data: st.DataObject
) -> None:
    period, partner = drawn
    if not partner.clients:
        return
    index = data.draw(st.integers(0, len(partner.clients) - 1))
    client = partner.clients[index]
    other = (
        BillingModel.NON_RESELLER
        if client.billing_model is BillingModel.RESELLER
        else BillingModel.RESELLER
    )
    clients = list(partner.clients)
    clients[index] = attrs.evolve(client, billing_model=other)
    before = calculate_run(period, [partner])
    after = calculate_run(period, [attrs.evolve(partner, clients=clients)])

    lines = _client_lines(before, client.client_id)
    assert lines == _client_lines(after, client.client_id)
    assert before.referrals == after.referrals
    moved = sum((line.amount.amount for line in lines), 0)
    partner_before = before.invoice(f"inv-{partner.partner_id}-{period.key}")
    partner_after = after.invoice(f"inv-{partner.partner_id}-{period.key}")
    sign = 1 if other is BillingModel.RESELLER else -1
    assert partner_before.total.amount + sign * moved == partner_after.total.amount
    untouched = {i.id for i in before.invoices} - {
        partner_before.id,
        f"inv-{client.client_id}-{period.key}",
    }
    assert [before.invoice(i) for i in sorted(untouched)] == [
        after.invoice(i) for i in sorted(untouched)
    ]


@st.composite
def split_spans(draw: st.DrawFn) -> tuple[BillingPeriod, list[datetime], Money]:
    period = draw(billing_months())
    instants = sorted(draw(st.lists(instants_around(period), min_size=2, max_size=6)))
    currency = Currency.of(draw(st.sampled_from(["USD", "JPY", "KWD"])))
    fee = draw(billing_amounts(currency, finer=False))
    return period, instants, fee


@given(split_spans(), st.sampled_from(["half_up", "half_even"]))
def test_splitting_a_full_interval_changes_the_exact_charge_by_at_most_a_minor_unit_per_split(
    drawn: tuple[BillingPeriod, list[datetime], Money], rounding: str
) -> None:
    period, instants, fee = drawn
    whole = prorate(fee, exact_share([Span(instants[0], instants[-1])], period), rounding)
    pieces = [Span(start, end) for start, end in itertools.pairwise(instants)]
    parts = [prorate(fee, exact_share([piece], period), rounding) for piece in pieces]
    splits = len(pieces) - 1
    difference = abs(sum(parts, Money.zero(fee.currency)) - whole).amount
    assert difference <= fee.currency.quantum * splits
    # Billed as one licence line, the pieces give exactly the unsplit charge.
    assert whole == prorate(fee, exact_share(pieces, period), rounding)


@given(partner_billing_inputs("acme"), st.data())
def test_billing_twice_gives_equal_results_and_ids(
    first: tuple[BillingPeriod, PartnerBillingInput], data: st.DataObject
) -> None:
    period, acme = first
    _, beta = data.draw(partner_billing_inputs("beta", period, max_clients=2))
    once = calculate_run(period, [acme, beta])
    again = calculate_run(period, [beta, acme])
    assert once == again
    assert [i.id for i in once.invoices] == [i.id for i in again.invoices]
    assert once.to_dict() == again.to_dict()


@given(partner_billing_inputs())
def test_every_document_the_calculator_assembles_passes_its_own_checks(
    drawn: tuple[BillingPeriod, PartnerBillingInput],
) -> None:
    period, partner = drawn
    run = calculate_run(period, [partner])
    # attrs.evolve rebuilds each record through its checking constructor.
    for invoice in run.invoices:
        assert [attrs.evolve(group) for group in invoice.clients] == list(invoice.clients)
        assert attrs.evolve(invoice) == invoice
        assert attrs.evolve(invoice).to_dict() == invoice.to_dict()
    for statement in run.referrals:
        assert [attrs.evolve(line) for line in statement.lines] == list(statement.lines)
        assert attrs.evolve(statement) == statement
        assert attrs.evolve(statement).to_dict() == statement.to_dict()
