"""The in-memory unit of work: an undo journal with savepoints, events published on commit."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from partnercore.billing import UsageRecord
from partnercore.events import UsageRecorded, UserAdded
from partnercore.memory import InMemoryUsage
from partnercore.memory._events import InMemoryEvents
from partnercore.memory._journal import Journal

AT = datetime(2026, 11, 1, tzinfo=UTC)


def _user(user_id: str) -> UserAdded:
    return UserAdded(at=AT, by="system", team_id=None, user_id=user_id, email=f"{user_id}@x.io")


class Boom(Exception):
    pass


def _abort(journal: Journal, *writes: Callable[[], object]) -> None:
    def failing() -> None:
        with journal.unit():
            for write in writes:
                write()
            raise Boom

    with pytest.raises(Boom):
        failing()


def test_an_error_leaving_a_unit_undoes_its_writes_in_reverse_order() -> None:
    journal = Journal()
    state: list[str] = []

    def write(value: str) -> None:
        state.append(value)
        journal.undo(state.pop)

    _abort(journal, lambda: write("a"), lambda: write("b"))
    assert [] == state


def test_an_inner_unit_is_a_savepoint_and_the_outer_unit_keeps_its_own_writes() -> None:
    journal = Journal()
    state: list[str] = []

    def write(value: str) -> None:
        state.append(value)
        journal.undo(state.pop)

    with journal.unit():
        write("outer")
        _abort(journal, lambda: write("inner"))
        write("after")
    assert ["outer", "after"] == state


def test_events_get_revisions_at_once_but_are_visible_only_after_commit() -> None:
    journal = Journal()
    events = InMemoryEvents(journal)
    with journal.unit():
        stored = events.append([_user("ann"), _user("bob")])
        assert [1, 2] == [event.revision for event in stored]
        assert [] == events.since(0)
        assert 0 == events.revision()
    assert stored == events.since(0)
    assert 2 == events.revision()


def test_events_of_a_unit_that_fails_leave_no_gap_in_the_revisions() -> None:
    journal = Journal()
    events = InMemoryEvents(journal)
    _abort(journal, lambda: events.append([_user("ann")]))
    stored = events.append([_user("bob")])
    assert [1] == [event.revision for event in stored]
    assert ["bob"] == [event.user_id for event in events.since(0)]  # type: ignore[attr-defined]


def test_since_pages_through_events_in_revision_order() -> None:
    events = InMemoryEvents()
    events.append([_user(name) for name in ("a1", "a2", "a3", "a4", "a5")])
    assert [3, 4] == [event.revision for event in events.since(2, limit=2)]
    assert [] == events.since(5)


def test_kept_entries_and_members_come_back_as_they_were_when_a_unit_fails() -> None:
    journal = Journal()
    index: dict[str, list[int]] = {"a": [1]}
    members = {"x"}

    def writes() -> None:
        journal.keep(index, "a")
        index["a"].append(2)
        journal.keep(index, "b")
        index["b"] = [3]
        journal.keep_member(members, "y")
        members.add("y")
        journal.keep_member(members, "x")
        members.discard("x")

    _abort(journal, writes)
    assert {"a": [1]} == index
    assert {"x"} == members


def test_outside_a_unit_writes_are_kept_at_once_and_nothing_is_remembered() -> None:
    journal = Journal()
    index: dict[str, int] = {}
    journal.keep(index, "a")
    index["a"] = 1
    with journal.unit():
        pass
    assert {"a": 1} == index
    assert not journal.open


def test_registered_undo_functions_get_their_values_back_newest_first() -> None:
    journal = Journal()
    calls: list[tuple[object, ...]] = []
    pair = journal.register(lambda a, b: calls.append(("pair", a, b)))
    single = journal.register(lambda a: calls.append(("single", a)))
    none = journal.register(lambda: calls.append(("none",)))

    def writes() -> None:
        journal.undo_with(pair, 1, "x")
        journal.undo(lambda: calls.append(("closure",)))
        journal.undo_with(single, (2, "y"))
        journal.undo_with(none)
        journal.undo_with(pair, 3, None)

    _abort(journal, writes)
    assert [
        ("pair", 3, None),
        ("none",),
        ("single", (2, "y")),
        ("closure",),
        ("pair", 1, "x"),
    ] == calls


def test_a_failed_savepoint_undoes_only_the_registered_writes_made_inside_it() -> None:
    journal = Journal()
    state: list[int] = []
    cut = journal.register(lambda length: state.__delitem__(slice(length, None)))

    def append(value: int) -> None:
        journal.undo_with(cut, len(state))
        state.append(value)

    with journal.unit():
        append(1)
        _abort(journal, lambda: append(2), lambda: append(3))
        append(4)
        assert [1, 4] == state
        _abort(journal, lambda: append(5))
    assert [1, 4] == state
    _abort(journal, lambda: append(6))  # a new unit after the commit: nothing older undone
    assert [1, 4] == state


def test_an_undo_that_fails_still_closes_the_unit_and_frees_the_lock() -> None:
    journal = Journal()

    def broken() -> None:
        raise Boom

    def failing() -> None:
        with journal.unit():
            journal.undo(broken)
            raise ValueError("the first failure")

    with pytest.raises(Boom):
        failing()
    assert not journal.open
    done: list[bool] = []
    worker = threading.Thread(target=lambda: done.append(journal._lock.acquire(timeout=5)))
    worker.start()
    worker.join()
    assert [True] == done


def _tracked_objects_kept(in_unit: bool) -> int:
    """How many objects the garbage collector tracks after 1,000 usage records and
    1,000 events are written (in one unit of work, or each on its own)."""
    journal = Journal()
    usage, events = InMemoryUsage(journal), InMemoryEvents(journal)
    record = UsageRecord(client_id="c1", metric="reports", quantity=Decimal(2), at=AT)
    event = UsageRecorded(at=AT, by="system", team_id="c1", records=1, metrics=("reports",))
    unit = journal.unit()
    if in_unit:
        unit.__enter__()
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(1000):
        usage.add(record)
        events.append([event])
    gc.collect()
    kept = len(gc.get_objects()) - before
    if in_unit:
        unit.__exit__(None, None, None)
    return kept


def test_a_unit_of_work_keeps_no_object_the_garbage_collector_walks_per_write() -> None:
    # The stored events are kept either way; the journal of an open unit adds nothing per
    # write (a closure per write would add thousands).
    outside, inside = _tracked_objects_kept(in_unit=False), _tracked_objects_kept(in_unit=True)

    assert 1000 <= outside
    assert abs(inside - outside) < 50


def test_a_list_kept_by_its_length_is_cut_back_not_copied_when_a_unit_fails() -> None:
    journal = Journal()
    index: dict[str, list[int]] = {"a": [1, 2]}

    def writes() -> None:
        for value in (3, 4):
            journal.keep_length(index, "a")
            index["a"].append(value)
        journal.keep_length(index, "b")
        index.setdefault("b", []).append(5)

    _abort(journal, writes)
    assert {"a": [1, 2]} == index
    with journal.unit():
        writes()
    assert {"a": [1, 2, 3, 4], "b": [5]} == index
