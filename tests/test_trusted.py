"""``trusted(cls, **fields)`` builds exactly what ``cls(**fields)`` builds, for every class it
is used on: the calculator's documents, its amounts, usage totals and licence timelines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnercore._trusted import trusted
from partnercore.billing import (
    BillingRun,
    ClientGroup,
    Invoice,
    PartnerBillingInput,
    ReferralLine,
    ReferralStatement,
    UsageTotal,
    calculate_run,
)
from partnercore.billing._trailing import clip, full_spans
from partnercore.billing._usage import summed_total
from partnercore.licensing import License, LicenseInterval
from partnercore.money import Currency, Money
from partnercore.time import BillingPeriod, Span
from tests.strategies.billing import partner_billing_inputs
from tests.strategies.licensing import licenses
from tests.strategies.time import moneys


def _fields(record: object) -> dict[str, Any]:
    return {field.name: getattr(record, field.name) for field in attrs.fields(type(record))}


def _exactly(record: object) -> list[tuple[str, str]]:
    """Every field and its repr: equal Decimals with different exponents differ here."""
    return [(name, repr(value)) for name, value in _fields(record).items()]


def assert_built_as_checked(record: object) -> None:
    """``record`` is what its checking constructor gives for the same fields."""
    checked = type(record)(**_fields(record))
    assert checked == record
    assert _exactly(checked) == _exactly(record)


def _documents(run: BillingRun) -> list[object]:
    found: list[object] = []
    for invoice in run.invoices:
        found += [invoice, invoice.total, *invoice.clients]
        found += [group.subtotal for group in invoice.clients]
        lines = [*invoice.lines, *(line for group in invoice.clients for line in group.lines)]
        found += [line.amount for line in lines]
    for statement in run.referrals:
        found += [statement, statement.total, *statement.lines]
        found += [money for line in statement.lines for money in (line.base, line.amount)]
    return found


@given(partner_billing_inputs())
def test_every_document_the_calculator_builds_is_what_its_checking_constructor_builds(
    drawn: tuple[BillingPeriod, PartnerBillingInput],
) -> None:
    period, partner = drawn
    run = calculate_run(period, [partner])
    kinds = set()
    for record in _documents(run):
        assert_built_as_checked(record)
        kinds.add(type(record))
    assert {Invoice, ReferralStatement, Money} <= kinds


@given(moneys())
def test_trusted_money_is_the_checked_money(money: Money) -> None:
    built = trusted(Money, amount=money.amount, currency=money.currency)

    assert_built_as_checked(built)
    assert _exactly(money) == _exactly(built)


_QUANTITIES = st.one_of(
    st.integers(0, 10**29),
    st.decimals(min_value=0, max_value=10**20, places=3, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("-0"), Decimal("3.0"), Decimal("1E+2"), Decimal("0E-20")]),
)


@given(_QUANTITIES, st.sampled_from(["UTC", "Europe/Paris"]))
def test_a_summed_total_is_the_checked_total(quantity: Decimal | int, zone: str) -> None:
    period = BillingPeriod(2025, 10, zone)

    built = summed_total("c1", "api_calls", period, quantity)

    assert_built_as_checked(built)
    checked = UsageTotal(client_id="c1", metric="api_calls", period=period, quantity=quantity)
    assert _exactly(checked) == _exactly(built)


def test_a_summed_total_beyond_the_bound_is_refused_as_the_checked_total_is() -> None:
    period = BillingPeriod(2025, 10)

    with pytest.raises(ValueError, match=r"quantity: must be below 10\*\*30 in magnitude"):
        summed_total("c1", "api_calls", period, 10**30)


@given(licenses())
def test_every_interval_of_a_licence_timeline_is_the_checked_interval(license: License) -> None:
    timeline = license.timeline()
    window = (
        license.timeline(timeline[0].start, timeline[-1].start) if len(timeline) > 1 else timeline
    )

    for interval in (*timeline, *window):
        assert type(interval) is LicenseInterval
        assert_built_as_checked(interval)


def test_trusted_needs_every_field_of_the_class() -> None:
    with pytest.raises(AssertionError, match="needs exactly its fields"):
        trusted(Money, amount=Decimal("1.00"))


def test_trusted_refuses_a_class_with_fields_computed_after_init() -> None:
    with pytest.raises(AssertionError, match="build it normally"):
        trusted(BillingRun, period="2025-10", invoices=(), referrals=())


def test_the_calculators_groups_and_referral_lines_are_built_trusted() -> None:
    # the classes the property above covers through the calculator's documents
    usd = Currency.of("USD")
    line = trusted(
        ReferralLine,
        client_id="c1",
        base=Money(Decimal("10.00"), usd),
        amount=Money(Decimal("2.00"), usd),
        credit_note=None,
    )
    group = trusted(ClientGroup, client_id="c1", lines=(), subtotal=Money(Decimal("0.00"), usd))

    assert_built_as_checked(line)
    assert_built_as_checked(group)


def test_trusted_refuses_a_field_the_class_does_not_have() -> None:
    with pytest.raises(AssertionError, match="has no field 'cents'"):
        trusted(Money, amount=Decimal("1.00"), cents=100)


@attrs.define(slots=False)
class _Loose:
    value: int


def test_trusted_refuses_a_class_without_slots() -> None:
    with pytest.raises(AssertionError, match="is not slotted"):
        trusted(_Loose, value=1)


@given(licenses(), st.data())
def test_every_span_billing_reads_from_a_licence_or_clips_is_the_checked_span(
    license: License, data: st.DataObject
) -> None:
    first = license.timeline()[0].start
    start = first + timedelta(hours=data.draw(st.integers(-48, 2000)))
    end = start + timedelta(hours=data.draw(st.integers(1, 2000)))
    spans = full_spans(license, start, end)
    narrowed = clip(spans, start + timedelta(hours=1), end)

    for span in (*spans, *narrowed):
        assert type(span) is Span
        assert_built_as_checked(span)
