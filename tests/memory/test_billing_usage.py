"""The in-memory usage store adds whole quantities as integers: its totals stay exactly the
Decimal sums (exponents included), in the library's decimal context, whatever the caller's."""

from __future__ import annotations

import decimal
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.billing import UsageRecord, aggregate_usage
from partnercore.memory import InMemoryUsage
from partnercore.money import DECIMAL_CONTEXT
from partnercore.time import BillingPeriod

OCTOBER = BillingPeriod(2025, 10, "Europe/Paris")

#: Whole quantities, and the ones that only look whole (3.0, 1E+2, -0, 0E-20) or are not.
_QUANTITIES = st.one_of(
    st.integers(0, 10**20).map(Decimal),
    st.sampled_from(
        [Decimal("3.0"), Decimal("1E+2"), Decimal("-0"), Decimal("0E-20"), Decimal("0.5")]
    ),
    st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
)


def _expected(records: list[UsageRecord], period: BillingPeriod) -> dict[tuple[str, str], str]:
    """Each (client, metric)'s total, summed one Decimal at a time: as text, exponent and all."""
    sums: dict[tuple[str, str], Decimal] = {}
    for record in records:
        if period.start <= record.at < period.end:
            key = (record.client_id, record.metric)
            known = sums.get(key)
            sums[key] = (
                record.quantity if known is None else DECIMAL_CONTEXT.add(known, record.quantity)
            )
    return {key: str(total) for key, total in sums.items()}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["c1", "c2"]),
            st.sampled_from(["api_calls", "reports"]),
            _QUANTITIES,
            st.integers(-3 * 86400, 34 * 86400),
        ),
        max_size=30,
    )
)
def test_totals_are_the_exact_decimal_sums_whatever_the_quantities_look_like(
    rows: list[tuple[str, str, Decimal, int]],
) -> None:
    start = datetime(2025, 9, 30, 22, tzinfo=UTC)  # October in Paris starts here
    records = [
        UsageRecord(client_id=c, metric=m, quantity=q, at=start + timedelta(seconds=s))
        for c, m, q, s in rows
    ]
    usage = InMemoryUsage()
    usage.extend(records)

    with decimal.localcontext(decimal.Context(prec=3, traps=[decimal.Inexact])):
        totals = usage.totals(OCTOBER, ["c1", "c2"])

    assert _expected(records, OCTOBER) == {
        (total.client_id, total.metric): str(total.quantity) for total in totals
    }
    kept = sorted((r.at, r.metric, str(r.quantity)) for r in records if r.client_id == "c1")
    assert kept == sorted((r.at, r.metric, str(r.quantity)) for r in usage.records("c1"))


def test_a_record_keeps_the_quantity_it_was_given() -> None:
    at = datetime(2025, 10, 5, tzinfo=UTC)
    usage = InMemoryUsage()
    for quantity in ("7", "7.0", "-0", "7E+1"):
        usage.add(UsageRecord(client_id="c1", metric="m", quantity=Decimal(quantity), at=at))

    assert ["7", "7.0", "-0", "7E+1"] == [str(r.quantity) for r in usage.records("c1")]


def test_records_at_a_zones_period_bounds_are_counted_once() -> None:
    usage = InMemoryUsage()
    at_start, at_end = OCTOBER.start, OCTOBER.end  # Paris midnights
    usage.add(UsageRecord(client_id="c1", metric="m", quantity=1, at=at_start))
    usage.add(UsageRecord(client_id="c1", metric="m", quantity=10, at=at_end))
    usage.add(
        UsageRecord(
            client_id="c1", metric="m", quantity=100, at=at_start - timedelta(microseconds=1)
        )
    )

    [total] = usage.totals(OCTOBER, ["c1"])

    assert Decimal(1) == total.quantity


def test_aggregating_anything_but_usage_records_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        aggregate_usage([("c1", "m", 1)], OCTOBER)  # type: ignore[list-item]

    assert "records: expected a UsageRecord, got ('c1', 'm', 1)" == str(caught.value)


def test_aggregating_over_anything_but_a_period_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        aggregate_usage([], "2025-10")  # type: ignore[arg-type]

    assert "period: expected a BillingPeriod, got '2025-10'" == str(caught.value)
