"""Two processes finalising different partners at once on one store (a SQLite file, then a
PostgreSQL schema; §5.2).

Each round, two processes start at once (a barrier) and each finalises March for its own
partner (two invoices each: the partner's and its non-reseller client's). Numbers are
allocated inside the finalisation's unit of work (``BEGIN IMMEDIATE`` on SQLite, the store's
advisory lock on PostgreSQL), so every invoice gets a distinct number and, together, the
numbers are exactly 1..N: no gap, no repeat, and each finalisation's numbers are consecutive
and in ascending invoice id order.
"""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from queue import Empty
from typing import Any

from partnercore.billing import (
    BillingAccount,
    PriceBook,
    add_price_book,
    finalise,
    finalised_invoices,
    open_billing_account,
)
from partnercore.events import SYSTEM
from partnercore.licensing import open_license
from partnercore.tenancy import create_client, create_partner
from tests.concurrency._shared import Shared

ROUNDS = 6
JAN = datetime(2026, 1, 1, tzinfo=UTC)
FINALISED = datetime(2026, 4, 1, 6, tzinfo=UTC)


def partner_of(role: str, n: int) -> str:
    return f"{role}{n}"


def build(shared: Shared) -> None:
    with shared.open() as store, store.unit_of_work():
        book = PriceBook.of(
            "standard", "USD", advisor_monthly_fee="50.00", full_license_monthly_fee="400.00"
        )
        add_price_book(store, book, at=JAN, by=SYSTEM)
        for n in range(ROUNDS):
            for role in ("a", "b"):
                partner = partner_of(role, n)
                create_partner(store, partner, partner.upper(), at=JAN, by=SYSTEM)
                account = BillingAccount(partner, "standard", "0.20")
                open_billing_account(store, account, at=JAN, by=SYSTEM)
                client = f"{partner}-n"
                create_client(
                    store, client, client.upper(), partner_id=partner, operated_by="partner",
                    billing_model="non_reseller", at=JAN, by=SYSTEM,
                )  # fmt: skip
                open_license(store, client, at=JAN, by=SYSTEM, initial_state="full")


def play(shared: Shared, role: str, barrier: Barrier, results: Any) -> None:
    with shared.open() as store:
        for n in range(ROUNDS):
            barrier.wait(timeout=60)
            try:
                finalise(store, "2026-03", at=FINALISED, by=SYSTEM, partner_id=partner_of(role, n))
            except Exception as error:  # reported to the test, which fails on it
                results.put((n, role, f"{type(error).__name__}: {error}"))
            else:
                results.put((n, role, "finalised"))


def test_two_processes_finalising_different_partners_get_distinct_consecutive_numbers(
    shared: Shared,
) -> None:
    build(shared)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(target=play, args=(shared, role, barrier, results)) for role in ("a", "b")
    ]
    for worker in workers:
        worker.start()
    outcomes = []
    try:
        for _ in range(2 * ROUNDS):
            outcomes.append(results.get(timeout=120))
    except Empty:
        pass
    for worker in workers:
        worker.join(timeout=60)

    assert [(n, role, "finalised") for n in range(ROUNDS) for role in ("a", "b")] == sorted(
        outcomes
    )
    with shared.open() as store:
        issued = finalised_invoices(store)
        numbers = [item.number for item in issued]
        assert [f"INV-2026-{k:06d}" for k in range(1, 4 * ROUNDS + 1)] == numbers
        # Each partner's two invoices were numbered together, in ascending id order.
        by_partner: dict[str, list[tuple[int, str]]] = {}
        for item in issued:
            sequence = int(item.number[-6:])
            by_partner.setdefault(item.invoice.partner_id, []).append((sequence, item.invoice.id))
        for pairs in by_partner.values():
            (first, first_id), (second, second_id) = sorted(pairs)
            assert (second, sorted([first_id, second_id])) == (
                first + 1,
                [first_id, second_id],
            )
