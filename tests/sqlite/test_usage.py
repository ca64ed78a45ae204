"""Usage totals computed by SQLite: exact sums, the right period, the written exponent."""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.billing import (
    BillingAccount,
    PriceBook,
    UsageRecord,
    UsageTotal,
    add_price_book,
    bill_period,
    open_billing_account,
    record_usage,
)
from partnercore.events import SYSTEM
from partnercore.memory import InMemoryStore, InMemoryUsage
from partnercore.sqlite import SqliteStore
from partnercore.store import Store
from partnercore.tenancy import create_client, create_partner
from partnercore.time import BillingPeriod
from tests.strategies.usage import usage_records

PERIOD_ZONES = ("UTC", "Europe/Paris", "Pacific/Chatham", "America/St_Johns")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "store.db") as opened:
        yield opened


def record(client: str, metric: str, quantity: str, at: datetime) -> UsageRecord:
    return UsageRecord(client_id=client, metric=metric, quantity=Decimal(quantity), at=at)


def shown(totals: list[UsageTotal]) -> list[tuple[str, str, str, str]]:
    return [(t.client_id, t.metric, t.period.isoformat(), str(t.quantity)) for t in totals]


NOVEMBER = BillingPeriod(2026, 11)
MID = datetime(2026, 11, 15, tzinfo=UTC)


def test_totals_are_summed_per_client_and_metric_sorted(store: SqliteStore) -> None:
    usage = store.usage
    usage.extend(
        [
            record("c2", "assessments", "1", MID),
            record("c1", "b", "2", MID),
            record("c1", "a", "3", MID),
            record("c1", "a", "4", MID + timedelta(days=1)),
            record("c9", "a", "5", MID),
        ]
    )
    assert [
        ("c1", "a", "2026-11", "7"),
        ("c1", "b", "2026-11", "2"),
        ("c2", "assessments", "2026-11", "1"),
    ] == shown(usage.totals(NOVEMBER, ["c2", "c1", "c3"]))


def test_the_sum_keeps_the_exponent_a_decimal_sum_would_have(store: SqliteStore) -> None:
    usage = store.usage
    for quantity in ("2.50", "1", "0.125", "1E+3"):
        usage.add(record("c1", "a", quantity, MID))
    assert [("c1", "a", "2026-11", "1003.625")] == shown(usage.totals(NOVEMBER, ["c1"]))
    assert ["2.50", "1", "0.125", "1E+3"] == [str(r.quantity) for r in usage.records("c1")]


def test_a_period_is_half_open_in_its_own_time_zone(store: SqliteStore) -> None:
    paris = BillingPeriod(2026, 11, "Europe/Paris")
    usage = store.usage
    usage.add(record("c1", "a", "1", datetime(2026, 10, 31, 23, 30, tzinfo=UTC)))
    usage.add(record("c1", "a", "10", paris.start - timedelta(microseconds=1)))
    usage.add(record("c1", "a", "100", paris.end - timedelta(microseconds=1)))
    usage.add(record("c1", "a", "1000", paris.end))
    assert [("c1", "a", "2026-11[Europe/Paris]", "101")] == shown(usage.totals(paris, ["c1"]))


def test_quantities_too_long_for_sql_integers_are_summed_exactly(store: SqliteStore) -> None:
    usage = store.usage
    usage.add(record("c1", "a", "12345678901234567890.5", MID))
    usage.add(record("c1", "a", "0.5", MID))
    assert [("c1", "a", "2026-11", "12345678901234567891.0")] == shown(
        usage.totals(NOVEMBER, ["c1"])
    )


def test_a_sum_that_overflows_sql_integers_is_still_exact(store: SqliteStore) -> None:
    usage = store.usage
    usage.extend(record("c1", "a", "999999999999999999", MID) for _ in range(20))
    assert [("c1", "a", "2026-11", "19999999999999999980")] == shown(usage.totals(NOVEMBER, ["c1"]))


def test_records_come_back_oldest_first_as_they_were_written(store: SqliteStore) -> None:
    later = record("c1", "a", "2", MID + timedelta(hours=1))
    first, tie = record("c1", "b", "1", MID), record("c1", "a", "3.0", MID)
    store.usage.extend([later, first, tie])
    assert [first, tie, later] == store.usage.records("c1")
    assert 3 == len(store.usage)


