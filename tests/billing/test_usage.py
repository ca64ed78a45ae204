"""Usage records and their totals per (client, metric, period)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from partnercore import ValidationError
from partnercore.billing import UsageRecord, UsageTotal, aggregate_usage
from partnercore.time import BillingPeriod

LATE_ON_OCTOBER_31 = datetime(2025, 10, 31, 23, 30, tzinfo=UTC)


def _record(at: datetime, quantity: object = 1, client: str = "c1") -> UsageRecord:
    return UsageRecord(client_id=client, metric="assessments", quantity=quantity, at=at)


def test_usage_at_23_30z_on_october_31_belongs_to_november_in_paris() -> None:
    records = [_record(LATE_ON_OCTOBER_31)]
    assert [] == aggregate_usage(records, BillingPeriod(2025, 10, "Europe/Paris"))
    november = BillingPeriod(2025, 11, "Europe/Paris")
    assert [
        UsageTotal(client_id="c1", metric="assessments", period=november, quantity=1)
    ] == aggregate_usage(records, november)


def test_the_same_usage_belongs_to_october_in_utc() -> None:
    [total] = aggregate_usage([_record(LATE_ON_OCTOBER_31)], BillingPeriod(2025, 10))
    assert Decimal(1) == total.quantity


def test_totals_are_summed_per_client_and_metric_and_sorted() -> None:
    at = datetime(2025, 11, 5, tzinfo=UTC)
    records = [
        _record(at, 2, "c2"),
        _record(at, 3, "c1"),
        _record(at, "1.5", "c1"),
        UsageRecord(client_id="c1", metric="api", quantity=7, at=at),
    ]
    totals = aggregate_usage(records, BillingPeriod(2025, 11))
    assert [
        ("c1", "api", Decimal(7)),
        ("c1", "assessments", Decimal("4.5")),
        ("c2", "assessments", Decimal(2)),
    ] == [(t.client_id, t.metric, t.quantity) for t in totals]


def test_totals_can_be_restricted_to_some_clients() -> None:
    at = datetime(2025, 11, 5, tzinfo=UTC)
    totals = aggregate_usage(
        [_record(at, 1, "c1"), _record(at, 1, "c2")], BillingPeriod(2025, 11), {"c2"}
    )
    assert ["c2"] == [t.client_id for t in totals]


def test_a_usage_record_instant_is_kept_in_utc() -> None:
    from zoneinfo import ZoneInfo

    record = _record(datetime(2025, 11, 1, 0, 30, tzinfo=ZoneInfo("Europe/Paris")))
    assert datetime(2025, 10, 31, 23, 30, tzinfo=UTC) == record.at
    assert UTC is record.at.tzinfo


def test_a_naive_instant_is_rejected() -> None:
    with pytest.raises(ValidationError, match="at"):
        _record(datetime(2025, 11, 1))


def test_a_float_quantity_is_rejected() -> None:
    with pytest.raises(ValidationError, match="quantity"):
        _record(LATE_ON_OCTOBER_31, 1.5)


def test_a_negative_quantity_is_rejected() -> None:
    with pytest.raises(ValidationError, match="negative"):
        _record(LATE_ON_OCTOBER_31, -1)


def test_a_metric_needs_a_name() -> None:
    with pytest.raises(ValidationError, match="metric"):
        UsageRecord(client_id="c1", metric=" ", quantity=1, at=LATE_ON_OCTOBER_31)
