"""The PostgreSQL event log: revisions gap-free and in commit order, written with the unit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
import pytest

from partnercore import ValidationError
from partnercore.events import Event, TeamStatusChanged
from partnercore.postgres import PostgresStore

AT = datetime(2026, 3, 1, tzinfo=UTC)


class Boom(Exception):
    """Raised inside a unit of work to abandon it."""


def status(team_id: str, status: str = "suspended") -> TeamStatusChanged:
    return TeamStatusChanged(at=AT, by="system", team_id=team_id, status=status, previous="active")


def revisions(events: list[Event]) -> list[int]:
    return [event.revision for event in events]


def fail_after_appending(
    store: PostgresStore, *events: Event, then: Callable[[], None] = lambda: None
) -> None:
    """Append ``events`` in a unit of work, call ``then()``, then raise Boom."""
    with store.unit_of_work():
        store.events.append(events)
        then()
        raise Boom


def test_appended_events_get_the_next_revisions_and_read_back_in_order(
    store: PostgresStore,
) -> None:
    stored = store.events.append([status("c1"), status("c2")])
    more = store.events.append([status("c1", "archived")])
    assert ([1, 2], [3]) == (revisions(stored), revisions(more))
    assert stored + more == store.events.since(0)
    assert more == store.events.since(2)
    assert stored[:1] == store.events.since(0, limit=1)
    assert [stored[0], more[0]] == store.events.about("c1")
    assert (3, 3) == (store.revision(), store.events.revision())


def test_an_empty_store_is_at_revision_zero_and_appending_nothing_changes_nothing(
    store: PostgresStore,
) -> None:
    assert ([], 0, []) == (store.events.append([]), store.revision(), store.events.since(0))


def test_reading_back_refuses_a_bad_revision_or_limit_and_finds_nothing_for_a_bad_team(
    store: PostgresStore,
) -> None:
    with pytest.raises(ValidationError, match="revision"):
        store.events.since(-1)
    with pytest.raises(ValidationError, match="limit"):
        store.events.since(0, limit=0)
    assert [] == store.events.about("bad\0id")


def test_a_rolled_back_unit_leaves_no_gap_in_the_revisions(store: PostgresStore) -> None:
    with pytest.raises(Boom):
        fail_after_appending(store, status("c1"))
    assert [1] == revisions(store.events.append([status("c2")]))
    assert [1] == revisions(store.events.since(0))


def test_a_second_writer_waits_and_numbers_its_events_after_the_first_commits(
    store: PostgresStore,
) -> None:
    appended: list[list[Event]] = []
    first_in = threading.Event()

    def second() -> None:
        first_in.wait(10)
        appended.append(store.events.append([status("c2")]))

    thread = threading.Thread(target=second)
    thread.start()
    with store.unit_of_work():
        mine = store.events.append([status("c1")])
        first_in.set()
        time.sleep(0.3)
        assert [] == appended  # waiting for the counter row
    thread.join(10)
    assert ([1], [[2]]) == (revisions(mine), [revisions(events) for events in appended])


def test_a_waiting_writer_takes_the_revisions_a_rolled_back_one_gave_up(
    store: PostgresStore,
) -> None:
    appended: list[list[Event]] = []
    first_in = threading.Event()

    def second() -> None:
        first_in.wait(10)
        appended.append(store.events.append([status("c2")]))

    thread = threading.Thread(target=second)
    thread.start()

    def let_the_second_wait() -> None:
        first_in.set()
        time.sleep(0.3)
        assert [] == appended  # waiting for the counter row

    with pytest.raises(Boom):
        fail_after_appending(store, status("c1"), status("c1"), then=let_the_second_wait)
    thread.join(10)
    assert [[1]] == [revisions(events) for events in appended]
    assert [1] == revisions(store.events.since(0))


def test_writers_appending_at_once_leave_revisions_one_to_n_without_gaps(
    store: PostgresStore,
) -> None:
    def write(team: str) -> None:
        for n in range(10):
            try:
                with store.unit_of_work():
                    store.events.append([status(team), status(team)])
                    if n % 3 == 0:
                        raise Boom
            except Boom:
                pass

    threads = [threading.Thread(target=write, args=(f"c{k}",)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    committed = store.events.since(0)
    assert list(range(1, 4 * 6 * 2 + 1)) == revisions(committed)


def test_events_appended_in_a_host_transaction_that_rolls_back_are_not_there(
    connection: psycopg.Connection[tuple[object, ...]], postgres_url: str, schema: str
) -> None:
    PostgresStore.connect(postgres_url, schema=schema).close()
    hosted = PostgresStore.on(connection, schema=schema)
    with connection.transaction():
        with hosted.unit_of_work():
            hosted.events.append([status("c1")])
        assert 1 == hosted.revision()
        raise psycopg.Rollback
    with PostgresStore.connect(postgres_url, schema=schema) as pooled:
        assert ([], 0) == (pooled.events.since(0), pooled.revision())
    with connection.transaction(), hosted.unit_of_work():
        hosted.events.append([status("c1")])
    with PostgresStore.connect(postgres_url, schema=schema) as pooled:
        assert [1] == revisions(pooled.events.since(0))
