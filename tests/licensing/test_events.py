# Assertions read ``expected == actual``.
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from partnercore import ValidationError
from partnercore.licensing import LicenseEvent, LicenseEventKind, LicenseState

AT = datetime(2026, 11, 10, 12, tzinfo=UTC)


def test_an_event_takes_effect_when_it_happens_by_default() -> None:
    event = LicenseEvent(kind="upgrade", at=AT, to="full")
    assert (AT, False) == (event.effective_at, event.deferred)


def test_event_instants_are_kept_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    event = LicenseEvent(kind="upgrade", at=datetime(2026, 11, 10, 13, tzinfo=paris), to="full")
    assert (AT, UTC) == (event.at, event.at.tzinfo)


def test_a_naive_instant_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        LicenseEvent(kind="upgrade", at=datetime(2026, 11, 10), to="full")
    assert "at" == raised.value.problems[0].path


@pytest.mark.parametrize(
    ("kind", "to"),
    [
        ("request_upgrade", "free"),
        ("upgrade", "trial"),
        ("convert", "free"),
        ("cancel_trial", "full"),
        ("downgrade", "trial"),
    ],
)
def test_an_event_cannot_record_an_outcome_the_table_does_not_give(kind: str, to: str) -> None:
    with pytest.raises(ValidationError) as raised:
        LicenseEvent(kind=kind, at=AT, to=to)
    assert "to" == raised.value.problems[0].path


def test_only_a_downgrade_can_take_effect_later() -> None:
    later = AT + timedelta(days=3)
    assert LicenseEvent(kind="downgrade", at=AT, to="free", effective_at=later).deferred
    with pytest.raises(ValidationError) as raised:
        LicenseEvent(kind="upgrade", at=AT, to="full", effective_at=later)
    assert "effective_at" == raised.value.problems[0].path


def test_an_event_cannot_take_effect_before_it_happens() -> None:
    with pytest.raises(ValidationError) as raised:
        LicenseEvent(kind="downgrade", at=AT, to="free", effective_at=AT - timedelta(seconds=1))
    assert "effective_at" == raised.value.problems[0].path


def test_the_kind_and_outcome_are_enums() -> None:
    event = LicenseEvent(kind="request_upgrade", at=AT, to="trial")
    assert (LicenseEventKind.REQUEST_UPGRADE, LicenseState.TRIAL) == (event.kind, event.to)
