"""The in-memory unit of work: an undo journal with savepoints, events published on commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from partnercore.events import UserAdded
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
