"""Two concurrent finalisations of one period, with usage arriving between, on one store
(a SQLite file, a PostgreSQL schema).

Each round, three processes start at once (a barrier): two finalise March for partner
``p<n>`` and a third records late March usage of its non-reseller client ``n<n>`` (which
changes that client's invoice and the referral credit on the partner's own invoice). Each
finalisation compares and stores every invoice of the period in one unit of work
(``BEGIN IMMEDIATE`` on SQLite, the store's advisory lock first on PostgreSQL), so the period
holds exactly one complete run: the run billed before the late usage or the run billed with
it, as the order of the events says. The finalisation that
comes second either finds the same run (a no-op, no event) or gets a ``ConflictError`` and
stores nothing. Afterwards April finalises and bills the late usage once (as an adjustment,
if March was stored without it), and finalising March again is a no-op or, if March was
stored without the late usage, a conflict that stores nothing.
"""

# Assertions read ``expected == actual``.

from __future__ import annotations

import multiprocessing
import random
import time
from datetime import UTC, datetime
from decimal import Decimal
from multiprocessing.synchronize import Barrier
from queue import Empty
from typing import Any

import pytest

from partnercore import ConflictError
from partnercore.billing import (
    BillingAccount,
    BillingRun,
    LineKind,
    PriceBook,
    UsageRecord,
    add_price_book,
    bill_period,
    finalise,
    open_billing_account,
    record_usage,
)
from partnercore.events import SYSTEM, InvoiceFinalised
from partnercore.licensing import open_license
from partnercore.tenancy import create_client, create_partner
from tests.concurrency._shared import Shared

ROUNDS = 8
JAN = datetime(2026, 1, 1, tzinfo=UTC)
FINALISED = datetime(2026, 4, 1, 6, tzinfo=UTC)
LATE = datetime(2026, 3, 20, tzinfo=UTC)


def late_usage(n: int) -> UsageRecord:
    return UsageRecord(client_id=f"n{n}", metric="assessments", quantity=5, at=LATE)


def play_round(shared: Shared, role: str, seed: int, barrier: Barrier, results: Any) -> None:
    """In every round, once all three are ready: finalise March of ``p<n>`` (roles ``a`` and
    ``b``) or record its late usage (role ``u``), after a short random delay."""
    jitter = random.Random(seed)
    with shared.open() as store:
        for n in range(ROUNDS):
            barrier.wait(timeout=60)
            time.sleep(jitter.uniform(0, 0.004))
            try:
                if role == "u":
                    record_usage(store, [late_usage(n)], at=FINALISED, by=SYSTEM)
                    results.put((n, role, "recorded", None))
                    continue
                run = finalise(store, "2026-03", at=FINALISED, by=SYSTEM, partner_id=f"p{n}")
            except ConflictError as error:
                results.put((n, role, "conflict", str(error)))
            except Exception as error:  # reported to the test, which fails on it
                results.put((n, role, f"{type(error).__name__}: {error}", None))
            else:
                results.put((n, role, "finalised", [i.to_dict() for i in run.invoices]))


def build(shared: Shared) -> list[BillingRun]:
    """Partners p0.. with a reseller client r<n> and a non-reseller client n<n> each, both full
    from January, with March usage; the March run of each partner, before any late usage."""
    with shared.open() as store, store.unit_of_work():
        add_price_book(
            store,
            PriceBook.of(
                "standard", "USD", advisor_monthly_fee="50.00",
                full_license_monthly_fee="400.00", usage={"assessments": "5.00"},
                referral_settlement="net_on_invoice",
            ),
            at=JAN,
            by=SYSTEM,
        )  # fmt: skip
        march = datetime(2026, 3, 5, tzinfo=UTC)
        for n in range(ROUNDS):
            create_partner(store, f"p{n}", f"Partner {n}", at=JAN, by=SYSTEM)
            for client, model in [(f"r{n}", "reseller"), (f"n{n}", "non_reseller")]:
                create_client(
                    store, client, client.upper(), partner_id=f"p{n}", operated_by="partner",
                    billing_model=model, at=JAN, by=SYSTEM,
                )  # fmt: skip
                open_license(store, client, at=JAN, by=SYSTEM, initial_state="full")
            open_billing_account(
                store, BillingAccount(f"p{n}", "standard", "0.20"), at=JAN, by=SYSTEM
            )
            record_usage(
                store,
                [
                    UsageRecord(client_id=f"r{n}", metric="assessments", quantity=3, at=march),
                    UsageRecord(client_id=f"n{n}", metric="assessments", quantity=2, at=march),
                ],
                at=JAN,
                by=SYSTEM,
            )
        return [bill_period(store, "2026-03", partner_id=f"p{n}") for n in range(ROUNDS)]


