"""The in-memory event log: stored copies carry their revision and equal what
``attrs.evolve`` gives, whatever the kind; publishing on commit."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.events import Event, UsageRecorded, UserAdded
from partnercore.memory._events import InMemoryEvents
from partnercore.memory._journal import Journal
from tests.events.test_events import events

AT = datetime(2026, 11, 1, tzinfo=UTC)


def _exactly(event: Event) -> tuple[type, list[tuple[str, str]]]:
    """The event's class and every field with its repr."""
    fields = [(f.name, repr(getattr(event, f.name))) for f in attrs.fields(type(event))]
    return type(event), fields


@given(st.lists(events(), min_size=1, max_size=4))
def test_every_stored_event_is_what_evolve_gives_with_its_revision(given: list[Event]) -> None:
    log = InMemoryEvents()
    log.append([_user("first")])

    stored = log.append(given)

    expected = [attrs.evolve(event, revision=2 + n) for n, event in enumerate(given)]
    assert [_exactly(event) for event in expected] == [_exactly(event) for event in stored]
    assert stored == log.since(1)


@attrs.frozen(kw_only=True)
class _Renamed(Event):
    """A host's own kind, whose converter changes what it is given."""

    kind = "host_renamed"
    label: str = attrs.field(converter=str.upper)


@attrs.frozen(kw_only=True)
class _LateUsage(UsageRecorded):
    """A host's subclass of a library kind, keeping its kind."""

    source: str = "backfill"


@pytest.mark.parametrize(
    "event",
    [
        _Renamed(at=AT, by="system", team_id="t1", label="x"),
        _LateUsage(at=AT, by="system", team_id="c1", records=2, metrics=("a",), source="s3"),
    ],
)
def test_a_hosts_own_kind_is_stored_as_evolve_gives_it(event: Event) -> None:
    stored = InMemoryEvents().append([event])

    assert [_exactly(attrs.evolve(event, revision=1))] == [_exactly(e) for e in stored]


def _user(user_id: str, team_id: str | None = None) -> UserAdded:
    return UserAdded(at=AT, by="system", team_id=team_id, user_id=user_id, email="u@x.io")


def test_a_team_sees_its_events_in_revision_order_only_once_the_unit_commits() -> None:
    journal = Journal()
    log = InMemoryEvents(journal)
    with journal.unit():
        log.append([_user("ann", "t1"), _user("bob", "t2")])
        with journal.unit():
            log.append([_user("cat", "t1")])
        assert [] == log.about("t1")
    assert [1, 3] == [event.revision for event in log.about("t1")]
    assert [2] == [event.revision for event in log.about("t2")]
    assert 3 == log.revision()


def test_something_that_is_no_event_is_refused_by_its_position_and_nothing_is_stored() -> None:
    log = InMemoryEvents()

    with pytest.raises(ValidationError, match=r"events\[1\]: expected a Event"):
        log.append([_user("ann"), "not an event"])  # type: ignore[list-item]
    assert ([], 0) == (log.since(0), len(log._events))
