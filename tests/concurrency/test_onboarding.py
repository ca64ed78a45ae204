"""Idempotent onboarding with two processes on one store (a SQLite file, a PostgreSQL schema).

Two processes onboard the same request at once, round after round (a barrier starts each
round in both). The request id is looked up and the client created in one unit of work, so
each round creates one client and both processes get the same onboarding back.
"""

# Assertions read ``expected == actual``.

from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from queue import Empty
from typing import Any

from partnercore.content import ClientTemplate, ContentItem, onboard
from partnercore.events import SYSTEM
from partnercore.tenancy import Team
from tests.concurrency._shared import Shared

ROUNDS = 10
CREATED = datetime(2026, 3, 1, tzinfo=UTC)
ONBOARDED = datetime(2026, 3, 10, 9, tzinfo=UTC)


def onboard_each_round(shared: Shared, barrier: Barrier, results: Any) -> None:
    """Onboard client ``c<n>`` with request ``req-<n>`` in every round, once both are ready."""
    with shared.open() as store:
        for n in range(ROUNDS):
            barrier.wait(timeout=60)
            try:
                done = onboard(
                    store, "readiness", f"c{n}", f"Client {n}", at=ONBOARDED, by=SYSTEM,
                    request_id=f"req-{n}",
                )  # fmt: skip
            except Exception as error:  # reported to the test, which fails on it
                results.put((n, f"{type(error).__name__}: {error}"))
            else:
                results.put((n, (done.client_id, done.license.value, len(done.installed))))


def test_the_same_onboarding_in_two_processes_at_once_creates_one_client(shared: Shared) -> None:
    with shared.open() as store, store.unit_of_work():
        store.teams.add(Team.partner("acme", "Acme", created_at=CREATED))
        store.items.add(
            ContentItem.create(
                id="acme-gap", kind="framework", title="Gap", owner="acme", status="published"
            )
        )
        store.templates.add(
            ClientTemplate(
                id="readiness",
                partner_id="acme",
                name="Readiness",
                license="trial",
                billing_model="reseller",
                operated_by="partner",
                content=["acme-gap"],
            )
        )
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(target=onboard_each_round, args=(shared, barrier, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes: dict[int, list[object]] = {}
    try:
        for _ in range(2 * ROUNDS):
            n, outcome = results.get(timeout=120)
            outcomes.setdefault(n, []).append(outcome)
    except Empty:
        pass
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()
    assert {n: [(f"c{n}", "trial", 1)] * 2 for n in range(ROUNDS)} == outcomes
    with shared.open() as store:
        kinds = Counter(event.kind for event in store.events.since(0))
        clients = [team.id for team in store.teams.clients_of("acme")]
    assert (ROUNDS, ROUNDS, ROUNDS, sorted(f"c{n}" for n in range(ROUNDS))) == (
        kinds["client_created"],
        kinds["client_onboarded"],
        kinds["content_installed"],
        sorted(clients),
    )
