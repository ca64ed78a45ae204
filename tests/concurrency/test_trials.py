"""One trial per organisation with two processes on one store (a SQLite file, then a
PostgreSQL schema).

Two processes request a trial at the same instant for two clients of one organisation,
round after round (a barrier starts each round in both at once). The rule is checked and
the licence saved in one unit of work (``BEGIN IMMEDIATE`` on SQLite, the store's advisory
lock first on PostgreSQL), so every round gives exactly one trial and one ``full`` licence.
"""

# Assertions read ``expected == actual``.

from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from queue import Empty
from typing import Any

from partnercore.events import SYSTEM
from partnercore.licensing import open_license, request_upgrade
from partnercore.tenancy import Team
from tests.concurrency._shared import Shared

ROUNDS = 20
CREATED = datetime(2026, 3, 1, tzinfo=UTC)
REQUESTED = datetime(2026, 3, 10, 9, tzinfo=UTC)


def client(team_id: str, organisation: str) -> Team:
    return Team.client(
        team_id,
        f"Client {team_id}",
        parent_id="p1",
        operated_by="client",
        billing_model="reseller",
        created_at=CREATED,
        organisation_key=organisation,
    )


def request_trials(shared: Shared, side: str, barrier: Barrier, results: Any) -> None:
    """Request the trial of client ``r<n><side>`` in every round, once both sides are ready."""
    with shared.open() as store:
        for n in range(ROUNDS):
            barrier.wait(timeout=60)
            try:
                license = request_upgrade(store, f"r{n}{side}", at=REQUESTED, by=SYSTEM)
            except Exception as error:  # reported to the test, which fails on it
                results.put((n, side, f"{type(error).__name__}: {error}"))
            else:
                results.put((n, side, license.state_at(REQUESTED).value))


def test_concurrent_trials_for_one_organisation_give_exactly_one_trial(shared: Shared) -> None:
    with shared.open() as store, store.unit_of_work():
        store.teams.add(Team.partner("p1", "Partner One", created_at=CREATED))
        for n in range(ROUNDS):
            for side in "ab":
                store.teams.add(client(f"r{n}{side}", f"org{n}.example"))
                open_license(store, f"r{n}{side}", at=CREATED, by=SYSTEM)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(target=request_trials, args=(shared, side, barrier, results))
        for side in "ab"
    ]
    for worker in workers:
        worker.start()
    outcomes: dict[int, list[str]] = {}
    try:
        for _ in range(2 * ROUNDS):
            n, _side, outcome = results.get(timeout=120)
            outcomes.setdefault(n, []).append(outcome)
    except Empty:
        pass
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()
    assert {n: ["full", "trial"] for n in range(ROUNDS)} == {
        n: sorted(found) for n, found in outcomes.items()
    }
    with shared.open() as store:
        trials = Counter(
            license.organisation_key
            for n in range(ROUNDS)
            for license in store.licenses.for_organisation(f"org{n}.example")
            if license.trial_started_at is not None
        )
        started = [event for event in store.events.since(0) if event.kind == "trial_started"]
    assert ({f"org{n}.example": 1 for n in range(ROUNDS)}, ROUNDS) == (dict(trials), len(started))
