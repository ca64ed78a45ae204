"""The ``usage_recorded`` events of ``record_usage``: one per client and call, each exactly
what its checking constructor builds, whether the call records one record or many."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from partnercore.billing import UsageRecord, record_usage
from partnercore.events import SYSTEM, Event, UsageRecorded
from partnercore.memory import InMemoryStore
from tests.billing.world import build

CLIENTS = ("b1", "c1", "c2")
METRICS = ("assessments", "api_calls", "évaluations", "reports")
APRIL = datetime(2026, 4, 2, 9, tzinfo=UTC)


def _exactly(event: Event) -> tuple[type, list[tuple[str, str]]]:
    return type(event), [(f.name, repr(getattr(event, f.name))) for f in attrs.fields(type(event))]


def _checked(event: Event) -> Event:
    """``event`` as its checking constructor builds it from the same fields."""
    return type(event)(**{f.name: getattr(event, f.name) for f in attrs.fields(type(event))})


_record = st.builds(
    UsageRecord,
    client_id=st.sampled_from(CLIENTS),
    metric=st.sampled_from(METRICS),
    quantity=st.integers(0, 10**6),
    at=st.just(APRIL),
)


@settings(max_examples=50, deadline=None)
@given(
    calls=st.lists(st.lists(_record, min_size=1, max_size=3), min_size=1, max_size=5),
    offset=st.integers(-12, 12),
)
def test_every_usage_event_is_what_its_checking_constructor_builds(
    calls: list[list[UsageRecord]], offset: int
) -> None:
    store = build(InMemoryStore())
    start = store.revision()
    at = APRIL.astimezone(timezone(timedelta(hours=offset)))  # any zone: stored in UTC

    for records in calls:
        record_usage(store, records, at=at, by=SYSTEM)

    stored = store.events.since(start)
    assert [_exactly(_checked(event)) for event in stored] == [_exactly(e) for e in stored]
    expected = [
        (
            client,
            sum(r.client_id == client for r in records),
            tuple(sorted({r.metric for r in records if r.client_id == client})),
        )
        for records in calls
        for client in sorted({r.client_id for r in records})
    ]
    assert expected == [(e.team_id, e.records, e.metrics) for e in stored]  # type: ignore[attr-defined]
    assert all(isinstance(e, UsageRecorded) and e.at == APRIL for e in stored)


def test_a_call_with_one_record_appends_the_event_a_call_with_it_among_others_would() -> None:
    one, many = build(InMemoryStore()), build(InMemoryStore())
    record = UsageRecord(client_id="c1", metric="reports", quantity=3, at=APRIL)
    start = one.revision()

    record_usage(one, [record], at=APRIL, by=SYSTEM)
    record_usage(many, (r for r in [record]), at=APRIL, by=SYSTEM)  # any iterable

    assert [_exactly(e) for e in many.events.since(start)] == [
        _exactly(e) for e in one.events.since(start)
    ]
    assert [("c1", 1, ("reports",))] == [
        (e.team_id, e.records, e.metrics)  # type: ignore[attr-defined]
        for e in one.events.since(start)
    ]
