"""Events: plain records that round-trip through dicts; the system actor."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.events import (
    SYSTEM,
    Event,
    GrantCreated,
    TeamStatusChanged,
    actor_id,
    check_actor,
    event_from_dict,
    event_types,
)

AT = datetime(2026, 11, 1, 9, tzinfo=UTC)

_values = {
    str: st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True),
    int: st.integers(0, 10**6),
    bool: st.booleans(),
    datetime: st.datetimes(timezones=st.just(UTC)),
}


def _value(kind: object) -> st.SearchStrategy[object]:
    text = str(kind)
    if "datetime" in text:
        base = _values[datetime]
    elif "tuple" in text:
        return st.lists(_values[str], max_size=3).map(tuple)
    elif "bool" in text:
        base = _values[bool]
    elif "int" in text:
        base = _values[int]
    else:
        base = _values[str]
    return st.one_of(st.none(), base) if "None" in text else base


@st.composite
def events(draw: st.DrawFn) -> Event:
    cls = draw(st.sampled_from(sorted(event_types().values(), key=lambda c: c.kind)))
    values = {
        field.name: draw(_value(field.type))
        for field in attrs.fields(cls)
        if field.name not in ("at", "by", "revision", "team_id")
    }
    return cls(
        at=draw(_values[datetime]),
        by=draw(st.sampled_from(["system", "alice"])),
        team_id=draw(st.one_of(st.none(), _values[str])),
        revision=draw(st.integers(0, 1000)),
        **values,
    )


@given(events())
def test_every_event_survives_a_round_trip_through_its_dict(event: Event) -> None:
    assert event == event_from_dict(event.to_dict())


@given(events())
def test_every_event_describes_itself_in_a_sentence(event: Event) -> None:
    assert event.describe().strip() != ""


def test_an_event_dict_leads_with_revision_kind_instant_and_actor() -> None:
    event = TeamStatusChanged(
        at=AT, by="system", team_id="c1", status="suspended", previous="active", revision=7
    )
    expected = {
        "revision": 7,
        "kind": "team_status_changed",
        "at": "2026-11-01T09:00:00Z",
        "by": "system",
        "team_id": "c1",
        "status": "suspended",
        "previous": "active",
    }
    assert expected == event.to_dict()
    assert ["revision", "kind", "at", "by"] == list(event.to_dict())[:4]


def test_event_instants_are_normalised_to_utc_and_naive_ones_are_refused() -> None:
    paris = timezone(timedelta(hours=1))
    event = TeamStatusChanged(
        at=datetime(2026, 11, 1, 10, tzinfo=paris),
        by="ann",
        team_id="c1",
        status="archived",
        previous="active",
    )
    assert AT == event.at
    with pytest.raises(ValidationError, match="naive datetime"):
        TeamStatusChanged(
            at=datetime(2026, 11, 1), by="ann", team_id="c1", status="a", previous="b"
        )


def test_an_unknown_kind_or_a_missing_fact_is_a_validation_error_naming_it() -> None:
    with pytest.raises(ValidationError) as unknown:
        event_from_dict({"kind": "party", "at": "2026-11-01T09:00:00Z"})
    assert "kind: unknown event kind 'party'" == str(unknown.value)
    data = GrantCreated(
        at=AT,
        by="ann",
        team_id="c1",
        grant_id="g1",
        partner_id="p1",
        client_id="c1",
        advisor_id="bob",
        role="advisor",
        granted_at=AT,
    ).to_dict()
    del data["grant_id"]
    with pytest.raises(ValidationError) as missing:
        event_from_dict(data)
    assert "grant_id: missing" == str(missing.value)


def test_a_negative_revision_or_an_actor_that_is_no_id_is_refused() -> None:
    with pytest.raises(ValidationError, match="revision"):
        TeamStatusChanged(at=AT, by="ann", team_id="c1", status="a", previous="b", revision=-1)
    with pytest.raises(ValidationError, match="by"):
        TeamStatusChanged(at=AT, by="not an id", team_id="c1", status="a", previous="b")


def test_the_system_actor_is_one_object_written_as_system() -> None:
    assert SYSTEM is pickle.loads(pickle.dumps(SYSTEM))
    assert "system" == actor_id(SYSTEM)
    assert "ann" == actor_id("ann")
    assert SYSTEM is check_actor(SYSTEM)
    assert "SYSTEM" == repr(SYSTEM)
    with pytest.raises(ValidationError, match="by: expected an id"):
        check_actor(None)
