# Assertions read ``expected == actual``.
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from partnercore import ValidationError
from partnercore.licensing import LicenseInterval, LicenseState

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)


def test_an_interval_is_half_open() -> None:
    interval = LicenseInterval(LicenseState.FULL, START, END)
    assert (True, False) == (interval.contains(START), interval.contains(END))


def test_an_open_ended_interval_has_no_duration_and_contains_the_far_future() -> None:
    interval = LicenseInterval("free", START)
    assert (None, True) == (interval.duration, interval.contains(datetime(9000, 1, 1, tzinfo=UTC)))


def test_the_duration_is_the_real_length() -> None:
    assert timedelta(days=30) == LicenseInterval("full", START, END).duration


def test_an_interval_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError) as raised:
        LicenseInterval("full", START, START)
    assert "end" == raised.value.problems[0].path


def test_an_interval_reads_as_state_and_instants() -> None:
    assert "full  2026-11-01T00:00:00Z .. 2026-12-01T00:00:00Z" == str(
        LicenseInterval("full", START, END)
    )
    assert "trial 2026-11-01T00:00:00Z .. ..." == str(LicenseInterval("trial", START))


def test_a_naive_bound_is_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        LicenseInterval("full", START, datetime(2026, 12, 1))
    assert "end" == raised.value.problems[0].path