def test_concurrent_finalisations_with_late_usage_store_one_complete_run(shared: Shared) -> None:
    before = build(shared)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(3)
    results = context.Queue()
    workers = [
        context.Process(target=play_round, args=(shared, role, seed, barrier, results))
        for seed, role in enumerate("abu")
    ]
    for worker in workers:
        worker.start()
    outcomes: dict[int, dict[str, tuple[str, Any]]] = {}
    try:
        for _ in range(3 * ROUNDS):
            n, role, outcome, detail = results.get(timeout=60)
            outcomes.setdefault(n, {})[role] = (outcome, detail)
    except Empty:
        pass
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()
    assert set(range(ROUNDS)) == set(outcomes)

    with shared.open() as store:
        for n in range(ROUNDS):
            partner = f"p{n}"
            with_late = bill_period(store, "2026-03", partner_id=partner)
            assert before[n] != with_late  # the late usage changes the run
            events = store.events.since(0)
            [recorded] = [e for e in events if e.kind == "usage_recorded" and e.at == FINALISED
                          and e.team_id == f"n{n}"]  # fmt: skip
            announced = [
                e for e in events if isinstance(e, InvoiceFinalised) and e.partner_id == partner
            ]
            # One complete run: the one billed at the revision the invoices were stored at.
            expected = with_late if recorded.revision < announced[0].revision else before[n]
            stored = store.invoices.for_partner(partner, "2026-03")
            assert (
                sorted(expected.invoices_of(partner), key=lambda invoice: invoice.id),
                sorted(invoice.id for invoice in stored),
            ) == (stored, sorted(event.invoice_id for event in announced))
            # The second finalisation found that run (a no-op) or a conflict (nothing stored).
            shown = [i.to_dict() for i in expected.invoices_of(partner)]
            finalisers = sorted(outcomes[n][role] for role in "ab")
            late_in_march = expected is with_late
            assert ("recorded", None) == outcomes[n]["u"]
            if late_in_march:  # recorded before both: both found the same run
                assert [("finalised", shown), ("finalised", shown)] == finalisers
            else:  # recorded after the first: the second found it too, or a conflict
                assert finalisers in (
                    [("finalised", shown), ("finalised", shown)],
                    [("conflict", finalisers[0][1]), ("finalised", shown)],
                ), finalisers
            # Later: April bills the late usage once; March again is a no-op or a conflict.
            april = finalise(store, "2026-04", at=FINALISED, by=SYSTEM, partner_id=partner)
            adjustments = [
                (line.original_period, line.quantity)
                for line in april.invoice(f"inv-n{n}-2026-04").lines
                if line.kind is LineKind.ADJUSTMENT
            ]
            assert ([] if late_in_march else [("2026-03", Decimal(5))]) == adjustments
            revision = store.revision()
            if late_in_march:
                assert with_late == finalise(
                    store, "2026-03", at=FINALISED, by=SYSTEM, partner_id=partner
                )
            else:
                with pytest.raises(ConflictError, match=f"inv-n{n}-2026-03"):
                    finalise(store, "2026-03", at=FINALISED, by=SYSTEM, partner_id=partner)
            assert (revision, stored) == (
                store.revision(),
                store.invoices.for_partner(partner, "2026-03"),
            )
