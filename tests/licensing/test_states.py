# Assertions read ``expected == actual``.
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from partnercore import ValidationError
from partnercore.licensing import (
    TRANSITIONS,
    LicenseEvent,
    LicenseEventKind,
    LicenseInterval,
    LicenseState,
)

AT = datetime(2026, 11, 10, tzinfo=UTC)


def test_states_are_spelled_as_in_the_specification() -> None:
    assert ["free", "trial", "full"] == [state.value for state in LicenseState]


def test_events_are_spelled_as_in_the_specification() -> None:
    assert ["request_upgrade", "upgrade", "convert", "cancel_trial", "downgrade"] == [
        kind.value for kind in LicenseEventKind
    ]


def test_the_transition_table_is_the_one_in_section_4() -> None:
    table = {
        (state.value, kind.value): sorted(to.value for to in outcomes)
        for state, events in TRANSITIONS.items()
        for kind, outcomes in events.items()
    }
    assert {
        ("free", "request_upgrade"): ["full", "trial"],
        ("free", "upgrade"): ["full"],
        ("trial", "convert"): ["full"],
        ("trial", "cancel_trial"): ["free"],
        ("full", "downgrade"): ["free"],
    } == table


def test_a_state_can_be_given_by_its_spelling() -> None:
    assert LicenseState.TRIAL == LicenseInterval(state="trial", start=AT).state


@pytest.mark.parametrize("value", ["Trial", "paid", "", None, 1])
def test_an_unknown_state_is_rejected_naming_the_field(value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        LicenseInterval(state=value, start=AT)
    assert "state" == raised.value.problems[0].path


def test_an_unknown_event_is_rejected_naming_the_field_and_the_events() -> None:
    with pytest.raises(ValidationError) as raised:
        LicenseEvent(kind="renew", at=AT, to="full")
    expected = (
        "kind: expected one of request_upgrade, upgrade, convert, cancel_trial, downgrade, "
        "got 'renew'"
    )
    assert expected == str(raised.value)