def test_a_bad_record_in_a_batch_adds_none_of_the_batch(store: SqliteStore) -> None:
    good = record("c1", "a", "1", MID)
    with pytest.raises(ValidationError, match=r"records\[1\]"):
        store.usage.extend([good, "not a record"])  # type: ignore[list-item]
    assert [] == store.usage.records("c1")


def test_a_period_that_is_not_a_billing_period_is_rejected(store: SqliteStore) -> None:
    with pytest.raises(ValidationError, match="period"):
        store.usage.totals("2026-11", ["c1"])  # type: ignore[arg-type]


@given(
    records=st.lists(usage_records(PERIOD_ZONES), max_size=30),
    month=st.sampled_from([10, 11, 12]),
    zone=st.sampled_from(PERIOD_ZONES),
    clients=st.sets(st.sampled_from(["c1", "c2", "c10", "c99"])),
)
def test_sql_totals_equal_the_in_memory_totals_exactly(
    records: list[UsageRecord], month: int, zone: str, clients: set[str]
) -> None:
    period = BillingPeriod(2026, month, zone)
    reference = InMemoryUsage()
    reference.extend(records)
    with SqliteStore(":memory:") as store:
        store.usage.extend(records)
        assert shown(reference.totals(period, clients)) == shown(
            store.usage.totals(period, clients)
        )


def hostile() -> decimal.Context:
    """A host's decimal context: five digits, rounding down, every signal trapped."""
    traps = [decimal.Clamped, decimal.DivisionByZero, decimal.FloatOperation, decimal.Inexact]
    traps += [decimal.InvalidOperation, decimal.Overflow, decimal.Rounded, decimal.Subnormal]
    return decimal.Context(prec=5, rounding=decimal.ROUND_DOWN, traps=[*traps, decimal.Underflow])


@pytest.mark.parametrize(
    ("quantities", "total"),
    [(("123456", "1.5"), "123457.5"), (("1E+20", "1E-8"), "100000000000000000000.00000001")],
)
@pytest.mark.parametrize("context", [decimal.getcontext(), hostile()], ids=["default", "hostile"])
def test_totals_are_exact_whatever_the_callers_decimal_context(
    store: SqliteStore, quantities: tuple[str, ...], total: str, context: decimal.Context
) -> None:
    records = [record("c1", "a", quantity, MID) for quantity in quantities]
    store.usage.extend(records)
    reference = InMemoryUsage()
    reference.extend(records)

    with decimal.localcontext(context):
        from_sql = store.usage.totals(NOVEMBER, ["c1"])
        in_memory = reference.totals(NOVEMBER, ["c1"])

    assert [("c1", "a", "2026-11", total)] == shown(from_sql) == shown(in_memory)


def bill_usage(store: Store) -> list[tuple[str, str, str]]:
    """Bill 123456 + 1.5 assessments at 1.00 to a reseller client, in November 2026."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    create_partner(store, "acme", "Acme", at=start, by=SYSTEM)
    create_client(
        store, "c1", "One", partner_id="acme", operated_by="partner",
        billing_model="reseller", at=start, by=SYSTEM,
    )  # fmt: skip
    add_price_book(store, PriceBook.of(
        "standard", "USD", advisor_monthly_fee="50.00", full_license_monthly_fee="400.00",
        usage={"assessments": "1.00"},
    ), at=start, by=SYSTEM)  # fmt: skip
    account = BillingAccount("acme", "standard", Decimal("0.20"))
    open_billing_account(store, account, at=start, by=SYSTEM)
    usage = [record("c1", "assessments", q, MID) for q in ("123456", "1.5")]
    record_usage(store, usage, at=MID, by=SYSTEM)
    with decimal.localcontext(hostile()):
        run = bill_period(store, "2026-11")
    return [
        (line["kind"], line["quantity"], line["amount"])
        for line in run.to_dict()["invoices"][0]["clients"][0]["lines"]
    ]


def test_sqlite_bills_usage_as_memory_does_under_a_hostile_decimal_context(
    store: SqliteStore,
) -> None:
    expected = bill_usage(InMemoryStore())

    actual = bill_usage(store)

    assert [("usage", "123457.5", "123457.50")] == [line for line in actual if line[0] == "usage"]
    assert expected == actual
