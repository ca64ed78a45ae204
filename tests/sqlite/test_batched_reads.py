"""Billing reads through SQLite without one query per client: the number of statements
billing a partner runs does not grow with its clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from partnercore.billing import (
    BillingAccount,
    PriceBook,
    UsageRecord,
    bill_period,
    finalise,
    issue_credit_note,
)
from partnercore.events import SYSTEM
from partnercore.licensing import License
from partnercore.memory import InMemoryStore
from partnercore.sqlite import SqliteStore
from partnercore.tenancy import Membership, Team, Transfer

CREATED = datetime(2025, 1, 1, tzinfo=UTC)
TIERS = (
    {"name": "silver", "from_trailing_revenue": "0", "referral_rate": "0.15"},
    {"name": "gold", "from_trailing_revenue": "4000.00", "referral_rate": "0.20"},
)


def _world(
    store: InMemoryStore | SqliteStore, clients: int, *, tiered: bool, partners: int = 2
) -> None:
    """``partners`` partners with ``clients`` clients each (licences, usage), one transfer
    away; partners by turns in two time zones."""
    extra = {"partner_tiers": TIERS} if tiered else {}
    store.price_books.add(
        PriceBook.of(
            "book",
            "USD",
            advisor_monthly_fee="50.00",
            full_license_monthly_fee="400.00",
            usage={"reports": "1.25"},
            **extra,  # type: ignore[arg-type]
        )
    )
    for p in range(partners):
        pid = f"p{p}"
        zone = "Europe/Paris" if p % 2 else "UTC"
        store.teams.add(Team.partner(pid, f"Partner {p}", created_at=CREATED, timezone=zone))
        rate = None if tiered else Decimal("0.20")
        store.accounts.add(BillingAccount(pid, "book", rate))
        store.memberships.add(
            Membership(user_id=f"{pid}-u", team_id=pid, role="advisor", active_from=CREATED)
        )
        for c in range(clients):
            cid = f"{pid}-c{c:02d}"
            store.teams.add(
                Team.client(
                    cid,
                    f"Client {c}",
                    parent_id=pid,
                    operated_by="partner",
                    billing_model="reseller",
                    created_at=CREATED,
                )
            )
            store.licenses.add(License.open(cid, CREATED).upgrade(CREATED + timedelta(days=c)))
            store.usage.add(
                UsageRecord(
                    client_id=cid,
                    metric="reports",
                    quantity=c + 1,
                    at=datetime(2025, 10, 3, tzinfo=UTC),
                )
            )
    # The last client of p0 went to p1 after October: p0 still bills it for October.
    moved = store.teams.get(f"p0-c{clients - 1:02d}")
    at = datetime(2025, 11, 2, tzinfo=UTC)
    store.history.add(
        Transfer(client_id=moved.id, from_partner="p0", to_partner="p1", at=at, by="x")
    )
    store.teams.save(
        Team.client(
            moved.id,
            moved.name,
            parent_id="p1",
            operated_by="partner",
            billing_model="reseller",
            created_at=CREATED,
        )
    )


def _statements(
    folder: Path, clients: int, *, tiered: bool, partners: int = 2
) -> tuple[int, object]:
    """The statements billing October runs on a store just opened, and the run."""
    path = folder / f"world-{clients}-{tiered}-{partners}.db"
    with SqliteStore(path) as store, store.unit_of_work():
        _world(store, clients, tiered=tiered, partners=partners)
    with SqliteStore(path) as store:
        run: list[str] = []
        store._db._connection.set_trace_callback(run.append)
        billed = bill_period(store, "2025-10")
        store._db._connection.set_trace_callback(None)
    return len(run), billed


@pytest.mark.parametrize("tiered", [False, True], ids=["fixed rates", "partner tiers"])
def test_billing_a_partner_runs_as_many_statements_for_twenty_clients_as_for_one(
    tmp_path: Path, tiered: bool
) -> None:
    one, _ = _statements(tmp_path, 1, tiered=tiered)
    twenty, run = _statements(tmp_path, 20, tiered=tiered)
    memory = InMemoryStore()
    _world(memory, 20, tiered=tiered)
    assert (one, bill_period(memory, "2025-10")) == (twenty, run)


@pytest.mark.parametrize("tiered", [False, True], ids=["fixed rates", "partner tiers"])
def test_billing_runs_as_many_statements_for_twenty_partners_as_for_two(
    tmp_path: Path, tiered: bool
) -> None:
    two, _ = _statements(tmp_path, 3, tiered=tiered)
    twenty, run = _statements(tmp_path, 3, tiered=tiered, partners=20)
    memory = InMemoryStore()
    _world(memory, 3, tiered=tiered, partners=20)
    assert (two, bill_period(memory, "2025-10")) == (twenty, run)


def test_a_finalised_period_and_credit_notes_are_read_for_every_partner_at_once(
    tmp_path: Path,
) -> None:
    counts = []
    for partners in (2, 20):
        path = tmp_path / f"finalised-{partners}.db"
        with SqliteStore(path) as store, store.unit_of_work():
            _world(store, 3, tiered=False, partners=partners)
        with SqliteStore(path) as store:
            finalise(store, "2025-09", at=datetime(2025, 10, 1, tzinfo=UTC), by=SYSTEM)
            finalise(store, "2025-10", at=datetime(2025, 11, 5, tzinfo=UTC), by=SYSTEM)
            issue_credit_note(
                store,
                "cn-1",
                "inv-p1-2025-10",
                reason="usage recorded twice",
                full=True,
                at=datetime(2025, 11, 10, tzinfo=UTC),
                by=SYSTEM,
            )
        with SqliteStore(path) as store:
            run: list[str] = []
            store._db._connection.set_trace_callback(run.append)
            bill_period(store, "2025-11")
            store._db._connection.set_trace_callback(None)
        counts.append(len(run))
    assert counts[0] == counts[1]
