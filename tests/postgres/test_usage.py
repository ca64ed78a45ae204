"""Usage on PostgreSQL: small batches inserted, large ones copied, both keyed by the client's
partner, and totals equal to the exact ``Decimal`` sums (exponents included)."""

# Assertions read ``expected == actual``.

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from partnercore.billing import UsageRecord, aggregate_usage
from partnercore.postgres import PostgresStore
from partnercore.tenancy import Team
from partnercore.time import BillingPeriod

NOVEMBER = BillingPeriod(2025, 11)
AT = datetime(2025, 11, 3, tzinfo=UTC)
QUANTITIES = ("1E+2", "3E+2", "2.50", "1", "0.000000000000000001", "999999999999999999999")


def records(count: int) -> list[UsageRecord]:
    return [
        UsageRecord(
            client_id=f"c{n % 3}",
            metric=f"m{n % 2}",
            quantity=Decimal(QUANTITIES[n % len(QUANTITIES)]),
            at=AT + timedelta(minutes=n),
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [5, 200], ids=["inserted", "copied"])
def test_a_batch_of_usage_sums_exactly_and_carries_its_clients_partner(
    store: PostgresStore, count: int
) -> None:
    store.teams.add(Team.partner("p1", "P1", created_at=AT))
    store.teams.add(
        Team.client(
            "c1", "C1", parent_id="p1", operated_by="client", billing_model="reseller",
            created_at=AT,
        )
    )  # fmt: skip
    batch = records(count)
    store.usage.extend(batch)
    expected = aggregate_usage(batch, NOVEMBER)
    actual = store.usage.totals(NOVEMBER, ["c0", "c1", "c2"])
    partners = store.database.query(
        "SELECT DISTINCT client_id, partner_id FROM {schema}.usage_records ORDER BY 1"
    )
    assert (expected, [str(t.quantity) for t in expected]) == (
        actual,
        [str(t.quantity) for t in actual],
    )
    assert [("c0", "c0"), ("c1", "p1"), ("c2", "c2")] == partners
    assert [r for r in batch if r.client_id == "c1"] == store.usage.records("c1")


def test_a_total_of_quantities_with_positive_exponents_keeps_the_smallest(
    store: PostgresStore,
) -> None:
    for quantity in ("1E+2", "3E+3"):
        store.usage.add(UsageRecord(client_id="c1", metric="m", quantity=quantity, at=AT))
    [total] = store.usage.totals(NOVEMBER, ["c1"])
    assert "3.1E+3" == str(total.quantity)
    assert ["1E+2", "3E+3"] == [str(r.quantity) for r in store.usage.records("c1")]
